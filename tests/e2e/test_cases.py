"""Browser test of case handling, end to end: a caseworker takes a submitted report's case and
requests changes; the director resubmits in the browser; the caseworker approves the report
and proposes the tranche; the head of office approves it; the director sees the decision
letter. A director opening a case URL gets 404. axe-core runs on the queue and case pages."""

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from evaluations.midway.schedule import grant_create
from grants.cases.flows import report_submit
from grants.cases.models import Case, Disbursement
from grants.constants import CaseStatus, ReportStatus, TrancheStatus
from klyngeadmin.kernel.roles import Role
from tests.builders import award_accepted
from tests.e2e.conftest import screenshot
from tests.factories import ClusterFactory, UserFactory
from tests.grants.report_helpers import fill_report

PASSWORD = "test-password-123"


def shot(page, name):
    screenshot(page, f"cases_{name}")


@pytest.fixture
def setup(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    cluster = ClusterFactory(name="Sagsklyngen Vest")
    director = UserFactory(username="direktoer", role=Role.DIRECTOR, cluster=cluster,
                           first_name="Dorthe", last_name="Direktør", email="d@example.test")
    UserFactory(username="sagsbehandler", role=Role.CASEWORKER, first_name="Karen",
                last_name="Sagsbehandler", email="k@example.test")
    UserFactory(username="kontorchef", role=Role.HEAD_OF_OFFICE, first_name="Henrik",
                last_name="Kontorchef", email="h@example.test")
    grant = award_accepted(grant_create(cluster=cluster, reference="KP-E2E-SAG", start_year=2025,
                                        horizon_years=10, annual_amount_dkk=7_500_000), director)
    report = fill_report(grant.reports.get(year=2025))
    report_submit(report=report, actor=director)
    case = Case.objects.get(report=report)
    return {"case": case, "report": report, "director": director}


def login(browser, live_server, username):
    context = browser.new_context(locale="da-DK", base_url=live_server.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto("/login/")
    page.get_by_label("Brugernavn").fill(username)
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    return page


def submit_form(page, action):
    page.locator(f"form[action$='/{action}/'] button[type=submit]").click()


def test_case_round_trip_in_the_browser(page, browser, live_server, setup, axe):
    case, report = setup["case"], setup["report"]
    journal = case.journal_number

    # The caseworker takes the case from the queue and asks for changes.
    worker = login(browser, live_server, "sagsbehandler")
    expect(worker).to_have_url(re.compile(r"/sager/$"))
    expect(worker.get_by_role("heading", level=1)).to_have_text("Sager")
    axe(worker)
    shot(worker, "queue")
    worker.get_by_role("link", name="Ikke fordelte").click()
    worker.get_by_role("link", name=journal).click()
    expect(worker).to_have_url(re.compile(rf"/sager/{journal}/$"))
    worker.get_by_role("button", name="Tag sagen").click()
    expect(worker.get_by_text("Du har taget sagen.")).to_be_visible()
    worker.get_by_role("button", name="Påbegynd behandlingen").click()
    expect(worker.get_by_test_id("case-status")).to_have_text("Under behandling")
    expect(worker.get_by_role("heading", name="Udvikling i nøgletal siden bevillingens start")).to_be_visible()
    axe(worker)
    worker.get_by_text("Anmod om ændringer", exact=True).click()
    worker.get_by_label("Hvad skal klyngen ændre?").fill("Uddyb afsnittet om internationalisering.")
    submit_form(worker, "anmod-om-aendringer")
    expect(worker.get_by_text("Klyngen er bedt om ændringer")).to_be_visible()
    expect(worker.get_by_test_id("case-status")).to_have_text("Afventer klyngen")
    shot(worker, "changes_requested")

    # The director resubmits the report in the browser.
    director = page
    director.goto("/login/")
    director.get_by_label("Brugernavn").fill("direktoer")
    director.get_by_label("Adgangskode").fill(PASSWORD)
    director.get_by_role("button", name="Log ind").click()
    director.goto(f"/rapporter/{report.pk}/")
    expect(director.get_by_text("Ret rapporten, og indsend den igen.")).to_be_visible()
    director.get_by_label("Internationalisering").fill("To EU-netværk og en Horizon-ansøgning.")
    director.get_by_role("button", name="Gem kladde").click()
    expect(director.get_by_text("Kladden er gemt.")).to_be_visible()
    director.get_by_role("button", name="Gem og gå til indsendelse").click()
    director.get_by_label("Jeg bekræfter").check()
    director.get_by_role("button", name="Indsend årsrapporten").click()
    expect(director).to_have_url(re.compile(rf"/rapporter/{report.pk}/versioner/2/$"))

    # Back with the caseworker: the case continues; approve and propose the tranche.
    worker.reload()
    expect(worker.get_by_test_id("case-status")).to_have_text("Under behandling")
    expect(worker.get_by_test_id("report-status")).to_have_text("Under behandling")
    worker.get_by_text("Godkend årsrapporten", exact=True).first.click()
    submit_form(worker, "godkend-rapport")
    expect(worker.get_by_text("Årsrapporten er godkendt.")).to_be_visible()
    worker.get_by_text("Indstil raten til udbetaling", exact=True).click()
    expect(worker.get_by_label("Beløb (kr.)")).to_have_value("7500000")
    worker.get_by_label("Udbetalingsdato").fill((date.today() + timedelta(days=7)).isoformat())
    submit_form(worker, "indstil-udbetaling")
    expect(worker.get_by_text("Udbetalingen er indstillet")).to_be_visible()
    expect(worker.get_by_text("Afventer kontorchefens godkendelse.")).to_be_visible()
    expect(worker.get_by_role("button", name="Godkend indstillingen")).to_have_count(0)
    shot(worker, "proposed")

    # The head of office approves (four eyes).
    head = login(browser, live_server, "kontorchef")
    head.goto(f"/sager/{journal}/")
    head.get_by_role("button", name="Godkend indstillingen").click()
    # a money decision is confirmed on its own page: amount, grant, proposer
    expect(head.get_by_role("heading", level=1)).to_have_text("Bekræft godkendelsen")
    expect(head.get_by_test_id("confirm-amount")).to_have_text("7.500.000 kr.")
    expect(head.get_by_test_id("confirm-grant")).to_contain_text("KP-E2E-SAG")
    expect(head.get_by_test_id("confirm-proposer")).to_contain_text("Karen Sagsbehandler")
    axe(head)
    head.get_by_role("button", name="Ja, godkend 7.500.000 kr.").click()
    expect(head.get_by_text("afgørelsesbrevet er dannet")).to_be_visible()
    expect(head.get_by_test_id("case-status")).to_have_text("Afgjort")
    axe(head)
    shot(head, "decided")

    # The director sees the decision letter (and the message), never the case itself.
    director.get_by_role("link", name="Mine sager").click()
    expect(director.get_by_role("heading", level=1)).to_contain_text("Mine sager")
    expect(director.get_by_text("Uddyb afsnittet om internationalisering.")).to_be_visible()
    letter_link = director.get_by_role("link", name=re.compile(rf"^Afgørelse om udbetaling af rate – sag {journal}"))
    expect(letter_link).to_be_visible()
    axe(director)
    shot(director, "director_letters")
    response = director.request.get(letter_link.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body()[:5] == b"%PDF-"

    response = director.goto(f"/sager/{journal}/")
    assert response is not None and response.status == 404
    response = director.goto("/sager/")
    assert response is not None and response.status == 404

    case.refresh_from_db()
    report.refresh_from_db()
    assert case.status == CaseStatus.DECIDED
    assert report.status == ReportStatus.APPROVED
    disbursement = Disbursement.objects.get(tranche__grant=report.grant, tranche__year=2025)
    assert disbursement.tranche.status == TrancheStatus.RELEASED
    assert disbursement.amount_dkk == 7_500_000
    for p in (worker, head):
        p.context.close()


def test_director_opening_a_case_url_gets_404(page, setup):
    page.goto("/login/")
    page.get_by_label("Brugernavn").fill("direktoer")
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    expect(page).not_to_have_url(re.compile(r"/login/"))
    response = page.goto(f"/sager/{setup['case'].journal_number}/")
    assert response is not None and response.status == 404
