"""Issue 16, item 2 for the open call: a rejected application is decided only after the
applicant's hearing (partshøring). The application's case has no cluster; its party is the
applicant (grants.cases.party): the applicant answers, the hearing letter goes to the
applicant's CVR by Digital Post, the reminders of the hearing deadline reach the applicant's
user, and the rejection letter quotes the answer's receipt."""

import base64
from datetime import timedelta
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from evaluations.calls import services as cs
from evaluations.midway.panel_services import ScoreInput, consensus_save
from evaluations.models import Criterion
from grants.cases import services as svc
from grants.cases.decide import case_decide_any
from grants.cases.delivery import digital_post_relay
from grants.cases.hearing import HearingPending, hearing_answer, hearing_start
from grants.cases.models import Case, CaseEvent, DecisionLetter, Hearing, LetterDelivery
from grants.cases.party import APPLICANT, case_party
from grants.cases.selectors import case_actions, hearing_subjects_for, party_casework
from grants.constants import (
    ApplicationStatus,
    CaseEventKind,
    CaseStatus,
    DeadlineKind,
    HearingSubject,
    LetterKind,
)
from grants.deadlines.models import Deadline
from grants.notifications.models import Notification
from grants.notifications.reminders import reminder_tick
from klyngeadmin.kernel.digitalpost.memo import validate_memo
from tests.evaluations.test_open_call import apply_and_submit, score_panel
from tests.factories import next_cvr
from tests.grants.case_fixtures import media_root  # noqa: F401 (letters are stored)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]
NS = {"memo": "https://DigitalPost.dk/MeMo-1"}
REJECT = HearingSubject.APPLICATION_REJECTION


@pytest.fixture
def rejected(call, applicant, caseworker, caseworker2):
    """An application the caseworker proposes to reject (the panel agreed); its case."""
    application = apply_and_submit(call, applicant)
    panel = score_panel(application, [caseworker, caseworker2], value=1)
    consensus_save(panel=panel, actor=caseworker, outcome="reject", text="Svag",
                   scores={c.pk: ScoreInput(value=1, reason="Svag")
                           for c in Criterion.objects.filter(rubric=panel.rubric)})
    cs.application_propose(application=application, actor=caseworker, outcome="reject",
                           reasons="Konsortiet er for spinkelt.")
    return application, Case.objects.get(application=application)


def _hear(case, caseworker, **kw):
    hearing = hearing_start(case=case, actor=caseworker, subject_kind=REJECT,
                            proposed_decision="Afslag på ansøgningen.",
                            grounds="Konsortiet er for spinkelt.", **kw)
    case.refresh_from_db()
    return hearing


def _other_applicant():
    return cs.applicant_register(username="anden", email="a@example.test", password="Str0ng-pass-word!",
                                 first_name="Anne", last_name="Anden", organisation_name="Andenklyngen",
                                 cvr=next_cvr(), city="Aarhus", region="DK-82")


def test_the_party_of_an_application_case_is_the_applicant(rejected, applicant, caseworker,
                                                           django_assert_num_queries):
    application, case = rejected
    assert case.cluster_id is None
    with django_assert_num_queries(1):
        party = case_party(case)
    assert (party.kind, party.cvr, party.name) == (APPLICANT, applicant.cvr, "Kvanteklyngen")
    assert party.url == f"/opslag/ansoegninger/{application.pk}/"
    assert party.speaks_for(applicant.user) and not party.speaks_for(caseworker)
    assert list(party.notified()) == [applicant.user]
    # the case page offers the rejection's hearing, and no generic "Afgør" for an application
    assert hearing_subjects_for(case) == [REJECT]
    actions = case_actions(case, caseworker)
    assert actions["start_hearing"] and "decide" not in actions


def test_rejection_only_after_the_applicants_answer_and_the_letter_quotes_it(
        rejected, applicant, caseworker, head_of_office):
    application, case = rejected
    with pytest.raises(HearingPending, match="kræver en partshøring"):
        cs.application_decide(application=application, actor=head_of_office)
    hearing = _hear(case, caseworker)
    assert case.status == CaseStatus.AWAITING_CLUSTER
    deadline = hearing.deadline
    assert (deadline.kind, deadline.cluster_id, deadline.applicant_id) == (
        DeadlineKind.HEARING, None, applicant.pk)
    assert hearing.letter.kind == LetterKind.HEARING and "Afslag på ansøgningen." in hearing.letter.body
    assert Notification.objects.filter(recipient=applicant.user, kind="case_message",
                                       url=f"/opslag/ansoegninger/{application.pk}/").exists()
    with pytest.raises(HearingPending, match="løber til"):
        cs.application_decide(application=application, actor=head_of_office)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SCORING  # nothing changed
    assert not application.decision.approved_at

    answer = hearing_answer(case=case, actor=applicant.user, text="Vi har fået to nye partnere.",
                            files=[SimpleUploadedFile("partnere.pdf", b"%PDF-1.4\n%%EOF\n",
                                                      content_type="application/pdf")])
    assert answer.kind == CaseEventKind.HEARING_ANSWER and answer.attachments.count() == 1
    deadline.refresh_from_db()
    assert deadline.completed_at is not None  # no more reminders
    cs.application_decide(application=application, actor=head_of_office)
    application.refresh_from_db()
    case.refresh_from_db()
    assert application.status == ApplicationStatus.REJECTED and case.status == CaseStatus.DECIDED
    receipt = f"kvittering {case.journal_number}-H{hearing.pk}-{answer.pk}"
    letter = case.letters.get(kind=LetterKind.APPLICATION_REJECTED)
    assert receipt in letter.body and "Konsortiet er for spinkelt." in letter.body
    assert LetterDelivery.objects.get(letter=letter).recipient_cvr == applicant.cvr
    notice = Notification.objects.get(recipient=applicant.user, kind="application_decision")
    assert receipt in notice.body
    hearing.refresh_from_db()
    assert hearing.concluded_at is not None


def test_rejection_after_the_deadline_without_an_answer(rejected, caseworker, head_of_office):
    application, case = rejected
    hearing = _hear(case, caseworker)
    Deadline.objects.filter(pk=hearing.deadline_id).update(due_at=timezone.now() - timedelta(minutes=1))
    cs.application_decide(application=application, actor=head_of_office)
    letter = case.letters.get(kind=LetterKind.APPLICATION_REJECTED)
    assert "ikke modtaget høringssvar inden fristen" in letter.body
    case.refresh_from_db()
    assert case.status == CaseStatus.DECIDED


def test_approval_needs_no_hearing_and_drops_an_open_one(rejected, applicant, caseworker,
                                                         head_of_office):
    application, case = rejected
    hearing = _hear(case, caseworker)
    cs.application_propose(application=application, actor=caseworker, outcome="approve",
                           reasons="Nye partnere løfter konsortiet.")
    cs.application_decide(application=application, actor=head_of_office, start_year=2027)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    hearing.refresh_from_db()
    hearing.deadline.refresh_from_db()
    assert hearing.concluded_at is not None and hearing.deadline.cancelled_at is not None
    assert CaseEvent.objects.filter(case=case, kind=CaseEventKind.HEARING,
                                    text__contains="bortfaldet").exists()
    reminder_tick(now=hearing.deadline.due_at - timedelta(days=7, hours=1))
    assert not Notification.objects.filter(deadline=hearing.deadline).exists()


def test_only_the_applicant_answers(rejected, applicant, caseworker, director):
    application, case = rejected
    _hear(case, caseworker)
    for stranger in (_other_applicant().user, caseworker, director):
        with pytest.raises(svc.CaseActionError, match="Kun sagens part"):
            hearing_answer(case=case, actor=stranger, text="Ikke min sag")
    assert not Hearing.objects.filter(case=case, answer__isnull=False).exists()
    with pytest.raises(svc.CaseActionError, match="Skriv jeres høringssvar"):
        hearing_answer(case=case, actor=applicant.user, text="  ")
    with pytest.raises(ValidationError) as exc:  # a bad attachment names the field; nothing kept
        hearing_answer(case=case, actor=applicant.user, text="Svar",
                       files=[SimpleUploadedFile("virus.exe", b"MZ\x90\x00", content_type="application/pdf")])
    assert "files" in exc.value.message_dict and "virus.exe" in exc.value.message_dict["files"][0]
    assert not CaseEvent.objects.filter(case=case, kind=CaseEventKind.HEARING_ANSWER).exists()


def test_the_hearing_letter_goes_to_the_applicants_cvr_by_digital_post(rejected, applicant,
                                                                       caseworker, settings):
    application, case = rejected
    hearing = _hear(case, caseworker)
    delivery = LetterDelivery.objects.get(letter=hearing.letter)
    assert delivery.recipient_cvr == applicant.cvr
    assert digital_post_relay() == 1
    xml = (Path(settings.DIGITAL_POST_OFFLINE_DIR) / f"{delivery.message_uuid}.xml").read_bytes()
    validate_memo(xml)
    header = ET.fromstring(xml).find("memo:MessageHeader", NS)
    assert header.findtext("memo:Recipient/memo:idType", namespaces=NS) == "CVR"
    assert header.findtext("memo:Recipient/memo:recipientID", namespaces=NS) == applicant.cvr
    assert header.findtext("memo:Recipient/memo:label", namespaces=NS) == "Kvanteklyngen"
    assert header.findtext("memo:ContentData/memo:CaseID/memo:caseID",
                           namespaces=NS) == case.journal_number
    content = ET.fromstring(xml).findtext(
        "memo:MessageBody/memo:MainDocument/memo:File/memo:content", namespaces=NS)
    with hearing.letter.file.open("rb") as fh:
        assert base64.b64decode(content) == fh.read()
    notice = Notification.objects.get(kind="case_letter_delivered")
    assert (notice.recipient, notice.url) == (applicant.user, f"/opslag/ansoegninger/{application.pk}/")


def test_reminders_of_the_hearing_deadline_reach_the_applicant(rejected, applicant, caseworker):
    application, case = rejected
    hearing = _hear(case, caseworker)
    reminder_tick(now=hearing.deadline.due_at - timedelta(days=7, hours=1))
    rows = set(Notification.objects.filter(deadline=hearing.deadline)
               .values_list("recipient_id", "kind", "url"))
    assert rows == {(applicant.user_id, "reminder:-7d", f"/opslag/ansoegninger/{application.pk}/")}
    reminder_tick(now=hearing.deadline.due_at - timedelta(days=7, hours=1))  # a second tick: no-op
    assert Notification.objects.filter(deadline=hearing.deadline).count() == 1
    # overdue: the applicant, and at 7 days the assigned caseworker too
    reminder_tick(now=hearing.deadline.due_at + timedelta(days=7, hours=8))
    assert set(Notification.objects.filter(deadline=hearing.deadline, kind="overdue:+7d")
               .values_list("recipient_id", flat=True)) == {applicant.user_id, caseworker.pk}


def test_a_deadline_has_one_party_at_most_and_a_hearing_deadline_has_one(rejected, applicant,
                                                                         cluster):
    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        Deadline.objects.create(kind=DeadlineKind.HEARING, subject="s", due_at=now,
                                original_due_at=now, cluster=cluster, applicant=applicant)
    with pytest.raises(IntegrityError), transaction.atomic():
        Deadline.objects.create(kind=DeadlineKind.HEARING, subject="s", due_at=now,
                                original_due_at=now)
    Deadline.objects.create(kind=DeadlineKind.HEARING, subject="s", due_at=now,
                            original_due_at=now, applicant=applicant)


def test_an_application_case_is_not_decided_by_the_generic_decision(rejected, caseworker,
                                                                    head_of_office):
    _application, case = rejected
    with pytest.raises(svc.CaseActionError, match="egne handlinger"):
        case_decide_any(case=case, actor=head_of_office, text="Afslag")
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS


# -- the applicant's page ----------------------------------------------------------------------------


def test_the_applicant_reads_the_letter_and_answers_on_the_application_page(
        client, rejected, applicant, caseworker):
    application, case = rejected
    hearing = _hear(case, caseworker)
    page = f"/opslag/ansoegninger/{application.pk}/"
    client.force_login(applicant.user)
    body = client.get(page).content.decode()
    assert "Partshøring: jeres svar" in body and f"/afgoerelsesbreve/{hearing.letter_id}/" in body
    assert client.get(f"/afgoerelsesbreve/{hearing.letter_id}/").status_code == 200
    response = client.post(f"{page}hoeringssvar/", {"hoeringssvar-version": case.version,
                                                    "hoeringssvar-text": ""})
    assert response.status_code == 400 and "Skriv jeres høringssvar." in response.content.decode()
    response = client.post(f"{page}hoeringssvar/", {
        "hoeringssvar-version": case.version, "hoeringssvar-text": "Se vores nye partnere.",
        "hoeringssvar-files": SimpleUploadedFile("bilag.pdf", b"%PDF-1.4\n%%EOF\n",
                                                 content_type="application/pdf")})
    assert response.status_code == 302
    hearing.refresh_from_db()
    assert hearing.answer.text == "Se vores nye partnere." and hearing.answer.attachments.count() == 1
    body = client.get(page).content.decode()
    assert f"kvittering {case.journal_number}-H{hearing.pk}-{hearing.answer_id}" in body
    assert "Partshøring: jeres svar" not in body


def test_a_message_in_the_application_case_reaches_the_applicant(
        client, rejected, applicant, caseworker, django_assert_num_queries):
    application, case = rejected
    svc.case_message(case=case, actor=caseworker, text="Send gerne jeres budget igen.")
    svc.case_note(case=case, actor=caseworker, text="Intern: svag økonomi.")
    _hear(case, caseworker)
    with django_assert_num_queries(3):  # hearings, messages, letters (+ answers' attachments)
        casework = party_casework(case)
    assert [m.text for m in casework["messages"]] == ["Send gerne jeres budget igen."]
    assert casework["hearing"] is not None and len(casework["letters"]) == 1
    page = f"/opslag/ansoegninger/{application.pk}/"
    assert Notification.objects.filter(recipient=applicant.user, kind="case_message", url=page).exists()
    client.force_login(applicant.user)
    body = client.get(page).content.decode()
    assert "Send gerne jeres budget igen." in body and "Intern" not in body


def test_another_applicant_gets_404_and_a_caseworker_cannot_answer(client, rejected, caseworker):
    application, case = rejected
    hearing = _hear(case, caseworker)
    page = f"/opslag/ansoegninger/{application.pk}/"
    data = {"hoeringssvar-version": case.version, "hoeringssvar-text": "Ikke min"}
    client.force_login(_other_applicant().user)
    assert client.get(page).status_code == 404
    assert client.post(f"{page}hoeringssvar/", data).status_code == 404
    assert client.get(f"/afgoerelsesbreve/{hearing.letter_id}/").status_code == 404
    client.force_login(caseworker)
    assert client.post(f"{page}hoeringssvar/", data).status_code == 403
    assert not DecisionLetter.objects.filter(case=case).exclude(pk=hearing.letter_id).exists()
    hearing.refresh_from_db()
    assert hearing.answer_id is None
