"""The de minimis arithmetic, free of the database (property-tested in
tests/clusters/test_deminimis.py).

- Amounts are integer kroner in, `Decimal` euro out (two decimals, rounded half up); never floats.
- An aid is converted at the rate in force on the day it was granted (the latest stored rate
  whose `valid_from` is on or before that day), as the regulation asks.
- The period is rolling: on day D the sum counts every aid granted from D minus `years` years
  (exclusive) to D (inclusive). An aid granted on 10 March 2024 counts up to and including
  9 March 2027; one granted on 29 February 2024 up to and including 28 February 2027.
- The ceiling is the one in force on day D. The sum *warns* from 90 % of the ceiling and is
  *over* when it exceeds the ceiling.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
WARN_SHARE = Decimal("0.9")
OK, WARN, OVER = "ok", "warn", "over"


@dataclass(frozen=True)
class Aid:
    granted_on: date
    amount_dkk: int


@dataclass(frozen=True)
class Rate:
    valid_from: date
    dkk_per_eur: Decimal


@dataclass(frozen=True)
class Ceiling:
    valid_from: date
    valid_to: date | None
    amount_eur: Decimal
    period_years: int = 3


@dataclass(frozen=True)
class Standing:
    on: date
    sum_eur: Decimal
    ceiling_eur: Decimal | None
    level: str

    @property
    def remaining_eur(self) -> Decimal | None:
        return None if self.ceiling_eur is None else self.ceiling_eur - self.sum_eur

    @property
    def share(self) -> Decimal | None:
        if not self.ceiling_eur:
            return None
        return (self.sum_eur / self.ceiling_eur).quantize(Decimal("0.0001"), ROUND_HALF_UP)


class NoRate(LookupError):
    pass


def dkk_to_eur(amount_dkk: int, dkk_per_eur: Decimal) -> Decimal:
    if isinstance(amount_dkk, float) or isinstance(dkk_per_eur, float):
        raise TypeError("money is never a float")
    if dkk_per_eur <= 0:
        raise ValueError("a rate is positive")
    return (Decimal(amount_dkk) / dkk_per_eur).quantize(CENT, ROUND_HALF_UP)


def years_back(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year - years, day=28)


def window_start(day: date, years: int = 3) -> date:
    """The first day whose aid still counts on `day`."""
    return years_back(day, years) + timedelta(days=1)


def rate_on(rates: Sequence[Rate], day: date) -> Decimal:
    found = [r for r in rates if r.valid_from <= day]
    if not found:
        raise NoRate(f"no DKK/EUR rate stored for {day}")
    return max(found, key=lambda r: r.valid_from).dkk_per_eur


def ceiling_on(ceilings: Sequence[Ceiling], day: date) -> Ceiling | None:
    found = [c for c in ceilings if c.valid_from <= day and (c.valid_to is None or day <= c.valid_to)]
    return max(found, key=lambda c: c.valid_from) if found else None


def rolling_sum_eur(aids: Iterable[Aid], *, on: date, rates: Sequence[Rate], years: int = 3) -> Decimal:
    start = window_start(on, years)
    return sum(
        (dkk_to_eur(a.amount_dkk, rate_on(rates, a.granted_on)) for a in aids if start <= a.granted_on <= on),
        Decimal("0.00"),
    )


def level_of(sum_eur: Decimal, ceiling_eur: Decimal | None) -> str:
    if ceiling_eur is None:
        return OK
    if sum_eur > ceiling_eur:
        return OVER
    if sum_eur >= ceiling_eur * WARN_SHARE:
        return WARN
    return OK


def standing(aids: Iterable[Aid], *, on: date, rates: Sequence[Rate], ceilings: Sequence[Ceiling]) -> Standing:
    ceiling = ceiling_on(ceilings, on)
    years = ceiling.period_years if ceiling else 3
    total = rolling_sum_eur(list(aids), on=on, rates=rates, years=years)
    amount = ceiling.amount_eur if ceiling else None
    return Standing(on=on, sum_eur=total, ceiling_eur=amount, level=level_of(total, amount))


def first_day_over(aids: Sequence[Aid], *, rates: Sequence[Rate], ceilings: Sequence[Ceiling]) -> date | None:
    """The first day the rolling sum exceeds the ceiling in force, or None. The sum only grows
    on a day aid is granted and the ceiling only changes on a ceiling's first day, so those are
    the only days to look at."""
    days = sorted({a.granted_on for a in aids} | {c.valid_from for c in ceilings})
    for day in days:
        if standing(aids, on=day, rates=rates, ceilings=ceilings).level == OVER:
            return day
    return None
