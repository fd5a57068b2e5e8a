"""Browser test of the award letter: the caseworker cannot propose the year's tranche while the
award letter waits; the director opens the letter from the notice, confirms the acceptance
(an unticked box is a Danish error and changes nothing) and accepts; only then the caseworker
proposes the tranche and the head of office releases it. axe-core runs on the award pages."""

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from evaluations.midway.schedule import grant_create
from grants.cases import services as svc
from grants.cases.award import award_letter_issue
from grants.cases.flows import report_submit
from grants.cases.models import Case, Disbursement
from grants.constants import CaseStatus
from grants.core.models import Grant
from klyngeadmin.kernel.roles import Role
from tests.e2e.conftest import screenshot
from tests.factories import ClusterFactory, UserFactory
from tests.grants.report_helpers import fill_report

PASSWORD = "test-password-123"


def shot(page, name):
    screenshot(page, f"award_{name}")


@pytest.fixture
def setup(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    cluster = ClusterFactory(name="Tilsagnsklyngen")
    director = UserFactory(username="direktoer", role=Role.DIRECTOR, cluster=cluster,
                           first_name="Dorthe", last_name="Direktør", email="d@example.test")
    caseworker = UserFactory(username="sagsbehandler", role=Role.CASEWORKER, first_name="Karen",
                             last_name="Sagsbehandler", email="k@example.test")
    UserFactory(username="kontorchef", role=Role.HEAD_OF_OFFICE, first_name="Henrik",
                last_name="Kontorchef", email="h@example.test")
    UserFactory(username="andendirektoer", role=Role.DIRECTOR, cluster=ClusterFactory())
    grant = grant_create(cluster=cluster, reference="KP-E2E-TILSAGN", start_year=2025,
                         horizon_years=10, annual_amount_dkk=6_000_000)
    award_letter_issue(grant=grant, actor=caseworker)
    report = fill_report(grant.reports.get(year=2025))
    report_submit(report=report, actor=director)
    case = Case.objects.get(report=report)
    svc.case_assign(case=case, assignee=caseworker, actor=caseworker)
    svc.case_transition(case=case, to=CaseStatus.IN_PROGRESS, actor=caseworker)
    svc.case_approve_report(case=case, actor=caseworker)
    return {"grant": grant, "case": case}


def login(browser, live_server, username):
    context = browser.new_context(locale="da-DK", base_url=live_server.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto("/login/")
    page.get_by_label("Brugernavn").fill(username)
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    return page


def test_director_accepts_the_award_and_only_then_a_tranche_is_released(browser, live_server,
                                                                         setup, axe):
    grant, journal = setup["grant"], setup["case"].journal_number

    worker = login(browser, live_server, "sagsbehandler")
    worker.goto(f"/sager/{journal}/")
    expect(worker.get_by_test_id("award-pending")).to_be_visible()
    expect(worker.get_by_text("Indstil raten til udbetaling", exact=True)).to_have_count(0)
    shot(worker, "case_waiting")

    # Another cluster's director does not find the letter.
    other = login(browser, live_server, "andendirektoer")
    assert other.goto(f"/tilsagn/{grant.pk}/").status == 404

    director = login(browser, live_server, "direktoer")
    director.goto("/tilsagn/")
    expect(director.get_by_text("Afventer accept")).to_be_visible()
    axe(director)
    director.get_by_role("link", name="KP-E2E-TILSAGN").click()
    expect(director).to_have_url(re.compile(rf"/tilsagn/{grant.pk}/$"))
    expect(director.get_by_role("heading", name="Tilsagnsbrev KP-E2E-TILSAGN")).to_be_visible()
    expect(director.get_by_test_id("award-status")).to_have_text("Afventer klyngedirektørens accept")
    expect(director.get_by_role("cell", name="2034")).to_be_visible()
    axe(director)
    director.get_by_role("button", name="Accepter tilsagnet").click()  # box not ticked
    expect(director.get_by_text("Sæt flueben for at bekræfte").first).to_be_visible()
    assert Grant.objects.get(pk=grant.pk).award_accepted_at is None
    axe(director)
    director.get_by_label(re.compile("accepterer tilsagnet og dets vilkår")).check()
    director.get_by_role("button", name="Accepter tilsagnet").click()
    expect(director.get_by_text("Tilsagnet er accepteret. Tak.")).to_be_visible()
    expect(director.get_by_test_id("award-status")).to_contain_text("Accepteret af Dorthe Direktør")
    expect(director.get_by_role("button", name="Accepter tilsagnet")).to_have_count(0)
    shot(director, "accepted")
    accepted = Grant.objects.get(pk=grant.pk)
    assert accepted.award_accepted_by.username == "direktoer"

    worker.reload()
    expect(worker.get_by_test_id("award-pending")).to_have_count(0)
    worker.get_by_text("Indstil raten til udbetaling", exact=True).click()
    worker.get_by_label("Udbetalingsdato").fill((date.today() + timedelta(days=7)).isoformat())
    worker.locator("form[action$='/indstil-udbetaling/'] button[type=submit]").click()
    expect(worker.get_by_text("Udbetalingen er indstillet")).to_be_visible()

    head = login(browser, live_server, "kontorchef")
    head.goto(f"/sager/{journal}/")
    head.get_by_role("button", name="Godkend indstillingen").click()
    expect(head.get_by_role("heading", level=1)).to_have_text("Bekræft godkendelsen")
    head.get_by_role("button", name=re.compile(r"^Ja, godkend ")).click()
    expect(head.get_by_test_id("case-status")).to_have_text("Afgjort")
    assert Disbursement.objects.filter(tranche__grant=grant).count() == 1
