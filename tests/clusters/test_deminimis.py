"""The de minimis arithmetic (clusters/stateaid/deminimis.py), property-based: DKK→EUR
conversion bounds and monotonicity, the rolling three-year window, and the ceiling crossed on
the right day."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clusters.stateaid import deminimis
from clusters.stateaid.deminimis import OK, OVER, WARN, Aid, Ceiling, Rate

RATES = [Rate(date(1999, 1, 1), Decimal("7.46038"))]
CEILINGS = [
    Ceiling(date(2014, 1, 1), date(2023, 12, 31), Decimal("200000.00")),
    Ceiling(date(2024, 1, 1), None, Decimal("300000.00")),
]
days = st.dates(min_value=date(2024, 1, 1), max_value=date(2032, 12, 31))
kroner = st.integers(min_value=1, max_value=5_000_000)
rates = st.decimals(min_value=Decimal("0.5"), max_value=Decimal("20"), places=5)
aids = st.lists(st.builds(Aid, days, kroner), max_size=25)


@given(kroner, rates)
def test_conversion_is_exact_to_the_cent(amount, rate):
    eur = deminimis.dkk_to_eur(amount, rate)
    assert isinstance(eur, Decimal) and eur.as_tuple().exponent == -2
    # rounded half up to the cent: within half a cent of the true quotient
    assert abs(eur - Decimal(amount) / rate) <= Decimal("0.005")


@given(kroner, kroner, rates)
def test_conversion_is_monotone(a, b, rate):
    low, high = sorted((a, b))
    assert deminimis.dkk_to_eur(low, rate) <= deminimis.dkk_to_eur(high, rate)


@given(kroner, rates, rates)
def test_a_dearer_euro_gives_fewer_euros(amount, r1, r2):
    low, high = sorted((r1, r2))
    assert deminimis.dkk_to_eur(amount, high) <= deminimis.dkk_to_eur(amount, low)


def test_floats_are_refused():
    with pytest.raises(TypeError):
        deminimis.dkk_to_eur(100.0, Decimal("7.46"))
    with pytest.raises(TypeError):
        deminimis.dkk_to_eur(100, 7.46)


@given(aids, st.builds(Aid, days, kroner), days)
def test_more_aid_never_lowers_the_sum(existing, extra, on):
    before = deminimis.rolling_sum_eur(existing, on=on, rates=RATES)
    after = deminimis.rolling_sum_eur([*existing, extra], on=on, rates=RATES)
    assert after >= before
    counted = deminimis.window_start(on) <= extra.granted_on <= on
    assert (after > before) == counted


@given(days, kroner)
def test_an_aid_counts_for_exactly_three_years(granted, amount):
    aid = [Aid(granted, amount)]
    # the third anniversary; an aid of 29 February has it on 1 March
    anniversary = (date(granted.year + 3, 3, 1) if (granted.month, granted.day) == (2, 29)
                   else granted.replace(year=granted.year + 3))
    last_day = anniversary - timedelta(days=1)
    assert deminimis.rolling_sum_eur(aid, on=granted - timedelta(days=1), rates=RATES) == 0
    assert deminimis.rolling_sum_eur(aid, on=granted, rates=RATES) > 0
    assert deminimis.rolling_sum_eur(aid, on=last_day, rates=RATES) > 0
    assert deminimis.rolling_sum_eur(aid, on=last_day + timedelta(days=1), rates=RATES) == 0


@settings(max_examples=60)
@given(st.lists(st.builds(Aid, days, st.integers(min_value=100_000, max_value=900_000)), min_size=1, max_size=12))
def test_the_ceiling_is_crossed_on_the_first_day_the_sum_exceeds_it(grants):
    crossed = deminimis.first_day_over(grants, rates=RATES, ceilings=CEILINGS)
    start = min(a.granted_on for a in grants)
    day = start
    first = None
    while day <= max(a.granted_on for a in grants):  # brute force, day by day
        if deminimis.standing(grants, on=day, rates=RATES, ceilings=CEILINGS).level == OVER:
            first = day
            break
        day += timedelta(days=1)
    assert crossed == first
    if crossed is not None:
        before = deminimis.standing(grants, on=crossed - timedelta(days=1), rates=RATES, ceilings=CEILINGS)
        assert before.level != OVER


def test_the_ceiling_day_by_example():
    # 2,238,114 kr. at 7.46038 is EUR 300,000.00 to the cent: at the ceiling is not over it.
    aids = [Aid(date(2025, 1, 10), 1_119_057), Aid(date(2026, 6, 1), 1_119_057)]
    on_ceiling = deminimis.standing(aids, on=date(2026, 6, 1), rates=RATES, ceilings=CEILINGS)
    assert on_ceiling.sum_eur == Decimal("300000.00") and on_ceiling.level == WARN
    aids.append(Aid(date(2026, 9, 15), 1))
    assert deminimis.first_day_over(aids, rates=RATES, ceilings=CEILINGS) == date(2026, 9, 15)
    # on 10 January 2028 the first aid has left the window
    assert deminimis.standing(aids, on=date(2028, 1, 10), rates=RATES, ceilings=CEILINGS).level == OK


def test_the_ceiling_in_force_is_the_one_of_the_day():
    aid = [Aid(date(2023, 6, 1), 1_700_000)]  # EUR 227,870.65
    assert deminimis.standing(aid, on=date(2023, 12, 31), rates=RATES, ceilings=CEILINGS).level == OVER
    assert deminimis.standing(aid, on=date(2024, 1, 1), rates=RATES, ceilings=CEILINGS).level == OK


def test_a_day_without_a_rate_is_an_error():
    with pytest.raises(deminimis.NoRate):
        deminimis.rolling_sum_eur([Aid(date(1998, 5, 1), 10)], on=date(1998, 5, 1), rates=RATES)
