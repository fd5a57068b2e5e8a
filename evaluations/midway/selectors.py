"""Reads for evaluations, scoped to the person asking (klyngeadmin.scoping.scope_to_user)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, QuerySet, Sum

from clusters import figures_cache
from clusters.figures import cluster_year_companies
from evaluations.constants import EvaluationStatus
from evaluations.midway.metrics import key_figures
from evaluations.models import (
    ConsensusScore,
    Criterion,
    MidwayEvaluation,
    Panel,
    PanelMember,
    Rubric,
    Score,
    SelfAssessment,
)
from evaluations.panels import scoring
from grants.cases.models import DecisionLetter
from grants.constants import LetterKind, TrancheStatus
from grants.core.models import Tranche
from grants.reports.target_section import attainment_by_year
from klyngeadmin.kernel.scoping import scope_to_user

S = EvaluationStatus
SCORES_REVEALED = (S.CONSENSUS, S.PROPOSED, S.DECIDED)


def evaluation_list(*, user, year: int | None = None) -> QuerySet[MidwayEvaluation]:
    qs = MidwayEvaluation.objects.select_related(
        "grant__cluster__strength_position", "rubric", "decision", "self_assessment_deadline",
    )
    if year is not None:
        qs = qs.filter(year=year)
    return scope_to_user(qs, user, cluster_path="grant__cluster").order_by("year", "grant__cluster__name")


def evaluation_get(*, user, pk: int) -> MidwayEvaluation | None:
    return (
        evaluation_list(user=user)
        .select_related("self_assessment_deadline", "scoring_deadline", "panel__recommendation")
        .filter(pk=pk)
        .first()
    )


def evaluation_years(*, user) -> list[int]:
    return list(evaluation_list(user=user).values_list("year", flat=True).distinct().order_by("year"))


def criteria_of(rubric: Rubric | None) -> list[Criterion]:
    if rubric is None:
        rubric = Rubric.objects.filter(purpose="midway", active=True).first()
    return list(rubric.criteria.order_by("position", "id")) if rubric else []


def self_assessment_of(evaluation: MidwayEvaluation) -> SelfAssessment | None:
    return (
        SelfAssessment.objects.filter(evaluation=evaluation)
        .prefetch_related("answers", "attachments")
        .first()
    )


def panel_of(evaluation: MidwayEvaluation) -> Panel | None:
    return (
        Panel.objects.filter(evaluation=evaluation)
        .select_related("rubric")
        .prefetch_related(Prefetch("members", queryset=PanelMember.objects.select_related("user")))
        .first()
    )


def member_of(panel: Panel | None, user) -> PanelMember | None:
    if panel is None or not user.is_authenticated:
        return None
    return next((m for m in panel.members.all() if m.user_id == user.pk), None)


def scores_visible_to(*, panel: Panel, viewer, member: PanelMember, status: str) -> bool:
    """Blind scoring: a scorer sees their own scores; nobody sees another member's scores
    until every member has submitted (the evaluation has left `scoring`), and then only the
    authority does."""
    if member.user_id == viewer.pk:
        return True
    if not viewer.is_authority:
        return False
    if panel.evaluation_id:
        return status in SCORES_REVEALED
    return panel.scoring_closed_at is not None


def scores_of(member: PanelMember) -> dict[int, Score]:
    return {s.criterion_id: s for s in Score.objects.filter(member=member)}


def all_scores(panel: Panel) -> dict[int, dict[int, Score]]:
    """member id -> criterion id -> score (only to be used once scores are revealed)."""
    out: dict[int, dict[int, Score]] = {}
    for s in Score.objects.filter(member__panel=panel):
        out.setdefault(s.member_id, {})[s.criterion_id] = s
    return out


def consensus_of(panel: Panel | None) -> dict[int, ConsensusScore]:
    if panel is None:
        return {}
    return {c.criterion_id: c for c in ConsensusScore.objects.filter(panel=panel)}


# -- starting point -----------------------------------------------------------------------------


def _year_numbers(evaluation: MidwayEvaluation) -> dict[int, int]:
    """calendar year -> grant year number, from the year before the grant (0) to year 5."""
    start = evaluation.grant.start_year
    midway = evaluation.grant.midway_year or 5
    return {start + n - 1: n for n in range(0, midway + 1)}


@dataclass
class CohortStartingPoints:
    # evaluation id -> criterion key -> StartingPoint
    by_evaluation: dict[int, dict[str, scoring.StartingPoint]] = field(default_factory=dict)
    # grant id -> grant year number (ATTAINMENT_YEAR_NUMBERS) -> the year's target attainment
    attained: dict[int, dict[int, Decimal | None]] = field(default_factory=dict)


# The grant years whose target attainment the rubric and the cohort view weigh.
ATTAINMENT_YEAR_NUMBERS = range(1, 6)


def cohort_inputs(evaluations: list[MidwayEvaluation], metrics) -> dict[int, dict]:
    """evaluation id -> {"figures": {metric: {calendar year: value}}, "attained": {grant year
    number: attainment}}: what an evaluation's starting points are computed from before its
    peers are weighed, a function of its cluster's data (activities, company records, reports,
    the grant's targets and reported values), so read through the figures cache
    (clusters.figures_cache): one round trip for a whole cohort while the clusters' data is
    unchanged; the evaluations missing are computed together, in a fixed number of queries.
    Years without a value are left out of "figures"; the grant's amount is applied by the
    reader (the grant is not the cluster's data)."""
    metrics = sorted(set(metrics))
    entries = {
        e.pk: (e.grant.cluster_id, (e.grant_id, e.grant.start_year, e.grant.midway_year or 5,
                                    ",".join(metrics)))
        for e in evaluations
    }

    def compute(missing) -> dict[int, dict]:
        wanted = set(missing)
        group = [e for e in evaluations if e.pk in wanted]
        cluster_ids = [e.grant.cluster_id for e in group]
        years_by_eval = {e.pk: _year_numbers(e) for e in group}
        figure_years = sorted({y for ys in years_by_eval.values() for y in ys})
        attainment_years = {e.grant.calendar_year(n) for e in group for n in ATTAINMENT_YEAR_NUMBERS}
        # The company figures, the most expensive query, read once for the key figures and the
        # target attainment alike.
        companies = cluster_year_companies(cluster_ids, sorted({*figure_years, *attainment_years}))
        figures = key_figures(metrics, cluster_ids, figure_years, companies=companies)
        attained = attainment_by_year([e.grant for e in group], ATTAINMENT_YEAR_NUMBERS,
                                      companies=companies)
        return {
            e.pk: {
                "figures": {
                    m: {y: v for y in years_by_eval[e.pk]
                        if (v := figures[m].get((e.grant.cluster_id, y))) is not None}
                    for m in metrics
                },
                "attained": attained.get(e.grant_id, {}),
            }
            for e in group
        }

    return figures_cache.cached_many("midway-cohort-inputs", entries, compute)


def starting_points_for(evaluations: list[MidwayEvaluation], criteria: list[Criterion], *,
                        rubric: Rubric | None = None) -> CohortStartingPoints:
    """The starting-point analysis of every data-based and target-attainment criterion for a
    group of evaluations of the same year, and their grants' target attainment. The peer group
    is that group or, when the rubric version says so, its emerging-area clusters and the others
    apart. What each evaluation's points are computed from is read through the figures cache
    (``cohort_inputs``): no query while the clusters' data is unchanged, else a fixed number
    (one or two per key figure, about eight for the targets) whatever the number of clusters.
    ``rubric``: the criteria's rubric as the caller has just read it (else it is read here)."""
    data = [c for c in criteria if c.is_data_based]
    targets = [c for c in criteria if c.is_target_attainment]
    out = CohortStartingPoints()
    if not evaluations:
        return out
    inputs = cohort_inputs(evaluations, [c.metric for c in data])
    out.attained = {e.grant_id: inputs[e.pk]["attained"] for e in evaluations}
    if not (data or targets):
        return out
    if rubric is None or rubric.pk != criteria[0].rubric_id:
        rubric = Rubric.objects.filter(pk=criteria[0].rubric_id).first()
    per_krone = bool(rubric and rubric.normalise_per_grant_krone)
    groups = peer_groups(evaluations, rubric)
    years_by_eval = {e.pk: _year_numbers(e) for e in evaluations}
    last_complete = {e.pk: _last_complete_year(e) for e in evaluations}
    for criterion in data:
        normalise = per_krone and criterion.metric not in RATIO_METRICS
        # A cluster without activity in a year it held the grant has 0, not "no data".
        zero_fill = criterion.metric != "cofinancing_per_grant_krone"
        values_by_eval: dict[int, dict[int, Decimal | None]] = {}
        for e in evaluations:
            found = inputs[e.pk]["figures"][criterion.metric]
            values = {}
            for year, n in years_by_eval[e.pk].items():
                value = found.get(year)
                if value is None and n >= 1 and zero_fill and year <= last_complete[e.pk]:
                    value = Decimal(0)
                values[n] = value
            if normalise:
                values = {n: per_mio_grant_kroner(v, e.grant.annual_amount_dkk)
                          for n, v in values.items()}
            values_by_eval[e.pk] = values
        for group in groups:
            levels = [lv for e in group
                      if (lv := scoring.level_of(values_by_eval[e.pk])[1]) is not None]
            for e in group:
                out.by_evaluation.setdefault(e.pk, {})[criterion.key] = scoring.starting_point(
                    values_by_eval[e.pk], levels
                )
    for criterion in targets:
        for group in groups:
            values = {e.pk: out.attained.get(e.grant_id, {}) for e in group}
            levels = [lv for v in values.values()
                      if (lv := scoring.attainment_level(v)) is not None]
            for e in group:
                out.by_evaluation.setdefault(e.pk, {})[criterion.key] = (
                    scoring.attainment_point(values[e.pk], levels))
    return out


# Key figures that are already a ratio or share: never divided by the grant.
RATIO_METRICS = {"cofinancing_per_grant_krone", "outside_share"}
MIO = Decimal(1_000_000)


def per_mio_grant_kroner(value: Decimal | None, annual_amount_dkk: int) -> Decimal | None:
    """A key figure per million kroner of the yearly grant (four decimals)."""
    if value is None or not annual_amount_dkk:
        return value
    return (Decimal(value) * MIO / Decimal(annual_amount_dkk)).quantize(Decimal("0.0001"))


def peer_groups(evaluations: list[MidwayEvaluation], rubric: Rubric | None) -> list[list[MidwayEvaluation]]:
    """The evaluations as peer groups: one, or emerging areas and the others apart when the
    rubric version records that choice."""
    if not (rubric and rubric.emerging_peer_group):
        return [list(evaluations)]
    emerging = [e for e in evaluations if e.grant.cluster.strength_position.emerging]
    others = [e for e in evaluations if not e.grant.cluster.strength_position.emerging]
    return [g for g in (emerging, others) if g]


def _last_complete_year(evaluation: MidwayEvaluation) -> int:
    from django.utils import timezone

    return min(evaluation.year, timezone.localdate().year - 1)


def peer_evaluations(evaluation: MidwayEvaluation) -> list[MidwayEvaluation]:
    """Every cluster evaluated in the same year (not yet-withdrawn grants too); the peer
    groups within it follow the rubric version (peer_groups)."""
    return list(
        MidwayEvaluation.objects.filter(year=evaluation.year)
        .select_related("grant__cluster__strength_position")
    )


def starting_points(evaluation: MidwayEvaluation, criteria: list[Criterion]) -> dict[str, scoring.StartingPoint]:
    return starting_points_for(peer_evaluations(evaluation), criteria).by_evaluation.get(evaluation.pk, {})


def suggestions_by_criterion(criteria, points: dict[str, scoring.StartingPoint]) -> dict[int, tuple]:
    return {
        c.pk: (points[c.key].suggested_shown, points[c.key].suggested_points)
        for c in criteria if c.key in points and points[c.key].has_data
    }


def level_scores(points: dict[str, scoring.StartingPoint]) -> dict[str, Decimal | None]:
    return {k: p.level_score for k, p in points.items()}


def decision_letter_of(evaluation):
    """The midway decision letter kept with the evaluation's case (the newest), or None."""

    return (DecisionLetter.objects.filter(case__evaluation=evaluation,
                                          kind=LetterKind.MIDWAY_DECISION)
            .order_by("-created_at", "-id").first())


def withdrawn_amount(evaluation: MidwayEvaluation) -> int:
    """What a withdrawal after this evaluation cancels: the planned and proposed tranches after
    the midway year (integer kroner), as grant_withdraw would cancel them."""
    after = evaluation.grant.midway_year or 5
    total = Tranche.objects.filter(
        grant_id=evaluation.grant_id, year_number__gt=after,
        status__in=[TrancheStatus.PLANNED, TrancheStatus.PROPOSED],
    ).aggregate(total=Sum("amount_dkk"))["total"]
    return int(total or 0)
