"""Reads of targets: the catalogue rows of a grant year (target / realised / deviation /
attainment) and the realised values of the computed indicators from the programme figures
(clusters.figures). The report's money columns (co-financing, competitive funds, leverage) live
in the annual report, a layer above; the report-level reader (grants.reports.target_section)
passes them in as ``extra_realised``."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Q

from clusters import figures
from clusters.constants import ActivityType, SizeClass
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


def targets_of(grant: Grant) -> dict[int, dict[str, GrantTarget]]:
    out: dict[int, dict[str, GrantTarget]] = {}
    for t in GrantTarget.objects.filter(grant=grant).order_by("year_number", "indicator"):
        out.setdefault(t.year_number, {})[t.indicator] = t
    return out


def computed_realised(grant: Grant, year_numbers) -> YearValues:
    """The computed indicators from activities and participations, per grant year. Three
    queries whatever the number of years."""
    year_numbers = list(year_numbers)
    years = {grant.calendar_year(n): n for n in year_numbers}
    cluster_id = grant.cluster_id
    out: YearValues = {n: {} for n in year_numbers}
    companies = figures.cluster_year_companies([cluster_id], list(years))
    for year, n in years.items():
        f = companies.get((cluster_id, year)) or figures.empty_company_figures()
        out[n].update({
            Indicator.COMPANIES.value: Decimal(f["companies"]),
            Indicator.SMES.value: Decimal(f["smes"]),
            Indicator.SMALL_COMPANIES.value: Decimal(f[f"{SizeClass.SMALL.value}_companies"]),
            Indicator.OUTSIDE.value: Decimal(f["companies_outside_strength_position"]),
        })
    inst = (
        InstitutionParticipation.objects.filter(activity__cluster_id=cluster_id,
                                                activity__year__in=list(years))
        .values("activity__year")
        .annotate(total=Count("id"), **{
            code.value: Count("id", filter=Q(institution__kind=kind.value))
            for code, kind in INSTITUTION_KIND_INDICATORS.items()
        })
    )
    acts = (
        Activity.objects.filter(cluster_id=cluster_id, year__in=list(years))
        .values("year")
        .annotate(rd=Count("id", filter=Q(activity_type=ActivityType.RD_APPLICATION)),
                  intl=Count("id", filter=Q(international=True) | Q(eu_funded=True)))
    )
    for n in year_numbers:
        out[n][Indicator.INSTITUTION_PARTICIPATIONS.value] = Decimal(0)
        out[n].update({c.value: Decimal(0) for c in INSTITUTION_KIND_INDICATORS})
        out[n][Indicator.RD_APPLICATIONS.value] = Decimal(0)
        out[n][Indicator.INTERNATIONAL.value] = Decimal(0)
    for row in inst:
        n = years[row["activity__year"]]
        out[n][Indicator.INSTITUTION_PARTICIPATIONS.value] = Decimal(row["total"])
        out[n].update({c.value: Decimal(row[c.value]) for c in INSTITUTION_KIND_INDICATORS})
    for row in acts:
        n = years[row["year"]]
        out[n][Indicator.RD_APPLICATIONS.value] = Decimal(row["rd"])
        out[n][Indicator.INTERNATIONAL.value] = Decimal(row["intl"])
    return out


def reported_realised(grant: Grant, year_numbers) -> YearValues:
    out: YearValues = {n: {} for n in year_numbers}
    for v in ReportedIndicatorValue.objects.filter(grant=grant, year_number__in=list(year_numbers)):
        out[v.year_number][v.indicator] = v.value
    return out


def target_rows(*, targets: dict[str, GrantTarget], realised: dict[str, Decimal | None],
                with_reported: bool = True) -> list[dict]:
    """One row per indicator with a target (and every hand-reported one when
    ``with_reported``), in catalogue order: target, baseline, realised, deviation, attainment."""
    rows = []
    for code, d in CATALOGUE.items():
        t = targets.get(code)
        if t is None and not (with_reported and code in REPORTED_INDICATORS):
            continue
        value = realised.get(code)
        target = t.target if t else None
        rows.append({
            "indicator": code, "name": d.name, "unit": d.unit, "source": d.source,
            "definition": d.definition, "reported": d.reported,
            "baseline": t.baseline if t else None, "target": target, "realised": value,
            "deviation": maths.deviation(value, target),
            "attainment": maths.attainment(value, target),
        })
    return rows


def year_attainment(rows: list[dict]) -> Decimal | None:
    """The grant year's overall attainment: the mean over indicators with a target."""
    return maths.mean_attainment(r["attainment"] for r in rows)
