"""The key figures behind the data-based criteria, per cluster and calendar year, read from the
activities, participations and annual reports. A fixed number of queries whatever the number
of clusters (one or two per key figure), so a cohort of clusters costs as much as one. The
figures of a cluster's activity data alone are read through the figures cache
(clusters.figures_cache: computed once per change of the cluster's data); the co-financing,
from the reports, is computed here each call, and the cohort reads all of them through the
cache once more (evaluations.midway.selectors.cohort_inputs)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import Coalesce

from clusters import figures
from clusters.constants import SME_SIZE_CLASSES, ActivityType, InstitutionKind, SizeClass
from clusters.figures_cache import per_cluster_year
from clusters.models import Activity, CompanyParticipation, InstitutionParticipation
from evaluations.constants import Metric
from grants.reports.models import AnnualReport, CompetitiveFunding
from grants.rules import REPORTED_STATES

# (cluster id, calendar year) -> value
Figures = dict[tuple[int, int], Decimal]

COLLABORATION_TYPES = (ActivityType.RD_APPLICATION, ActivityType.INNOVATION_PROJECT)
APPLIED_INSTITUTION_KINDS = (
    InstitutionKind.ACADEMY, InstitutionKind.UNIVERSITY_COLLEGE, InstitutionKind.ARTISTIC,
)
SHARE_PLACES = Decimal("0.0001")


def _counts(rows, cluster_key: str, year_key: str) -> Figures:
    return {(r[cluster_key], r[year_key]): Decimal(r["n"]) for r in rows}


@per_cluster_year("midway-sme-knowledge-projects")
def sme_knowledge_projects(cluster_ids, years) -> Figures:
    sme = CompanyParticipation.objects.filter(
        activity=OuterRef("pk"), company__size_class__in=SME_SIZE_CLASSES
    )
    inst = InstitutionParticipation.objects.filter(activity=OuterRef("pk"))
    rows = (
        Activity.objects.filter(cluster_id__in=cluster_ids, year__in=years,
                                activity_type__in=COLLABORATION_TYPES)
        .filter(Exists(sme), Exists(inst))
        .values("cluster_id", "year").annotate(n=Count("id"))
    )
    return _counts(rows, "cluster_id", "year")


def _companies(cluster_ids, years, companies=None):
    """The company figures per cluster-year by the one definition (clusters.figures): the most
    expensive query here, so key_figures reads it once for all the company metrics."""
    if companies is None:
        companies = figures.cluster_year_companies(cluster_ids, years)
    return companies


def _company_figure(cluster_ids, years, name: str, companies=None) -> Figures:
    return {
        key: Decimal(f[name])
        for key, f in _companies(cluster_ids, years, companies).items()
        if f[name]
    }


def small_company_reach(cluster_ids, years, companies=None) -> Figures:
    return _company_figure(cluster_ids, years, f"{SizeClass.SMALL.value}_companies", companies)


def sme_reach(cluster_ids, years, companies=None) -> Figures:
    return _company_figure(cluster_ids, years, "smes", companies)


@per_cluster_year("midway-applied-institution-breadth")
def applied_institution_breadth(cluster_ids, years) -> Figures:
    rows = (
        InstitutionParticipation.objects.filter(
            activity__cluster_id__in=cluster_ids, activity__year__in=years,
            institution__kind__in=APPLIED_INSTITUTION_KINDS,
        )
        .values("activity__cluster_id", "activity__year")
        .annotate(n=Count("institution_id", distinct=True))
    )
    return _counts(rows, "activity__cluster_id", "activity__year")


@per_cluster_year("midway-international-activities")
def international_activities(cluster_ids, years) -> Figures:
    rows = (
        Activity.objects.filter(cluster_id__in=cluster_ids, year__in=years)
        .filter(Q(international=True) | Q(eu_funded=True))
        .values("cluster_id", "year").annotate(n=Count("id"))
    )
    return _counts(rows, "cluster_id", "year")


def cofinancing_per_grant_krone(cluster_ids, years) -> Figures:
    """(co-financing by all four sources + competitive funds brought home) / grant spent, from
    the reports submitted for the year (any of the cluster's grants)."""
    reports = (
        AnnualReport.objects.filter(
            grant__cluster_id__in=cluster_ids, year__in=years, status__in=REPORTED_STATES
        )
        .values("grant__cluster_id", "year")
        .annotate(
            spent=Coalesce(Sum("grant_spent_dkk"), 0),
            **{name: Coalesce(Sum(name), 0) for name in figures.COFINANCING_FIELDS},
        )
    )
    competitive = {
        (r["report__grant__cluster_id"], r["report__year"]): r["amount"]
        for r in CompetitiveFunding.objects.filter(
            report__grant__cluster_id__in=cluster_ids, report__year__in=years,
            report__status__in=REPORTED_STATES,
        )
        .values("report__grant__cluster_id", "report__year")
        .annotate(amount=Sum("amount_dkk"))
    }
    out: Figures = {}
    for r in reports:
        key = (r["grant__cluster_id"], r["year"])
        if r["spent"]:
            external = figures.cofinancing(r) + (competitive.get(key) or 0)
            out[key] = (Decimal(external) / Decimal(r["spent"])).quantize(SHARE_PLACES)
    return out


def outside_share(cluster_ids, years, companies=None) -> Figures:
    """Distinct participating companies whose DB07 division lies outside the cluster's strength
    position, as a share of the distinct participating companies with a known industry (0-1);
    companies without a DB07 code are neither (clusters.figures)."""
    out: Figures = {}
    for key, f in _companies(cluster_ids, years, companies).items():
        share = figures.share_outside(
            f["companies_outside_strength_position"], f["companies"], f["companies_unknown_industry"]
        )
        if share is not None:
            out[key] = share
    return out


METRICS = {
    Metric.SME_KNOWLEDGE_PROJECTS: sme_knowledge_projects,
    Metric.SMALL_COMPANY_REACH: small_company_reach,
    Metric.SME_REACH: sme_reach,
    Metric.APPLIED_INSTITUTION_BREADTH: applied_institution_breadth,
    Metric.COFINANCING_PER_GRANT_KRONE: cofinancing_per_grant_krone,
    Metric.INTERNATIONAL_ACTIVITIES: international_activities,
    Metric.OUTSIDE_SHARE: outside_share,
}
PERCENT_METRICS = {Metric.OUTSIDE_SHARE}
COMPANY_METRICS = {Metric.SMALL_COMPANY_REACH, Metric.SME_REACH, Metric.OUTSIDE_SHARE}


def key_figures(metrics: Iterable[str], cluster_ids: Iterable[int], years: Iterable[int],
                companies: dict | None = None) -> dict[str, Figures]:
    """Each metric's figures per cluster-year. ``companies``: the company figures
    (``figures.cluster_year_companies``) of these cluster-years when the caller has read them."""
    cluster_ids, years, metrics = list(cluster_ids), list(years), list(dict.fromkeys(metrics))
    extra = {}
    if COMPANY_METRICS.intersection(metrics):
        extra["companies"] = (figures.cluster_year_companies(cluster_ids, years)
                              if companies is None else companies)
    return {
        m: METRICS[m](cluster_ids, years, **(extra if m in COMPANY_METRICS else {}))
        for m in metrics
    }
