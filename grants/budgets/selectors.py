"""Reads of budgets and accounts: budget against actual per line, and the cumulative public
aid intensity of a grant. One query each (asserted in tests/budgets)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Sum
from django.utils import timezone

from grants.budgets.constants import PUBLIC_SOURCES, AidCostType, FundingSource, LineKind
from grants.budgets.maths import (
    aid_intensity,
    deviation_needs_explanation,
    headroom_dkk,
    over_ceiling,
)
from grants.budgets.models import BudgetLine
from grants.core.models import Grant, Tranche


def budget_lines(*, grant_id: int, year_number: int) -> list[BudgetLine]:
    return list(BudgetLine.objects.filter(grant_id=grant_id, year_number=year_number))


def budget_lines_up_to(*, grant_id: int, year_number: int) -> list[BudgetLine]:
    """The lines of grant years 1…year_number: one year's budget table and the aid position
    up to it from one query (report_costs_context)."""
    return list(BudgetLine.objects.filter(grant_id=grant_id, year_number__lte=year_number))


def budget_table(*, grant_id: int, year_number: int, lines: list[BudgetLine] | None = None) -> dict:
    """Budget vs actual of one grant year: rows (costs, then funding) with deviation and whether
    it needs an explanation; totals per kind. `lines` may be passed to save the query."""
    if lines is None:
        lines = budget_lines(grant_id=grant_id, year_number=year_number)
    threshold = {"threshold_pct": settings.BUDGET_DEVIATION_THRESHOLD_PCT,
                 "min_dkk": settings.BUDGET_DEVIATION_MIN_DKK}
    out = {LineKind.COST: [], LineKind.FUNDING: []}
    totals = {kind: {"budget_dkk": 0, "actual_dkk": 0, "complete": True} for kind in out}
    for line in lines:
        deviation = None if line.actual_dkk is None else line.actual_dkk - line.budget_dkk
        out[line.kind].append({
            "line": line, "key": line.key, "label": line.label, "budget_dkk": line.budget_dkk,
            "actual_dkk": line.actual_dkk, "deviation_dkk": deviation,
            "deviation_pct": (None if deviation is None or line.budget_dkk == 0 else
                              (Decimal(deviation) * 100 / line.budget_dkk).quantize(Decimal("0.1"))),
            "needs_explanation": deviation_needs_explanation(line.budget_dkk, line.actual_dkk, **threshold),
            "explanation": line.explanation,
        })
        totals[line.kind]["budget_dkk"] += line.budget_dkk
        totals[line.kind]["actual_dkk"] += line.actual_dkk or 0
        totals[line.kind]["complete"] &= line.actual_dkk is not None
    return {"costs": out[LineKind.COST], "funding": out[LineKind.FUNDING],
            "cost_totals": totals[LineKind.COST], "funding_totals": totals[LineKind.FUNDING],
            "has_budget": bool(lines), "has_actuals": any(x.actual_dkk is not None for x in lines)}


@dataclass(frozen=True)
class AidPosition:
    """Cumulative public aid over grant years 1…up_to_year: public funding (disbursed grant,
    or the grant funding reported or budgeted for a year not yet paid, plus other public
    funding) over eligible costs (costs of an eligible operating-aid cost type), actual where
    reported, else budget."""

    up_to_year: int
    has_budget: bool  # without a budget the share is unknown: never "over"
    public_dkk: int
    eligible_dkk: int
    ceiling_pct: int
    pct: Decimal | None
    over: bool
    headroom_dkk: int


def current_year_number(grant: Grant, today=None) -> int:
    today = today or timezone.localdate()
    return max(1, min(grant.horizon_years, today.year - grant.start_year + 1))


def grant_aid_position(*, grant: Grant, up_to_year: int | None = None,
                       replace_grant_funding: dict[int, int] | None = None,
                       lines: list[BudgetLine] | None = None) -> AidPosition:
    """The grant's cumulative aid intensity. `replace_grant_funding` {year_number: kroner}
    puts a proposed payment in place of a year's grant funding (a tranche proposal). Two
    queries: the lines, and the disbursed tranches; `lines` (budget_lines_up_to the year)
    may be passed to save the first. A grant with no budget lines up to the year has no known
    share and is never over the ceiling (historical grants)."""
    n = up_to_year or current_year_number(grant)
    ceiling = settings.AID_INTENSITY_CEILING_PCT
    if lines is None:
        lines = BudgetLine.objects.filter(grant_id=grant.pk, year_number__lte=n).values_list(
            "year_number", "kind", "aid_cost_type", "funding_source", "budget_dkk", "actual_dkk")
    else:
        lines = [(line.year_number, line.kind, line.aid_cost_type, line.funding_source,
                  line.budget_dkk, line.actual_dkk) for line in lines if line.year_number <= n]
    disbursed = dict(
        Tranche.objects.filter(grant_id=grant.pk, year_number__lte=n, disbursement__isnull=False)
        .values_list("year_number").annotate(total=Sum("disbursement__amount_dkk")))
    grant_funding = dict(disbursed)
    reported_grant: dict[int, int] = {}
    public = eligible = 0
    lines = list(lines)
    for year, kind, aid_type, source, budget, actual in lines:
        amount = budget if actual is None else actual
        if kind == LineKind.COST:
            if aid_type != AidCostType.NOT_ELIGIBLE:
                eligible += amount
        elif source == FundingSource.GRANT:
            reported_grant[year] = reported_grant.get(year, 0) + amount
        elif source in PUBLIC_SOURCES:
            public += amount
    for year, amount in reported_grant.items():
        grant_funding.setdefault(year, amount)
    grant_funding.update(replace_grant_funding or {})
    public += sum(grant_funding.values())
    return AidPosition(
        up_to_year=n, has_budget=bool(lines), public_dkk=public, eligible_dkk=eligible,
        ceiling_pct=ceiling, pct=aid_intensity(public, eligible),
        over=bool(lines) and over_ceiling(public, eligible, ceiling),
        headroom_dkk=headroom_dkk(public, eligible, ceiling),
    )


def auditor_threshold_dkk(grant: Grant) -> int:
    """The grant spending above which the annual report needs the auditor's statement: the
    call's own threshold, else the programme default."""
    application = grant.application
    if application is not None and application.call.auditor_statement_threshold_dkk is not None:
        return application.call.auditor_statement_threshold_dkk
    return settings.AUDITOR_STATEMENT_THRESHOLD_DKK


def grant_years(*, grant: Grant) -> list[dict]:
    """Per grant year: calendar year, tranche status, costs and grant funding (budget and
    actual, actual None until reported). Two queries."""
    tranches = {t.year_number: t for t in Tranche.objects.filter(grant_id=grant.pk)}
    years = {n: {"number": n, "year": grant.calendar_year(n), "tranche": tranches.get(n),
                 "costs_budget": 0, "costs_actual": None, "grant_budget": 0, "grant_actual": None,
                 "has_budget": False}
             for n in range(1, grant.horizon_years + 1)}
    for line in BudgetLine.objects.filter(grant_id=grant.pk):
        row = years.get(line.year_number)
        if row is None:
            continue
        row["has_budget"] = True
        if line.kind == LineKind.COST:
            row["costs_budget"] += line.budget_dkk
            if line.actual_dkk is not None:
                row["costs_actual"] = (row["costs_actual"] or 0) + line.actual_dkk
        elif line.funding_source == FundingSource.GRANT:
            row["grant_budget"] += line.budget_dkk
            if line.actual_dkk is not None:
                row["grant_actual"] = (row["grant_actual"] or 0) + line.actual_dkk
    return list(years.values())
