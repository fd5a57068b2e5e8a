from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from evaluations.constants import EvaluationStatus as S
from evaluations.midway.panel_services import ScoreInput, panel_join, scores_save
from evaluations.midway.services import (
    FourEyesViolation,
    decision_approve,
    decision_propose,
    decision_return,
    evaluation_open,
    self_assessment_save,
    self_assessment_submit,
)
from evaluations.models import (
    ConsensusScore,
    Criterion,
    Decision,
    EvaluationEvent,
    Panel,
    PanelMember,
    Rubric,
    Score,
)
from evaluations.panels.rubrics import (
    RubricLocked,
    criterion_save,
    rubric_activate,
    rubric_new_version,
)
from grants.cases.models import Case
from grants.constants import CaseType, GrantStatus, ReportStatus, TrancheStatus
from grants.notifications.models import Notification
from klyngeadmin.kernel.roles import Role
from tests.evaluations.conftest import all_scores, answer_all, score_as, set_consensus
from tests.factories import UserFactory


def test_default_rubric_is_seeded_with_weights_summing_to_100(rubrics):
    rubric = Rubric.objects.get(purpose="midway", active=True)
    assert sum(rubric.criteria.values_list("weight", flat=True)) == 100
    assert rubric.criteria.filter(kind="data").count() == 6


def test_open_locks_rubric_creates_panel_case_and_notifies(evaluation, caseworker, director):
    evaluation_open(evaluation=evaluation, actor=caseworker)
    evaluation.refresh_from_db()
    assert evaluation.status == S.SELF_ASSESSMENT
    assert evaluation.rubric.locked
    assert Panel.objects.filter(evaluation=evaluation).exists()
    assert Case.objects.filter(evaluation=evaluation, case_type=CaseType.MIDWAY_EVALUATION).exists()
    assert Notification.objects.filter(recipient=director, kind="midway_self_assessment_open").exists()
    assert EvaluationEvent.objects.filter(evaluation=evaluation, to_status=S.SELF_ASSESSMENT).exists()


def test_locked_rubric_cannot_change_in_service(opened, administrator):
    with pytest.raises(RubricLocked):
        criterion_save(rubric=opened.rubric, actor=administrator, key="x", title="X", weight=5,
                       kind="judgement")


def test_locked_rubric_cannot_change_in_db(opened):
    criterion = opened.rubric.criteria.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Criterion.objects.filter(pk=criterion.pk).update(weight=99)
    with pytest.raises(IntegrityError), transaction.atomic():
        Criterion.objects.create(rubric=opened.rubric, key="new", title="Ny", weight=1, kind="judgement")
    with pytest.raises(IntegrityError), transaction.atomic():
        criterion.delete()
    with pytest.raises(IntegrityError), transaction.atomic():
        Rubric.objects.filter(pk=opened.rubric.pk).update(name="Omdøbt")
    with pytest.raises(IntegrityError), transaction.atomic():
        Rubric.objects.filter(pk=opened.rubric.pk).update(locked=False)


def test_unlocked_rubric_can_change_and_new_version_is_unlocked(opened, administrator):
    new = rubric_new_version(rubric=opened.rubric, actor=administrator)
    assert new.version == opened.rubric.version + 1 and not new.locked
    assert new.criteria.count() == opened.rubric.criteria.count()
    c = criterion_save(rubric=new, criterion=new.criteria.first(), actor=administrator, weight=25)
    assert c.weight == 25
    rubric_activate(rubric=new, actor=administrator)
    assert Rubric.objects.get(purpose="midway", active=True) == new
    # the started evaluation keeps its version
    opened.refresh_from_db()
    assert opened.rubric.version == 1


def test_self_assessment_submit_requires_every_answer(opened, director):
    first = opened.rubric.criteria.first()
    sa = self_assessment_save(evaluation=opened, actor=director, summary="", answers={first.pk: "Svar"},
                              version=None)
    with pytest.raises(ValidationError, match="Besvar alle kriterier"):
        self_assessment_submit(evaluation=opened, actor=director, version=sa.version)
    opened.refresh_from_db()
    assert opened.status == S.SELF_ASSESSMENT


def test_self_assessment_stale_version_refused(opened, director, staff_member):
    self_assessment_save(evaluation=opened, actor=director, summary="A", answers={}, version=1)
    with pytest.raises(ValidationError, match="ændret af en anden"):
        self_assessment_save(evaluation=opened, actor=staff_member, summary="B", answers={}, version=1)


def test_self_assessment_submit_moves_to_scoring_and_completes_deadline(opened, director):
    answer_all(opened, director)
    opened.refresh_from_db()
    assert opened.status == S.SCORING
    assert opened.self_assessment_deadline.completed_at is not None
    with pytest.raises(ValidationError):
        self_assessment_save(evaluation=opened, actor=director, summary="x", answers={}, version=None)


def test_panel_requires_no_conflict_declaration(in_scoring, caseworker):
    panel = Panel.objects.get(evaluation=in_scoring)
    with pytest.raises(ValidationError):
        panel_join(panel=panel, actor=caseworker, no_conflict=False)
    assert not PanelMember.objects.filter(panel=panel).exists()


def test_director_cannot_join_panel(in_scoring, director):
    with pytest.raises(ValidationError):
        panel_join(panel=Panel.objects.get(evaluation=in_scoring), actor=director, no_conflict=True)


def test_na_needs_reason_and_departure_from_suggestion_needs_reason(in_scoring, caseworker):
    member = panel_join(panel=Panel.objects.get(evaluation=in_scoring), actor=caseworker, no_conflict=True)
    criterion = in_scoring.rubric.criteria.first()
    with pytest.raises(ValidationError, match="ikke er relevant"):
        scores_save(member=member, actor=caseworker, submit=False,
                    scores={criterion.pk: ScoreInput(value=None, not_applicable=True)})
    with pytest.raises(ValidationError, match="afviger"):
        scores_save(member=member, actor=caseworker, submit=False,
                    scores={criterion.pk: ScoreInput(value=4)}, suggestions={criterion.pk: (2, 2)})
    scores_save(member=member, actor=caseworker, submit=False,
                scores={criterion.pk: ScoreInput(value=2)}, suggestions={criterion.pk: (2, 2)})
    assert Score.objects.get(member=member, criterion=criterion).value == 2


def test_score_out_of_range_refused_by_service_and_db(in_scoring, caseworker):
    member = panel_join(panel=Panel.objects.get(evaluation=in_scoring), actor=caseworker, no_conflict=True)
    criterion = in_scoring.rubric.criteria.first()
    with pytest.raises(ValidationError, match="mellem 0 og 5"):
        scores_save(member=member, actor=caseworker, submit=False,
                    scores={criterion.pk: ScoreInput(value=6, reason="x")})
    with pytest.raises(IntegrityError), transaction.atomic():
        Score.objects.create(member=member, criterion=criterion, value=6)
    with pytest.raises(IntegrityError), transaction.atomic():
        Score.objects.create(member=member, criterion=criterion, value=3, not_applicable=True)


def test_one_scorer_cannot_close_scoring(in_scoring, caseworker):
    score_as(in_scoring, caseworker)
    in_scoring.refresh_from_db()
    assert in_scoring.status == S.SCORING


def test_submitted_scores_are_final(in_scoring, caseworker):
    member = score_as(in_scoring, caseworker)
    with pytest.raises(ValidationError, match="allerede indsendt"):
        scores_save(member=member, actor=caseworker, scores=all_scores(in_scoring, 5), submit=True)


def test_scorer_cannot_save_someone_elses_scores(in_scoring, caseworker, caseworker2):
    member = panel_join(panel=Panel.objects.get(evaluation=in_scoring), actor=caseworker, no_conflict=True)
    with pytest.raises(ValidationError):
        scores_save(member=member, actor=caseworker2, scores=all_scores(in_scoring), submit=False)


def test_two_submissions_close_scoring(in_consensus):
    assert in_consensus.panel.scoring_closed_at is not None
    assert in_consensus.scoring_deadline.completed_at is not None


def test_consensus_needs_reason_per_criterion_and_panel_member(in_consensus, caseworker, head_of_office):
    panel = Panel.objects.get(evaluation=in_consensus)
    from evaluations.midway.panel_services import consensus_save

    with pytest.raises(ValidationError):
        consensus_save(panel=panel, actor=head_of_office, scores=all_scores(in_consensus),
                       outcome="continue", text="ok")
    with pytest.raises(ValidationError, match="begrundelse"):
        consensus_save(panel=panel, actor=caseworker, scores=all_scores(in_consensus, reason=""),
                       outcome="continue", text="ok")
    rec = set_consensus(in_consensus, caseworker, value=4, outcome="continue")
    assert rec.adjusted_total == 4
    assert ConsensusScore.objects.filter(panel=panel).count() == in_consensus.rubric.criteria.count()


def test_propose_conditions_requires_conditions_and_deadline(in_consensus, caseworker):
    set_consensus(in_consensus, caseworker, 3, "conditions")
    with pytest.raises(ValidationError) as exc:
        decision_propose(evaluation=in_consensus, actor=caseworker, outcome="conditions", reasons="r")
    assert set(exc.value.message_dict) == {"conditions", "follow_up_due"}
    decision_propose(evaluation=in_consensus, actor=caseworker, outcome="conditions", reasons="r",
                     conditions="Flere SMV'er", follow_up_due=date(2030, 6, 1))
    in_consensus.refresh_from_db()
    assert in_consensus.status == S.PROPOSED


def test_propose_requires_consensus(in_consensus, caseworker):
    with pytest.raises(ValidationError, match="konsensus"):
        decision_propose(evaluation=in_consensus, actor=caseworker, outcome="continue", reasons="r")


def test_four_eyes_in_service(proposed, caseworker):
    with pytest.raises(FourEyesViolation):
        decision_approve(evaluation=proposed, actor=caseworker)


def test_head_of_office_who_proposed_cannot_approve(in_consensus, head_of_office, caseworker):
    """Service check: even a head of office cannot approve their own proposal."""
    set_consensus(in_consensus, caseworker)
    Decision.objects.create(evaluation=in_consensus, outcome="continue", reasons="r",
                            proposed_by=head_of_office)
    in_consensus.__class__.objects.filter(pk=in_consensus.pk).update(status=S.PROPOSED)
    in_consensus.refresh_from_db()
    with pytest.raises(FourEyesViolation):
        decision_approve(evaluation=in_consensus, actor=head_of_office)


def test_four_eyes_in_db(proposed, caseworker):
    decision = Decision.objects.get(evaluation=proposed)
    with pytest.raises(IntegrityError), transaction.atomic():
        Decision.objects.filter(pk=decision.pk).update(
            approved_by=caseworker, approved_at=decision.proposed_at, appeal_deadline=date(2030, 1, 1)
        )


def test_conditions_without_deadline_refused_by_db(proposed):
    with pytest.raises(IntegrityError), transaction.atomic():
        Decision.objects.filter(evaluation=proposed).update(outcome="conditions", conditions="x")


def test_return_to_consensus(proposed, head_of_office):
    with pytest.raises(ValidationError):
        decision_return(evaluation=proposed, actor=head_of_office, comment="")
    decision_return(evaluation=proposed, actor=head_of_office, comment="Begrund bedre")
    proposed.refresh_from_db()
    assert proposed.status == S.CONSENSUS


def test_withdrawal_cancels_years_6_to_10_and_notifies(proposed, head_of_office, director):
    grant = proposed.grant
    decision = decision_approve(evaluation=proposed, actor=head_of_office)
    proposed.refresh_from_db()
    grant.refresh_from_db()
    assert proposed.status == S.DECIDED
    assert decision.appeal_deadline is not None
    assert grant.status == GrantStatus.WITHDRAWN
    assert grant.cluster.status == "withdrawn"
    tranches = dict(grant.tranches.values_list("year_number", "status"))
    assert all(tranches[n] == TrancheStatus.CANCELLED for n in range(6, 11))
    assert all(tranches[n] == TrancheStatus.PLANNED for n in range(1, 6))
    reports = {r.year_number: r for r in grant.reports.select_related("deadline")}
    assert all(reports[n].status == ReportStatus.CANCELLED for n in range(6, 11))
    assert all(reports[n].deadline.cancelled_at is not None for n in range(6, 11))
    assert all(reports[n].status == ReportStatus.DRAFT for n in range(1, 6))
    assert reports[6].events.filter(to_status=ReportStatus.CANCELLED, actor__isnull=True).exists()
    assert Notification.objects.filter(recipient=director, kind="midway_decision").exists()


def test_continue_leaves_grant_alone(in_consensus, caseworker, head_of_office):
    set_consensus(in_consensus, caseworker, 4, "continue")
    decision_propose(evaluation=in_consensus, actor=caseworker, outcome="continue", reasons="Godt")
    decision_approve(evaluation=in_consensus, actor=head_of_office)
    grant = in_consensus.grant
    grant.refresh_from_db()
    assert grant.status == GrantStatus.ACTIVE
    assert not grant.tranches.filter(status=TrancheStatus.CANCELLED).exists()


def test_the_evaluation_case_follows_the_evaluation_through_the_case_workflow(
    in_scoring, caseworker, caseworker2, head_of_office
):
    """The queue shows where a midway evaluation is: the first panel member takes its case,
    the proposal puts it in progress, the head of office's decision decides it."""
    case = Case.objects.get(evaluation=in_scoring)
    assert (case.status, case.assignee) == ("new", None)
    score_as(in_scoring, caseworker, 3)  # joins the panel first
    case.refresh_from_db()
    assert (case.status, case.assignee) == ("assigned", caseworker)
    score_as(in_scoring, caseworker2, 2)
    case.refresh_from_db()
    assert case.assignee == caseworker  # a second member does not take it over
    set_consensus(in_scoring, caseworker, 4, "continue")
    decision_propose(evaluation=in_scoring, actor=caseworker, outcome="continue", reasons="Godt")
    case.refresh_from_db()
    assert case.status == "in_progress"
    decision_approve(evaluation=in_scoring, actor=head_of_office)
    case.refresh_from_db()
    assert case.status == "decided" and case.deadline.completed_at is not None
    steps = list(case.events.filter(kind__in=["assignment", "transition"])
                 .order_by("pk").values_list("to_status", "actor__username"))
    assert steps == [("assigned", caseworker.username), ("in_progress", caseworker.username),
                     ("decided", head_of_office.username)]


# -- every transition, allowed and forbidden, per role ------------------------------------------

ROLES = [Role.DIRECTOR, Role.CLUSTER_STAFF, Role.CASEWORKER, Role.HEAD_OF_OFFICE, Role.ADMIN, "system"]
ALLOWED = {
    (S.SCHEDULED, S.SELF_ASSESSMENT): {Role.CASEWORKER, Role.HEAD_OF_OFFICE, Role.ADMIN, "system"},
    (S.SELF_ASSESSMENT, S.SCORING): {Role.DIRECTOR, Role.CLUSTER_STAFF, Role.CASEWORKER,
                                     Role.HEAD_OF_OFFICE, "system"},
    (S.SCORING, S.CONSENSUS): {"system"},
    (S.CONSENSUS, S.PROPOSED): {Role.CASEWORKER},
    (S.PROPOSED, S.DECIDED): {Role.HEAD_OF_OFFICE},
    (S.PROPOSED, S.CONSENSUS): {Role.HEAD_OF_OFFICE},
}
PAIRS = [(a, b) for a in S.values for b in S.values if a != b]


@pytest.mark.parametrize("role", ROLES)
def test_transition_table(evaluation, cluster, role):
    """Every (from, to) pair for this role: allowed ones move, all others raise and move nothing."""
    from evaluations.midway.services import evaluation_transition
    from evaluations.models import MidwayEvaluation
    from klyngeadmin.kernel.workflow import TransitionNotAllowed

    rubric = Rubric.objects.get(purpose="midway", active=True)
    actor = None if role == "system" else UserFactory(
        role=role, cluster=cluster if role in (Role.DIRECTOR, Role.CLUSTER_STAFF) else None
    )
    for source, target in PAIRS:
        MidwayEvaluation.objects.filter(pk=evaluation.pk).update(status=source, rubric=rubric)
        evaluation.refresh_from_db()
        if role in ALLOWED.get((source, target), set()):
            evaluation_transition(evaluation=evaluation, to=target, actor=actor)
            evaluation.refresh_from_db()
            assert evaluation.status == target, (source, target)
        else:
            with pytest.raises(TransitionNotAllowed):
                evaluation_transition(evaluation=evaluation, to=target, actor=actor)
            evaluation.refresh_from_db()
            assert evaluation.status == source, (source, target)


def test_status_check_constraint(evaluation):
    from evaluations.models import MidwayEvaluation

    with pytest.raises(IntegrityError), transaction.atomic():
        MidwayEvaluation.objects.filter(pk=evaluation.pk).update(status="bogus")
    with pytest.raises(IntegrityError), transaction.atomic():
        MidwayEvaluation.objects.filter(pk=evaluation.pk).update(status=S.SCORING)  # no rubric
