"""The party of a case (parten): who is heard, who answers, where the case's letters go by
Digital Post and who is told. The one place that knows a case's party is either

  - the cluster the case belongs to (`Case.cluster`): its director and staff answer, its
    directors are notified, letters go to the cluster's CVR; or
  - for an open-call application's case (no cluster yet), the applicant
    (evaluations.Applicant, reached through the application's proposal): the applicant's user
    answers and is notified, letters go to the applicant's CVR.

Everything that asks "who is the other side of this case" asks `case_party(case)`: the
hearing (grants.cases.hearing), the letters' Digital Post recipient (grants.cases.delivery),
the notifications (grants.cases.services.notify_party) and the letters a person may open
(grants.cases.selectors). The reminders of a hearing deadline follow the same party through
the Deadline's `cluster` or `applicant` (grants.notifications.reminders)."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from grants.calls.models import Application
from grants.cases.models import Case
from klyngeadmin.accounts.models import User
from klyngeadmin.kernel.predicates import in_role, is_cluster_user
from klyngeadmin.kernel.roles import CLUSTER_ROLES, Role

CLUSTER = "cluster"
APPLICANT = "applicant"


@dataclass(frozen=True)
class CaseParty:
    kind: str  # CLUSTER or APPLICANT
    name: str
    cvr: str  # where the case's letters go by Digital Post
    url: str  # the party's own page of the case
    cluster_id: int | None = None
    applicant_id: int | None = None
    applicant_user_id: int | None = None

    def speaks_for(self, user) -> bool:
        """Whether `user` speaks for the party: answers its hearing, reads its letters."""
        if user is None or not getattr(user, "is_active", False):
            return False
        if self.kind == CLUSTER:
            return is_cluster_user(in_role(user)) and user.cluster_id == self.cluster_id
        return user.pk == self.applicant_user_id

    def people(self):
        """Everyone who speaks for the party (a cluster's director and staff)."""
        if self.kind == CLUSTER:
            return User.objects.filter(cluster_id=self.cluster_id, role__in=CLUSTER_ROLES,
                                       is_active=True)
        return User.objects.filter(pk=self.applicant_user_id, is_active=True)

    def notified(self):
        """Who is told when the authority writes to the party (a cluster's directors)."""
        if self.kind == CLUSTER:
            return User.objects.filter(cluster_id=self.cluster_id, role=Role.DIRECTOR,
                                       is_active=True)
        return self.people()

    @property
    def deadline_fields(self) -> dict:
        """The party of a Deadline the party must meet (its reminders follow it)."""
        return {"cluster_id": self.cluster_id, "applicant_id": self.applicant_id}


def case_party(case: Case) -> CaseParty | None:
    """The party of `case`: its cluster, or the applicant of its application; None when the
    case has neither (nobody to hear or write to). One query for an application's case."""
    if case.cluster_id is not None:
        cluster = case.cluster
        return CaseParty(kind=CLUSTER, name=cluster.name, cvr=cluster.cvr,
                         url=reverse("cases:cluster_case", args=[case.journal_number]),
                         cluster_id=cluster.pk)
    if case.application_id is not None:
        row = (Application.objects.filter(pk=case.application_id, proposal__isnull=False)
               .values("proposal__applicant_id", "proposal__applicant__user_id",
                       "proposal__applicant__cvr", "proposal__applicant__organisation_name")
               .first())
        if row is not None:
            return CaseParty(
                kind=APPLICANT, name=row["proposal__applicant__organisation_name"],
                cvr=row["proposal__applicant__cvr"], url=reverse("calls:application", args=[case.application_id]),
                applicant_id=row["proposal__applicant_id"],
                applicant_user_id=row["proposal__applicant__user_id"],
            )
    return None


def party_case_ids(user):
    """The ids of the cases whose party `user` speaks for as an applicant (their application's
    case); an empty queryset for anyone else (a cluster's cases are scoped by cluster)."""
    return Case.objects.filter(
        application__proposal__applicant__user_id=getattr(user, "pk", None)
    ).values("pk")
