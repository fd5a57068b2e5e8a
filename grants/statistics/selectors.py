"""Klyngestatistik: the programme's figures for any period and any selection of clusters.

Every figure is computed by PostgreSQL (aggregates, FILTERed counts, DISTINCT counts); Python only
adds a handful of already-aggregated totals (external funding, leverage, shares) and fills the years
without activity with zeros. The number of queries is constant whatever the data size.

Definitions (the demo data in ``klyngeadmin/demo.py`` is built on them):

- The *selection* is a period of calendar years (``from_year``..``to_year``, both included) and,
  optionally, a set of clusters, the clusters' region and the clusters' strength position.
- An activity belongs to the year it starts (``Activity.year``, generated from ``start_date``).
  ``activities`` counts every registered activity in the selection.
- ``companies`` counts distinct companies (a company in two clusters, or in two activities, counts
  once); ``company_participations`` counts (activity, company) pairs.
- SMEs are the size classes micro, small and medium (EU 2003/361); ``small_companies`` are the
  10–49-employee class on its own.
- A company is *outside the strength position* when its DB07 division (the first two digits of
  ``db07_code``) is in the ``db07_divisions`` of the strength position of NONE of the clusters whose
  activities it took part in within the selection (outside iff inside none). A company without a
  DB07 code has an unknown industry: neither inside nor outside, counted in
  ``companies_unknown_industry``. Per cluster, only that cluster's position counts. The
  definitions live in ``clusters.figures`` (one definition per figure).
- Shares (``share_companies_outside_strength_position``, ``sme_share``) are fractions from 0 to 1,
  rounded to four decimals (0.5 means 50 %); ``None`` when there are no companies to divide by.
  The share outside divides by the companies with a known industry; ``share_outside_strength_
  position`` is the same figure as a decimal string (``"0.5000"``).
- Money comes from APPROVED annual reports of the years in the period: ``grant_spent_dkk`` is the
  grant spent; private co-financing is the four ``cofinancing_*`` columns; competitive funding
  brought home (hjemtag) is the sum of the reports' ``CompetitiveFunding`` rows;
  ``external_funding_dkk`` = co-financing + competitive funding. ``leverage`` is external kroner per
  grant krone (two decimals; ``None`` without grant spent). Amounts are integer kroner.
- Facilitated (externally financed) projects count by their ``year``; the granted amount only for
  projects with status granted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count, F, Min, Q, Sum
from django.db.models.functions import Coalesce

from clusters import figures as defs
from clusters.constants import (
    ActivityType,
    FacilitatedProjectStatus,
    FunderKind,
    InstitutionKind,
)
from clusters.models import (
    Activity,
    ClusterOrganisation,
    CompanyParticipation,
    FacilitatedProject,
    InstitutionParticipation,
    StrengthPosition,
)
from grants.constants import ReportStatus
from grants.reports.models import AnnualReport, CompetitiveFunding
from klyngeadmin.kernel.permissions import has_app_perm
from klyngeadmin.kernel.scoping import scope_to_user

# The first year of klyngestatistik (the first year the statistics pages offer).
FIRST_YEAR = 2021
# The klyngestatistik period the public page opens on.
DEFAULT_FROM_YEAR = 2021
DEFAULT_TO_YEAR = 2023
# The public page shows no figure computed from fewer than this many companies.
MIN_COMPANIES_SHOWN = 5

COFINANCING_SOURCES = defs.COFINANCING_SOURCES

HEADLINE_KEYS = (
    "companies",
    "activities",
    "institution_participations",
    "institution_activities",
    "grant_spent_dkk",
    "external_funding_dkk",
    "share_companies_outside_strength_position",
    "sme_companies",
)


_DivisionInPosition = defs.DivisionInPosition


def _ids(values) -> list[int]:
    ids = []
    for value in values:
        ids.append(value if isinstance(value, int) else int(getattr(value, "pk", value)))
    return ids


@dataclass(frozen=True)
class Selection:
    """A period and an optional selection of clusters (by id, region and strength position)."""

    from_year: int
    to_year: int
    cluster_ids: tuple[int, ...] | None = None
    region: str | None = None
    strength_position_id: int | None = None
    strength_position_slug: str | None = None

    @classmethod
    def build(cls, *, from_year: int, to_year: int, clusters=None, region=None,
              strength_position=None) -> Selection:
        from_year, to_year = int(from_year), int(to_year)
        if from_year > to_year:
            raise ValueError("from_year must not be after to_year")
        cluster_ids = None
        if clusters is not None:
            if hasattr(clusters, "values_list") and not isinstance(clusters, list | tuple):
                clusters = clusters.values_list("pk", flat=True)
            elif isinstance(clusters, int | ClusterOrganisation):
                clusters = [clusters]
            cluster_ids = tuple(sorted(set(_ids(clusters))))
        sp_id = sp_slug = None
        if isinstance(strength_position, StrengthPosition):
            sp_id = strength_position.pk
        elif isinstance(strength_position, int):
            sp_id = strength_position
        elif isinstance(strength_position, str) and strength_position:
            if strength_position.isdigit():
                sp_id = int(strength_position)
            else:
                sp_slug = strength_position
        return cls(from_year, to_year, cluster_ids, region or None, sp_id, sp_slug)

    @property
    def years(self) -> range:
        return range(self.from_year, self.to_year + 1)

    def cluster_q(self, path: str) -> Q:
        """The cluster part of the selection, for a model reaching the cluster through ``path``."""
        q = Q()
        if self.cluster_ids is not None:
            q &= Q(**{f"{path}_id__in": self.cluster_ids})
        if self.region:
            q &= Q(**{f"{path}__region": self.region})
        if self.strength_position_id is not None:
            q &= Q(**{f"{path}__strength_position_id": self.strength_position_id})
        if self.strength_position_slug:
            q &= Q(**{f"{path}__strength_position__slug": self.strength_position_slug})
        return q

    def q(self, *, year: str, cluster: str) -> Q:
        return Q(**{f"{year}__gte": self.from_year, f"{year}__lte": self.to_year}) & self.cluster_q(
            cluster
        )


# -- helpers ----------------------------------------------------------------------------------


def _leverage(external: int, spent: int) -> float | None:
    return defs.leverage(external, spent)


def _grouped(qs, key: str | None, aggregates: dict) -> dict:
    """``{key value: {name: value}}`` from one GROUP BY query, or ``{None: {...}}`` for the total."""
    if key is None:
        return {None: qs.aggregate(**aggregates)}
    rows = qs.annotate(grp=F(key)).values("grp").annotate(**aggregates).order_by()
    return {row.pop("grp"): row for row in rows}


# -- companies --------------------------------------------------------------------------------

_COMPANY_FIELDS = defs.COMPANY_COUNT_NAMES


def _companies_grouped(sel: Selection, keys: dict) -> tuple[str, tuple]:
    """SQL and parameters of the participations in the selection grouped by `keys` and company
    (``clusters.figures.decided_companies``). Raises EmptyResultSet when the selection can
    match nothing."""
    return defs.decided_companies(
        CompanyParticipation.objects.filter(sel.q(year="activity__year", cluster="activity__cluster")),
        keys,
    )


def _company_figures(sel: Selection, key: str | None) -> dict:
    """Distinct companies, participations, outside the position and size classes, per key.

    One query: the inner GROUP BY (key, company) decides each company once (inside any of its
    clusters' positions?), the outer query counts companies per key."""
    try:
        inner_sql, inner_params = _companies_grouped(sel, {"k": F(key)} if key else {})
    except EmptyResultSet:  # e.g. an empty list of clusters: nothing to count
        return {}
    counts, count_params = defs.company_count_sql("t")
    sql = (
        f"SELECT {'t.k' if key else 'NULL'}, {counts} FROM ({inner_sql}) t"
        + (" GROUP BY t.k" if key else "")
    )
    params = [*count_params, *inner_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return {row[0]: dict(zip(_COMPANY_FIELDS, row[1:], strict=True)) for row in rows}


def _company_figures_by(sel: Selection, keys: tuple[str | None, ...]) -> dict[str | None, dict]:
    """``_company_figures`` for several keys at once (None: the total), in one query.

    The participations are grouped once at the finest grain (every key and the company), then
    GROUPING SETS regroup them per key - (key, company) for each key, (company) for the total -
    so each company is still decided once per key value, exactly as ``_company_figures`` does.
    Returns ``{key: {key value: figures}}`` (``{None: {None: figures}}`` for the total)."""
    named = [k for k in keys if k is not None]
    try:
        inner_sql, inner_params = _companies_grouped(
            sel, {f"k{i}": F(f"activity__{key}") for i, key in enumerate(named)}
        )
    except EmptyResultSet:
        return {key: {} for key in keys}
    columns = [f"k{i}" for i in range(len(named))]
    sets = [f"({c}, cid, size)" for c in columns] + (["(cid, size)"] if None in keys else [])
    # GROUPING(k0, k1, ...) has a 1 bit for each key column a set leaves out.
    width = len(columns)
    grouping = f"GROUPING({', '.join(columns)})" if columns else "0"
    set_ids = {key: (2 ** width - 1) ^ (1 << (width - 1 - i)) for i, key in enumerate(named)}
    set_ids[None] = 2 ** width - 1 if columns else 0
    key_value = "NULL"
    if columns:
        cases = " ".join(f"WHEN {set_ids[k]} THEN m.k{i}" for i, k in enumerate(named))
        key_value = f"CASE m.g {cases} END"
    key_columns = "".join(f"{c}, " for c in columns)
    middle = (
        f"SELECT {grouping} AS g, {key_columns}cid, size, SUM(n) AS n, BOOL_OR(inside) AS inside, "
        f"BOOL_OR(unknown) AS unknown FROM ({inner_sql}) t GROUP BY GROUPING SETS ({', '.join(sets)})"
    )
    counts, count_params = defs.company_count_sql("m")
    sql = f"SELECT m.g, {key_value}, {counts} FROM ({middle}) m GROUP BY 1, 2"
    params = [*count_params, *inner_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    by_set = {set_id: key for key, set_id in set_ids.items()}
    out: dict[str | None, dict] = {key: {} for key in keys}
    for row in rows:
        out[by_set[row[0]]][row[1]] = dict(zip(_COMPANY_FIELDS, row[2:], strict=True))
    return out


def _with_company_shares(figures: dict) -> dict:
    return defs.with_key_figures(figures)


# -- activities and knowledge institutions ----------------------------------------------------


def _activity_aggregates(*, by_type: bool) -> dict:
    aggregates = {
        "activities": Count("id"),
        "international_activities": Count("id", filter=Q(international=True)),
        "eu_funded_activities": Count("id", filter=Q(eu_funded=True)),
        "rd_applications": Count("id", filter=Q(activity_type=ActivityType.RD_APPLICATION)),
        "innovation_projects": Count("id", filter=Q(activity_type=ActivityType.INNOVATION_PROJECT)),
    }
    if by_type:
        for kind in ActivityType:
            aggregates[f"activities_{kind.value}"] = Count("id", filter=Q(activity_type=kind))
    return aggregates


def _activity_figures(sel: Selection, key: str | None) -> dict:
    qs = Activity.objects.filter(sel.q(year="year", cluster="cluster"))
    return _grouped(qs, key, _activity_aggregates(by_type=key is None))


def _institution_figures(sel: Selection, key: str | None) -> dict:
    qs = InstitutionParticipation.objects.filter(
        sel.q(year="activity__year", cluster="activity__cluster")
    )
    aggregates = {
        "institution_participations": Count("id"),
        "institution_activities": Count("activity_id", distinct=True),
        "institutions": Count("institution_id", distinct=True),
    }
    if key is None:
        for kind in InstitutionKind:
            aggregates[f"institution_participations_{kind.value}"] = Count(
                "id", filter=Q(institution__kind=kind)
            )
            aggregates[f"institution_activities_{kind.value}"] = Count(
                "activity_id", distinct=True, filter=Q(institution__kind=kind)
            )
    return _grouped(qs, key, aggregates)


# -- money ------------------------------------------------------------------------------------


def _approved_reports(sel: Selection):
    return AnnualReport.objects.filter(
        sel.q(year="year", cluster="grant__cluster"), status=ReportStatus.APPROVED
    )


def _money_figures(sel: Selection, key: str | None) -> dict:
    aggregates = {"grant_spent_dkk": Coalesce(Sum("grant_spent_dkk"), 0)}
    for source in COFINANCING_SOURCES:
        aggregates[f"cofinancing_{source}_dkk"] = Coalesce(Sum(f"cofinancing_{source}_dkk"), 0)
    money = _grouped(_approved_reports(sel), key, aggregates)
    competitive_qs = CompetitiveFunding.objects.filter(
        sel.q(year="report__year", cluster="report__grant__cluster"),
        report__status=ReportStatus.APPROVED,
    )
    competitive_aggregates = {"competitive_funding_dkk": Coalesce(Sum("amount_dkk"), 0)}
    if key is None:
        for kind in FunderKind:
            competitive_aggregates[f"competitive_funding_{kind.value}_dkk"] = Coalesce(
                Sum("amount_dkk", filter=Q(funder_kind=kind)), 0
            )
    competitive_key = None if key is None else f"report__{key}"
    competitive = _grouped(competitive_qs, competitive_key, competitive_aggregates)
    out = {}
    for k in set(money) | set(competitive):
        figures = dict.fromkeys(aggregates, 0) | money.get(k, {})
        figures |= dict.fromkeys(competitive_aggregates, 0) | competitive.get(k, {})
        out[k] = _with_money_totals(figures)
    return out


def _with_money_totals(figures: dict) -> dict:
    cofinancing = defs.cofinancing(figures)
    figures["cofinancing_dkk"] = cofinancing
    figures["external_funding_dkk"] = cofinancing + figures.get("competitive_funding_dkk", 0)
    figures["leverage"] = _leverage(figures["external_funding_dkk"], figures.get("grant_spent_dkk", 0))
    return figures


def _facilitated_figures(sel: Selection, key: str | None) -> dict:
    qs = FacilitatedProject.objects.filter(sel.q(year="year", cluster="cluster"))
    granted = Q(status=FacilitatedProjectStatus.GRANTED)
    aggregates = {
        "facilitated_projects": Count("id"),
        "facilitated_projects_granted": Count("id", filter=granted),
        "facilitated_applied_dkk": Coalesce(Sum("amount_applied_dkk"), 0),
        "facilitated_granted_dkk": Coalesce(Sum("amount_granted_dkk", filter=granted), 0),
        "facilitated_cluster_share_dkk": Coalesce(Sum("cluster_share_dkk", filter=granted), 0),
    }
    if key is None:
        for kind in FunderKind:
            aggregates[f"facilitated_projects_{kind.value}"] = Count(
                "id", filter=Q(funder_kind=kind)
            )
            aggregates[f"facilitated_granted_{kind.value}_dkk"] = Coalesce(
                Sum("amount_granted_dkk", filter=granted & Q(funder_kind=kind)), 0
            )
    return _grouped(qs, key, aggregates)


# -- public selectors -------------------------------------------------------------------------

_ZERO_COMPANIES = dict.fromkeys(_COMPANY_FIELDS, 0)
_ZERO_INSTITUTIONS = {"institution_participations": 0, "institution_activities": 0, "institutions": 0}
_ZERO_FACILITATED = {
    "facilitated_projects": 0,
    "facilitated_projects_granted": 0,
    "facilitated_applied_dkk": 0,
    "facilitated_granted_dkk": 0,
    "facilitated_cluster_share_dkk": 0,
}


def _empty_money() -> dict:
    figures = {"grant_spent_dkk": 0, "competitive_funding_dkk": 0}
    figures |= {f"cofinancing_{s}_dkk": 0 for s in COFINANCING_SOURCES}
    return _with_money_totals(figures)


def _zero_activities() -> dict:
    return dict.fromkeys(_activity_aggregates(by_type=False), 0)


def _figures(sel: Selection, key: str | None, companies: dict | None = None) -> dict[Any, dict]:
    """Every figure per key (None: the total), merged from one query per source (the company
    figures may come precomputed, from ``_company_figures_by``)."""
    if companies is None:
        companies = _company_figures(sel, None if key is None else f"activity__{key}")
    sources = [
        (companies, _ZERO_COMPANIES),
        (_activity_figures(sel, key), _zero_activities()),
        (_institution_figures(sel, None if key is None else f"activity__{key}"), _ZERO_INSTITUTIONS),
        (_money_figures(sel, None if key is None else _money_key(key)), _empty_money()),
        (_facilitated_figures(sel, key), _ZERO_FACILITATED),
    ]
    keys = set().union(*(result for result, _ in sources))
    out = {}
    for k in keys:
        figures: dict = {}
        for result, zero in sources:
            figures |= result.get(k) or zero
        out[k] = _with_company_shares(figures)
    return out


def _money_key(key: str) -> str:
    return {"year": "year", "cluster": "grant__cluster"}[key]


def headline_figures(*, from_year: int, to_year: int, clusters=None, region=None,
                     strength_position=None) -> dict:
    """The programme's figures for a period and a selection, as one flat dict of numbers.

    ``clusters``: None for all, or cluster ids/objects/a queryset; ``region``: a ``Region`` value;
    ``strength_position``: a ``StrengthPosition``, its id or its slug. The keys include
    ``companies``, ``activities``, ``institution_participations``, ``institution_activities``,
    ``grant_spent_dkk``, ``external_funding_dkk``, ``share_companies_outside_strength_position``
    (a fraction 0..1) and ``sme_companies``; see the module docstring for the definitions."""
    sel = Selection.build(from_year=from_year, to_year=to_year, clusters=clusters, region=region,
                          strength_position=strength_position)
    return _figures(sel, None)[None]


@dataclass
class Statistics:
    selection: Selection
    totals: dict
    by_year: list[tuple[int, dict]]
    by_cluster: list[tuple[ClusterOrganisation, dict]]
    competitive_by_funder: list[dict]
    # when the figures were computed (the stored aggregates); None for the live query
    computed_at: Any = None
    # issue 15's outcome and fee-level figures (grants.statistics.outcome_tables), stored with
    # the aggregates; None for the live query, whose pages read them live
    outcomes: dict | None = None
    fee_levels: list[dict] | None = None


def _competitive_by_funder(sel: Selection) -> list[dict]:
    """Competitive funds brought home per funder (name and kind), largest first."""
    return list(
        CompetitiveFunding.objects.filter(
            sel.q(year="report__year", cluster="report__grant__cluster"),
            report__status=ReportStatus.APPROVED,
        )
        .values("funder", "funder_kind")
        .annotate(amount_dkk=Sum("amount_dkk"), reports=Count("report_id", distinct=True))
        .order_by("-amount_dkk", "funder")
    )


def programme_statistics(*, from_year: int, to_year: int, clusters=None, region=None,
                         strength_position=None) -> Statistics:
    """Totals, the trend per year (every year of the period, zeros included) and the clusters side
    by side (every cluster in the selection with any activity, report or project in the period)."""
    sel = Selection.build(from_year=from_year, to_year=to_year, clusters=clusters, region=region,
                          strength_position=strength_position)
    companies = _company_figures_by(sel, (None, "year", "cluster"))
    totals = _figures(sel, None, companies[None])[None]
    per_year = _figures(sel, "year", companies["year"])
    empty = _with_company_shares(
        _ZERO_COMPANIES | _zero_activities() | _ZERO_INSTITUTIONS | _empty_money() | _ZERO_FACILITATED
    )
    by_year = [(year, per_year.get(year) or dict(empty)) for year in sel.years]
    per_cluster = _figures(sel, "cluster", companies["cluster"])
    clusters_qs = ClusterOrganisation.objects.filter(pk__in=list(per_cluster)).select_related(
        "strength_position"
    )
    by_cluster = [(cluster, per_cluster[cluster.pk]) for cluster in clusters_qs.order_by("name")]
    return Statistics(selection=sel, totals=totals, by_year=by_year, by_cluster=by_cluster,
                      competitive_by_funder=_competitive_by_funder(sel))


# -- scoped selectors for the cluster page and the participant export --------------------------


def own_cluster_for_statistics(*, user) -> ClusterOrganisation | None:
    """The cluster whose statistics page a cluster user may see (their own), else None."""
    if not (has_app_perm(user, "clusters.view_cluster_statistics") and user.cluster_id):
        return None
    return (
        ClusterOrganisation.objects.select_related("strength_position")
        .filter(pk=user.cluster_id)
        .first()
    )


PARTICIPANT_COLUMNS = (
    "cvr", "year", "cluster", "activities", "innovation_projects", "rd_applications",
    "international_activities", "first_activity", "size_class", "db07_code",
)


def participant_rows(*, user, from_year: int, to_year: int, clusters=None, region=None,
                     strength_position=None):
    """One row per (company CVR, year, cluster) with the company's activities that year, for
    register-based effect measurement. Scoped to the user; grouped and counted in SQL."""
    sel = Selection.build(from_year=from_year, to_year=to_year, clusters=clusters, region=region,
                          strength_position=strength_position)
    qs = scope_to_user(CompanyParticipation.objects.all(), user, cluster_path="activity__cluster")
    return (
        qs.filter(sel.q(year="activity__year", cluster="activity__cluster"))
        .values(cvr=F("company__cvr"), year=F("activity__year"), cluster=F("activity__cluster__slug"))
        .annotate(
            activities=Count("activity_id"),
            innovation_projects=Count(
                "activity_id", filter=Q(activity__activity_type=ActivityType.INNOVATION_PROJECT)
            ),
            rd_applications=Count(
                "activity_id", filter=Q(activity__activity_type=ActivityType.RD_APPLICATION)
            ),
            international_activities=Count("activity_id", filter=Q(activity__international=True)),
            first_activity=Min("activity__start_date"),
            size_class=Min("company__size_class"),
            db07_code=Min("company__db07_code"),
        )
        .order_by("cvr", "year", "cluster")
    )
