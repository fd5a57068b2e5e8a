"""Case services: the workflow table for every role, assignment, messages and notes, the
annual-report round trip, tranche proposals with four eyes, extensions, the audit trail and
journal numbers."""

from datetime import date, timedelta
from itertools import permutations

import pytest
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from grants.cases import proposals
from grants.cases import services as svc
from grants.cases.hearing import HearingPending, hearing_start
from grants.cases.models import Case, CaseEvent, Disbursement, TrancheProposal
from grants.cases.workflows import CASE_WORKFLOW
from grants.constants import (
    CaseEventKind,
    CaseStatus,
    ExtensionStatus,
    HearingSubject,
    ProposalStatus,
    ReportStatus,
    TrancheStatus,
)
from grants.deadlines.models import Deadline
from grants.notifications.models import Notification
from klyngeadmin.kernel.roles import CLUSTER_ROLES, Role
from klyngeadmin.kernel.workflow import SYSTEM, TransitionNotAllowed
from tests.factories import UserFactory
from tests.grants.case_fixtures import (
    make_application_case,
    make_extension_case,
    submit_report,
)

ROLES = [*Role.values, SYSTEM]
PAIRS = list(permutations(CaseStatus.values, 2))


def _actor(role, cluster):
    if role == SYSTEM:
        return None
    if role in CLUSTER_ROLES:
        return UserFactory(role=role, cluster=cluster)
    return UserFactory(role=role)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("source", "target"), PAIRS)
def test_every_transition_for_every_role_follows_the_table(source, target, role, cluster):
    case = make_application_case(cluster)
    handler = UserFactory(role=Role.CASEWORKER)
    Case.objects.filter(pk=case.pk).update(status=source, assignee=handler)
    case.refresh_from_db()
    actor = _actor(role, cluster)
    events_before = CaseEvent.objects.filter(case=case).count()
    if CASE_WORKFLOW.is_allowed(source, target, role):
        svc.case_transition(case=case, to=target, actor=actor)
        case.refresh_from_db()
        assert case.status == target
        event = CaseEvent.objects.filter(case=case).latest("id")
        assert (event.kind, event.from_status, event.to_status) == (
            CaseEventKind.TRANSITION, source, target)
        assert event.actor == actor
    else:
        with pytest.raises(TransitionNotAllowed):
            svc.case_transition(case=case, to=target, actor=actor)
        case.refresh_from_db()
        assert case.status == source
        assert CaseEvent.objects.filter(case=case).count() == events_before


def test_table_has_the_documented_shape():
    S = CaseStatus
    assert set(CASE_WORKFLOW.transitions) == {
        (S.NEW, S.ASSIGNED), (S.ASSIGNED, S.IN_PROGRESS), (S.IN_PROGRESS, S.AWAITING_CLUSTER),
        (S.AWAITING_CLUSTER, S.IN_PROGRESS), (S.IN_PROGRESS, S.DECIDED), (S.DECIDED, S.CLOSED),
        (S.IN_PROGRESS, S.CLOSED),  # a case whose work is done (services.case_close checks it)
    }


def test_director_of_another_cluster_cannot_move_the_case(cluster, other_director, caseworker):
    case = make_application_case(cluster)
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.AWAITING_CLUSTER, assignee=caseworker)
    with pytest.raises(svc.CaseActionError):
        svc.case_transition(case=case, to=CaseStatus.IN_PROGRESS, actor=other_director)


def test_status_column_has_a_db_constraint(cluster):
    case = make_application_case(cluster)
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(status="bogus")


# -- journal numbers -------------------------------------------------------------------------


def test_journal_numbers_are_sequential_per_year_and_unique(cluster):
    year = timezone.localdate().year
    first = make_application_case(cluster).journal_number
    second = make_application_case(cluster).journal_number
    assert first.startswith(f"{year}-") and len(first) == 11
    assert int(second[5:]) == int(first[5:]) + 1
    assert svc.next_journal_number(1999) == "1999-000001"
    assert svc.next_journal_number(1999) == "1999-000002"
    assert svc.next_journal_number(2000) == "2000-000001"


def test_journal_number_is_unique_and_formatted_in_the_database(cluster):
    case = make_application_case(cluster)
    other = make_application_case(cluster)
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=other.pk).update(journal_number=case.journal_number)
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=other.pk).update(journal_number="26-1")


# -- assignment ------------------------------------------------------------------------------


def test_take_assigns_a_new_case_and_writes_an_event(report_case, caseworker):
    svc.case_take(case=report_case, actor=caseworker, expected_version=report_case.version)
    report_case.refresh_from_db()
    assert report_case.status == CaseStatus.ASSIGNED
    assert report_case.assignee == caseworker
    assert report_case.deadline.assignee == caseworker
    event = report_case.events.latest("id")
    assert event.kind == CaseEventKind.ASSIGNMENT and event.actor == caseworker


def test_reassign_keeps_the_status_and_notifies_the_new_caseworker(report_case, caseworker, caseworker2):
    svc.case_take(case=report_case, actor=caseworker)
    svc.case_transition(case=report_case, to=CaseStatus.IN_PROGRESS, actor=caseworker)
    svc.case_assign(case=report_case, assignee=caseworker2, actor=caseworker)
    report_case.refresh_from_db()
    assert report_case.status == CaseStatus.IN_PROGRESS
    assert report_case.assignee == caseworker2
    assert Notification.objects.filter(recipient=caseworker2, kind="case_assigned").exists()
    assert "Overdraget" in report_case.events.latest("id").text


@pytest.mark.parametrize("role", [Role.DIRECTOR, Role.CLUSTER_STAFF, Role.ADMIN])
def test_only_caseworkers_assign(report_case, cluster, caseworker, role):
    actor = _actor(role, cluster)
    with pytest.raises(svc.CaseActionError):
        svc.case_assign(case=report_case, assignee=caseworker, actor=actor)


def test_cannot_assign_to_a_director(report_case, caseworker, director):
    with pytest.raises(svc.CaseActionError):
        svc.case_assign(case=report_case, assignee=director, actor=caseworker)


def test_stale_version_is_refused_with_a_danish_message(report_case, caseworker, caseworker2):
    version = report_case.version
    svc.case_take(case=report_case, actor=caseworker, expected_version=version)
    with pytest.raises(svc.StaleCase, match="ændret af en anden"):
        svc.case_take(case=Case.objects.get(pk=report_case.pk), actor=caseworker2,
                      expected_version=version)
    report_case.refresh_from_db()
    assert report_case.assignee == caseworker
    assert report_case.events.filter(kind=CaseEventKind.ASSIGNMENT).count() == 1


# -- messages and notes ------------------------------------------------------------------------


def test_message_notifies_the_director_and_note_is_internal(report_case, caseworker, director):
    svc.case_message(case=report_case, actor=caseworker, text="Hej klynge")
    svc.case_note(case=report_case, actor=caseworker, text="Kun til os")
    message = report_case.events.get(kind=CaseEventKind.MESSAGE)
    note = report_case.events.get(kind=CaseEventKind.NOTE)
    assert not message.internal and note.internal
    notes = Notification.objects.filter(recipient=director, kind="case_message")
    assert notes.count() == 1 and "Hej klynge" in notes.get().body


def test_empty_message_is_refused(report_case, caseworker):
    with pytest.raises(svc.CaseActionError):
        svc.case_message(case=report_case, actor=caseworker, text="  ")
    assert not report_case.events.filter(kind=CaseEventKind.MESSAGE).exists()


def test_director_cannot_write_notes(report_case, director):
    with pytest.raises(svc.CaseActionError):
        svc.case_note(case=report_case, actor=director, text="x")


# -- the annual report round trip ------------------------------------------------------------


def _start(case, caseworker):
    svc.case_take(case=case, actor=caseworker)
    svc.case_transition(case=case, to=CaseStatus.IN_PROGRESS, actor=caseworker)
    case.refresh_from_db()
    return case


def test_starting_work_takes_the_report_into_review(report_case, caseworker):
    _start(report_case, caseworker)
    assert report_case.report.status == ReportStatus.IN_REVIEW


def test_request_changes_then_resubmission_continues_the_same_case(
    report_case, caseworker, director
):
    _start(report_case, caseworker)
    svc.case_request_changes(case=report_case, actor=caseworker, text="Ret kontingenterne")
    report_case.refresh_from_db()
    report = report_case.report
    report.refresh_from_db()
    assert report_case.status == CaseStatus.AWAITING_CLUSTER
    assert report.status == ReportStatus.CHANGES_REQUESTED
    assert Notification.objects.filter(recipient=director, body="Ret kontingenterne").exists()
    assert report_case.events.filter(kind=CaseEventKind.MESSAGE, internal=False).exists()

    again = submit_report(report, director)
    assert again.pk == report_case.pk
    assert Case.objects.filter(report=report).count() == 1
    report_case.refresh_from_db()
    report.refresh_from_db()
    assert report_case.status == CaseStatus.IN_PROGRESS
    assert report.status == ReportStatus.IN_REVIEW
    assert Notification.objects.filter(recipient=caseworker, kind="case_resubmitted").exists()


def test_request_changes_needs_a_report_in_review(report_case, caseworker):
    svc.case_take(case=report_case, actor=caseworker)
    with pytest.raises(TransitionNotAllowed):  # case is only assigned
        svc.case_request_changes(case=report_case, actor=caseworker, text="x")


def test_approve_report(report_case, caseworker, director):
    _start(report_case, caseworker)
    svc.case_approve_report(case=report_case, actor=caseworker)
    report_case.report.refresh_from_db()
    assert report_case.report.status == ReportStatus.APPROVED
    assert report_case.events.filter(kind=CaseEventKind.DECISION, internal=False).exists()


def _approved(case, caseworker):
    _start(case, caseworker)
    svc.case_approve_report(case=case, actor=caseworker)
    case.refresh_from_db()
    return case


# -- tranches and four eyes ---------------------------------------------------------------------


def test_propose_and_approve_release(report_case, caseworker, head_of_office, director, media_root):
    case = _approved(report_case, caseworker)
    proposal = proposals.tranche_propose_release(case=case, actor=caseworker, amount_dkk=10_000_000,
                                           pay_on=date.today() + timedelta(days=10))
    tranche = proposal.tranche
    tranche.refresh_from_db()
    assert tranche.status == TrancheStatus.PROPOSED
    assert Notification.objects.filter(recipient=head_of_office, kind="case_proposal").exists()

    proposals.tranche_proposal_approve(proposal=proposal, actor=head_of_office)
    tranche.refresh_from_db()
    case.refresh_from_db()
    assert tranche.status == TrancheStatus.RELEASED
    assert tranche.released_on == proposal.pay_on
    disbursement = Disbursement.objects.get(tranche=tranche)
    assert disbursement.amount_dkk == 10_000_000
    assert disbursement.proposed_by == caseworker and disbursement.approved_by == head_of_office
    assert case.status == CaseStatus.DECIDED
    letter = case.letters.get()
    assert letter.file.read(5) == b"%PDF-"
    assert letter.cluster_id == case.cluster_id
    assert "udbetales" in letter.body
    assert Notification.objects.filter(recipient=director, subject__startswith="Afgørelse").exists()


def test_release_needs_an_approved_report(report_case, caseworker):
    _start(report_case, caseworker)
    with pytest.raises(svc.CaseActionError, match="godkendt"):
        proposals.tranche_propose_release(case=report_case, actor=caseworker, amount_dkk=1,
                                    pay_on=date.today())


def test_release_amount_cannot_exceed_the_tranche(report_case, caseworker):
    case = _approved(report_case, caseworker)
    with pytest.raises(svc.CaseActionError, match="Beløbet"):
        proposals.tranche_propose_release(case=case, actor=caseworker, amount_dkk=10_000_001,
                                    pay_on=date.today())
    assert not TrancheProposal.objects.exists()


def test_four_eyes_the_proposer_cannot_approve(report_case, head_of_office):
    case = _approved(report_case, head_of_office)  # the head of office handles this case
    proposal = proposals.tranche_propose_release(case=case, actor=head_of_office, amount_dkk=5,
                                           pay_on=date.today())
    with pytest.raises(svc.FourEyesViolation):
        proposals.tranche_proposal_approve(proposal=proposal, actor=head_of_office)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PROPOSED
    assert proposal.tranche.status == TrancheStatus.PROPOSED
    another = UserFactory(role=Role.HEAD_OF_OFFICE)
    proposals.tranche_proposal_approve(proposal=proposal, actor=another)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.APPROVED


def test_caseworker_cannot_approve_a_proposal(report_case, caseworker, caseworker2):
    case = _approved(report_case, caseworker)
    proposal = proposals.tranche_propose_release(case=case, actor=caseworker, amount_dkk=5,
                                           pay_on=date.today())
    with pytest.raises(svc.CaseActionError, match="kontorchefen"):
        proposals.tranche_proposal_approve(proposal=proposal, actor=caseworker2)


def test_four_eyes_in_the_database(report_case, caseworker, head_of_office):
    case = _approved(report_case, caseworker)
    proposal = proposals.tranche_propose_release(case=case, actor=caseworker, amount_dkk=5,
                                           pay_on=date.today())
    with pytest.raises(IntegrityError), transaction.atomic():
        TrancheProposal.objects.filter(pk=proposal.pk).update(
            status=ProposalStatus.APPROVED, decided_by=caseworker, decided_at=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        Disbursement.objects.create(tranche=proposal.tranche, proposal=proposal, amount_dkk=5,
                                    paid_on=date.today(), proposed_by=caseworker,
                                    approved_by=caseworker)
    with pytest.raises(IntegrityError), transaction.atomic():  # one open proposal per tranche
        TrancheProposal.objects.create(case=case, tranche=proposal.tranche, kind="release",
                                       amount_dkk=5, pay_on=date.today(), proposed_by=caseworker)


def test_reject_proposal_returns_the_tranche_to_planned(report_case, caseworker, head_of_office):
    case = _approved(report_case, caseworker)
    proposal = proposals.tranche_propose_release(case=case, actor=caseworker, amount_dkk=5,
                                           pay_on=date.today())
    proposals.tranche_proposal_reject(proposal=proposal, actor=head_of_office, reason="Forkert beløb")
    proposal.refresh_from_db()
    proposal.tranche.refresh_from_db()
    assert proposal.status == ProposalStatus.REJECTED
    assert proposal.tranche.status == TrancheStatus.PLANNED
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS


def test_cancelling_money_needs_the_head_of_office(report_case, caseworker, head_of_office,
                                                   media_root):
    _start(report_case, caseworker)
    proposal = proposals.tranche_propose_cancellation(case=report_case, actor=caseworker,
                                                reason="Manglende aktivitet")
    proposal.tranche.refresh_from_db()
    assert proposal.tranche.status == TrancheStatus.PLANNED  # nothing cancelled yet
    with pytest.raises(svc.FourEyesViolation):
        proposals.tranche_proposal_approve(proposal=proposal,
                                     actor=_self_head(caseworker, proposal))
    # An adverse decision: not before the cluster has been heard (grants.cases.hearing) ...
    with pytest.raises(HearingPending):
        proposals.tranche_proposal_approve(proposal=proposal, actor=head_of_office)
    hearing = hearing_start(case=report_case, actor=head_of_office,
                            subject_kind=HearingSubject.TRANCHE_CANCELLATION,
                            proposed_decision="Raten annulleres.", grounds="Manglende aktivitet")
    with pytest.raises(HearingPending):  # the deadline runs and nobody answered
        proposals.tranche_proposal_approve(proposal=proposal, actor=head_of_office)
    Deadline.objects.filter(pk=hearing.deadline_id).update(due_at=timezone.now() - timedelta(minutes=1))
    proposals.tranche_proposal_approve(proposal=proposal, actor=head_of_office)
    proposal.tranche.refresh_from_db()
    assert proposal.tranche.status == TrancheStatus.CANCELLED
    letter = report_case.letters.get(kind="tranche_cancelled")
    assert "Der er ikke modtaget høringssvar inden fristen" in letter.body


def _self_head(caseworker, proposal):
    """Promote the proposer to head of office: still the same person, still refused."""
    caseworker.role = Role.HEAD_OF_OFFICE
    caseworker.save(update_fields=["role"])
    return caseworker


# -- extensions ----------------------------------------------------------------------------------


def test_approve_extension_moves_the_deadline_and_keeps_history(grant, director, caseworker,
                                                                media_root):
    case = make_extension_case(grant, director)
    _start(case, caseworker)
    deadline = case.extension.deadline
    old = deadline.due_at
    new = old + timedelta(days=30)
    svc.extension_decide(case=case, actor=caseworker, approve=True, new_due_at=new)
    deadline.refresh_from_db()
    case.extension.refresh_from_db()
    case.refresh_from_db()
    assert deadline.due_at == new and deadline.original_due_at == old
    assert case.extension.status == ExtensionStatus.APPROVED
    assert case.extension.previous_due_at == old and case.extension.new_due_at == new
    assert case.status == CaseStatus.DECIDED
    assert case.letters.get().kind == "extension_approved"


def test_extension_new_date_must_be_later(grant, director, caseworker):
    case = make_extension_case(grant, director)
    _start(case, caseworker)
    with pytest.raises(svc.CaseActionError):
        svc.extension_decide(case=case, actor=caseworker, approve=True,
                             new_due_at=case.extension.deadline.due_at)


def test_reject_extension(grant, director, caseworker, media_root):
    case = make_extension_case(grant, director)
    _start(case, caseworker)
    old = case.extension.deadline.due_at
    svc.extension_decide(case=case, actor=caseworker, approve=False, reason="For sent")
    case.extension.refresh_from_db()
    case.extension.deadline.refresh_from_db()
    assert case.extension.status == ExtensionStatus.REJECTED
    assert case.extension.deadline.due_at == old


# -- audit trail -----------------------------------------------------------------------------------


def test_case_events_are_append_only_in_the_database(report_case):
    """The audit trigger (klyngeadmin migration 0003) refuses UPDATE and DELETE."""
    event = report_case.events.first()
    with pytest.raises(DatabaseError), transaction.atomic():
        CaseEvent.objects.filter(pk=event.pk).update(text="rewritten")
    with pytest.raises(DatabaseError), transaction.atomic():
        CaseEvent.objects.filter(pk=event.pk).delete()


def test_every_step_writes_an_event(report_case, caseworker, head_of_office, media_root):
    case = _approved(report_case, caseworker)
    svc.case_message(case=case, actor=caseworker, text="Besked")
    svc.case_note(case=case, actor=caseworker, text="Note")
    proposal = proposals.tranche_propose_release(case=case, actor=caseworker, amount_dkk=5,
                                           pay_on=date.today())
    proposals.tranche_proposal_approve(proposal=proposal, actor=head_of_office)
    svc.case_transition(case=case, to=CaseStatus.CLOSED, actor=caseworker)
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds == [
        "opened", "assignment", "transition", "decision", "message", "note", "proposal",
        "decision", "transition", "transition",
    ]


# -- languages: the record in Danish, notifications in the recipient's language ------------------


def test_an_english_speaking_caseworker_writes_danish_records_and_each_recipient_reads_theirs(
    report_case, caseworker, caseworker2, head_of_office, director, media_root
):
    """Whoever acts in English: the case events and the decision letter are Danish (the
    authority's record), and each notification is in its recipient's language."""
    from django.utils import translation

    from grants.cases.models import DecisionLetter

    caseworker2.language = "en"
    caseworker2.save(update_fields=["language"])
    with translation.override("en"):
        svc.case_assign(case=report_case, assignee=caseworker2, actor=caseworker)
        svc.case_assign(case=report_case, assignee=caseworker, actor=caseworker2)
    texts = list(report_case.events.filter(kind=CaseEventKind.ASSIGNMENT)
                 .order_by("pk").values_list("text", flat=True))
    assert texts[0].startswith("Tildelt ") and texts[1].startswith("Overdraget fra ")
    to_english = Notification.objects.get(recipient=caseworker2, kind="case_assigned")
    to_danish = Notification.objects.get(recipient=caseworker, kind="case_assigned")
    assert to_english.subject == f"Case {report_case.journal_number} has been assigned to you"
    assert to_danish.subject == f"Sag {report_case.journal_number} er tildelt dig"

    svc.case_transition(case=report_case, to=CaseStatus.IN_PROGRESS, actor=caseworker)
    svc.case_approve_report(case=report_case, actor=caseworker)
    case = Case.objects.get(pk=report_case.pk)
    with translation.override("en"):
        proposal = proposals.tranche_propose_release(case=case, actor=caseworker, amount_dkk=10_000_000,
                                               pay_on=date.today() + timedelta(days=10))
        proposals.tranche_proposal_approve(proposal=proposal, actor=head_of_office)
    letter = DecisionLetter.objects.get(case=case)
    assert letter.body.startswith("Raten for ") and "udbetales" in letter.body
    assert case.events.filter(text__startswith="Indstiller udbetaling af raten").exists()
    to_director = Notification.objects.filter(recipient=director, kind="case_message").latest("pk")
    assert to_director.subject == f"Afgørelse i sag {case.journal_number}"
