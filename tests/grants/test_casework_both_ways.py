"""Issue 16 (items 1, 2, 3, 5): the cluster writes in its cases, the hearing before adverse
decisions, case closing and what awaits the head of office - services and selectors on
PostgreSQL, with the DB constraints tested with the services bypassed."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from grants.cases import proposals
from grants.cases import services as svc
from grants.cases.hearing import (
    HearingPending,
    hearing_answer,
    hearing_conclude,
    hearing_start,
    require_hearing_concluded,
)
from grants.cases.models import CaseAttachment, CaseEvent, Hearing
from grants.cases.selectors import (
    APPROVAL_SOURCES,
    QueueParams,
    approval_items,
    case_queue,
    case_queue_counts,
    cluster_case_detail,
    cluster_cases,
    waiting_for,
)
from grants.constants import (
    CaseEventKind,
    CaseStatus,
    DeadlineKind,
    HearingSubject,
    LetterKind,
    TrancheStatus,
)
from grants.deadlines.models import Deadline
from grants.notifications.models import Notification
from grants.notifications.reminders import reminder_tick
from tests.builders import approved_report_case, release_proposal, report_case_in_progress

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name="bilag.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def case(grant, director, caseworker):
    return report_case_in_progress(grant, director, caseworker, 2025)


def _queue(user, **params):
    return list(case_queue(user=user, params=QueueParams(**params)))


# -- 1. two-way messages ------------------------------------------------------------------------------


def test_director_writes_in_the_case_with_an_attachment(case, director, caseworker):
    event = svc.case_cluster_message(case=case, actor=director, text="Her er bilaget.",
                                     files=[pdf("regnskab.pdf")])
    assert (event.kind, event.actor, event.internal) == (CaseEventKind.CLUSTER_MESSAGE, director, False)
    attachment = event.attachments.get()
    assert attachment.original_name == "regnskab.pdf"
    assert attachment.content_type == "application/pdf" and attachment.size_bytes == len(PDF)
    assert attachment.file.open("rb").read() == PDF
    # the caseworker is told, with a link to the case
    note = Notification.objects.get(recipient=caseworker, kind="case_cluster_reply")
    assert note.url == f"/sager/{case.journal_number}/"
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS  # a message does not move the case


def test_a_bad_attachment_names_the_field_and_writes_nothing(case, director):
    events = CaseEvent.objects.filter(case=case).count()
    fake = SimpleUploadedFile("virus.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationError) as exc:
        svc.case_cluster_message(case=case, actor=director, text="Se bilag", files=[fake])
    assert "files" in exc.value.message_dict
    assert "Filtypen er ikke tilladt" in exc.value.message_dict["files"][0]
    assert CaseEvent.objects.filter(case=case).count() == events
    assert not CaseAttachment.objects.exists()
    with pytest.raises(ValidationError) as exc:
        svc.case_cluster_message(case=case, actor=director, text="  ")
    assert exc.value.message_dict == {"text": ["Skriv en besked."]}


def test_only_the_own_cluster_writes_and_not_in_a_closed_case(case, other_director, caseworker,
                                                              director):
    with pytest.raises(svc.CaseActionError):
        svc.case_cluster_message(case=case, actor=other_director, text="Hej")
    with pytest.raises(svc.CaseActionError):
        svc.case_cluster_message(case=case, actor=caseworker, text="Hej")
    case.__class__.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED)
    case.refresh_from_db()
    with pytest.raises(svc.CaseActionError, match="lukket"):
        svc.case_cluster_message(case=case, actor=director, text="Hej")


def test_queue_shows_the_clusters_reply_until_the_caseworker_answers(case, director, caseworker):
    assert _queue(caseworker, tab="svar") == []
    svc.case_cluster_message(case=case, actor=director, text="Spørgsmål om revisorerklæringen")
    [row] = _queue(caseworker, tab="svar")
    assert row.pk == case.pk and row.cluster_replied
    assert case_queue_counts(user=caseworker, params=QueueParams())["tab"]["svar"] == 1
    # messages are searchable in the queue
    assert [c.pk for c in _queue(caseworker, q="revisorerklæringen")] == [case.pk]
    assert _queue(caseworker, q="findes-ikke-nogen-steder") == []
    case.refresh_from_db()
    svc.case_message(case=case, actor=caseworker, text="Tak, vi ser på det.")
    assert _queue(caseworker, tab="svar") == []
    assert _queue(caseworker, tab="all")[0].cluster_replied is False


def test_queue_query_count_does_not_grow_with_replies(grant, director, caseworker,
                                                      django_assert_max_num_queries):
    for year in (2025, 2026, 2027):
        c = report_case_in_progress(grant, director, caseworker, year)
        svc.case_cluster_message(case=c, actor=director, text=f"Svar {year}")
    with django_assert_max_num_queries(1):
        rows = _queue(caseworker, tab="svar")
    assert len(rows) == 3 and all(r.cluster_replied for r in rows)


def test_request_for_changes_is_shown_as_such_and_links_to_the_report(case, director, caseworker):
    svc.case_request_changes(case=case, actor=caseworker, text="Ret tallene for sponsorater.")
    note = Notification.objects.filter(recipient=director, kind="case_message").latest("id")
    assert note.url == f"/rapporter/{case.report_id}/"
    [row] = list(cluster_cases(user=director))
    assert "ny version af årsrapporten" in str(waiting_for(row))


def test_cluster_sees_its_cases_but_never_notes_or_other_clusters(case, director, other_director,
                                                                  caseworker):
    svc.case_note(case=case, actor=caseworker, text="Hemmelig note")
    svc.case_message(case=case, actor=caseworker, text="Synlig besked")
    detail = cluster_case_detail(user=director, journal_number=case.journal_number)
    texts = [e.text for e in detail.public_events]
    assert "Synlig besked" in texts and "Hemmelig note" not in texts
    assert list(cluster_cases(user=other_director)) == []
    with pytest.raises(case.__class__.DoesNotExist):
        cluster_case_detail(user=other_director, journal_number=case.journal_number)
    assert list(cluster_cases(user=caseworker)) == []


# -- 2. the hearing ---------------------------------------------------------------------------------------


def _start(case, actor, **kw):
    return hearing_start(case=case, actor=actor, subject_kind=kw.pop(
        "subject_kind", HearingSubject.TRANCHE_CANCELLATION),
        proposed_decision="Raten for 2025 annulleres.", grounds="Ingen aktiviteter i 2025.", **kw)


def test_hearing_sends_a_letter_with_a_deadline_and_waits_for_the_cluster(case, caseworker,
                                                                           director):
    hearing = _start(case, caseworker)
    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_CLUSTER
    assert hearing.letter.kind == LetterKind.HEARING and hearing.letter.cluster_id == case.cluster_id
    assert "Raten for 2025 annulleres." in hearing.letter.body
    assert hearing.letter.file.open("rb").read().startswith(b"%PDF")
    deadline = hearing.deadline
    assert deadline.kind == DeadlineKind.HEARING and deadline.cluster_id == case.cluster_id
    local_due = timezone.localtime(deadline.due_at).date()
    assert local_due == timezone.localdate() + timedelta(days=14)  # default 14 days
    assert CaseEvent.objects.filter(case=case, kind=CaseEventKind.HEARING, internal=False).exists()
    assert Notification.objects.filter(recipient=director, kind="case_message",
                                       url=f"/mine-sager/{case.journal_number}/").exists()
    assert waiting_for(cluster_case_detail(user=director, journal_number=case.journal_number)
                       )["text"] == "Jeres høringssvar"
    with pytest.raises(svc.CaseActionError, match="allerede en åben"):
        _start(case, caseworker)


def test_decision_only_after_the_answer_or_the_deadline(case, caseworker, director):
    with pytest.raises(HearingPending, match="kræver en partshøring"):
        require_hearing_concluded(case, HearingSubject.TRANCHE_CANCELLATION)
    hearing = _start(case, caseworker)
    with pytest.raises(HearingPending, match="løber til"):
        require_hearing_concluded(case, HearingSubject.TRANCHE_CANCELLATION)
    case.refresh_from_db()
    event = hearing_answer(case=case, actor=director, text="Vi har haft aktiviteter.",
                           files=[pdf()])
    assert event.kind == CaseEventKind.HEARING_ANSWER and event.attachments.count() == 1
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS
    with pytest.raises(svc.CaseActionError, match="allerede svaret"):
        hearing_answer(case=case, actor=director, text="Igen")
    assert require_hearing_concluded(case, HearingSubject.TRANCHE_CANCELLATION) == hearing
    text = hearing_conclude(case=case, subject_kind=HearingSubject.TRANCHE_CANCELLATION,
                            actor=caseworker)
    assert f"kvittering {case.journal_number}-H{hearing.pk}-{event.pk}" in text
    hearing.refresh_from_db()
    assert hearing.concluded_at is not None
    # a concluded hearing does not open the door for the next adverse decision
    with pytest.raises(HearingPending):
        require_hearing_concluded(case, HearingSubject.TRANCHE_CANCELLATION)


def test_cancellation_decided_after_the_answer_quotes_the_receipt(case, caseworker, director,
                                                                  head_of_office):
    proposal = proposals.tranche_propose_cancellation(case=case, actor=caseworker,
                                                      reason="Ingen aktiviteter")
    hearing = _start(case, caseworker)
    with pytest.raises(HearingPending):
        proposals.tranche_proposal_approve(proposal=proposal, actor=head_of_office)
    proposal.tranche.refresh_from_db()
    assert proposal.tranche.status == TrancheStatus.PLANNED  # nothing happened
    case.refresh_from_db()
    answer = hearing_answer(case=case, actor=director, text="Se vores aktivitetsliste.")
    proposals.tranche_proposal_approve(proposal=proposal, actor=head_of_office)
    proposal.tranche.refresh_from_db()
    assert proposal.tranche.status == TrancheStatus.CANCELLED
    letter = case.letters.get(kind=LetterKind.TRANCHE_CANCELLED)
    assert f"{case.journal_number}-H{hearing.pk}-{answer.pk}" in letter.body


def test_hearing_refuses_bad_input(case, caseworker, director):
    with pytest.raises(svc.CaseActionError, match="mellem 7 og 60"):
        _start(case, caseworker, days=3)
    with pytest.raises(svc.CaseActionError):
        hearing_start(case=case, actor=caseworker, subject_kind=HearingSubject.WITHDRAWAL,
                      proposed_decision="x", grounds=" ")
    with pytest.raises(svc.CaseActionError):
        _start(case, director)  # only caseworkers start a hearing
    assert not Hearing.objects.exists()


def test_reminders_follow_the_hearing_deadline(case, caseworker, director, staff_member):
    hearing = _start(case, caseworker)
    reminder_tick(now=hearing.deadline.due_at - timedelta(days=7, hours=1))
    kinds = set(Notification.objects.filter(deadline=hearing.deadline).values_list(
        "recipient_id", "kind"))
    assert {(director.pk, "reminder:-7d"), (staff_member.pk, "reminder:-7d")} <= kinds
    # the reminder opens the cluster's own page of the case
    assert set(Notification.objects.filter(deadline=hearing.deadline, recipient=director)
               .values_list("url", flat=True)) == {f"/mine-sager/{case.journal_number}/"}
    reminder_tick(now=hearing.deadline.due_at - timedelta(days=7, hours=1))  # second tick: no-op
    assert Notification.objects.filter(deadline=hearing.deadline).count() == len(kinds)
    # answered: no more reminders
    case.refresh_from_db()
    hearing_answer(case=case, actor=director, text="Svar")
    reminder_tick(now=hearing.deadline.due_at - timedelta(hours=20))
    assert Notification.objects.filter(deadline=hearing.deadline).count() == len(kinds)


def test_hearing_constraints_hold_without_the_services(case, caseworker):
    hearing = _start(case, caseworker)
    with pytest.raises(IntegrityError), transaction.atomic():
        Hearing.objects.filter(pk=hearing.pk).update(answered_at=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        Hearing.objects.filter(pk=hearing.pk).update(grounds="")
    with pytest.raises(IntegrityError), transaction.atomic():
        Hearing.objects.create(case=case, subject_kind=hearing.subject_kind, proposed_decision="x",
                               grounds="y", deadline=Deadline.objects.create(
                                   kind="hearing", subject="s", due_at=timezone.now(),
                                   original_due_at=timezone.now(), cluster=case.cluster),
                               letter=hearing.letter, started_by=caseworker)


# -- 5. closing a case, and what awaits the head of office -----------------------------------------------


def test_a_case_whose_work_is_done_can_be_closed(grant, director, caseworker):
    later = approved_report_case(grant, director, caseworker, 2026)
    # the report is approved but the year's tranche is still planned: work left to do
    with pytest.raises(svc.CaseActionError, match="ikke lukkes endnu"):
        svc.case_close(case=later, actor=caseworker)
    # the year's tranche was already released (paid through an earlier case): done
    later.report.grant.tranches.filter(year_number=later.report.year_number).update(
        status=TrancheStatus.RELEASED, released_on=timezone.localdate())
    closed = svc.case_close(case=later, actor=caseworker, comment="Raten er allerede udbetalt.")
    assert closed.status == CaseStatus.CLOSED
    assert CaseEvent.objects.filter(case=later, to_status=CaseStatus.CLOSED,
                                    text="Raten er allerede udbetalt.").exists()
    with pytest.raises(svc.CaseActionError):
        svc.case_close(case=later, actor=director)


def test_til_godkendelse_lists_proposals_with_amount_and_proposer(grant, director, caseworker,
                                                                   head_of_office,
                                                                   django_assert_max_num_queries):
    proposal = release_proposal(grant, director, caseworker, year=2025, amount_dkk=4_250_000)
    other = report_case_in_progress(grant, director, caseworker, 2026)
    rows = _queue(head_of_office, tab="godkendelse")
    assert [r.pk for r in rows] == [proposal.case_id] and other.pk not in [r.pk for r in rows]
    with django_assert_max_num_queries(len(APPROVAL_SOURCES)):  # one query per source
        items = approval_items([r.pk for r in rows])
    [item] = items[proposal.case_id]
    assert item["amount_dkk"] == 4_250_000 and item["proposer"] == caseworker
    assert item["year"] == proposal.tranche.year
    proposals.tranche_proposal_approve(proposal=proposal, actor=head_of_office)
    assert _queue(head_of_office, tab="godkendelse") == []
