"""Reads of targets: the catalogue rows of a grant year (target / realised / deviation /
attainment) and the realised values of the computed indicators from the programme figures
(clusters.figures). The report's money columns (co-financing, competitive funds, leverage) live
in the annual report, a layer above; the report-level reader (grants.reports.target_section)
passes them in as ``extra_realised``."""

from __future__ import annotations

import functools
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Count, Q
from django.utils.translation import get_language

from clusters import figures
from clusters.constants import ActivityType, SizeClass
from clusters.figures_cache import per_cluster_year
from clusters.models import Activity, InstitutionParticipation
from grants.core.models import Grant
from grants.targets import attainment as maths
from grants.targets.catalogue import (
    CATALOGUE,
    INSTITUTION_KIND_INDICATORS,
    REPORTED_INDICATORS,
    Indicator,
)
from grants.targets.models import GrantTarget, ReportedIndicatorValue

# year_number -> indicator -> value
YearValues = dict[int, dict[str, Decimal | None]]


class Target(NamedTuple):
    """A grant year's target of one indicator, as the tables read it (not a model instance: a
    cohort reads a thousand of them)."""

    baseline: Decimal | None
    target: Decimal


def targets_of(grant: Grant) -> dict[int, dict[str, Target]]:
    return targets_of_many([grant]).get(grant.pk, {})


def targets_of_many(grants, year_numbers=None) -> dict[int, dict[int, dict[str, Target]]]:
    """grant id -> year number -> indicator -> target (of the given years; default all), in one
    query."""
    out: dict[int, dict[int, dict[str, Target]]] = {}
    found = GrantTarget.objects.filter(grant__in=[g.pk for g in grants])
    if year_numbers is not None:
        found = found.filter(year_number__in=list(year_numbers))
    rows = found.order_by("grant_id", "year_number", "indicator").values_list(
        "grant_id", "year_number", "indicator", "baseline", "target")
    for grant_id, year_number, indicator, baseline, target in rows:
        out.setdefault(grant_id, {}).setdefault(year_number, {})[indicator] = Target(baseline, target)
    return out


def computed_realised(grant: Grant, year_numbers) -> YearValues:
    """The computed indicators from activities and participations, per grant year. Three
    queries whatever the number of years."""
    return computed_realised_many([grant], year_numbers).get(grant.pk, {})


def computed_realised_many(grants, year_numbers, *, companies: dict | None = None) -> dict[int, YearValues]:
    """``computed_realised`` for many grants at once (grant id -> values), in three queries
    whatever the number of grants and years (the cohort view, the midway rubric), each read
    through the figures cache (clusters.figures_cache). ``companies``: the company figures
    (``figures.cluster_year_companies``) of cluster-years covering these grants' years when
    the caller has read them already."""
    grants, year_numbers = list(grants), list(year_numbers)
    # (cluster id, calendar year) -> [(grant id, year number)]
    slots: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for g in grants:
        for n in year_numbers:
            slots.setdefault((g.cluster_id, g.calendar_year(n)), []).append((g.pk, n))
    cluster_ids = sorted({c for c, _y in slots})
    years = sorted({y for _c, y in slots})
    zero = {
        Indicator.INSTITUTION_PARTICIPATIONS.value: Decimal(0),
        **{c.value: Decimal(0) for c in INSTITUTION_KIND_INDICATORS},
        Indicator.RD_APPLICATIONS.value: Decimal(0),
        Indicator.INTERNATIONAL.value: Decimal(0),
    }
    out: dict[int, YearValues] = {g.pk: {n: dict(zero) for n in year_numbers} for g in grants}
    if not slots:
        return out

    def put(key, values: dict) -> None:
        for gid, n in slots.get(key, ()):
            out[gid][n].update(values)

    if companies is None:
        companies = figures.cluster_year_companies(cluster_ids, years)
    for key in slots:
        f = companies.get(key) or figures.empty_company_figures()
        put(key, {
            Indicator.COMPANIES.value: Decimal(f["companies"]),
            Indicator.SMES.value: Decimal(f["smes"]),
            Indicator.SMALL_COMPANIES.value: Decimal(f[f"{SizeClass.SMALL.value}_companies"]),
            Indicator.OUTSIDE.value: Decimal(f["companies_outside_strength_position"]),
        })
    for key, values in _institution_indicators(cluster_ids, years).items():
        put(key, values)
    for key, values in _activity_indicators(cluster_ids, years).items():
        put(key, values)
    return out


@per_cluster_year("targets-institution-indicators")
def _institution_indicators(cluster_ids, years) -> dict[tuple[int, int], dict]:
    """The institution-participation indicators per (cluster id, year), in one query."""
    rows = (
        InstitutionParticipation.objects.filter(activity__cluster_id__in=cluster_ids,
                                                activity__year__in=years)
        .values("activity__cluster_id", "activity__year")
        .annotate(total=Count("id"), **{
            code.value: Count("id", filter=Q(institution__kind=kind.value))
            for code, kind in INSTITUTION_KIND_INDICATORS.items()
        })
    )
    return {
        (row["activity__cluster_id"], row["activity__year"]): {
            Indicator.INSTITUTION_PARTICIPATIONS.value: Decimal(row["total"]),
            **{c.value: Decimal(row[c.value]) for c in INSTITUTION_KIND_INDICATORS},
        }
        for row in rows
    }


@per_cluster_year("targets-activity-indicators")
def _activity_indicators(cluster_ids, years) -> dict[tuple[int, int], dict]:
    """The activity indicators (FoU applications, international) per (cluster id, year)."""
    rows = (
        Activity.objects.filter(cluster_id__in=cluster_ids, year__in=years)
        .values("cluster_id", "year")
        .annotate(rd=Count("id", filter=Q(activity_type=ActivityType.RD_APPLICATION)),
                  intl=Count("id", filter=Q(international=True) | Q(eu_funded=True)))
    )
    return {
        (row["cluster_id"], row["year"]): {
            Indicator.RD_APPLICATIONS.value: Decimal(row["rd"]),
            Indicator.INTERNATIONAL.value: Decimal(row["intl"]),
        }
        for row in rows
    }


def reported_realised(grant: Grant, year_numbers) -> YearValues:
    return reported_realised_many([grant], year_numbers).get(grant.pk, {})


def reported_realised_many(grants, year_numbers) -> dict[int, YearValues]:
    year_numbers = list(year_numbers)
    out: dict[int, YearValues] = {g.pk: {n: {} for n in year_numbers} for g in grants}
    for v in ReportedIndicatorValue.objects.filter(grant__in=[g.pk for g in grants],
                                                   year_number__in=year_numbers):
        out[v.grant_id][v.year_number][v.indicator] = v.value
    return out


def target_rows(*, targets: dict[str, Target], realised: dict[str, Decimal | None],
                with_reported: bool = True) -> list[dict]:
    """One row per indicator with a target (and every hand-reported one when
    ``with_reported``), in catalogue order: target, baseline, realised, deviation, attainment."""
    rows = []
    names = indicator_names()
    for code, d in CATALOGUE.items():
        t = targets.get(code)
        if t is None and not (with_reported and code in REPORTED_INDICATORS):
            continue
        value = realised.get(code)
        target = t.target if t else None
        rows.append({
            "indicator": code, "name": names[code], "unit": d.unit, "source": d.source,
            "definition": d.definition, "reported": d.reported,
            "baseline": t.baseline if t else None, "target": target, "realised": value,
            "deviation": maths.deviation(value, target),
            "attainment": maths.attainment(value, target),
        })
    return rows


def indicator_names() -> dict[str, str]:
    """Every indicator's name in the current language, translated once per language (not once
    a row: a cohort builds hundreds of rows)."""
    return _indicator_names(get_language())


@functools.lru_cache(maxsize=8)
def _indicator_names(language: str | None) -> dict[str, str]:
    return {code: d.name for code, d in CATALOGUE.items()}


def year_attainment(rows: list[dict]) -> Decimal | None:
    """The grant year's overall attainment: the mean over indicators with a target."""
    return maths.mean_attainment(r["attainment"] for r in rows)
