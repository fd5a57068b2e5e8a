"""Browser tests of the director's reporting: dashboard, the annual report form (save, reload,
submit with confirmation, receipt), the two-tab conflict, another cluster's report (404), and
axe-core on the dashboard and the report form."""

import re

import pytest
from playwright.sync_api import expect

from evaluations.midway.schedule import grant_create
from grants.constants import ReportStatus
from grants.notifications.models import Notification
from grants.reports.models import AnnualReport
from klyngeadmin.kernel.roles import Role
from tests.e2e.conftest import screenshot
from tests.factories import ClusterFactory, UserFactory
from tests.grants.report_helpers import build_activity_data

PASSWORD = "test-password-123"


def shot(page, name):
    """Screenshots of the main pages under the test output folder."""
    screenshot(page, f"reporting_{name}")


@pytest.fixture
def setup(transactional_db):
    cluster = ClusterFactory(name="Testklyngen Øst")
    director = UserFactory(username="direktoer", role=Role.DIRECTOR, cluster=cluster,
                           first_name="Dorthe", last_name="Direktør",
                           email="direktoer@example.test")
    grant = grant_create(cluster=cluster, reference="KP-E2E-1", start_year=2025,
                         horizon_years=10, annual_amount_dkk=10_000_000)
    build_activity_data(cluster, 2025)
    report = grant.reports.get(year=2025)
    other = ClusterFactory(name="Andenklyngen")
    other_grant = grant_create(cluster=other, reference="KP-E2E-2", start_year=2025,
                               horizon_years=10, annual_amount_dkk=1_000_000)
    return {"director": director, "report": report,
            "other_report": other_grant.reports.get(year=2025)}


def login(page, username):
    page.goto("/login/")
    page.get_by_label("Brugernavn").fill(username)
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    expect(page).to_have_url(re.compile(r"/oversigt/$"))


def fill_report(page):
    page.get_by_label("Forbrugt bevilling (kr.)").fill("8.000.000")
    page.get_by_label("Kontingenter (kr.)").fill("1.200.000")
    page.get_by_label("Sponsorater (kr.)").fill("300000")
    page.get_by_label("Fondsmidler (kr.)").fill("0")
    page.get_by_label("Projektmidler (kr.)").fill("450.000")
    page.locator("#id_funding-0-funder").fill("Horizon Europe")
    page.locator("#id_funding-0-funder_kind").select_option("eu")
    page.locator("#id_funding-0-amount_dkk").fill("2.500.000")
    page.get_by_label("Værdiskabelse i virksomhederne").fill("Virksomhederne har testet nye løsninger.")
    page.get_by_label("Samarbejde med videninstitutioner").fill("Fælles forløb med erhvervsakademiet.")
    page.get_by_label("Internationalisering").fill("To EU-netværk.")
    page.get_by_label("Klyngen som platform").fill("Platform for to nye initiativer.")
    page.get_by_label("Lokalt samarbejde").fill("Tæt samarbejde med erhvervshuset.")


def test_director_fills_saves_reloads_and_submits_the_report(page, setup, axe):
    report = setup["report"]
    login(page, "direktoer")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Oversigt for Testklyngen Øst")
    expect(page.get_by_text("KP-E2E-1", exact=False).first).to_be_visible()
    axe(page)
    shot(page, "dashboard")

    # the deadline list and the reports table both link the report (the first is the deadline)
    page.get_by_role("link", name="Årsrapport 2025", exact=True).first.click()
    expect(page).to_have_url(re.compile(rf"/rapporter/{report.pk}/$"))
    expect(page.get_by_role("heading", name="Nøgletal", exact=True)).to_be_visible()
    page.get_by_text("Vis alle 3 aktiviteter").click()  # a drill-down opens with the keyboard too
    expect(page.get_by_role("cell", name="Fælles FoU-ansøgning").first).to_be_visible()
    axe(page)

    fill_report(page)
    page.get_by_role("button", name="Gem kladde").click()
    expect(page.get_by_text("Kladden er gemt.")).to_be_visible()
    page.reload()
    expect(page.get_by_label("Forbrugt bevilling (kr.)")).to_have_value("8.000.000")
    expect(page.get_by_label("Sponsorater (kr.)")).to_have_value("300.000")
    expect(page.locator("#id_funding-0-funder")).to_have_value("Horizon Europe")
    expect(page.get_by_label("Lokalt samarbejde")).to_have_value("Tæt samarbejde med erhvervshuset.")
    axe(page)
    shot(page, "report_form")

    page.get_by_role("button", name="Gem og gå til indsendelse").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Indsend årsrapport 2025")
    page.get_by_role("button", name="Indsend årsrapporten").click()  # without confirming
    expect(page.locator("#id_confirm-error")).to_contain_text("Sæt kryds for at bekræfte")
    expect(page.locator("#error-summary")).to_be_focused()
    axe(page)
    shot(page, "submit_confirmation")
    page.get_by_label("Jeg bekræfter").check()
    page.get_by_role("button", name="Indsend årsrapporten").click()

    expect(page).to_have_url(re.compile(rf"/rapporter/{report.pk}/versioner/1/$"))
    expect(page.get_by_text("er indsendt som version 1")).to_be_visible()
    expect(page.get_by_text("Journalnummer")).to_be_visible()
    axe(page)
    shot(page, "receipt_version")
    assert AnnualReport.objects.get(pk=report.pk).status == ReportStatus.SUBMITTED
    assert Notification.objects.filter(recipient=setup["director"], kind="report_submitted").exists()

    page.goto(f"/rapporter/{report.pk}/")
    expect(page.get_by_test_id("report-status")).to_have_text("Indsendt")
    expect(page.locator("#report-form")).to_have_count(0)


def test_second_tab_save_is_refused_and_first_tabs_changes_kept(page, setup):
    report = setup["report"]
    login(page, "direktoer")
    second = page.context.new_page()
    page.goto(f"/rapporter/{report.pk}/")
    second.goto(f"/rapporter/{report.pk}/")

    page.get_by_label("Værdiskabelse i virksomhederne").fill("Tekst fra første fane")
    page.get_by_role("button", name="Gem kladde").click()
    expect(page.get_by_text("Kladden er gemt.")).to_be_visible()

    second.get_by_label("Værdiskabelse i virksomhederne").fill("Tekst fra anden fane")
    second.get_by_role("button", name="Gem kladde").click()
    expect(second.get_by_role("heading", name="Dine ændringer er ikke gemt")).to_be_visible()
    expect(second.get_by_text("ændret af en anden", exact=False).first).to_be_visible()
    shot(second, "conflict")

    report.refresh_from_db()
    assert report.value_created == "Tekst fra første fane"
    page.reload()
    expect(page.get_by_label("Værdiskabelse i virksomhederne")).to_have_value("Tekst fra første fane")
    second.close()


def test_other_clusters_report_url_answers_404(page, setup):
    login(page, "direktoer")
    response = page.goto(f"/rapporter/{setup['other_report'].pk}/")
    assert response is not None and response.status == 404
    response = page.goto(f"/rapporter/{setup['report'].pk}/")
    assert response is not None and response.status == 200
