"""Reads for the API, scoped to the key's principal (scope_to_user): a cluster key sees its own
cluster's rows only, an authority key sees all."""

from django.db.models import Prefetch, QuerySet

from clusters.models import (
    Activity,
    ClusterOrganisation,
    CompanyParticipation,
    FacilitatedProject,
    InstitutionParticipation,
    KnowledgeInstitution,
    StateAidRecord,
)
from klyngeadmin.kernel.predicates import is_authority, is_cluster_user
from klyngeadmin.kernel.scoping import scope_to_user


def cluster_list(*, user) -> QuerySet[ClusterOrganisation]:
    qs = ClusterOrganisation.objects.select_related("strength_position").order_by("slug")
    if user is None or not user.is_authenticated:
        return qs.none()
    if is_authority(user):
        return qs
    if is_cluster_user(user) and user.cluster_id:
        return qs.filter(pk=user.cluster_id)
    return qs.none()


def institution_list() -> QuerySet[KnowledgeInstitution]:
    return KnowledgeInstitution.objects.order_by("code")


def activity_list(*, user) -> QuerySet[Activity]:
    return scope_to_user(Activity.objects.all(), user).select_related("cluster").prefetch_related(
        Prefetch(
            "company_participations",
            queryset=CompanyParticipation.objects.select_related("company").order_by("company__cvr"),
        ),
        Prefetch(
            "institution_participations",
            queryset=InstitutionParticipation.objects.select_related("institution").order_by(
                "institution__code"
            ),
        ),
        Prefetch("aid_records", queryset=StateAidRecord.objects.select_related("company").order_by("company__cvr")),
    ).order_by("-start_date", "id")


# The columns of an activity as the API lists it (clusters.api.serializers.activity_rows).
ACTIVITY_COLUMNS = (
    "id", "external_id", "cluster__slug", "title", "activity_type", "start_date", "end_date",
    "international", "eu_funded", "fee_per_participant_dkk", "fee_basis", "individual_service",
    "version", "updated_at",
)


def activity_values_list(*, user) -> QuerySet:
    """The key's activities as plain rows (values()), newest first: the list endpoint builds
    its page from these and `activity_participations`, without model instances."""
    return scope_to_user(Activity.objects.all(), user).values(*ACTIVITY_COLUMNS).order_by("-start_date", "id")


def activity_participations(activity_ids) -> tuple[list[tuple], list[tuple], list[tuple]]:
    """(activity_id, cvr, name, employees) by CVR, (activity_id, institution code) by code and
    (activity_id, cvr, legal basis, amount, granted on) of the state aid by CVR, for these
    activities: three queries whatever their number."""
    companies = list(
        CompanyParticipation.objects.filter(activity_id__in=activity_ids)
        .order_by("company__cvr")
        .values_list("activity_id", "company__cvr", "company__name", "company__employees")
    )
    institutions = list(
        InstitutionParticipation.objects.filter(activity_id__in=activity_ids)
        .order_by("institution__code")
        .values_list("activity_id", "institution__code")
    )
    aid = list(
        StateAidRecord.objects.filter(activity_id__in=activity_ids)
        .order_by("company__cvr")
        .values_list("activity_id", "company__cvr", "legal_basis", "amount_dkk", "granted_on")
    )
    return companies, institutions, aid


def facilitated_project_list(*, user) -> QuerySet[FacilitatedProject]:
    return (
        scope_to_user(FacilitatedProject.objects.all(), user)
        .select_related("cluster")
        .prefetch_related("partner_companies", "partner_institutions")
        .order_by("-year", "external_id")
    )
