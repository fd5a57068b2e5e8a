from datetime import timedelta

import pytest
from django.utils import timezone

from evaluations.calls import services as cs
from evaluations.constants import EvaluationStatus
from evaluations.midway.panel_services import ScoreInput, consensus_save, panel_join, scores_save
from evaluations.midway.services import (
    decision_propose,
    evaluation_open,
    self_assessment_save,
    self_assessment_submit,
)
from evaluations.models import Criterion, Panel
from tests.factories import next_cvr


@pytest.fixture
def rubrics(db):
    """The default rubrics (seeded by migration; re-seeded here in case a flush removed them)."""
    from evaluations.panels.defaults import ensure_default_rubrics

    ensure_default_rubrics()


@pytest.fixture
def evaluation(grant, rubrics):
    return grant.midway_evaluation


@pytest.fixture
def opened(evaluation, caseworker):
    return evaluation_open(evaluation=evaluation, actor=caseworker)


def answer_all(evaluation, actor, submit=True):
    answers = {c.pk: f"Svar om {c.title}" for c in evaluation.rubric.criteria.all()}
    sa = self_assessment_save(evaluation=evaluation, actor=actor, summary="Samlet", answers=answers,
                              version=None)
    if submit:
        self_assessment_submit(evaluation=evaluation, actor=actor, version=sa.version)
    return sa


def all_scores(evaluation, value=3, reason="Begrundelse"):
    return {c.pk: ScoreInput(value=value, reason=reason) for c in Criterion.objects.filter(rubric=evaluation.rubric)}


def score_as(evaluation, user, value=3, submit=True):
    panel = Panel.objects.get(evaluation=evaluation)
    member = panel_join(panel=panel, actor=user, no_conflict=True)
    return scores_save(member=member, actor=user, scores=all_scores(evaluation, value), submit=submit)


@pytest.fixture
def in_scoring(opened, director):
    answer_all(opened, director)
    opened.refresh_from_db()
    assert opened.status == EvaluationStatus.SCORING
    return opened


@pytest.fixture
def in_consensus(in_scoring, caseworker, caseworker2):
    score_as(in_scoring, caseworker, 3)
    score_as(in_scoring, caseworker2, 2)
    in_scoring.refresh_from_db()
    assert in_scoring.status == EvaluationStatus.CONSENSUS
    return in_scoring


def set_consensus(evaluation, actor, value=1, outcome="withdraw"):
    panel = Panel.objects.get(evaluation=evaluation)
    return consensus_save(panel=panel, actor=actor, scores=all_scores(evaluation, value),
                          outcome=outcome, text="Klyngen lever ikke op til forventningerne.")


@pytest.fixture
def proposed_unheard(in_consensus, caseworker):
    """A proposed withdrawal on which the cluster has not been heard yet."""
    set_consensus(in_consensus, caseworker)
    decision_propose(evaluation=in_consensus, actor=caseworker, outcome="withdraw",
                     reasons="Lav score på alle kriterier.")
    in_consensus.refresh_from_db()
    return in_consensus


def hear_cluster(evaluation, caseworker, director, answer="Vi er uenige."):
    """The hearing a withdrawal needs (grants.cases.hearing): the letter, and the answer."""
    from grants.cases.hearing import hearing_answer, hearing_start
    from grants.constants import HearingSubject

    case = evaluation.cases.order_by("-created_at").first()
    hearing = hearing_start(case=case, actor=caseworker, subject_kind=HearingSubject.WITHDRAWAL,
                            proposed_decision="Bevillingen tilbagekaldes.",
                            grounds="Lav score på alle kriterier.")
    if answer:
        case.refresh_from_db()
        hearing_answer(case=case, actor=director, text=answer)
    return hearing


@pytest.fixture
def proposed(proposed_unheard, caseworker, director, settings, tmp_path):
    """A proposed withdrawal whose hearing the cluster has answered: ready for the decision."""
    settings.MEDIA_ROOT = tmp_path / "media"
    hear_cluster(proposed_unheard, caseworker, director)
    proposed_unheard.refresh_from_db()
    return proposed_unheard


# -- the open call --------------------------------------------------------------------------------


@pytest.fixture
def call(rubrics, administrator):
    now = timezone.now()
    call = cs.call_create(title="Åbent opslag 2027", description="Spirende områder", budget_dkk=20_000_000,
                          opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=30),
                          actor=administrator)
    return cs.call_publish(call=call, actor=administrator)


@pytest.fixture
def applicant(db):
    return cs.applicant_register(username="kvante", email="k@example.test", password="Str0ng-pass-word!",
                                 first_name="Kim", last_name="Kvante", organisation_name="Kvanteklyngen",
                                 cvr=next_cvr(), city="Odense", region="DK-83")
