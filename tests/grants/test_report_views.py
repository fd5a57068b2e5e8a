"""The director's pages: dashboard, report form (draft, conflict, validation), submission with
confirmation, versions, attachments, deadline extension. Allowed and denied for every view."""

import io
import re
import zipfile
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from grants.cases.flows import report_submit
from grants.cases.models import Case, CaseEvent
from grants.constants import CaseEventKind, CaseType, ReportStatus
from grants.deadlines.models import DeadlineExtension
from grants.notifications.models import Notification
from grants.reports.models import AnnualReport, CompetitiveFunding, ReportAttachment, ReportVersion
from grants.reports.services import report_transition
from tests.grants.report_helpers import (
    COMPLETE_CONTENT,
    build_activity_data,
    fill_report,
    report_for,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def xlsx_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
    return buf.getvalue()


@pytest.fixture
def report(grant):
    return report_for(grant)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def form_data(report, **overrides):
    data = {
        "version": report.version,
        "grant_spent_dkk": "8.000.000",
        "cofinancing_membership_dkk": "1200000",
        "cofinancing_sponsorship_dkk": "300 000",
        "cofinancing_foundation_dkk": "0",
        "cofinancing_project_dkk": "450.000",
        **{k: v for k, v in COMPLETE_CONTENT.items() if isinstance(v, str)},
        "funding-TOTAL_FORMS": "2",
        "funding-INITIAL_FORMS": "0",
        "funding-MIN_NUM_FORMS": "0",
        "funding-MAX_NUM_FORMS": "50",
        "funding-0-funder": "Horizon Europe",
        "funding-0-funder_kind": "eu",
        "funding-0-amount_dkk": "2.500.000",
        "funding-1-funder": "",
        "funding-1-funder_kind": "",
        "funding-1-amount_dkk": "",
    }
    data.update(overrides)
    return data


def url(name, *args):
    return reverse(f"grants:{name}", args=args)


# -- anonymous and wrong role -----------------------------------------------------------------


def test_anonymous_is_sent_to_login_everywhere(client, report):
    for target in [
        url("dashboard"), url("report_detail", report.pk), url("report_submit", report.pk),
        url("report_version", report.pk, 1), url("attachment_download", report.pk, 1),
        url("extension_request", report.deadline_id),
    ]:
        response = client.get(target)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), target
    response = client.post(url("attachment_upload", report.pk))
    assert response.status_code == 302


def test_home_sends_a_director_to_the_dashboard(client, director, grant):
    client.force_login(director)
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == url("dashboard")
    assert "Oversigt for" in response.content.decode()


def test_dashboard_is_refused_for_a_caseworker(client, caseworker):
    client.force_login(caseworker)
    assert client.get(url("dashboard")).status_code == 403
    assert client.get("/")["Location"] == "/sager/"  # caseworkers start in the case queue


# -- dashboard --------------------------------------------------------------------------------


def test_dashboard_shows_timeline_deadlines_reports_and_requests(
    client, director, grant, other_grant, caseworker
):
    report = report_for(grant)
    fill_report(report)
    report_submit(report=report, actor=director)
    report_transition(report=report, to=ReportStatus.IN_REVIEW, actor=caseworker)
    report_transition(report=report, to=ReportStatus.CHANGES_REQUESTED, actor=caseworker,
                      comment="Uddyb.")
    client.force_login(director)
    response = client.get(url("dashboard"))
    assert response.status_code == 200
    body = response.content.decode()
    assert grant.reference in body and other_grant.reference not in body
    assert "Midtvejsevaluering" in body and "2029" in body  # year 5 of a 2025 grant
    assert "Sagsbehandleren har bedt om ændringer" in body
    assert "Årsrapport 2026" in body and "dage" in body  # an upcoming deadline, days left
    assert url("extension_request", report_for(grant, 2026).deadline_id) in body
    timeline = response.context["grants"][0].timeline
    assert [y["year"] for y in timeline] == list(range(2025, 2035))
    assert timeline[4]["midway"] is not None


def test_dashboard_query_count_does_not_grow_with_grants(
    client, director, grant, django_assert_max_num_queries
):
    from evaluations.midway.schedule import grant_create

    client.force_login(director)
    client.get(url("dashboard"))
    for i in range(3):
        grant_create(cluster=director.cluster, reference=f"X-{i}", start_year=2035 + i * 10,
                     horizon_years=10, annual_amount_dkk=1)
    with django_assert_max_num_queries(12):
        assert client.get(url("dashboard")).status_code == 200


# -- report page: view and permissions ---------------------------------------------------------


def test_director_sees_own_report_with_form_and_key_figures(client, director, report):
    build_activity_data(director.cluster, 2025)
    client.force_login(director)
    response = client.get(url("report_detail", report.pk))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="report-form"' in body and 'name="version"' in body
    kf = response.context["key_figures"]
    assert kf["activities"]["total"] == 3
    assert kf["companies"]["total"] == 4 and kf["companies"]["small"] == 1
    assert kf["outside"]["total"] == 1
    assert "Det mangler, før rapporten kan indsendes" in body


def test_staff_member_can_edit_too(client, staff_member, report):
    client.force_login(staff_member)
    response = client.post(url("report_detail", report.pk), form_data(report))
    assert response.status_code == 302
    assert AnnualReport.objects.get(pk=report.pk).grant_spent_dkk == 8_000_000


def test_other_clusters_report_answers_404(client, other_director, report):
    client.force_login(other_director)
    assert client.get(url("report_detail", report.pk)).status_code == 404
    assert client.post(url("report_detail", report.pk), form_data(report)).status_code == 404
    assert client.get(url("report_submit", report.pk)).status_code == 404
    assert client.post(url("report_submit", report.pk), {"confirm": "on",
                                                          "version": 1}).status_code == 404
    assert AnnualReport.objects.get(pk=report.pk).grant_spent_dkk is None


def test_caseworker_sees_report_read_only_and_cannot_post(client, caseworker, report):
    client.force_login(caseworker)
    response = client.get(url("report_detail", report.pk))
    assert response.status_code == 200
    assert 'id="report-form"' not in response.content.decode()
    assert client.post(url("report_detail", report.pk), form_data(report)).status_code == 403
    assert client.get(url("report_submit", report.pk)).status_code == 403
    assert AnnualReport.objects.get(pk=report.pk).grant_spent_dkk is None


# -- saving a draft ----------------------------------------------------------------------------


def test_save_draft_keeps_values_after_reload(client, director, report):
    client.force_login(director)
    response = client.post(url("report_detail", report.pk), form_data(report))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.grant_spent_dkk == 8_000_000 and report.cofinancing_sponsorship_dkk == 300_000
    assert report.version == 2
    assert list(report.competitive_funding.values_list("funder", "amount_dkk")) == [
        ("Horizon Europe", 2_500_000)
    ]
    body = client.get(url("report_detail", report.pk)).content.decode()
    assert 'value="8.000.000"' in body and "Horizon Europe" in body
    assert 'name="version" value="2"' in body


def test_invalid_amount_gives_danish_error_next_to_field_and_saves_nothing(
    client, director, report
):
    client.force_login(director)
    response = client.post(url("report_detail", report.pk),
                           form_data(report, grant_spent_dkk="otte mio", cofinancing_project_dkk="-5",
                                     **{"funding-0-funder_kind": ""}))
    assert response.status_code == 400
    body = response.content.decode()
    assert "Skriv et beløb i hele kroner, fx 1.234.567." in body
    assert "Beløbet kan ikke være negativt." in body
    assert 'id="id_grant_spent_dkk_error"' in body
    assert re.search(r'aria-describedby="[^"]*id_grant_spent_dkk_error', body)
    assert 'aria-invalid="true"' in body
    assert "Konkurrenceudsatte midler, række 1" in body
    report.refresh_from_db()
    assert report.grant_spent_dkk is None and report.version == 1
    assert not CompetitiveFunding.objects.exists()


def test_duplicate_funder_is_refused(client, director, report):
    client.force_login(director)
    response = client.post(url("report_detail", report.pk), form_data(
        report, **{"funding-1-funder": "horizon europe", "funding-1-funder_kind": "eu",
                   "funding-1-amount_dkk": "1"}))
    assert response.status_code == 400
    assert "Samme bevillingsgiver står flere gange" in response.content.decode()
    assert not CompetitiveFunding.objects.exists()


def test_stale_save_from_second_tab_is_refused_and_other_changes_kept(
    client, director, staff_member, report
):
    from django.test import Client

    other = Client()
    other.force_login(staff_member)
    client.force_login(director)
    # both open the form at version 1; the staff member saves first
    assert other.post(url("report_detail", report.pk),
                      form_data(report, value_created="Medarbejderens tekst")).status_code == 302
    response = client.post(url("report_detail", report.pk),
                           form_data(report, value_created="Direktørens tekst"))
    assert response.status_code == 409
    body = response.content.decode()
    assert "ændret af en anden" in body and "Dine ændringer er ikke gemt" in body
    report.refresh_from_db()
    assert report.value_created == "Medarbejderens tekst" and report.version == 2


@pytest.mark.parametrize("final", [ReportStatus.SUBMITTED, ReportStatus.APPROVED])
def test_submitted_or_approved_report_cannot_be_edited_by_url_or_post(
    client, director, caseworker, report, final
):
    fill_report(report)
    report_submit(report=report, actor=director)
    if final == ReportStatus.APPROVED:
        report_transition(report=report, to=ReportStatus.IN_REVIEW, actor=caseworker)
        report_transition(report=report, to=ReportStatus.APPROVED, actor=caseworker)
    report.refresh_from_db()
    client.force_login(director)
    response = client.get(url("report_detail", report.pk))
    assert response.status_code == 200
    assert 'id="report-form"' not in response.content.decode()
    assert "kan ikke ændres" in response.content.decode()
    response = client.post(url("report_detail", report.pk),
                           form_data(report, value_created="Ændret bagefter"))
    assert response.status_code == 403
    assert client.get(url("report_submit", report.pk)).status_code == 403
    assert client.post(url("report_submit", report.pk),
                       {"confirm": "on", "version": report.version}).status_code == 403
    assert client.post(url("attachment_upload", report.pk),
                       {"kind": "other", "file": io.BytesIO(PDF)}).status_code == 403
    report.refresh_from_db()
    assert report.value_created == COMPLETE_CONTENT["value_created"]
    assert ReportVersion.objects.filter(report=report).count() == 1


# -- submission --------------------------------------------------------------------------------


def test_submit_shows_whats_missing_and_refuses(client, director, report):
    fill_report(report, platform_role="", cofinancing_foundation_dkk=None)
    client.force_login(director)
    response = client.get(url("report_submit", report.pk))
    body = response.content.decode()
    assert "Rapporten kan ikke indsendes endnu" in body
    assert "klyngen som platform" in body and "fondsmidler" in body
    response = client.post(url("report_submit", report.pk),
                           {"confirm": "on", "version": report.version})
    assert response.status_code == 400
    assert AnnualReport.objects.get(pk=report.pk).status == ReportStatus.DRAFT


def test_submit_needs_confirmation(client, director, report):
    fill_report(report)
    client.force_login(director)
    response = client.post(url("report_submit", report.pk), {"version": report.version})
    assert response.status_code == 400
    assert "Sæt kryds for at bekræfte" in response.content.decode()
    assert AnnualReport.objects.get(pk=report.pk).status == ReportStatus.DRAFT


def test_submit_with_confirmation_freezes_version_opens_case_and_sends_receipt(
    client, director, report, mailoutbox
):
    director.email = "direktoer@klynge.example"
    director.save(update_fields=["email"])
    build_activity_data(director.cluster, 2025)
    fill_report(report)
    client.force_login(director)
    response = client.post(url("report_submit", report.pk),
                           {"confirm": "on", "version": report.version}, follow=True)
    assert response.redirect_chain[-1][0] == url("report_version", report.pk, 1)
    body = response.content.decode()
    case = Case.objects.get(report=report, case_type=CaseType.ANNUAL_REPORT)
    assert "er indsendt som version 1" in body and case.journal_number in body
    assert AnnualReport.objects.get(pk=report.pk).status == ReportStatus.SUBMITTED
    receipt = Notification.objects.get(recipient=director, kind="report_submitted")
    # the relay mails the receipt (the outbox row is the promise, the task delivers it)
    from grants.tasks import relay_notifications

    relay_notifications()
    receipt.refresh_from_db()
    assert receipt.status == "sent"
    mail = [m for m in mailoutbox if m.subject.startswith("Kvittering: Årsrapport 2025")]
    assert len(mail) == 1 and mail[0].to == [director.email]
    assert case.journal_number in mail[0].body


def test_submit_with_stale_version_is_refused(client, director, report):
    fill_report(report)
    client.force_login(director)
    response = client.post(url("report_submit", report.pk),
                           {"confirm": "on", "version": report.version - 1})
    assert response.status_code == 302 and response.url == url("report_detail", report.pk)
    assert AnnualReport.objects.get(pk=report.pk).status == ReportStatus.DRAFT


def test_version_page_shows_snapshot_even_after_data_changes(client, director, report):
    build_activity_data(director.cluster, 2025)
    fill_report(report)
    report_submit(report=report, actor=director)
    from clusters.models import Activity

    Activity.objects.filter(cluster=director.cluster).update(title="Omdøbt senere")
    client.force_login(director)
    response = client.get(url("report_version", report.pk, 1))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Omdøbt senere" not in body and "Aktivitet" in body
    assert COMPLETE_CONTENT["value_created"] in body


def test_version_of_other_cluster_answers_404(client, director, other_director, report):
    fill_report(report)
    report_submit(report=report, actor=director)
    client.force_login(other_director)
    assert client.get(url("report_version", report.pk, 1)).status_code == 404
    client.force_login(director)
    assert client.get(url("report_version", report.pk, 2)).status_code == 404


def test_changes_requested_director_sees_message_edits_and_resubmits(
    client, director, caseworker, report
):
    fill_report(report)
    report_submit(report=report, actor=director)
    report_transition(report=report, to=ReportStatus.IN_REVIEW, actor=caseworker)
    case = Case.objects.get(report=report)
    CaseEvent.objects.create(case=case, actor=caseworker, kind=CaseEventKind.MESSAGE,
                             text="Beskriv samarbejdet med erhvervsakademierne nærmere.")
    CaseEvent.objects.create(case=case, actor=caseworker, kind=CaseEventKind.NOTE, internal=True,
                             text="Intern: klyngen er sent på den.")
    report_transition(report=report, to=ReportStatus.CHANGES_REQUESTED, actor=caseworker,
                      comment="Se besked.")
    report.refresh_from_db()
    client.force_login(director)
    body = client.get(url("report_detail", report.pk)).content.decode()
    assert "Erhvervsstyrelsen har bedt om ændringer" in body
    assert "Beskriv samarbejdet med erhvervsakademierne nærmere." in body
    assert "Intern:" not in body
    response = client.post(url("report_detail", report.pk),
                           form_data(report, knowledge_collaboration="Nu uddybet."))
    assert response.status_code == 302
    report.refresh_from_db()
    response = client.post(url("report_submit", report.pk),
                           {"confirm": "on", "version": report.version})
    assert response.status_code == 302 and response.url == url("report_version", report.pk, 2)
    v1 = client.get(url("report_version", report.pk, 1)).content.decode()
    v2 = client.get(url("report_version", report.pk, 2)).content.decode()
    assert COMPLETE_CONTENT["knowledge_collaboration"] in v1 and "Nu uddybet." not in v1
    assert "Nu uddybet." in v2
    assert Case.objects.filter(report=report).count() == 1


def test_change_request_falls_back_to_workflow_comment(client, director, caseworker, report):
    fill_report(report)
    report_submit(report=report, actor=director)
    report_transition(report=report, to=ReportStatus.IN_REVIEW, actor=caseworker)
    report_transition(report=report, to=ReportStatus.CHANGES_REQUESTED, actor=caseworker,
                      comment="Tallene for medfinansiering mangler bilag.")
    client.force_login(director)
    body = client.get(url("report_detail", report.pk)).content.decode()
    assert "Tallene for medfinansiering mangler bilag." in body


# -- attachments -------------------------------------------------------------------------------


@pytest.mark.parametrize(("content", "name", "ctype"), [
    (PDF, "revisorerklaering.pdf", "application/pdf"),
    (PNG, "billede.png", "image/png"),
    (xlsx_bytes(), "regnskab.xlsx",
     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
], ids=["pdf", "png", "xlsx"])  # not ids from the bytes: the zip's time differs per xdist worker
def test_upload_and_download_attachment(client, director, report, media, content, name, ctype):
    client.force_login(director)
    upload = io.BytesIO(content)
    upload.name = name
    response = client.post(url("attachment_upload", report.pk),
                           {"kind": "auditor_statement", "file": upload})
    assert response.status_code == 302
    attachment = ReportAttachment.objects.get(report=report)
    assert attachment.content_type == ctype and attachment.size_bytes == len(content)
    response = client.get(url("attachment_download", report.pk, attachment.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == ctype
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == content


@pytest.mark.parametrize(("content", "name"), [
    (b"<html><script>alert(1)</script></html>", "erklaering.pdf"),  # HTML disguised as PDF
    (b"MZ\x90\x00 executable", "regnskab.xlsx"),
    (b"PK\x03\x04 not really a zip", "rapport.docx"),
])
def test_attachment_type_is_checked_by_content(client, director, report, media, content, name):
    client.force_login(director)
    upload = io.BytesIO(content)
    upload.name = name
    response = client.post(url("attachment_upload", report.pk), {"kind": "other", "file": upload})
    assert response.status_code == 400
    assert "Filtypen er ikke tilladt" in response.content.decode()
    assert not ReportAttachment.objects.exists()
    assert not any(media.rglob("*.*"))


def test_attachment_size_is_limited(client, director, report, media, settings):
    settings.REPORT_ATTACHMENT_MAX_BYTES = 1024 * 1024
    client.force_login(director)
    upload = io.BytesIO(PDF + b"0" * (1024 * 1024))
    upload.name = "stor.pdf"
    response = client.post(url("attachment_upload", report.pk), {"kind": "other", "file": upload})
    assert response.status_code == 400
    assert "Filen er for stor: højst 1 MB." in response.content.decode()
    assert not ReportAttachment.objects.exists()


def test_attachment_of_other_cluster_answers_404(
    client, director, other_director, caseworker, report, media
):
    client.force_login(director)
    upload = io.BytesIO(PDF)
    upload.name = "a.pdf"
    client.post(url("attachment_upload", report.pk), {"kind": "other", "file": upload})
    attachment = ReportAttachment.objects.get()
    client.force_login(other_director)
    assert client.get(url("attachment_download", report.pk, attachment.pk)).status_code == 404
    upload.seek(0)
    assert client.post(url("attachment_upload", report.pk),
                       {"kind": "other", "file": upload}).status_code == 404
    client.force_login(caseworker)  # the authority reads attachments, read-only
    assert client.get(url("attachment_download", report.pk, attachment.pk)).status_code == 200


def test_submitted_version_lists_its_attachments(client, director, report, media):
    client.force_login(director)
    upload = io.BytesIO(PDF)
    upload.name = "revisor.pdf"
    client.post(url("attachment_upload", report.pk), {"kind": "auditor_statement", "file": upload})
    fill_report(report)
    version = report_submit(report=report, actor=director)
    assert version.snapshot["attachments"][0]["name"] == "revisor.pdf"
    body = client.get(url("report_version", report.pk, 1)).content.decode()
    assert "revisor.pdf" in body and "Revisorerklæring" in body


# -- deadline extension ------------------------------------------------------------------------


def test_extension_request_form(client, director, report):
    client.force_login(director)
    target = url("extension_request", report.deadline_id)
    assert client.get(target).status_code == 200
    due = timezone.localtime(report.deadline.due_at).date()
    response = client.post(target, {"requested_due_date": due.strftime("%d.%m.%Y"),
                                    "reason": "Syg revisor"})
    assert response.status_code == 400
    assert "Den nye frist skal ligge efter den nuværende frist" in response.content.decode()
    response = client.post(target, {"requested_due_date": "31.13.2026", "reason": ""})
    body = response.content.decode()
    assert "Skriv en gyldig dato" in body and "Skriv en begrundelse" in body
    assert not DeadlineExtension.objects.exists()
    new = due + timedelta(days=30)
    response = client.post(target, {"requested_due_date": new.strftime("%d.%m.%Y"),
                                    "reason": "Syg revisor"})
    assert response.status_code == 302 and response.url == url("dashboard")
    ext = DeadlineExtension.objects.get()
    assert timezone.localtime(ext.requested_due_at).date() == new
    assert Case.objects.filter(extension=ext, case_type=CaseType.DEADLINE_EXTENSION).exists()
    assert "Forlængelse anmodet" in client.get(url("dashboard")).content.decode()


def test_extension_request_denied(client, other_director, staff_member, caseworker, report):
    target = url("extension_request", report.deadline_id)
    client.force_login(other_director)
    assert client.get(target).status_code == 404
    client.force_login(staff_member)
    assert client.get(target).status_code == 403
    client.force_login(caseworker)
    assert client.get(target).status_code == 403
    assert not DeadlineExtension.objects.exists()


def _upload(client, report, name="bilag.pdf"):
    upload = io.BytesIO(PDF)
    upload.name = name
    client.post(url("attachment_upload", report.pk), {"kind": "other", "file": upload})
    return ReportAttachment.objects.get(report=report, original_name=name)


def test_attachment_can_be_deleted_from_a_draft(
    client, director, report, media, django_capture_on_commit_callbacks
):
    client.force_login(director)
    attachment = _upload(client, report)
    stored = media / attachment.file.name
    assert stored.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("attachment_delete", report.pk, attachment.pk))
    assert response.status_code == 302
    assert not ReportAttachment.objects.exists() and not stored.exists()


def test_attachment_delete_denied(
    client, director, other_director, caseworker, report, media
):
    client.force_login(director)
    attachment = _upload(client, report)
    client.force_login(other_director)
    assert client.post(url("attachment_delete", report.pk, attachment.pk)).status_code == 404
    client.force_login(caseworker)
    assert client.post(url("attachment_delete", report.pk, attachment.pk)).status_code == 403
    client.force_login(director)
    assert client.get(url("attachment_delete", report.pk, attachment.pk)).status_code == 405
    fill_report(report)
    report_submit(report=report, actor=director)
    assert client.post(url("attachment_delete", report.pk, attachment.pk)).status_code == 403
    assert ReportAttachment.objects.filter(pk=attachment.pk).exists()


def test_attachment_in_a_submitted_version_is_kept_after_changes_requested(
    client, director, caseworker, report, media
):
    client.force_login(director)
    attachment = _upload(client, report)
    fill_report(report)
    report_submit(report=report, actor=director)
    report_transition(report=report, to=ReportStatus.IN_REVIEW, actor=caseworker)
    report_transition(report=report, to=ReportStatus.CHANGES_REQUESTED, actor=caseworker)
    response = client.post(url("attachment_delete", report.pk, attachment.pk), follow=True)
    assert "indgår i en indsendt version" in response.content.decode()
    assert ReportAttachment.objects.filter(pk=attachment.pk).exists()
