"""Browser tests for targets (issue 15) and amendment cases (issue 16 item 4): the director
enters a hand-reported indicator; the caseworker sees target / realised / deviation on the
report; a caseworker proposes an amendment of a target and the head of office approves it (four
eyes: the proposer cannot); the director cannot open the grant page. axe runs on every new page."""

import re

import pytest
from playwright.sync_api import expect

from clusters.models import CompanyParticipation
from evaluations.midway.schedule import grant_create
from grants.cases.models import Amendment
from grants.constants import AmendmentStatus
from grants.targets.models import GrantTarget
from grants.targets.services import targets_set_at_award
from klyngeadmin.kernel.roles import Role
from tests.e2e.conftest import screenshot
from tests.factories import ActivityFactory, ClusterFactory, CompanyFactory, UserFactory

PASSWORD = "test-password-123"


def shot(page, name):
    screenshot(page, f"targets_{name}")


@pytest.fixture
def setup(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    cluster = ClusterFactory(name="Måltalsklyngen")
    director = UserFactory(username="direktoer", role=Role.DIRECTOR, cluster=cluster,
                           first_name="Dorthe", last_name="Direktør")
    worker = UserFactory(username="sagsbehandler", role=Role.CASEWORKER, first_name="Karen",
                         last_name="Sagsbehandler")
    UserFactory(username="kontorchef", role=Role.HEAD_OF_OFFICE, first_name="Henrik",
                last_name="Kontorchef")
    grant = grant_create(cluster=cluster, reference="KP-E2E-MAAL", start_year=2025,
                         horizon_years=10, annual_amount_dkk=7_500_000)
    targets_set_at_award(grant=grant, actor=worker, rows=[
        {"year_number": 1, "indicator": "companies", "target": 4, "baseline": 1},
        {"year_number": 1, "indicator": "new_products", "target": 2},
        {"year_number": 2, "indicator": "companies", "target": 6},
    ])
    activity = ActivityFactory(cluster=cluster)
    for _ in range(3):
        CompanyParticipation.objects.create(activity=activity, company=CompanyFactory())
    return {"grant": grant, "report": grant.reports.get(year=2025), "director": director}


def login(browser, live_server, username):
    context = browser.new_context(locale="da-DK", base_url=live_server.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto("/login/")
    page.get_by_label("Brugernavn").fill(username)
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    return page


def row(page, indicator):
    return page.locator(f"[data-testid=targets-table] tr[data-indicator={indicator}]")


def test_caseworker_sees_target_realised_deviation_on_a_report(browser, live_server, setup, axe):
    report = setup["report"]
    director = login(browser, live_server, "direktoer")
    director.goto(f"/rapporter/{report.pk}/")
    expect(director.get_by_role("heading", name="Måltal og målopfyldelse")).to_be_visible()
    director.get_by_label("Nye produkter, processer og services i virksomhederne").fill("-1")
    director.get_by_role("button", name="Gem indberetning").click()
    expect(director.get_by_text("Antallet kan ikke være negativt.").first).to_be_visible()
    axe(director)
    director.get_by_label("Nye produkter, processer og services i virksomhederne").fill("3")
    director.get_by_role("button", name="Gem indberetning").click()
    expect(director.get_by_text("De indberettede måltal er gemt.")).to_be_visible()
    axe(director)
    shot(director, "director_report")

    worker = login(browser, live_server, "sagsbehandler")
    worker.goto(f"/rapporter/{report.pk}/")
    companies = row(worker, "companies")
    expect(companies.locator("[data-col=target]")).to_have_text("4")
    expect(companies.locator("[data-col=realised]")).to_have_text("3")
    expect(companies.locator("[data-col=deviation]")).to_have_text("-1")
    expect(companies.locator("[data-col=attainment]")).to_have_text("75 %")
    products = row(worker, "new_products")
    expect(products.locator("[data-col=realised]")).to_have_text("3")
    expect(products.locator("[data-col=attainment]")).to_have_text("150 %")  # capped
    expect(worker.get_by_test_id("year-attainment")).to_have_text("113 %")  # (75 + 150) / 2
    expect(worker.get_by_role("button", name="Gem indberetning")).to_have_count(0)
    axe(worker)
    shot(worker, "caseworker_report")


def test_target_amendment_proposed_and_approved_by_another_person(browser, live_server, setup,
                                                                  axe):
    grant = setup["grant"]
    worker = login(browser, live_server, "sagsbehandler")
    worker.goto(f"/bevillinger/{grant.reference}/maaltal/")
    expect(worker.get_by_test_id("attainment-1")).to_have_text("75 %")
    axe(worker)
    worker.get_by_role("link", name="Foreslå en ændring af bevillingen").click()
    worker.get_by_label("Måltal", exact=True).check()
    worker.get_by_role("button", name="Foreslå ændringen").click()  # nothing filled in
    expect(worker.get_by_text("Ændringen er ikke foreslået: ret fejlene")).to_be_visible()
    axe(worker)
    worker.get_by_label("Indikator").select_option("companies")
    worker.get_by_label("Fra bevillingsår", exact=True).fill("2")
    worker.get_by_label("Til og med bevillingsår").fill("3")
    worker.get_by_label("Nyt måltal").fill("5")
    worker.get_by_label("Begrundelse", exact=True).fill("Færre virksomheder i regionen end ventet.")
    worker.get_by_role("button", name="Foreslå ændringen").click()
    expect(worker).to_have_url(re.compile(r"/aendringer/\d+/$"))
    expect(worker.get_by_test_id("awaiting")).to_be_visible()
    expect(worker.get_by_role("button", name="Godkend ændringen")).to_have_count(0)
    axe(worker)
    shot(worker, "proposed")
    assert GrantTarget.objects.get(grant=grant, year_number=2, indicator="companies").target == 6

    director = login(browser, live_server, "direktoer")
    response = director.goto(f"/bevillinger/{grant.reference}/maaltal/")
    assert response.status == 404

    head = login(browser, live_server, "kontorchef")
    amendment = Amendment.objects.get(grant=grant)
    head.goto(f"/aendringer/{amendment.pk}/")
    expect(head.get_by_test_id("amendment-proposer")).to_contain_text("Karen Sagsbehandler")
    expect(head.get_by_test_id("amendment-changes")).to_contain_text(
        "Deltagende virksomheder, bevillingsår 2: 5")
    axe(head)
    head.get_by_role("button", name="Godkend ændringen").click()
    expect(head.get_by_text("Ændringen er godkendt, og afgørelsesbrevet er dannet.")).to_be_visible()
    expect(head.get_by_test_id("amendment-status")).to_have_text("Godkendt")
    expect(head.get_by_test_id("amendment-decider")).to_contain_text("Henrik Kontorchef")
    shot(head, "approved")
    amendment.refresh_from_db()
    assert amendment.status == AmendmentStatus.APPROVED
    assert GrantTarget.objects.get(grant=grant, year_number=2, indicator="companies").target == 5
    head.goto(f"/bevillinger/{grant.reference}/maaltal/")
    expect(head.get_by_test_id("grant-history")).to_contain_text("Måltal ændres")
    expect(head.get_by_test_id("targets-2").locator("tr[data-indicator=companies] [data-col=target]")).to_have_text("5")
