"""The budget's arithmetic, pure and in whole kroner (integers) or Decimal — never floats.
Property-tested in tests/budgets/test_aid_intensity.py."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

_CENT = Decimal("0.01")


def aid_intensity(public_dkk: int, eligible_dkk: int) -> Decimal | None:
    """Public funding as a percentage of eligible costs, two decimals (half up); None when there
    are no eligible costs (the share is undefined)."""
    if public_dkk < 0 or eligible_dkk < 0:
        raise ValueError("amounts are never negative")
    if eligible_dkk == 0:
        return None
    return (Decimal(public_dkk) * 100 / Decimal(eligible_dkk)).quantize(_CENT, rounding=ROUND_HALF_UP)


def over_ceiling(public_dkk: int, eligible_dkk: int, ceiling_pct: int | Decimal) -> bool:
    """Exactly (no rounding): public ÷ eligible > ceiling. Public money with no eligible costs
    is over any ceiling; no public money is never over."""
    if public_dkk <= 0:
        return False
    if eligible_dkk <= 0:
        return True
    return Decimal(public_dkk) * 100 > Decimal(ceiling_pct) * Decimal(eligible_dkk)


def headroom_dkk(public_dkk: int, eligible_dkk: int, ceiling_pct: int | Decimal) -> int:
    """How much more public money fits under the ceiling (whole kroner, rounded down; 0 when
    already over)."""
    allowed = (Decimal(ceiling_pct) * Decimal(max(eligible_dkk, 0)) / 100).to_integral_value(
        rounding="ROUND_FLOOR")
    return max(int(allowed) - public_dkk, 0)


def deviation_needs_explanation(budget_dkk: int, actual_dkk: int | None, *, threshold_pct: int,
                                min_dkk: int) -> bool:
    """A line's actual differs from its budget by more than threshold_pct of the budget and by
    more than min_dkk kroner."""
    if actual_dkk is None:
        return False
    diff = abs(actual_dkk - budget_dkk)
    return diff > min_dkk and diff * 100 > threshold_pct * budget_dkk
