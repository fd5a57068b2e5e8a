"""Reads for the API, scoped to the key's principal."""

import rules
from django.db.models import Prefetch, Q, QuerySet

from grants.cases.models import Case, CaseEvent
from grants.core.models import Grant
from grants.deadlines.models import Deadline
from grants.reports.selectors import CLUSTER_DEADLINE_KINDS, report_list
from klyngeadmin.kernel.predicates import is_authority, is_cluster_user


def report_api_list(*, user):
    return report_list(user=user).order_by("year", "grant__cluster__slug", "id")


def open_deadline_list(*, user) -> QuerySet[Deadline]:
    """The key's open deadlines: a cluster's own (reports, self-assessments, requested
    changes); a caseworker's: those assigned to them and their cases' handling deadlines."""
    qs = Deadline.objects.filter(completed_at__isnull=True, cancelled_at__isnull=True).select_related(
        "cluster"
    )
    if user is None or not user.is_authenticated:
        return qs.none()
    if is_cluster_user(user) and user.cluster_id:
        qs = qs.filter(cluster_id=user.cluster_id, kind__in=CLUSTER_DEADLINE_KINDS)
    elif is_authority(user) and user.pk:
        qs = qs.filter(Q(assignee=user) | Q(case__assignee=user))
    else:
        return qs.none()
    return qs.order_by("due_at", "id")


def case_api_list(*, user) -> QuerySet[Case]:
    """Cases with their whole event trail (internal notes included): for those who may see
    cases (grants.view_case, as on /sager/)."""
    if user is None or not rules.has_perm("grants.view_case", user):
        return Case.objects.none()
    return (
        Case.objects.select_related("cluster", "assignee", "deadline")
        .prefetch_related(
            Prefetch("events", queryset=CaseEvent.objects.select_related("actor").order_by("created_at", "id"))
        )
        .order_by("-created_at", "-id")
    )


def grant_api_list(*, user):
    """Grants the key may see: a cluster's own, every grant for the authority."""
    qs = Grant.objects.select_related("cluster")
    if user is None or not user.is_authenticated:
        return qs.none()
    if is_cluster_user(user) and user.cluster_id:
        return qs.filter(cluster_id=user.cluster_id)
    if is_authority(user):
        return qs
    return qs.none()
