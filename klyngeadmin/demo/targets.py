"""The demo grants' targets (måltal): every demo grant gets a baseline and a target per grant
year for the core indicators, laid down at award through the one door
(grants.targets.services.targets_set_at_award), derived from the demo's own activity data so the
klyngestatistik figures stay exactly as they are (targets are new rows, nothing else changes).

- The 2021-2024 grants: baseline = the cluster's realised figure in 2021, and the yearly target
  the realised figure times a factor that differs between clusters (0.9-1.25), so some clusters
  meet their targets and some do not.
- The 2025 grants: baseline = the cluster's 2023 figure (its starting point), target +5 % a year;
  the hand-reported "new products" indicator is reported in the approved 2025 reports."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from grants.cases.amendments import amendment_propose
from grants.constants import GrantType, ReportStatus
from grants.core.models import Grant
from grants.reports.target_section import money_realised
from grants.targets import selectors as target_selectors
from grants.targets.catalogue import Indicator
from grants.targets.services import reported_values_set, targets_set_at_award

DEMO_INDICATORS = (
    Indicator.COMPANIES, Indicator.SMES, Indicator.SMALL_COMPANIES, Indicator.OUTSIDE,
    Indicator.INSTITUTION_PARTICIPATIONS, Indicator.RD_APPLICATIONS, Indicator.INTERNATIONAL,
    Indicator.COFINANCING,
)
FACTORS = (Decimal("0.9"), Decimal("1.0"), Decimal("1.1"), Decimal("1.25"))
GROWTH = Decimal("0.05")


def _round(value: Decimal, indicator: str) -> Decimal:
    step = Decimal(10_000) if indicator == Indicator.COFINANCING else Decimal(1)
    return max((value / step).quantize(Decimal(1), ROUND_HALF_UP) * step, step)


def _realised(grant: Grant, year_numbers) -> dict[int, dict]:
    computed = target_selectors.computed_realised(grant, year_numbers)
    money = money_realised(grant, year_numbers)
    return {n: {**computed.get(n, {}), **money.get(n, {})} for n in year_numbers}


def demo_targets(*, actor) -> int:
    """Targets for every demo grant; returns the number of target rows."""
    rows_total = 0
    grants = list(Grant.objects.select_related("cluster").order_by("reference"))
    historical = {g.cluster_id: g for g in grants if g.grant_type == GrantType.INNOVATIONSKRAFT}
    for i, grant in enumerate(grants):
        years = list(range(1, grant.horizon_years + 1))
        rows = []
        if grant.grant_type == GrantType.INNOVATIONSKRAFT:
            realised = _realised(grant, years)
            factor = FACTORS[i % len(FACTORS)]
            for code in DEMO_INDICATORS:
                code = code.value
                baseline = realised[1].get(code) or Decimal(0)
                for n in years:
                    value = realised[n].get(code) or baseline
                    rows.append({"year_number": n, "indicator": code, "baseline": baseline,
                                 "target": _round(Decimal(value) * factor, code)})
        else:
            old = historical.get(grant.cluster_id)
            start = _realised(old, [3])[3] if old else {}
            for code in DEMO_INDICATORS:
                code = code.value
                baseline = Decimal(start.get(code) or 0)
                base = baseline or Decimal(1)
                for n in years:
                    rows.append({"year_number": n, "indicator": code, "baseline": baseline,
                                 "target": _round(base * (1 + GROWTH * n), code)})
            for n in years:
                rows.append({"year_number": n, "indicator": Indicator.NEW_PRODUCTS.value,
                             "target": Decimal(4 + n)})
            approved = grant.reports.filter(year_number=1, status=ReportStatus.APPROVED).exists()
            if approved:
                reported_values_set(grant=grant, year_number=1,
                                    values={Indicator.NEW_PRODUCTS.value: 3 + i % 5},
                                    actor=None, basis="årsrapport 2025 (demodata)")
        rows_total += targets_set_at_award(grant=grant, rows=rows, actor=actor,
                                           basis="tilsagn (demodata)")
    return rows_total


def demo_amendment(*, actor) -> int:
    """One amendment case awaiting the head of office ("Til godkendelse"): caseworker1 proposes
    lowering the first 2025 grant's company target for grant years 3-4."""
    grant = Grant.objects.filter(start_year=2025).order_by("reference").first()
    if grant is None:
        return 0
    current = grant.targets.filter(year_number=3, indicator=Indicator.COMPANIES).first()
    if current is None:
        return 0
    lowered = max(_round(current.target * Decimal("0.9"), Indicator.COMPANIES.value), Decimal(1))
    amendment_propose(grant=grant, actor=actor, reason=(
        "Klyngen har mistet to store partnere i regionen; måltallet for deltagende virksomheder "
        "sænkes i bevillingsår 3-4 efter dialog med klyngen."), changes={"targets": {"rows": [
            {"year_number": n, "indicator": Indicator.COMPANIES.value, "target": str(lowered)}
            for n in (3, 4)]}})
    return 1
