"""The scoring arithmetic, pure (no database): weights, "not applicable", the starting-point
formula and rounding. docs/midway-evaluation.md explains every rule with a worked example.

All arithmetic is in Decimal; nothing here is ever a float.

* A score is 0-5 or None ("not applicable"). A not-applicable criterion is left out and the
  remaining weights are renormalised to sum to 1 -- it is never counted as 0.
* Starting point (udgangspunkt), for a data-based criterion measured by a key figure:
    level        = the cluster's latest value among grant years 1-5
    baseline     = the value in the year before the grant, or in grant year 1 when that is missing
    improvement  = (level - baseline) / baseline  (relative; see improvement_ratio for baseline 0)
    level score  = 5 x the cluster's percentile among its peer group (the clusters evaluated the
                   same year): (peers below + ½ x peers equal) / (peers - 1); alone: 2.5
    improvement score = 0 at -25 % or worse, 5 at +50 % or better, linear in between
    suggested    = ½ x level score + ½ x improvement score, shown with two decimals, and rounded
                   half up to the whole point a scorer starts from
* Totals: the weighted mean of the applicable scores, rounded half up to two decimals.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal(0)
HALF = Decimal("0.5")
FIVE = Decimal(5)
LEVEL_SHARE = HALF  # the weight of level-vs-peers in the suggested score; improvement gets 1 - it
IMPROVEMENT_FLOOR = Decimal("-0.25")  # relative improvement giving 0 points
IMPROVEMENT_CEILING = Decimal("0.50")  # relative improvement giving 5 points
TWO_PLACES = Decimal("0.01")


def D(value) -> Decimal:
    """A Decimal from an int, str or Decimal (never from a float: that would carry its error)."""
    if isinstance(value, float):
        raise TypeError("scores and key figures are Decimal or int, never float")
    return value if isinstance(value, Decimal) else Decimal(value)


def round_total(value: Decimal | None) -> Decimal | None:
    """Totals and suggestions are shown with two decimals, rounded half up (2,345 -> 2,35)."""
    return None if value is None else D(value).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def round_score(value: Decimal | None) -> int | None:
    """A suggestion becomes a whole point by rounding half up (2,50 -> 3; 2,49 -> 2)."""
    return None if value is None else int(D(value).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def normalised_weights(weights: Mapping[str, int], applicable: set[str] | None = None) -> dict[str, Decimal]:
    """The weights of the applicable criteria scaled to sum to exactly 1 (as far as Decimal
    division allows); not-applicable criteria are left out, not given weight 0."""
    keys = [k for k in weights if applicable is None or k in applicable]
    total = sum((D(weights[k]) for k in keys), ZERO)
    if total <= 0:
        return {}
    return {k: D(weights[k]) / total for k in keys}


def weighted_total(scores: Mapping[str, int | Decimal | None], weights: Mapping[str, int]) -> Decimal | None:
    """The weighted mean of the applicable scores (0-5), unrounded; None when nothing applies.

    `scores` maps a criterion key to its score or None (not applicable). A criterion missing
    from `scores` is an error: every criterion is scored or explicitly not applicable."""
    missing = set(weights) - set(scores)
    if missing:
        raise KeyError(f"no score for {sorted(missing)}")
    applicable = [k for k in weights if scores[k] is not None]
    weight_sum = sum((D(weights[k]) for k in applicable), ZERO)
    if weight_sum <= 0:
        return None
    # One division at the end: sum(w x s) / sum(w) over the applicable criteria, which is the
    # same as scaling their weights to sum to 1, without compounding the rounding of each.
    return sum((D(weights[k]) * D(scores[k]) for k in applicable), ZERO) / weight_sum


# -- starting point ---------------------------------------------------------------------------


def percentile_score(value: Decimal, peer_values: Sequence[Decimal]) -> Decimal:
    """5 x the share of the other peers the value is above (ties count half).

    `peer_values` includes the cluster's own value. Alone in the peer group: 2.5 (the middle)."""
    value = D(value)
    others = list(peer_values)
    if value in others:
        others.remove(value)
    if not others:
        return FIVE * HALF
    below = sum(1 for v in others if D(v) < value)
    equal = sum(1 for v in others if D(v) == value)
    return FIVE * (D(below) + HALF * equal) / D(len(others))


def place_among(value: Decimal, peer_values: Sequence[Decimal]) -> int:
    """1 for the highest value in the peer group; ties share the better place."""
    return 1 + sum(1 for v in peer_values if D(v) > D(value))


def improvement_ratio(level: Decimal, baseline: Decimal) -> Decimal:
    """(level - baseline) / baseline. From a baseline of 0, any growth counts as the ceiling
    and no growth as 0."""
    level, baseline = D(level), D(baseline)
    if baseline == 0:
        return IMPROVEMENT_CEILING if level > 0 else ZERO
    return (level - baseline) / abs(baseline)


def improvement_score(ratio: Decimal) -> Decimal:
    """Linear from 0 points at -25 % to 5 points at +50 %, clamped to 0-5."""
    ratio = D(ratio)
    if ratio <= IMPROVEMENT_FLOOR:
        return ZERO
    if ratio >= IMPROVEMENT_CEILING:
        return FIVE
    return FIVE * (ratio - IMPROVEMENT_FLOOR) / (IMPROVEMENT_CEILING - IMPROVEMENT_FLOOR)


def suggested_score(level_score: Decimal, improvement: Decimal) -> Decimal:
    """½ x level-vs-peers score + ½ x improvement score (unrounded)."""
    return LEVEL_SHARE * D(level_score) + (1 - LEVEL_SHARE) * D(improvement)


@dataclass(frozen=True)
class StartingPoint:
    """Everything the page shows for one data-based criterion of one cluster."""

    values: dict[int, Decimal | None]  # grant year number (0 = the year before) -> key figure
    baseline_year: int | None  # 0 or 1
    baseline: Decimal | None
    level_year: int | None
    level: Decimal | None
    improvement: Decimal | None  # relative, e.g. 0.25 = +25 %
    place: int | None
    peers: int
    level_score: Decimal | None
    improvement_score: Decimal | None
    suggested: Decimal | None  # unrounded
    suggested_shown: Decimal | None  # two decimals, half up
    suggested_points: int | None  # the whole point a scorer starts from

    @property
    def has_data(self) -> bool:
        return self.suggested is not None


def level_of(values: Mapping[int, Decimal | None]) -> tuple[int | None, Decimal | None]:
    """The latest value among grant years 1-5."""
    for year in sorted((y for y in values if 1 <= y <= 5), reverse=True):
        if values[year] is not None:
            return year, D(values[year])
    return None, None


def baseline_of(values: Mapping[int, Decimal | None]) -> tuple[int | None, Decimal | None]:
    """The year before the grant (year 0) when it has a value, else grant year 1."""
    for year in (0, 1):
        if values.get(year) is not None:
            return year, D(values[year])
    return None, None


def starting_point(values: Mapping[int, Decimal | None], peer_levels: Sequence[Decimal]) -> StartingPoint:
    """The starting-point analysis of one key figure. `peer_levels` are the levels of every
    cluster in the peer group, this one included."""
    baseline_year, baseline = baseline_of(values)
    level_year, level = level_of(values)
    if level is None or baseline is None:
        return StartingPoint(dict(values), baseline_year, baseline, level_year, level, None, None,
                             len(peer_levels), None, None, None, None, None)
    ratio = improvement_ratio(level, baseline)
    lscore = percentile_score(level, peer_levels)
    iscore = improvement_score(ratio)
    suggested = suggested_score(lscore, iscore)
    return StartingPoint(
        values=dict(values), baseline_year=baseline_year, baseline=baseline, level_year=level_year,
        level=level, improvement=ratio, place=place_among(level, peer_levels), peers=len(peer_levels),
        level_score=lscore, improvement_score=iscore, suggested=suggested,
        suggested_shown=round_total(suggested),
        suggested_points=round_score(round_total(suggested)),  # round what the user sees
    )


def totals(
    *,
    weights: Mapping[str, int],
    consensus: Mapping[str, int | None],
    level_scores: Mapping[str, Decimal | None],
) -> tuple[Decimal | None, Decimal | None]:
    """(raw total, starting-point-adjusted total), both rounded to two decimals.

    raw:      data-based criteria at their level-vs-peers score alone (no regard to the starting
              point), judgement criteria at the consensus score;
    adjusted: every criterion at its consensus score (for data-based criteria the panel starts
              from the starting-point suggestion and departs only with a written reason)."""
    raw_scores = {
        k: (
            level_scores[k]
            if level_scores.get(k) is not None and consensus.get(k) is not None
            else consensus.get(k)
        )
        for k in weights
    }
    return (round_total(weighted_total(raw_scores, weights)),
            round_total(weighted_total({k: consensus.get(k) for k in weights}, weights)))


# -- target attainment ------------------------------------------------------------------------
#
# A "target attainment" criterion is measured against the grant's own targets (grants.targets):
# each grant year's attainment is realised ÷ target averaged over its indicators (capped at
# 150 %, n/a without targets). The level is the mean over grant years 1-5 with targets; the
# suggestion is 5 points at 100 % or more, linear down to 0 at 0 %. No targets: no suggestion.


def attainment_point(values: Mapping[int, Decimal | None],
                     peer_levels: Sequence[Decimal]) -> StartingPoint:
    known = {y: D(v) for y, v in values.items() if 1 <= y <= 5 and v is not None}
    if not known:
        return StartingPoint(dict(values), None, None, None, None, None, None, len(peer_levels),
                             None, None, None, None, None)
    level = (sum(known.values(), ZERO) / len(known)).quantize(Decimal("0.0001"), ROUND_HALF_UP)
    score = FIVE * min(level, Decimal(1))
    return StartingPoint(
        values=dict(values), baseline_year=None, baseline=None, level_year=max(known),
        level=level, improvement=None, place=place_among(level, peer_levels) if peer_levels else None,
        peers=len(peer_levels), level_score=score, improvement_score=None, suggested=score,
        suggested_shown=round_total(score), suggested_points=round_score(round_total(score)),
    )


def attainment_level(values: Mapping[int, Decimal | None]) -> Decimal | None:
    return attainment_point(values, []).level
