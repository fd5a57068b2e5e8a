"""The scoring arithmetic: weights, n/a renormalisation, the starting-point formula, rounding."""

from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from evaluations.panels import scoring as sc

D = Decimal

keys = st.sampled_from(["a", "b", "c", "d", "e", "f"])
weights_st = st.dictionaries(keys, st.integers(min_value=1, max_value=50), min_size=1, max_size=6)
score_st = st.one_of(st.none(), st.integers(min_value=0, max_value=5))


@st.composite
def scored(draw):
    weights = draw(weights_st)
    scores = {k: draw(score_st) for k in weights}
    return weights, scores


def test_weighted_total_worked_example():
    # 20 x 4 + 30 x 2 + 50 x 5 = 390 / 100 = 3.9
    assert sc.weighted_total({"a": 4, "b": 2, "c": 5}, {"a": 20, "b": 30, "c": 50}) == D("3.9")


def test_not_applicable_is_left_out_not_counted_as_zero():
    weights = {"a": 20, "b": 30, "c": 50}
    total = sc.weighted_total({"a": 4, "b": None, "c": 5}, weights)
    # renormalised over a and c: (20 x 4 + 50 x 5) / 70 = 330 / 70
    assert total == D(330) / D(70)
    as_zero = sc.weighted_total({"a": 4, "b": 0, "c": 5}, weights)
    assert total > as_zero


def test_all_not_applicable_gives_no_total():
    assert sc.weighted_total({"a": None, "b": None}, {"a": 1, "b": 2}) is None


def test_missing_score_is_an_error():
    with pytest.raises(KeyError):
        sc.weighted_total({"a": 3}, {"a": 1, "b": 1})


def test_floats_are_refused():
    with pytest.raises(TypeError):
        sc.weighted_total({"a": 2.5}, {"a": 1})


@given(scored())
def test_normalised_weights_sum_to_one(data):
    weights, scores = data
    applicable = {k for k, v in scores.items() if v is not None}
    norm = sc.normalised_weights(weights, applicable)
    if applicable:
        assert abs(sum(norm.values()) - 1) < D("1e-20")
        assert set(norm) == applicable
    else:
        assert norm == {}


@given(scored())
def test_total_lies_between_min_and_max_applicable_score(data):
    weights, scores = data
    applicable = [v for v in scores.values() if v is not None]
    total = sc.weighted_total(scores, weights)
    if not applicable:
        assert total is None
    else:
        assert min(applicable) - D("1e-20") <= total <= max(applicable) + D("1e-20")


@given(scored(), st.data())
def test_na_equals_renormalised_total_over_the_rest(data, more):
    """Marking a criterion n/a gives exactly the total of the others with their own weights."""
    weights, scores = data
    key = more.draw(st.sampled_from(sorted(weights)))
    scores = dict(scores, **{key: None})
    rest = {k: w for k, w in weights.items() if k != key}
    if not any(scores[k] is not None for k in rest):
        assert sc.weighted_total(scores, weights) is None
    else:
        assert sc.weighted_total(scores, weights) == sc.weighted_total(
            {k: scores[k] for k in rest}, rest
        )


@given(scored(), st.data())
def test_raising_one_score_never_lowers_the_total(data, more):
    weights, scores = data
    raisable = sorted(k for k in weights if scores[k] is not None and scores[k] < 5)
    assume(raisable)
    key = more.draw(st.sampled_from(raisable))
    higher = dict(scores, **{key: scores[key] + 1})
    assert sc.weighted_total(higher, weights) >= sc.weighted_total(scores, weights)


@given(st.integers(1, 100), st.integers(1, 100), st.integers(1, 5))
def test_scaling_all_weights_changes_nothing(w1, w2, k):
    weights = {"a": w1, "b": w2}
    scaled = {"a": w1 * k, "b": w2 * k}
    scores = {"a": 1, "b": 4}
    assert sc.weighted_total(scores, weights) == sc.weighted_total(scores, scaled)


# -- rounding shown to the user --------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "shown", "points"),
    [("2.345", "2.35", 2), ("2.5", "2.50", 3), ("2.4999", "2.50", 2), ("0.005", "0.01", 0),
     ("4.5", "4.50", 5), ("3.125", "3.13", 3)],
)
def test_rounding_is_half_up(value, shown, points):
    assert sc.round_total(D(value)) == D(shown)
    assert sc.round_score(D(value)) == points


# -- starting point --------------------------------------------------------------------------


def test_percentile_score():
    peers = [D(1), D(2), D(3), D(4), D(5)]
    assert sc.percentile_score(D(5), peers) == D(5)
    assert sc.percentile_score(D(1), peers) == D(0)
    assert sc.percentile_score(D(3), peers) == D("2.5")
    assert sc.percentile_score(D(7), [D(7)]) == D("2.5")  # alone: the middle
    assert sc.percentile_score(D(2), [D(2), D(2), D(1)]) == D(5) * D("1.5") / D(2)  # ties count half


def test_place_among_peers():
    assert sc.place_among(D(5), [D(1), D(5), D(3)]) == 1
    assert sc.place_among(D(3), [D(1), D(5), D(3)]) == 2
    assert sc.place_among(D(3), [D(3), D(5), D(3)]) == 2  # ties share the better place


@pytest.mark.parametrize(
    ("ratio", "points"),
    [("-0.5", "0"), ("-0.25", "0"), ("0", "1.666666666666666666666666667"), ("0.125", "2.5"),
     ("0.5", "5"), ("2", "5")],
)
def test_improvement_score_scale(ratio, points):
    assert sc.improvement_score(D(ratio)) == D(points)


def test_improvement_from_zero_baseline():
    assert sc.improvement_ratio(D(3), D(0)) == sc.IMPROVEMENT_CEILING
    assert sc.improvement_ratio(D(0), D(0)) == 0


@given(st.decimals(min_value=-2, max_value=5, places=3), st.decimals(min_value=-2, max_value=5, places=3))
def test_improvement_score_is_monotone_and_bounded(a, b):
    lo, hi = sorted([a, b])
    assert 0 <= sc.improvement_score(lo) <= sc.improvement_score(hi) <= 5


def test_starting_point_worked_example():
    """The example in docs/midway-evaluation.md: baseline 40 (year 0), level 50 (year 4),
    peers at 20, 50, 80 and 100 -> place 3 of 4."""
    values = {0: D(40), 1: D(42), 2: D(45), 3: D(48), 4: D(50), 5: None}
    point = sc.starting_point(values, [D(20), D(50), D(80), D(100)])
    assert (point.baseline_year, point.baseline) == (0, D(40))
    assert (point.level_year, point.level) == (4, D(50))
    assert point.improvement == D("0.25")
    assert point.place == 3 and point.peers == 4
    assert point.level_score == D(5) / D(3)  # above 1 of the 3 others
    assert point.improvement_score == D("3.333333333333333333333333333")
    assert point.suggested_shown == D("2.50")
    assert point.suggested_points == 3  # the shown 2,50 rounds half up to 3


def test_baseline_falls_back_to_year_one():
    point = sc.starting_point({0: None, 1: D(10), 2: D(20)}, [D(20)])
    assert (point.baseline_year, point.baseline, point.level) == (1, D(10), D(20))
    assert point.improvement == 1


def test_no_data_gives_no_suggestion():
    point = sc.starting_point({0: None, 1: None}, [D(5)])
    assert not point.has_data and point.suggested_points is None


@given(st.lists(st.integers(0, 1000), min_size=1, max_size=8), st.integers(0, 1000), st.integers(1, 1000))
def test_suggestion_is_monotone_in_level(peers, baseline, level):
    """A higher level (baseline and peers unchanged) never lowers the suggestion."""
    peer_levels = [D(p) for p in peers]
    low = sc.starting_point({0: D(baseline), 5: D(level - 1)}, peer_levels + [D(level - 1)])
    high = sc.starting_point({0: D(baseline), 5: D(level)}, peer_levels + [D(level)])
    assert 0 <= low.suggested <= high.suggested <= 5


def test_totals_raw_uses_level_score_for_data_criteria():
    weights = {"data": 50, "judgement": 50}
    raw, adjusted = sc.totals(
        weights=weights, consensus={"data": 4, "judgement": 2}, level_scores={"data": D(1)}
    )
    assert raw == D("1.50") and adjusted == D("3.00")
    raw_na, adjusted_na = sc.totals(
        weights=weights, consensus={"data": None, "judgement": 2}, level_scores={"data": D(1)}
    )
    assert raw_na == adjusted_na == D("2.00")
