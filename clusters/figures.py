"""The programme's figures, each defined once.

Every page, export, metric and API answer that shows one of these figures reads it from here:
the annual report's key figures (``grants.reports.selectors``), the statistics pages and exports
(``grants.statistics.selectors`` / ``stats_tables`` / ``exports``), the midway metrics
(``evaluations.midway.metrics``) and the API.

Definitions:

- ``companies``: distinct companies that took part in at least one of the selected clusters'
  activities starting in the selected years.
- ``smes``: of those, the size classes micro, small and medium (EU 2003/361).
- A company's *industry* is unknown when it has no DB07 code. Otherwise it is *inside* the
  strength position when its DB07 division (the first two digits) is among the
  ``db07_divisions`` of the strength position of ANY of the clusters whose activities it took
  part in (within the selection), and *outside* when it is inside none.
  ``companies_unknown_industry`` counts the unknown ones; they are neither inside nor outside.
- ``share_outside_strength_position`` = outside ÷ companies with a known industry, four
  decimals (``Decimal``/string ``"0.3333"``); ``None`` when no company has a known industry.
- Co-financing is the four ``cofinancing_*`` columns of the annual report; external funding is
  co-financing + competitive funds brought home; leverage is external ÷ grant spent.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.contrib.postgres.aggregates import BoolOr
from django.db import connection
from django.db.models import BooleanField, Count, ExpressionWrapper, F, Func, Q
from django.db.models.functions import Left

from clusters.constants import SME_SIZE_CLASSES, SizeClass
from clusters.figures_cache import per_cluster_year
from clusters.models import CompanyParticipation

INSIDE, OUTSIDE, UNKNOWN = "inside", "outside", "unknown"
SHARE_PLACES = Decimal("0.0001")
COFINANCING_SOURCES = ("membership", "sponsorship", "foundation", "project")
COFINANCING_FIELDS = tuple(f"cofinancing_{s}_dkk" for s in COFINANCING_SOURCES)

# The figures every key-figure answer carries (report, statistics, API), in this order.
KEY_FIGURES = (
    "companies",
    "smes",
    "companies_outside_strength_position",
    "companies_unknown_industry",
    "share_outside_strength_position",
)


class DivisionInPosition(Func):
    """``LEFT(db07_code, 2) = ANY(db07_divisions)``: the company's DB07 division is inside."""

    output_field = BooleanField()

    def __init__(self, db07_code, divisions):
        super().__init__(Left(db07_code, 2), divisions)

    def as_sql(self, compiler, connection, **extra_context):
        (lhs, lhs_params), (rhs, rhs_params) = (
            compiler.compile(expr) for expr in self.get_source_expressions()
        )
        return f"({lhs} = ANY({rhs}))", (*lhs_params, *rhs_params)


def unknown_industry_q(company_path: str = "") -> Q:
    """The company's industry is unknown: no DB07 code."""
    return Q(**{f"{company_path}db07_code": ""})


def industry_position(db07_code: str, divisions) -> str:
    """One company against one strength position's divisions: inside, outside or unknown."""
    if not db07_code:
        return UNKNOWN
    return INSIDE if db07_code[:2] in set(divisions or ()) else OUTSIDE


def share_outside(outside: int, companies: int, unknown: int) -> Decimal | None:
    """outside ÷ companies with a known industry, four decimals; None without any."""
    known = (companies or 0) - (unknown or 0)
    if known <= 0:
        return None
    return (Decimal(outside or 0) / Decimal(known)).quantize(SHARE_PLACES, ROUND_HALF_UP)


def share_string(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.4f}"


def decided_companies(participations, keys: dict) -> tuple[str, tuple]:
    """SQL of ``participations`` grouped by ``keys`` and company: one row per (keys..., company)
    with columns ``cid``, ``size``, ``unknown`` (no DB07 code), ``n`` (participations) and
    ``inside`` (inside the position of any cluster it took part with). Raises EmptyResultSet
    when the filter can match nothing."""
    group = {
        "cid": F("company_id"),
        "size": F("company__size_class"),
        "unknown": ExpressionWrapper(unknown_industry_q("company__"), output_field=BooleanField()),
        **keys,
    }
    return (
        participations.annotate(**group)
        .values(*group)
        .annotate(
            n=Count("id"),
            inside=BoolOr(
                DivisionInPosition(
                    "company__db07_code", F("activity__cluster__strength_position__db07_divisions")
                )
            ),
        )
        .order_by()
        .query.sql_with_params()
    )


# The counts over decided companies (alias ``t``), in the order of COMPANY_COUNT_NAMES.
COMPANY_COUNT_NAMES = (
    "companies",
    "company_participations",
    "companies_outside_strength_position",
    "companies_unknown_industry",
    "sme_companies",
    *(f"{size.value}_companies" for size in SizeClass),
)


def company_count_sql(alias: str) -> tuple[str, list]:
    """The SELECT list counting decided companies (see ``decided_companies``) and its params."""
    sizes = list(SizeClass)
    size_counts = ", ".join(f"COUNT(*) FILTER (WHERE {alias}.size = %s)" for _ in sizes)
    sql = (
        f"COUNT(*), COALESCE(SUM({alias}.n), 0)::bigint, "
        f"COUNT(*) FILTER (WHERE NOT {alias}.unknown AND NOT {alias}.inside), "
        f"COUNT(*) FILTER (WHERE {alias}.unknown), "
        f"COUNT(*) FILTER (WHERE {alias}.size = ANY(%s)), {size_counts}"
    )
    return sql, [[s.value for s in SME_SIZE_CLASSES], *(s.value for s in sizes)]


def with_key_figures(figures: dict) -> dict:
    """Adds the key-figure names and the shares to a dict of company counts."""
    companies = figures.get("companies") or 0
    outside = figures.get("companies_outside_strength_position") or 0
    unknown = figures.get("companies_unknown_industry") or 0
    share = share_outside(outside, companies, unknown)
    figures["smes"] = figures.get("sme_companies") or 0
    figures["share_outside_strength_position"] = share_string(share)
    figures["share_companies_outside_strength_position"] = None if share is None else float(share)
    figures["sme_share"] = round(figures["smes"] / companies, 4) if companies else None
    return figures


def key_figures_of(figures: dict) -> dict:
    """The KEY_FIGURES of a figures dict (as the API answers them)."""
    return {name: figures[name] for name in KEY_FIGURES}


@per_cluster_year("companies")
def cluster_year_companies(cluster_ids, years) -> dict[tuple[int, int], dict]:
    """The company figures per (cluster id, year), in one query: each company decided once per
    cluster-year against that cluster's strength position. Read through the figures cache
    (clusters.figures_cache): computed once per change of the cluster's data."""
    cluster_ids, years = list(cluster_ids), list(years)
    if not cluster_ids or not years:
        return {}
    participations = CompanyParticipation.objects.filter(
        activity__cluster_id__in=cluster_ids, activity__year__in=years
    )
    inner_sql, inner_params = decided_companies(
        participations, {"c": F("activity__cluster_id"), "y": F("activity__year")}
    )
    counts, count_params = company_count_sql("t")
    sql = f"SELECT t.c, t.y, {counts} FROM ({inner_sql}) t GROUP BY t.c, t.y"
    with connection.cursor() as cursor:
        cursor.execute(sql, [*count_params, *inner_params])
        rows = cursor.fetchall()
    return {
        (row[0], row[1]): with_key_figures(dict(zip(COMPANY_COUNT_NAMES, row[2:], strict=True)))
        for row in rows
    }


def empty_company_figures() -> dict:
    return with_key_figures(dict.fromkeys(COMPANY_COUNT_NAMES, 0))


def cofinancing(row: dict) -> int:
    """Private co-financing of a report (or of summed reports): the four sources."""
    return sum(row.get(name) or 0 for name in COFINANCING_FIELDS)


def leverage(external: int, spent: int, places: int = 2) -> float | None:
    """External kroner per grant krone; None without grant spent."""
    return round(external / spent, places) if spent else None


def cluster_year_key_figures(cluster_id: int, year: int) -> dict:
    """The KEY_FIGURES of one cluster-year (the annual report's year)."""
    found = cluster_year_companies([cluster_id], [year]).get((cluster_id, year))
    return key_figures_of(found or empty_company_figures())
