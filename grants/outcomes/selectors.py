"""Reads for outcomes: the report's outcome section, the choices its form offers, the public
aggregates (published only as aggregates, withheld below MIN_COMPANIES like the statistics)
and Danmarks Statistik's effect measurements beside the clusters' own figures."""

from __future__ import annotations

from django.db.models import Count, Q, Sum

from clusters.models import Activity, CompanyParticipation, FacilitatedProject
from grants.outcomes.constants import OutcomeKind, OutcomeSource
from grants.outcomes.models import CompanyOutcome, EffectMeasurement, SurveyInvitation

MIN_COMPANIES = 5  # the statistics' small-number rule (grants.statistics.selectors.MIN_COMPANIES_SHOWN)


def report_outcomes(*, cluster_id: int, year: int) -> list[CompanyOutcome]:
    """The outcomes the report of (cluster, year) shows: one query."""
    return list(
        CompanyOutcome.objects.filter(cluster_id=cluster_id, year=year)
        .select_related("company", "activity", "project").order_by("company__name", "kind", "id")
    )


def report_outcome_summary(*, cluster_id: int, year: int) -> list[dict]:
    """Per outcome kind: companies and (for investments) the amount, for the report page."""
    figures = CompanyOutcome.objects.filter(cluster_id=cluster_id, year=year).aggregate(**{
        **{f"{k}_companies": Count("company_id", filter=Q(kind=k), distinct=True) for k in OutcomeKind.values},
        "investment_dkk": Sum("investment_dkk"),
    })
    return [{"kind": k, "label": label, "companies": figures[f"{k}_companies"],
             "amount_dkk": figures["investment_dkk"] if k == OutcomeKind.INVESTMENT else None}
            for k, label in OutcomeKind.choices]


def subject_choices(*, cluster_id: int, year: int) -> list[tuple[str, str]]:
    """The activities and facilitated projects of the year an outcome can come from, as form
    choices "a:<external_id>" / "p:<external_id>"."""
    acts = Activity.objects.filter(cluster_id=cluster_id, year=year).order_by("title").values_list(
        "external_id", "title")
    projects = FacilitatedProject.objects.filter(cluster_id=cluster_id, year=year).order_by("title").values_list(
        "external_id", "title")
    return [(f"a:{e}", t) for e, t in acts] + [(f"p:{e}", t) for e, t in projects]


def report_invitations(*, cluster_id: int, year: int) -> list[SurveyInvitation]:
    return list(SurveyInvitation.objects.filter(cluster_id=cluster_id).filter(
        Q(activity__year=year) | Q(project__year=year)).select_related("company").order_by("-created_at")[:50])


def outcome_statistics(*, from_year: int, to_year: int, cluster_ids=None) -> dict:
    """"Resultater i virksomhederne": per outcome kind the distinct companies with that outcome
    and their outcomes, by source, and the investment triggered; plus the participating
    companies to set them against. One aggregate query for the outcomes, one for the base."""
    qs = CompanyOutcome.objects.filter(year__gte=from_year, year__lte=to_year)
    base = CompanyParticipation.objects.filter(activity__year__gte=from_year, activity__year__lte=to_year)
    if cluster_ids is not None:
        qs = qs.filter(cluster_id__in=cluster_ids)
        base = base.filter(activity__cluster_id__in=cluster_ids)
    aggregates = {"companies": Count("company_id", distinct=True), "investment_dkk": Sum("investment_dkk")}
    for kind in OutcomeKind.values:
        aggregates[f"{kind}_companies"] = Count("company_id", filter=Q(kind=kind), distinct=True)
        for source in OutcomeSource.values:
            aggregates[f"{kind}_{source}"] = Count("id", filter=Q(kind=kind, source=source))
    figures = qs.aggregate(**aggregates)
    figures["participating_companies"] = base.aggregate(n=Count("company_id", distinct=True))["n"]
    figures["investment_dkk"] = figures["investment_dkk"] or 0
    return figures


def effect_measurements(*, cluster_id=None) -> list[EffectMeasurement]:
    qs = EffectMeasurement.objects.select_related("cluster").order_by("cluster__name", "year", "indicator")
    return list(qs.filter(cluster_id=cluster_id) if cluster_id else qs)


def effects_beside_figures() -> list[dict]:
    """Each loaded (cluster, year) with its effect-measurement rows and, beside them, the
    cluster's own figures for that year: companies with a registered outcome and participating
    companies. Three queries."""
    rows = effect_measurements()
    keys = {(m.cluster_id, m.year) for m in rows}
    cluster_ids = {c for c, _y in keys}
    outcome_counts = {
        (r["cluster_id"], r["year"]): r["n"]
        for r in CompanyOutcome.objects.filter(cluster_id__in=cluster_ids).values("cluster_id", "year")
        .annotate(n=Count("company_id", distinct=True))
    }
    participants = {
        (r["activity__cluster_id"], r["activity__year"]): r["n"]
        for r in CompanyParticipation.objects.filter(activity__cluster_id__in=cluster_ids)
        .values("activity__cluster_id", "activity__year").annotate(n=Count("company_id", distinct=True))
    }
    groups: dict = {}
    for m in rows:
        group = groups.setdefault((m.cluster_id, m.year), {
            "cluster": m.cluster, "year": m.year, "measurements": [],
            "companies_with_outcomes": outcome_counts.get((m.cluster_id, m.year), 0),
            "participating_companies": participants.get((m.cluster_id, m.year), 0),
        })
        group["measurements"].append(m)
    return list(groups.values())
