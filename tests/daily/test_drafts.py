"""Nothing typed is lost, and errors where the eye is (issue 17, part A): form drafts on the
server (klyngeadmin/drafts.py), the save after the session expired, the keep-alive endpoint,
the report's save-then-submit button and attachment upload, and the error summary at the top."""

import io
from datetime import date

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from clusters.models import Activity
from grants.reports.models import ReportAttachment
from klyngeadmin.accounts.drafts.services import LAST_USER_COOKIE
from klyngeadmin.accounts.models import FormDraft
from tests.factories import ActivityFactory
from tests.grants.report_helpers import report_for
from tests.grants.test_report_views import PDF, form_data

pytestmark = pytest.mark.django_db
PASSWORD = "test-password-123"


@pytest.fixture
def report(grant):
    return report_for(grant)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def autosave(client, path, **fields):
    return client.post(reverse("draft_autosave"), {"_draft_path": path, **fields})


# -- autosaved drafts -------------------------------------------------------------------------


def test_autosave_keeps_a_draft_of_a_new_activity_which_is_no_activity(client, director):
    client.force_login(director)
    path = reverse("clusters:activity_create")
    response = autosave(client, path, title="Temadag om brint", start_date="25.11.2026")
    assert response.status_code == 200
    assert response.json()["status"].startswith("Kladde gemt kl. ")
    draft = FormDraft.objects.get(user=director, path=path)
    assert draft.data["title"] == ["Temadag om brint"] and "csrfmiddlewaretoken" not in draft.data
    assert not Activity.objects.exists()  # a draft is not an activity
    list_html = client.get(reverse("clusters:activity_list")).content.decode()
    assert "Temadag om brint" not in list_html

    html = client.get(path).content.decode()  # the form shows the draft again, with a notice
    assert 'value="Temadag om brint"' in html and 'value="2026-11-25"' in html
    assert 'id="draft-restored"' in html and "ikke nåede at gemme" in html
    assert not Activity.objects.exists()


def test_a_draft_is_only_its_owners(client, director, staff_member):
    path = reverse("clusters:activity_create")
    client.force_login(director)
    autosave(client, path, title="Direktørens udkast")
    client.force_login(staff_member)
    html = client.get(path).content.decode()
    assert "Direktørens udkast" not in html and 'id="draft-restored"' not in html


def test_saving_the_form_deletes_its_draft(client, director):
    activity = ActivityFactory(cluster=director.cluster, title="Temadag",
                               start_date=date(2026, 11, 25), end_date=date(2026, 11, 25))
    client.force_login(director)
    path = reverse("clusters:activity_update", args=[activity.pk])
    autosave(client, path, title="Temadag om brint", start_date="2026-11-25",
             end_date="2026-11-25", activity_type=activity.activity_type,
             external_id=activity.external_id, version=str(activity.version))
    assert 'value="Temadag om brint"' in client.get(path).content.decode()
    response = client.post(path, {**FormDraft.objects.get().data})
    assert response.status_code == 302
    assert not FormDraft.objects.exists()
    activity.refresh_from_db()
    assert activity.title == "Temadag om brint"


def test_discarding_a_draft_shows_the_saved_version(client, director):
    activity = ActivityFactory(cluster=director.cluster, title="Temadag")
    client.force_login(director)
    path = reverse("clusters:activity_update", args=[activity.pk])
    autosave(client, path, title="Noget andet")
    response = client.post(reverse("draft_discard"), {"_draft_path": path}, follow=True)
    assert response.redirect_chain[-1][0] == path
    html = response.content.decode()
    assert 'value="Temadag"' in html and "Den ikke-gemte tekst er kasseret" in html
    assert not FormDraft.objects.exists()


def test_autosave_refuses_the_anonymous_and_unknown_pages(client, director):
    assert autosave(client, "/rapporter/1/", x="y").status_code == 401
    client.force_login(director)
    response = autosave(client, "/findes-ikke/", x="y")
    assert response.status_code == 400 and "path" in response.json()["errors"]
    assert autosave(client, "https://example.com/", x="y").status_code == 400
    assert not FormDraft.objects.exists()


def test_the_report_form_restores_its_draft_and_the_missing_box_shows_what_is_saved(
        client, director, report):
    client.force_login(director)
    path = reverse("grants:report_detail", args=[report.pk])
    autosave(client, path, **form_data(report, value_created="Skrevet, ikke gemt"))
    html = client.get(path).content.decode()
    assert "Skrevet, ikke gemt" in html and 'id="draft-restored"' in html
    assert 'data-autosave="/kladder/"' in html and "data-autosave-status" in html
    report.refresh_from_db()
    assert report.value_created == ""  # the draft is not the report
    assert 'href="#id_value_created"' in html.split('id="missing-summary"')[1].split("</ul>")[0]


# -- the report: save first, then submit; upload without losing the text ----------------------


def test_the_submit_page_is_reached_by_a_button_that_saves_first(client, director, report):
    client.force_login(director)
    html = client.get(reverse("grants:report_detail", args=[report.pk])).content.decode()
    assert 'name="save_and_submit"' in html
    assert f'href="{reverse("grants:report_submit", args=[report.pk])}"' not in html
    response = client.post(reverse("grants:report_detail", args=[report.pk]),
                           {**form_data(report, value_created="Gemt på vejen"), "save_and_submit": ""})
    assert response.status_code == 302
    assert response.url == reverse("grants:report_submit", args=[report.pk])
    report.refresh_from_db()
    assert report.value_created == "Gemt på vejen"


def test_uploading_an_attachment_keeps_the_typed_report_text(client, director, report, media):
    client.force_login(director)
    detail = reverse("grants:report_detail", args=[report.pk])
    html = client.get(detail).content.decode()
    assert 'form="report-form" formaction="' in html  # the upload belongs to the report's form
    upload = io.BytesIO(PDF)
    upload.name = "revisor.pdf"
    response = client.post(reverse("grants:attachment_upload", args=[report.pk]), {
        **form_data(report, value_created="Tekst skrevet før upload"),
        "kind": "auditor_statement", "file": upload})
    assert response.status_code == 302
    assert ReportAttachment.objects.filter(report=report).count() == 1
    html = client.get(detail).content.decode()
    assert "Tekst skrevet før upload" in html and "revisor.pdf" in html


def test_a_refused_upload_keeps_the_typed_report_text(client, director, report, media):
    client.force_login(director)
    upload = io.BytesIO(b"MZ\x90\x00 executable")
    upload.name = "regnskab.xlsx"
    response = client.post(reverse("grants:attachment_upload", args=[report.pk]), {
        **form_data(report, value_created="Tekst skrevet før upload"), "kind": "other", "file": upload})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Tekst skrevet før upload" in html
    assert html.index('id="error-summary"') < html.index('id="report-form"')
    assert "Bilaget er ikke tilføjet" in html


# -- errors where the eye is ------------------------------------------------------------------


def test_a_failed_report_save_shows_the_error_summary_first_and_does_not_look_saved(
        client, director, report):
    client.force_login(director)
    response = client.post(reverse("grants:report_detail", args=[report.pk]),
                           form_data(report, grant_spent_dkk="otte millioner",
                                     value_created="Ikke gemt"))
    assert response.status_code == 400
    html = response.content.decode()
    summary = html.index('id="error-summary"')
    assert summary < html.index('id="missing-summary"') < html.index('id="report-form"')
    assert "data-error-summary" in html and 'tabindex="-1"' in html[summary - 200:summary + 200]
    assert 'href="#id_grant_spent_dkk"' in html[summary:html.index('id="missing-summary"')]
    assert "Kladden er ikke gemt" in html
    missing = html[html.index('id="missing-summary"'):html.index('id="report-form"')]
    assert 'href="#id_value_created"' in missing  # what is saved is missing, whatever was typed
    assert "Kladden er gemt" not in html


@pytest.mark.parametrize("page", ["activity", "project", "extension", "login"])
def test_every_form_answers_a_failed_save_with_a_linked_error_summary(client, director, report,
                                                                       page):
    if page != "login":
        client.force_login(director)
    target, data, field = {
        "activity": (reverse("clusters:activity_create"), {"title": ""}, "id_title"),
        "project": (reverse("clusters:project_create"), {"title": ""}, "id_title"),
        "extension": (reverse("grants:extension_request", args=[report.deadline_id]),
                      {"requested_due_date": "31.13.2026"}, "id_requested_due_date"),
        "login": (reverse("login"), {"username": "x", "password": "y"}, None),
    }[page]
    html = client.post(target, data).content.decode()
    assert 'id="error-summary"' in html and "data-error-summary" in html
    if field:
        assert f'href="#{field}"' in html
    assert html.index('id="error-summary"') < html.index("<form", html.index("<main"))
    assert "js/error-summary.js" in html


# -- the session: expiry warning, keep-alive, a save after expiry -----------------------------


def test_signed_in_pages_carry_the_session_warning_and_the_keepalive_renews(client, director,
                                                                             settings):
    settings.SESSION_COOKIE_AGE = 1800
    client.force_login(director)
    html = client.get(reverse("grants:dashboard")).content.decode()
    assert 'id="session-timeout"' in html and 'data-timeout="1800"' in html
    assert 'data-warn-before="300"' in html and "Bliv logget ind" in html
    Session.objects.all().update(expire_date=timezone.now())
    response = client.post(reverse("session_keepalive"))
    assert response.status_code == 401  # already expired: nothing to renew
    client.force_login(director)
    key = client.session.session_key
    Session.objects.filter(pk=key).update(expire_date=timezone.now() + timezone.timedelta(minutes=2))
    response = client.post(reverse("session_keepalive"))
    assert response.status_code == 200 and response.json() == {"expires_in": 1800}
    assert Session.objects.get(pk=key).expire_date > timezone.now() + timezone.timedelta(minutes=29)


def login_with_password(client, user, next_url):
    user.set_password(PASSWORD)
    user.save()
    return client.post(reverse("login"), {"username": user.username, "password": PASSWORD,
                                          "next": next_url}, follow=True)


def test_a_save_after_the_idle_timeout_is_kept_and_restored_after_signing_in(client, director,
                                                                               report):
    client.force_login(director)
    detail = reverse("grants:report_detail", args=[report.pk])
    client.get(detail)
    assert client.cookies[LAST_USER_COOKIE].value
    Session.objects.all().delete()  # the idle timeout, as the server sees it

    response = client.post(detail, form_data(report, value_created="Skrevet i 40 minutter"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    draft = FormDraft.objects.get(user=director, path=detail)
    assert draft.origin == FormDraft.Origin.SESSION_EXPIRED
    login_page = client.get(response.url).content.decode()
    assert "ikke har været aktiv i 30 minutter" in login_page
    assert "det er ikke tabt" in login_page

    page = login_with_password(client, director, detail)
    assert page.redirect_chain[-1][0] == detail
    html = page.content.decode()
    assert "Skrevet i 40 minutter" in html and 'id="draft-restored"' in html
    report.refresh_from_db()
    assert report.value_created == ""  # kept, not saved behind the person's back


def test_an_upload_after_the_idle_timeout_keeps_the_report_text_for_the_report_page(
        client, director, report):
    client.force_login(director)
    detail = reverse("grants:report_detail", args=[report.pk])
    assert f'name="_draft_path" value="{detail}"' in client.get(detail).content.decode()
    Session.objects.all().delete()
    upload = io.BytesIO(PDF)
    upload.name = "revisor.pdf"
    response = client.post(reverse("grants:attachment_upload", args=[report.pk]), {
        **form_data(report, value_created="Skrevet før upload"), "_draft_path": detail,
        "kind": "other", "file": upload})
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={detail}"  # back to the report, not /bilag/
    assert FormDraft.objects.get(user=director).path == detail
    html = login_with_password(client, director, detail).content.decode()
    assert "Skrevet før upload" in html and 'id="draft-restored"' in html


def test_the_stash_is_never_shown_to_someone_else_signing_in(client, director, staff_member,
                                                             report):
    client.force_login(director)
    detail = reverse("grants:report_detail", args=[report.pk])
    client.get(detail)
    Session.objects.all().delete()
    client.post(detail, form_data(report, value_created="Direktørens tekst"))
    html = login_with_password(client, staff_member, detail).content.decode()
    assert "Direktørens tekst" not in html


def test_signing_out_is_not_reported_as_a_timeout(client, director):
    client.force_login(director)
    client.get(reverse("grants:dashboard"))
    client.post(reverse("logout"))
    assert LAST_USER_COOKIE not in client.cookies or not client.cookies[LAST_USER_COOKIE].value
    html = client.get(reverse("grants:dashboard"), follow=True).content.decode()
    assert "ikke har været aktiv" not in html
