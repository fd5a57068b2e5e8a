"""Issue 16 (items 1, 2, 5) through the browser's routes: /mine-sager/<j>/ and its actions, case
attachments, the hearing and close actions, and the POST-confirm page of money decisions -
each route allowed and denied (another cluster's case answers 404)."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from grants.cases import proposals
from grants.cases import services as svc
from grants.cases.models import CaseAttachment, CaseEvent, Hearing
from grants.constants import CaseEventKind, CaseStatus, ProposalStatus, TrancheStatus
from klyngeadmin.kernel.roles import Role
from tests.builders import release_proposal, report_case_in_progress
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def case(grant, director, caseworker):
    return report_case_in_progress(grant, director, caseworker, 2025)


def page(case):
    return reverse("cases:cluster_case", args=[case.journal_number])


def cluster_action(case, name):
    return reverse("cases:cluster_action", args=[case.journal_number, name])


def action(case, name):
    return reverse("cases:action", args=[case.journal_number, name])


def test_cluster_case_page_allowed_for_own_cluster_only(client, case, director, staff_member,
                                                        other_director, caseworker):
    assert client.get(page(case)).status_code == 302  # sign in first
    for user in (director, staff_member):
        client.force_login(user)
        response = client.get(page(case))
        assert response.status_code == 200
        assert case.journal_number in response.content.decode()
        listing = client.get(reverse("cases:cluster_cases")).content.decode()
        assert page(case) in listing and "Under behandling hos Erhvervsstyrelsen" in listing
    for user in (other_director, caseworker, UserFactory(role=Role.ADMIN)):
        client.force_login(user)
        assert client.get(page(case)).status_code == 404
        assert client.post(cluster_action(case, "skriv"), {
            "skriv-version": case.version, "skriv-text": "Hej"}).status_code == 404
    assert not CaseEvent.objects.filter(case=case, kind=CaseEventKind.CLUSTER_MESSAGE).exists()


def test_director_writes_with_a_file_and_the_caseworker_downloads_it(client, case, director,
                                                                     other_director, caseworker):
    client.force_login(director)
    response = client.post(cluster_action(case, "skriv"), {
        "skriv-version": case.version, "skriv-text": "Revisorerklæringen er vedhæftet.",
        "skriv-files": [SimpleUploadedFile("erklaering.pdf", PDF, "application/pdf")]})
    assert response.status_code == 302
    attachment = CaseAttachment.objects.get()
    url = reverse("cases:attachment", args=[attachment.pk])
    assert client.get(url).status_code == 200
    client.force_login(caseworker)
    detail = client.get(reverse("cases:detail", args=[case.journal_number])).content.decode()
    assert "Revisorerklæringen er vedhæftet." in detail and url in detail
    download = client.get(url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    client.force_login(other_director)
    assert client.get(url).status_code == 404


def test_bad_input_is_a_danish_form_error_and_changes_nothing(client, case, director):
    client.force_login(director)
    events = CaseEvent.objects.filter(case=case).count()
    response = client.post(cluster_action(case, "skriv"), {"skriv-version": case.version,
                                                           "skriv-text": ""})
    assert response.status_code == 400 and "Skriv en besked." in response.content.decode()
    response = client.post(cluster_action(case, "skriv"), {
        "skriv-version": case.version, "skriv-text": "Bilag",
        "skriv-files": [SimpleUploadedFile("x.pdf", b"not a pdf at all", "application/pdf")]})
    assert response.status_code == 400 and "Filtypen er ikke tilladt" in response.content.decode()
    assert CaseEvent.objects.filter(case=case).count() == events
    response = client.post(cluster_action(case, "hoeringssvar"), {
        "hoeringssvar-version": case.version, "hoeringssvar-text": "Svar"}, follow=True)
    assert "Der er ingen åben partshøring i sagen." in response.content.decode()
    assert client.post(cluster_action(case, "findes-ikke"), {}).status_code == 404


def test_hearing_from_the_case_page_and_the_answer_from_the_cluster(client, case, caseworker,
                                                                    director):
    client.force_login(caseworker)
    detail = client.get(reverse("cases:detail", args=[case.journal_number])).content.decode()
    assert "Send i partshøring" in detail
    bad = client.post(action(case, "send-i-hoering"), {
        "send-i-hoering-version": case.version, "send-i-hoering-subject_kind": "tranche_cancellation",
        "send-i-hoering-proposed_decision": "Raten annulleres.", "send-i-hoering-grounds": "",
        "send-i-hoering-days": 14})
    assert bad.status_code == 400 and "Skriv begrundelsen" in bad.content.decode()
    assert not Hearing.objects.exists()
    client.post(action(case, "send-i-hoering"), {
        "send-i-hoering-version": case.version, "send-i-hoering-subject_kind": "tranche_cancellation",
        "send-i-hoering-proposed_decision": "Raten annulleres.",
        "send-i-hoering-grounds": "Ingen aktiviteter.", "send-i-hoering-days": 14})
    hearing = Hearing.objects.get()
    client.force_login(director)
    body = client.get(page(case)).content.decode()
    assert "Partshøring: jeres svar" in body and "Raten annulleres." in body
    case.refresh_from_db()
    client.post(cluster_action(case, "hoeringssvar"), {
        "hoeringssvar-version": case.version, "hoeringssvar-text": "Vi er uenige."})
    hearing.refresh_from_db()
    assert hearing.answer.text == "Vi er uenige."
    assert f"{case.journal_number}-H{hearing.pk}-{hearing.answer_id}" in client.get(
        page(case)).content.decode()


def test_approval_asks_for_confirmation_showing_amount_grant_and_proposer(
        client, grant, director, caseworker, head_of_office):
    proposal = release_proposal(grant, director, caseworker, year=2025, amount_dkk=3_500_000)
    case = proposal.case
    case.refresh_from_db()
    client.force_login(head_of_office)
    queue = client.get(reverse("cases:queue"), {"fane": "godkendelse"}).content.decode()
    assert case.journal_number in queue and "3.500.000 kr." in queue
    response = client.post(action(case, "godkend-indstilling"),
                           {"godkend-indstilling-version": case.version})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Bekræft godkendelsen" in body and "3.500.000 kr." in body
    assert grant.reference in body and caseworker.get_full_name() in body
    assert 'name="bekraeftet" value="1"' in body
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PROPOSED  # nothing happened yet
    client.post(action(case, "godkend-indstilling"),
                {"godkend-indstilling-version": case.version, "bekraeftet": "1"})
    proposal.refresh_from_db()
    proposal.tranche.refresh_from_db()
    assert proposal.status == ProposalStatus.APPROVED
    assert proposal.tranche.status == TrancheStatus.RELEASED


def test_rejection_is_confirmed_too_and_others_cannot_approve(client, grant, director, caseworker,
                                                              head_of_office, other_director):
    proposal = release_proposal(grant, director, caseworker, year=2025)
    case = proposal.case
    case.refresh_from_db()
    data = {"afvis-indstilling-version": case.version, "afvis-indstilling-text": "For højt beløb"}
    for user, status in ((caseworker, 403), (other_director, 404), (director, 404)):
        client.force_login(user)
        assert client.post(action(case, "afvis-indstilling"), {**data, "bekraeftet": "1"}
                           ).status_code == status
    client.force_login(head_of_office)
    confirm = client.post(action(case, "afvis-indstilling"), data)
    assert confirm.status_code == 200 and "For højt beløb" in confirm.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PROPOSED
    client.post(action(case, "afvis-indstilling"), {**data, "bekraeftet": "1"})
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.REJECTED


def test_close_action_offered_only_when_the_work_is_done(client, case, caseworker, director):
    svc.case_approve_report(case=case, actor=caseworker)
    client.force_login(caseworker)
    url = reverse("cases:detail", args=[case.journal_number])
    assert "Luk sagen (arbejdet er færdigt)" not in client.get(url).content.decode()
    case.report.grant.tranches.filter(year_number=case.report.year_number).update(
        status=TrancheStatus.RELEASED, released_on=case.report.deadline.due_at.date())
    assert "Luk sagen (arbejdet er færdigt)" in client.get(url).content.decode()
    case.refresh_from_db()
    client.force_login(director)
    assert client.post(action(case, "luk"), {"luk-version": case.version}).status_code == 404
    client.force_login(caseworker)
    client.post(action(case, "luk"), {"luk-version": case.version, "luk-text": ""})
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED


def test_case_page_links_the_report_and_its_versions(client, case, caseworker):
    client.force_login(caseworker)
    body = client.get(reverse("cases:detail", args=[case.journal_number])).content.decode()
    assert reverse("grants:report_detail", args=[case.report_id]) in body
    assert reverse("grants:report_version", args=[case.report_id, 1]) in body


def test_withdrawal_cancellation_proposal_needs_hearing_before_approval(client, case, caseworker,
                                                                         head_of_office):
    proposals.tranche_propose_cancellation(case=case, actor=caseworker, reason="Ingen aktivitet")
    case.refresh_from_db()
    client.force_login(head_of_office)
    response = client.post(action(case, "godkend-indstilling"),
                           {"godkend-indstilling-version": case.version, "bekraeftet": "1"},
                           follow=True)
    assert "kræver en partshøring først" in response.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS


def test_complaint_is_its_own_case_opened_from_the_letters_appeal_route(
        client, grant, director, other_director, caseworker, head_of_office):
    from grants.cases.complaints import COMPLAINT_HANDLING_DAYS
    from grants.cases.models import Case, DecisionLetter
    from grants.constants import CaseType, DeadlineKind

    proposal = release_proposal(grant, director, caseworker, year=2025)
    proposals.tranche_proposal_approve(proposal=proposal, actor=head_of_office)
    letter = DecisionLetter.objects.get(kind="tranche_released")
    url = reverse("cases:complaint", args=[letter.pk])
    client.force_login(director)
    assert url in client.get(reverse("cases:cluster_cases")).content.decode()
    assert client.get(url).status_code == 200
    bad = client.post(url, {"klage-version": 1, "klage-text": " "})
    assert bad.status_code == 400 and "Skriv jeres klage" in bad.content.decode()
    response = client.post(url, {"klage-version": 1, "klage-text": "Beløbet er for lavt.",
                                 "klage-files": [SimpleUploadedFile("b.pdf", PDF, "application/pdf")]})
    complaint = Case.objects.get(case_type=CaseType.COMPLAINT)
    assert response.status_code == 302 and response["Location"] == page(complaint)
    assert complaint.appeal_of == letter and complaint.cluster_id == director.cluster_id
    assert complaint.deadline.kind == DeadlineKind.COMPLAINT
    assert abs((complaint.deadline.due_at - complaint.created_at) - timedelta(days=COMPLAINT_HANDLING_DAYS)) < timedelta(minutes=1)
    assert complaint.events.get(kind=CaseEventKind.CLUSTER_MESSAGE).attachments.count() == 1
    # one complaint per letter; another cluster and the authority cannot reach the route
    again = client.post(url, {"klage-version": 1, "klage-text": "Igen"}, follow=True)
    assert "allerede klaget" in again.content.decode()
    for user in (other_director, caseworker):
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert client.post(url, {"klage-version": 1, "klage-text": "x"}).status_code == 404
    assert Case.objects.filter(case_type=CaseType.COMPLAINT).count() == 1
    client.force_login(caseworker)
    detail = client.get(reverse("cases:detail", args=[complaint.journal_number])).content.decode()
    assert "Beløbet er for lavt." in detail and letter.title in detail


def test_no_complaint_about_a_hearing_letter_or_after_the_appeal_period(case, caseworker, director):
    from django.utils import timezone

    from grants.cases.complaints import complaint_open
    from grants.cases.hearing import hearing_start
    from grants.cases.models import DecisionLetter

    hearing = hearing_start(case=case, actor=caseworker, subject_kind="tranche_cancellation",
                            proposed_decision="Annullering", grounds="Ingen aktivitet")
    with pytest.raises(svc.CaseActionError, match="ikke en afgørelse"):
        complaint_open(letter=hearing.letter, actor=director, text="Klage")
    DecisionLetter.objects.filter(pk=hearing.letter_id).update(
        kind="tranche_cancelled", created_at=timezone.now() - timedelta(weeks=5))
    hearing.letter.refresh_from_db()
    with pytest.raises(svc.CaseActionError, match="Klagefristen udløb"):
        complaint_open(letter=hearing.letter, actor=director, text="Klage")


def test_version_n_against_n_minus_1_on_the_case(client, case, caseworker, director, other_director):
    from grants.cases.flows import report_submit
    from grants.reports.models import AnnualReport

    svc.case_request_changes(case=case, actor=caseworker, text="Ret sponsoraterne.")
    report = AnnualReport.objects.get(pk=case.report_id)
    report.cofinancing_sponsorship_dkk = 321_000
    report.save(update_fields=["cofinancing_sponsorship_dkk"])
    report_submit(report=report, actor=director)
    url = reverse("cases:version_diff", args=[case.journal_number, 2])
    client.force_login(caseworker)
    body = client.get(reverse("cases:detail", args=[case.journal_number])).content.decode()
    assert url in body
    response = client.get(url)
    assert response.status_code == 200
    diff = response.context["diff"]
    changed = [r for r in diff["rows"] if r["changed"]]
    assert [(r["label"], r["current"], r["previous"]) for r in changed] == [
        ("Sponsorater", 321_000, 250_000)]
    assert "1 felt er ændret." in response.content.decode()
    assert client.get(reverse("cases:version_diff", args=[case.journal_number, 9])).status_code == 404
    for user in (director, other_director):
        client.force_login(user)
        assert client.get(url).status_code == 404


def test_case_links_the_clusters_activities_and_companies(client, case, caseworker, director,
                                                          other_cluster,
                                                          django_assert_max_num_queries):
    from datetime import date

    from clusters.models import CompanyParticipation
    from tests.factories import ActivityFactory, CompanyFactory

    year = case.report.year
    own = ActivityFactory(cluster=case.cluster, title="Matchmaking i år",
                          start_date=date(year, 3, 1), end_date=date(year, 3, 2))
    ActivityFactory(cluster=case.cluster, title="Sidste år", start_date=date(year - 1, 3, 1),
                    end_date=date(year - 1, 3, 2))
    ActivityFactory(cluster=other_cluster, title="Anden klynges", start_date=date(year, 3, 1),
                    end_date=date(year, 3, 2))
    for company in (CompanyFactory(name="Alfa ApS"), CompanyFactory(name="Beta A/S")):
        CompanyParticipation.objects.create(activity=own, company=company)
    url = reverse("cases:case_cluster", args=[case.journal_number])
    client.force_login(caseworker)
    assert url in client.get(reverse("cases:detail", args=[case.journal_number])).content.decode()
    # session, user, the case with its cluster and report (no history), activities, companies,
    # their count, the badge (was 12: the case was read with its whole history)
    with django_assert_max_num_queries(7):
        response = client.get(url)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Matchmaking i år" in body and "Sidste år" not in body and "Anden klynges" not in body
    assert "Alfa ApS" in body and "Beta A/S" in body
    assert response.context["n_companies"] == 2
    client.force_login(director)
    assert client.get(url).status_code == 404
