"""Browser test: the report page's key-figure lists show their first rows and link to paginated
sub-pages that work with script turned off; axe-core on the sub-page (issue 19)."""

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from clusters.models import CompanyParticipation
from evaluations.midway.schedule import grant_create
from klyngeadmin.kernel.roles import Role
from tests.e2e.conftest import screenshot
from tests.factories import ActivityFactory, ClusterFactory, CompanyFactory, UserFactory

PASSWORD = "test-password-123"


@pytest.fixture
def setup(transactional_db):
    cluster = ClusterFactory(name="Testklyngen Vest")
    UserFactory(username="direktoer", role=Role.DIRECTOR, cluster=cluster)
    grant = grant_create(cluster=cluster, reference="KP-E2E-9", start_year=2025,
                         horizon_years=10, annual_amount_dkk=10_000_000)
    for i in range(3):
        start = date(2025, 3 + i, 1)
        act = ActivityFactory(cluster=cluster, start_date=start, end_date=start)
        CompanyParticipation.objects.bulk_create(
            CompanyParticipation(activity=act, company=CompanyFactory()) for _ in range(50)
        )
    return grant.reports.get(year=2025)


@pytest.fixture
def no_script_page(browser, live_server):
    context = browser.new_context(locale="da-DK", base_url=live_server.url,
                                  java_script_enabled=False)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    screenshot(page, "report_drilldown_no_script")
    context.close()


def test_drilldown_sub_pages_without_script(no_script_page, setup):
    page = no_script_page
    page.goto("/login/")
    page.get_by_label("Brugernavn").fill("direktoer")
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    expect(page).to_have_url(re.compile(r"/oversigt/$"))
    page.goto(f"/rapporter/{setup.pk}/")
    page.get_by_text("Vis alle 150 virksomheder").click()  # <details> opens without script
    page.get_by_role("link", name="Se alle 150 på egne sider").first.click()
    expect(page).to_have_url(re.compile(rf"/rapporter/{setup.pk}/noegletal/virksomheder/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Deltagende virksomheder")
    expect(page.locator("#drilldown-meta")).to_contain_text("150 rækker; her række 1–100.")
    assert page.locator("table tbody tr").count() == 100
    page.get_by_role("link", name="Næste side").click()
    expect(page).to_have_url(re.compile(r"\?side=2$"))
    assert page.locator("table tbody tr").count() == 50
    page.get_by_role("link", name="Tilbage til årsrapporten").click()
    expect(page).to_have_url(re.compile(rf"/rapporter/{setup.pk}/$"))


def test_drilldown_sub_page_passes_axe(page, setup, axe):
    page.goto("/login/")
    page.get_by_label("Brugernavn").fill("direktoer")
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    expect(page).to_have_url(re.compile(r"/oversigt/$"))
    page.goto(f"/rapporter/{setup.pk}/noegletal/virksomheder/?side=2")
    expect(page.locator("#drilldown-meta")).to_be_visible()
    axe(page)
    page.goto(f"/rapporter/{setup.pk}/")
    axe(page)
