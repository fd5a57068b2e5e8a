"""Attainment (målopfyldelse): realised ÷ target, capped, n/a without a target. Pure Decimal
maths, no database; the midway rubric's "target attainment" criterion, the annual report's target
section, the cohort view and the withdrawal letter all read it from here."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

# A cluster that does three times its target still counts as 150 %: one indicator overshot
# must not hide the others missed.
ATTAINMENT_CAP = Decimal("1.5")
PLACES = Decimal("0.0001")


def _dec(value) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, float):  # never float money or counts: go through the string
        raise TypeError("attainment takes Decimal or int, not float")
    return Decimal(value)


def attainment(realised, target, cap: Decimal = ATTAINMENT_CAP) -> Decimal | None:
    """realised ÷ target, between 0 and ``cap``, four decimals. ``None`` (n/a) when there is no
    target (None or 0: nothing was promised) or nothing realised is known."""
    realised, target = _dec(realised), _dec(target)
    if target is None or target <= 0 or realised is None:
        return None
    share = max(realised, Decimal(0)) / target
    return min(share, Decimal(cap)).quantize(PLACES, ROUND_HALF_UP)


def deviation(realised, target) -> Decimal | None:
    """realised − target (negative: below target); None when either is missing."""
    realised, target = _dec(realised), _dec(target)
    if realised is None or target is None:
        return None
    return realised - target


def mean_attainment(values: Iterable[Decimal | None]) -> Decimal | None:
    """The plain mean of the attainments that are not n/a; None when all are n/a."""
    known = [v for v in values if v is not None]
    if not known:
        return None
    return (sum(known, Decimal(0)) / len(known)).quantize(PLACES, ROUND_HALF_UP)


def below_target(value: Decimal | None) -> bool:
    return value is not None and value < 1


def percent(value: Decimal | None) -> str:
    """``Decimal("0.8125")`` -> ``"81 %"`` (Danish: space before the sign); ``"–"`` for n/a."""
    if value is None:
        return "–"
    return f"{(value * 100).quantize(Decimal(1), ROUND_HALF_UP)} %"
