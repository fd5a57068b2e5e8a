"""Reads of a cluster's activities and facilitated projects, scoped to the person asking.

Per-row participant counts are subqueries (annotate), so a list page costs the same number of
queries whatever the amount of data."""

from __future__ import annotations

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from clusters.models import (
    Activity,
    Company,
    CompanyParticipation,
    FacilitatedProject,
    ImportJob,
    InstitutionParticipation,
    KnowledgeInstitution,
)
from klyngeadmin.kernel.scoping import scope_to_user


def _count_of(model, fk: str) -> Coalesce:
    sub = (
        model.objects.filter(**{fk: OuterRef("pk")})
        .order_by()
        .values(fk)
        .annotate(n=Count("*"))
        .values("n")
    )
    return Coalesce(Subquery(sub, output_field=IntegerField()), 0)


def activity_list(
    *,
    user,
    search: str = "",
    year: int | None = None,
    activity_type: str = "",
    international: bool | None = None,
    eu_funded: bool | None = None,
) -> QuerySet[Activity]:
    qs = scope_to_user(Activity.objects.all(), user)
    if search:
        qs = qs.filter(Q(title__icontains=search) | Q(external_id__icontains=search))
    if year:
        qs = qs.filter(year=year)
    if activity_type:
        qs = qs.filter(activity_type=activity_type)
    if international is not None:
        qs = qs.filter(international=international)
    if eu_funded is not None:
        qs = qs.filter(eu_funded=eu_funded)
    return qs.annotate(
        n_companies=_count_of(CompanyParticipation, "activity"),
        n_institutions=_count_of(InstitutionParticipation, "activity"),
    ).order_by("-start_date", "-id")


def activity_years(*, user) -> list[int]:
    return list(
        scope_to_user(Activity.objects.all(), user)
        .order_by("-year").values_list("year", flat=True).distinct()
    )


def activity_get(*, user, pk: int) -> QuerySet[Activity]:
    """The activity (as a one-row queryset for get_object_or_404) with its participants."""
    return scope_to_user(Activity.objects.filter(pk=pk), user).select_related("cluster").prefetch_related(
        Prefetch(
            "company_participations",
            queryset=CompanyParticipation.objects.select_related("company").order_by("company__name"),
        ),
        Prefetch(
            "institution_participations",
            queryset=InstitutionParticipation.objects.select_related("institution"),
        ),
    )


def institution_list() -> QuerySet[KnowledgeInstitution]:
    """Knowledge institutions are shared reference data: every cluster may pick any of them."""
    return KnowledgeInstitution.objects.order_by("kind", "name")


def facilitated_project_list(*, user, year: int | None = None, status: str = "") -> QuerySet:
    qs = scope_to_user(FacilitatedProject.objects.all(), user)
    if year:
        qs = qs.filter(year=year)
    if status:
        qs = qs.filter(status=status)
    through_c = FacilitatedProject.partner_companies.through
    through_i = FacilitatedProject.partner_institutions.through
    return qs.annotate(
        n_companies=_count_of(through_c, "facilitatedproject"),
        n_institutions=_count_of(through_i, "facilitatedproject"),
    ).order_by("-year", "title", "id")


def facilitated_project_get(*, user, pk: int) -> QuerySet[FacilitatedProject]:
    return scope_to_user(FacilitatedProject.objects.filter(pk=pk), user).prefetch_related(
        Prefetch("partner_companies", queryset=Company.objects.order_by("name")),
        "partner_institutions",
    )


def import_job_get(*, user, pk: int) -> QuerySet[ImportJob]:
    return scope_to_user(ImportJob.objects.filter(pk=pk), user)
