"""Aid intensity and the deviation rule, property-based (hypothesis): bounds, monotonicity, the
ceiling (exact, no rounding), the headroom, and the grant-level position against a direct sum."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grants.budgets.maths import (
    aid_intensity,
    deviation_needs_explanation,
    headroom_dkk,
    over_ceiling,
)

kroner = st.integers(min_value=0, max_value=10**12)
positive = st.integers(min_value=1, max_value=10**12)
ceilings = st.integers(min_value=1, max_value=100)


@given(public=kroner, eligible=positive)
def test_bounds_and_exactness(public, eligible):
    pct = aid_intensity(public, eligible)
    assert isinstance(pct, Decimal) and pct >= 0
    assert pct.as_tuple().exponent == -2
    if public <= eligible:
        assert pct <= 100
    # within half a hundredth of the exact share
    assert abs(pct - Decimal(public) * 100 / Decimal(eligible)) <= Decimal("0.005")


@given(public=kroner, eligible=positive, more=kroner)
def test_monotone_in_public_funding(public, eligible, more):
    assert aid_intensity(public + more, eligible) >= aid_intensity(public, eligible)


@given(public=kroner, eligible=positive, more=kroner)
def test_antitone_in_eligible_costs(public, eligible, more):
    assert aid_intensity(public, eligible + more) <= aid_intensity(public, eligible)


def test_undefined_without_eligible_costs():
    assert aid_intensity(0, 0) is None and aid_intensity(5, 0) is None
    with pytest.raises(ValueError):
        aid_intensity(-1, 10)


@given(public=kroner, eligible=kroner, ceiling=ceilings)
def test_ceiling_is_exact(public, eligible, ceiling):
    over = over_ceiling(public, eligible, ceiling)
    if public == 0:
        assert not over
    elif eligible == 0:
        assert over
    else:
        assert over == (public * 100 > ceiling * eligible)


@given(eligible=positive, ceiling=ceilings)
def test_exactly_at_the_ceiling_is_not_over(eligible, ceiling):
    eligible *= 100  # so ceiling % of it is whole kroner
    at = ceiling * eligible // 100
    assert not over_ceiling(at, eligible, ceiling)
    assert over_ceiling(at + 1, eligible, ceiling)


@given(public=kroner, eligible=positive, ceiling=ceilings)
def test_headroom_fills_up_to_the_ceiling(public, eligible, ceiling):
    room = headroom_dkk(public, eligible, ceiling)
    assert room >= 0
    if not over_ceiling(public, eligible, ceiling):
        assert not over_ceiling(public + room, eligible, ceiling)
        assert over_ceiling(public + room + 1, eligible, ceiling)
    else:
        assert room == 0


@given(public=kroner, eligible=positive, ceiling=ceilings, more=kroner)
def test_more_public_money_never_comes_back_under(public, eligible, ceiling, more):
    if over_ceiling(public, eligible, ceiling):
        assert over_ceiling(public + more, eligible, ceiling)


@given(budget=kroner, actual=kroner, pct=st.integers(0, 100), floor=st.integers(0, 10**6))
def test_deviation_rule(budget, actual, pct, floor):
    needs = deviation_needs_explanation(budget, actual, threshold_pct=pct, min_dkk=floor)
    diff = abs(actual - budget)
    assert needs == (diff > floor and diff * 100 > pct * budget)
    assert not deviation_needs_explanation(budget, budget, threshold_pct=pct, min_dkk=floor)
    assert not deviation_needs_explanation(budget, None, threshold_pct=pct, min_dkk=floor)


# -- the grant-level position, against a direct sum ---------------------------------------------

line_amounts = st.lists(st.integers(0, 5_000_000), min_size=8, max_size=8)


@pytest.mark.django_db
@settings(max_examples=15, deadline=None)
@given(amounts=line_amounts, reported=st.booleans())
def test_grant_position_matches_the_definition(amounts, reported):
    from evaluations.midway.schedule import grant_create
    from grants.budgets.models import BudgetLine
    from grants.budgets.selectors import grant_aid_position
    from tests.factories import ClusterFactory

    cluster = ClusterFactory()
    grant = grant_create(cluster=cluster, reference=f"KP-H-{cluster.pk}",
                         start_year=2025, horizon_years=10, annual_amount_dkk=1_000_000)
    keys = [("cost", "professional_salaries", "animation", ""),
            ("cost", "secretariat_salaries", "training", ""),
            ("cost", "other_costs", "marketing", ""),
            ("cost", "other_costs", "not_eligible", ""),
            ("funding", "", "", "grant"), ("funding", "", "", "private_cash"),
            ("funding", "", "", "in_kind"), ("funding", "", "", "other_public")]
    for (kind, cat, typ, src), amount in zip(keys, amounts, strict=True):
        BudgetLine.objects.create(grant=grant, year_number=1, kind=kind, cost_category=cat,
                                  aid_cost_type=typ, funding_source=src, budget_dkk=amount,
                                  actual_dkk=amount // 2 if reported else None)
    used = [a // 2 if reported else a for a in amounts]
    eligible = used[0] + used[1] + used[2]
    public = used[4] + used[7]
    position = grant_aid_position(grant=grant, up_to_year=1)
    assert (position.public_dkk, position.eligible_dkk) == (public, eligible)
    assert position.pct == aid_intensity(public, eligible)
    assert position.over == over_ceiling(public, eligible, 50)
