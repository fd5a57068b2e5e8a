"""Issue 16 item 3: a "continue with conditions" decision is followed up - a case, a deadline
the reminders follow, the cluster's condition report, and the caseworker's verdict (not met:
a proposed withdrawal goes into hearing, decided only after it)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from evaluations.midway.services import decision_approve, decision_propose
from grants.cases import services as svc
from grants.cases.conditions import condition_report_submit, conditions_close
from grants.cases.hearing import HearingPending, hearing_answer
from grants.cases.models import Case, ConditionFollowUp, Hearing
from grants.constants import (
    CaseStatus,
    CaseType,
    ConditionOutcome,
    DeadlineKind,
    HearingSubject,
    LetterKind,
)
from grants.notifications.models import Notification
from grants.notifications.reminders import reminder_tick
from tests.evaluations.conftest import set_consensus
from tests.grants.case_fixtures import media_root  # noqa: F401 (letters are stored)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]


@pytest.fixture
def followup(in_consensus, caseworker, head_of_office):
    set_consensus(in_consensus, caseworker, 3, "conditions")
    decision_propose(evaluation=in_consensus, actor=caseworker, outcome="conditions",
                     reasons="Middel score.", conditions="Flere SMV'er i aktiviteterne.",
                     follow_up_due=timezone.localdate() + timedelta(days=90))
    decision_approve(evaluation=in_consensus, actor=head_of_office)
    return ConditionFollowUp.objects.select_related("case", "deadline").get(
        case__evaluation=in_consensus, case__case_type=CaseType.CONDITIONS)


def _in_progress(case, caseworker):
    if case.assignee_id is None:
        svc.case_take(case=case, actor=caseworker)
    case.refresh_from_db()
    svc.case_transition(case=case, to=CaseStatus.IN_PROGRESS, actor=caseworker)
    case.refresh_from_db()
    return case


def test_conditions_decision_creates_case_deadline_and_tells_the_cluster(followup, director,
                                                                         staff_member):
    case, deadline = followup.case, followup.deadline
    assert case.cluster_id == director.cluster_id and case.status == CaseStatus.ASSIGNED
    assert followup.conditions == "Flere SMV'er i aktiviteterne."
    assert deadline.kind == DeadlineKind.CONDITIONS and deadline.cluster_id == director.cluster_id
    assert timezone.localtime(deadline.due_at).date() == timezone.localdate() + timedelta(days=90)
    assert Notification.objects.filter(recipient=director, url=f"/mine-sager/{case.journal_number}/"
                                       ).exists()
    # the reminders follow the condition deadline
    reminder_tick(now=deadline.due_at - timedelta(days=14, hours=1))
    assert Notification.objects.filter(deadline=deadline, recipient=director, kind="reminder:-14d",
                                       url=f"/mine-sager/{case.journal_number}/").exists()
    assert Notification.objects.filter(deadline=deadline, recipient=staff_member).exists()


def test_condition_report_then_met_decides_the_case_with_a_letter(followup, director, caseworker):
    case = followup.case
    with pytest.raises(svc.CaseActionError):  # not before the report or the deadline
        conditions_close(case=_in_progress(case, caseworker), actor=caseworker,
                         outcome=ConditionOutcome.MET, text="Fint")
    with pytest.raises(ValidationError):
        condition_report_submit(case=case, actor=director, text="")
    event = condition_report_submit(case=case, actor=director, text="Vi har 40 % flere SMV'er.")
    followup.refresh_from_db()
    assert followup.report == event and followup.deadline.completed_at is not None
    with pytest.raises(svc.CaseActionError, match="allerede indsendt"):
        condition_report_submit(case=case, actor=director, text="Igen")
    case.refresh_from_db()
    conditions_close(case=case, actor=caseworker, outcome=ConditionOutcome.MET,
                     text="Vilkåret er opfyldt.")
    case.refresh_from_db()
    followup.refresh_from_db()
    assert case.status == CaseStatus.DECIDED and followup.outcome == ConditionOutcome.MET
    assert case.letters.get().kind == LetterKind.CONDITIONS_CLOSED


def test_not_met_opens_a_hearing_and_the_decision_waits_for_it(followup, director, caseworker,
                                                               head_of_office):
    from grants.cases.conditions import conditions_decide
    from grants.constants import GrantStatus, TrancheStatus

    case = _in_progress(followup.case, caseworker)
    condition_report_submit(case=case, actor=director, text="Vi nåede det ikke.")
    case.refresh_from_db()
    conditions_close(case=case, actor=caseworker, outcome=ConditionOutcome.NOT_MET,
                     text="Andelen af SMV'er er faldet.")
    hearing = Hearing.objects.get(case=case)
    assert hearing.subject_kind == HearingSubject.WITHDRAWAL and hearing.letter.kind == "hearing"
    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_CLUSTER
    svc.case_transition(case=case, to=CaseStatus.IN_PROGRESS, actor=caseworker)
    case.refresh_from_db()
    with pytest.raises(HearingPending):
        conditions_decide(case=case, actor=head_of_office, text="Bevillingen tilbagekaldes.")
    answer = hearing_answer(case=case, actor=director, text="Vi beder om et år mere.")
    case.refresh_from_db()
    # a withdrawal: not the generic decision, not a caseworker, not the one who sent the hearing
    with pytest.raises(svc.CaseActionError, match="egne handlinger"):
        svc.case_decide(case=case, actor=head_of_office, text="Bevillingen tilbagekaldes.")
    with pytest.raises(svc.CaseActionError, match="kontorchefen"):
        conditions_decide(case=case, actor=caseworker, text="Bevillingen tilbagekaldes.")
    grant = case.evaluation.grant
    assert grant.status == GrantStatus.ACTIVE
    # the head of office finds it in "Til godkendelse"
    from grants.cases.selectors import QueueParams, approval_items, case_queue
    assert [c.pk for c in case_queue(user=head_of_office, params=QueueParams(tab="godkendelse"))] == [case.pk]
    [item] = approval_items([case.pk])[case.pk]
    assert item["proposer"] == caseworker and "vilkårene er ikke opfyldt" in str(item["label"])
    conditions_decide(case=case, actor=head_of_office, text="Bevillingen tilbagekaldes.")
    assert case_queue(user=head_of_office, params=QueueParams(tab="godkendelse")).count() == 0
    case = Case.objects.get(pk=case.pk)
    assert case.status == CaseStatus.DECIDED
    decision = case.events.filter(kind="decision").latest("id")
    assert f"H{hearing.pk}-{answer.pk}" in decision.text
    # the decision reaches the cluster as a letter (PDF, Digital Post) that quotes the receipt
    letter = case.letters.get(kind="conditions_closed")
    assert letter.file.read(5) == b"%PDF-" and f"H{hearing.pk}-{answer.pk}" in letter.body
    assert "Bevillingen tilbagekaldes." in letter.body
    # and the grant is withdrawn: nothing planned after the midway year is paid
    grant.refresh_from_db()
    assert grant.status == GrantStatus.WITHDRAWN
    after = grant.tranches.filter(year_number__gt=grant.midway_year or 5)
    assert after.exists() and not after.exclude(
        status__in=[TrancheStatus.CANCELLED, TrancheStatus.RELEASED]).exists()


def test_the_case_pages_decision_goes_to_the_conditions_service_for_a_conditions_case(
        followup, caseworker, head_of_office):
    """The "afgoer" action calls one service (grants.cases.decide.case_decide_any): a
    conditions case is decided by conditions_decide (which wants a hearing), never by the
    generic case_decide (which refuses the type)."""
    from grants.cases.decide import case_decide_any

    case = _in_progress(followup.case, caseworker)
    with pytest.raises(svc.CaseActionError, match="ingen påtænkt afgørelse i høring"):
        case_decide_any(case=case, actor=head_of_office, text="Bevillingen tilbagekaldes.")
    with pytest.raises(svc.CaseActionError, match="egne handlinger"):
        svc.case_decide(case=case, actor=head_of_office, text="Bevillingen tilbagekaldes.")

