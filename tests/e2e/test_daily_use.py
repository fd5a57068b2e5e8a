"""Daily use in a real browser, in Danish (issue 17, part A): an existing activity edited and
saved unchanged at phone width, the report typed and taken to the submit page and back, an
attachment uploaded with typed text unsaved, a save after the idle timeout restored after
signing in again, the session warning's "Bliv logget ind", and focus on the error summary of a
failed save. axe on every page it passes."""

import re
from datetime import date

import pytest
from django.contrib.sessions.models import Session
from playwright.sync_api import expect

from evaluations.midway.schedule import grant_create
from grants.reports.models import ReportAttachment
from klyngeadmin.accounts.models import FormDraft
from klyngeadmin.kernel.roles import Role
from tests.e2e.conftest import screenshot
from tests.factories import ActivityFactory, ClusterFactory, UserFactory

PASSWORD = "test-password-123"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def setup(transactional_db):
    cluster = ClusterFactory(name="Testklyngen Vest")
    director = UserFactory(username="direktoer", role=Role.DIRECTOR, cluster=cluster,
                           first_name="Dorthe", last_name="Direktør")
    grant = grant_create(cluster=cluster, reference="KP-E2E-17", start_year=2025,
                         horizon_years=10, annual_amount_dkk=10_000_000)
    activity = ActivityFactory(cluster=cluster, title="Temadag om brint",
                               start_date=date(2026, 11, 25), end_date=date(2026, 11, 26))
    return {"director": director, "report": grant.reports.get(year=2025), "activity": activity}


@pytest.fixture
def phone(browser, live_server, request):
    """A Danish phone: 390 px wide."""
    context = browser.new_context(locale="da-DK", base_url=live_server.url,
                                  viewport={"width": 390, "height": 844})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    shot(page, f"{request.node.name}_end")
    context.close()


def shot(page, name):
    screenshot(page, f"daily_{name}")


def login(page, username="direktoer", expect_url=r"/oversigt/$"):
    page.get_by_label("Brugernavn").fill(username)
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    expect(page).to_have_url(re.compile(expect_url))


def test_an_existing_activity_is_edited_and_saved_unchanged_on_a_phone(phone, setup, axe):
    activity = setup["activity"]
    phone.goto("/login/")
    login(phone)
    phone.goto("/aktiviteter/")
    phone.get_by_role("link", name="Temadag om brint", exact=True).click()
    expect(phone).to_have_url(re.compile(rf"/aktiviteter/{activity.pk}/rediger/$"))
    expect(phone.get_by_label("Startdato")).to_have_value("2026-11-25")
    expect(phone.get_by_label("Slutdato")).to_have_value("2026-11-26")
    axe(phone)
    phone.get_by_role("button", name="Gem aktivitet").click()
    expect(phone.get_by_text("Aktiviteten »Temadag om brint« er gemt.")).to_be_visible()
    activity.refresh_from_db()
    assert (activity.start_date, activity.end_date) == (date(2026, 11, 25), date(2026, 11, 26))


def test_report_text_survives_the_way_to_the_submit_page_and_back(page, setup, axe):
    report = setup["report"]
    drafts_sent = []
    page.on("request", lambda r: drafts_sent.append(r) if r.url.endswith("/kladder/") else None)
    page.clock.install()  # the autosave's 2 seconds pass when the test says so
    page.goto("/login/")
    login(page)
    page.goto(f"/rapporter/{report.pk}/")
    text = page.get_by_label("Værdiskabelse i virksomhederne")
    text.fill("Tre virksomheder har testet brint.")
    page.clock.run_for(2100)
    status = page.locator("[data-autosave-status]")
    expect(status).to_contain_text(re.compile(r"Kladde gemt kl\. \d{2}\.\d{2}"))  # autosaved
    # Leaving the field fires "change" for text that is already in the draft: nothing is sent
    # (a second draft of it could reach the server after the save below and outlive it).
    text.blur()
    page.clock.run_for(2100)
    axe(page)
    assert len(drafts_sent) == 1, [r.url for r in drafts_sent]
    page.get_by_role("button", name="Gem og gå til indsendelse").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Indsend årsrapport 2025")
    axe(page)
    page.get_by_role("link", name="Tilbage til rapporten").click()
    expect(page.get_by_label("Værdiskabelse i virksomhederne")).to_have_value(
        "Tre virksomheder har testet brint.")
    report.refresh_from_db()
    assert report.value_created == "Tre virksomheder har testet brint."  # saved, not a draft
    assert not FormDraft.objects.exists(), list(FormDraft.objects.values("path", "origin", "data"))


def test_an_attachment_upload_keeps_the_typed_text(page, setup, tmp_path, settings, axe):
    settings.MEDIA_ROOT = tmp_path
    report = setup["report"]
    pdf = tmp_path / "revisorerklaering.pdf"
    pdf.write_bytes(PDF)
    page.goto("/login/")
    login(page)
    page.goto(f"/rapporter/{report.pk}/")
    page.get_by_label("Lokalt samarbejde").fill("Skrevet, ikke gemt, før upload.")
    page.get_by_label("Bilagstype").select_option(label="Revisorerklæring")
    page.get_by_label("Fil").set_input_files(str(pdf))
    page.get_by_role("button", name="Upload bilag").click()
    expect(page.get_by_text("Bilaget revisorerklaering.pdf er tilføjet.")).to_be_visible()
    expect(page.get_by_label("Lokalt samarbejde")).to_have_value("Skrevet, ikke gemt, før upload.")
    expect(page.locator("#draft-restored")).to_be_visible()
    axe(page)
    assert ReportAttachment.objects.filter(report=report).count() == 1


def test_a_save_after_the_idle_timeout_is_restored_after_signing_in(phone, setup, axe):
    report = setup["report"]
    phone.goto("/login/")
    login(phone)
    phone.goto(f"/rapporter/{report.pk}/")
    field = phone.get_by_label("Internationalisering")
    field.fill("To EU-netværk, skrevet i en lang pause.")
    Session.objects.all().delete()  # 30 minutes without a request: the session is gone
    phone.get_by_role("button", name="Gem kladde").click()
    expect(phone).to_have_url(re.compile(r"/login/\?next="))
    expect(phone.get_by_text("ikke har været aktiv i 30 minutter")).to_be_visible()
    expect(phone.get_by_text("det er ikke tabt")).to_be_visible()
    axe(phone)
    login(phone, expect_url=rf"/rapporter/{report.pk}/$")
    expect(phone.get_by_label("Internationalisering")).to_have_value(
        "To EU-netværk, skrevet i en lang pause.")
    expect(phone.locator("#draft-restored")).to_be_visible()
    phone.get_by_role("button", name="Gem kladde").click()
    expect(phone.get_by_text("Kladden er gemt.")).to_be_visible()
    report.refresh_from_db()
    assert report.internationalisation == "To EU-netværk, skrevet i en lang pause."


def test_the_session_warning_offers_to_stay_signed_in(page, setup, settings, axe):
    settings.SESSION_COOKIE_AGE = 303  # the warning comes 300 s before: after 3 s
    page.goto("/login/")
    login(page)
    dialog = page.get_by_role("alertdialog", name="Du bliver snart logget ud")
    expect(dialog).to_be_visible(timeout=15_000)
    stay = dialog.get_by_role("button", name="Bliv logget ind")
    expect(stay).to_be_focused()
    axe(page)
    with page.expect_response(re.compile(r"/session/forlaeng/$")) as answer:
        stay.click()
    assert answer.value.status == 200
    expect(dialog).to_be_hidden()


def test_a_failed_save_puts_focus_on_the_error_summary(page, setup, axe):
    report = setup["report"]
    page.goto("/login/")
    login(page)
    page.goto(f"/rapporter/{report.pk}/")
    page.get_by_label("Forbrugt bevilling (kr.)").fill("otte millioner")
    page.get_by_label("Værdiskabelse i virksomhederne").fill("Ikke gemt endnu.")
    page.get_by_role("button", name="Gem kladde").click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Kladden er ikke gemt")
    expect(page.get_by_text("Kladden er gemt.")).to_have_count(0)
    assert summary.bounding_box()["y"] < page.locator("#missing-summary").bounding_box()["y"]
    axe(page)
    summary.get_by_role("link", name=re.compile("Forbrugt bevilling")).click()
    expect(page.get_by_label("Forbrugt bevilling (kr.)")).to_be_focused()
    expect(page.get_by_label("Værdiskabelse i virksomhederne")).to_have_value("Ikke gemt endnu.")
