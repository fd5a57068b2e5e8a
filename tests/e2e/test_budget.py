"""Browser test of budget and accounts (issue 15): the director fills the costs of the 2026
report (a deviation without explanation is refused per line) and submits; the caseworker sees
budget vs actual and the aid intensity over the ceiling; a tranche proposal over the ceiling is
refused without a justification and accepted with one, and the head of office approves it.
axe-core on the accounts page, the report page and the case page."""

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from evaluations.midway.schedule import grant_create
from grants.budgets.models import BudgetLine
from grants.cases.models import Case, TrancheProposal
from grants.constants import ProposalStatus, ReportStatus
from klyngeadmin.kernel.roles import Role
from tests.budgets.helpers import budget_grant, report_actuals
from tests.builders import award_accepted
from tests.e2e.conftest import screenshot
from tests.e2e.test_cases import login, submit_form
from tests.factories import ClusterFactory, UserFactory

ACTUALS = {  # label on the accounts page -> amount typed
    "Løn til faglige aktiviteter – Animering af klyngen": "6.000.000",
    "Løn til sekretariat – Drift af klyngens faciliteter": "3.000.000",
    "Øvrige omkostninger – Markedsføring af klyngen": "1.000.000",
    "Øvrige omkostninger – Ikke støtteberettiget": "500.000",
    "Klyngebevilling": "5.500.000",
    "Privat kontant medfinansiering": "3.000.000",
    "Medfinansiering i form af timer (in kind)": "1.500.000",
    "Anden offentlig finansiering": "500.000",
}


def shot(page, name):
    screenshot(page, f"budget_{name}")


@pytest.fixture
def setup(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.AUDITOR_STATEMENT_THRESHOLD_DKK = 50_000_000  # the statement is tested elsewhere
    cluster = ClusterFactory(name="Budgetklyngen Syd")
    director = UserFactory(username="direktoer", role=Role.DIRECTOR, cluster=cluster,
                           email="d@example.test")
    caseworker = UserFactory(username="sagsbehandler", role=Role.CASEWORKER, email="k@example.test")
    UserFactory(username="kontorchef", role=Role.HEAD_OF_OFFICE, email="h@example.test")
    grant = award_accepted(grant_create(cluster=cluster, reference="KP-E2E-BUD", start_year=2025,
                                        horizon_years=10, annual_amount_dkk=10_000_000), director)
    budget_grant(grant, caseworker, years=(1, 2))
    report_actuals(grant, director, year=1)  # 2025 as budgeted: 50 % public
    return {"grant": grant, "report": grant.reports.get(year=2026)}


def test_director_fills_costs_caseworker_sees_aid_and_ceiling_needs_justification(
        page, browser, live_server, setup, axe):
    report = setup["report"]
    director = login(browser, live_server, "direktoer")
    director.goto(f"/rapporter/{report.pk}/")
    director.get_by_label("Forbrugt bevilling (kr.)").fill("5.500.000")
    director.get_by_label("Kontingenter (kr.)").fill("1.000.000")
    director.get_by_label("Sponsorater (kr.)").fill("500.000")
    director.get_by_label("Fondsmidler (kr.)").fill("1.500.000")
    director.get_by_label("Projektmidler (kr.)").fill("0")
    for label, text in [("Værdiskabelse i virksomhederne", "Nye løsninger testet."),
                        ("Samarbejde med videninstitutioner", "Fælles forløb."),
                        ("Internationalisering", "To EU-netværk."),
                        ("Klyngen som platform", "To initiativer."),
                        ("Lokalt samarbejde", "Erhvervshuset.")]:
        director.get_by_label(label).fill(text)
    director.get_by_role("button", name="Gem kladde").click()
    expect(director.get_by_text("Kladden er gemt.")).to_be_visible()
    expect(director.get_by_text("Udfyld de realiserede omkostninger")).to_be_visible()

    director.get_by_role("link", name="Udfyld regnskab").click()
    expect(director.get_by_role("heading", level=1)).to_contain_text("Regnskab for 2026")
    axe(director)
    for label, amount in ACTUALS.items():
        director.get_by_label(f"Realiseret: {label}", exact=True).fill(amount)
    director.get_by_role("button", name="Gem regnskab").click()
    # a million more grant and a million less private cash than budgeted: explain both lines
    expect(director.locator("#error-summary")).to_be_focused()
    expect(director.locator("#error-summary")).to_contain_text(
        "Forklar afvigelsen: realiseret 5.500.000 kr. mod budget 4.500.000 kr.")
    expect(director.locator("#error-summary")).to_contain_text(
        "Forklar afvigelsen: realiseret 3.000.000 kr. mod budget 4.000.000 kr.")
    assert not BudgetLine.objects.filter(grant=setup["grant"], year_number=2,
                                         actual_dkk__isnull=False).exists()
    axe(director)
    shot(director, "costs_errors")
    director.get_by_label("Forklaring: Klyngebevilling", exact=True).fill(
        "Flere aktiviteter end planlagt.")
    director.get_by_label("Forklaring: Privat kontant medfinansiering", exact=True).fill(
        "To sponsorer trak sig.")
    expect(director.get_by_label("Realiseret: Klyngebevilling", exact=True)).to_have_value("5.500.000")
    director.get_by_role("button", name="Gem regnskab").click()
    expect(director.get_by_text("Regnskabet er gemt.")).to_be_visible()
    table = director.get_by_test_id("budget-vs-actual")
    expect(table).to_contain_text("1.000.000 kr. (22,2 %)")
    expect(table).to_contain_text("To sponsorer trak sig.")
    expect(director.get_by_test_id("aid-intensity")).to_contain_text("55,0 %")
    axe(director)
    shot(director, "report_with_costs")
    director.get_by_role("button", name="Gem og gå til indsendelse").click()
    director.get_by_label("Jeg bekræfter").check()
    director.get_by_role("button", name="Indsend årsrapporten").click()
    expect(director).to_have_url(re.compile(rf"/rapporter/{report.pk}/versioner/1/(#.*)?$"))
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED

    # The caseworker sees budget vs actual and the aid intensity over the ceiling.
    journal = Case.objects.get(report=report).journal_number
    worker = login(browser, live_server, "sagsbehandler")
    worker.goto(f"/sager/{journal}/")
    worker.get_by_role("button", name="Tag sagen").click()
    worker.get_by_role("button", name="Påbegynd behandlingen").click()
    expect(worker.get_by_test_id("budget-vs-actual")).to_contain_text("Flere aktiviteter end planlagt.")
    aid = worker.get_by_test_id("aid-intensity")
    expect(aid).to_contain_text("55,0 %")
    expect(aid).to_contain_text("Støtteloftet er overskredet.")
    axe(worker)
    shot(worker, "case_aid")
    worker.get_by_role("link", name="Se bevillingen KP-E2E-BUD år for år").click()
    expect(worker.get_by_test_id("grant-years")).to_contain_text("5.500.000 kr.")
    expect(worker.get_by_test_id("aid-intensity")).to_contain_text("55,0 %")
    axe(worker)
    shot(worker, "grant_page")
    worker.go_back()
    worker.get_by_text("Godkend årsrapporten", exact=True).first.click()
    submit_form(worker, "godkend-rapport")
    expect(worker.get_by_text("Årsrapporten er godkendt.")).to_be_visible()

    # Over the ceiling: refused without a justification ...
    worker.get_by_text("Indstil raten til udbetaling", exact=True).click()
    worker.get_by_label("Beløb (kr.)").fill("6000000")
    worker.get_by_label("Udbetalingsdato").fill((date.today() + timedelta(days=7)).isoformat())
    submit_form(worker, "indstil-udbetaling")
    expect(worker.get_by_text("Udbetalingen bringer den offentlige støtteintensitet op på 57,5 %")).to_be_visible()
    assert not TrancheProposal.objects.exists()
    # ... accepted with one, for the head of office
    worker.get_by_text("Indstil raten til udbetaling", exact=True).click()
    worker.get_by_label("Beløb (kr.)").fill("6000000")
    worker.get_by_label("Udbetalingsdato").fill((date.today() + timedelta(days=7)).isoformat())
    worker.get_by_label("Begrundelse for at overskride støtteloftet").fill(
        "Ekstraordinær indsats aftalt med ministeriet; udlignes i 2027.")
    submit_form(worker, "indstil-udbetaling")
    expect(worker.get_by_text("Udbetalingen er indstillet")).to_be_visible()
    expect(worker.get_by_test_id("proposal-justification")).to_contain_text("Ekstraordinær indsats")
    expect(worker.get_by_role("button", name="Godkend indstillingen")).to_have_count(0)

    head = login(browser, live_server, "kontorchef")
    head.goto(f"/sager/{journal}/")
    expect(head.get_by_text("Overskrider støtteloftet: støtteintensitet 57,5 %.")).to_be_visible()
    head.get_by_role("button", name="Godkend indstillingen").click()
    expect(head.get_by_role("heading", level=1)).to_have_text("Bekræft godkendelsen")
    # the confirmation shows why the ceiling may be passed
    expect(head.get_by_test_id("confirm-ceiling")).to_contain_text("Ekstraordinær indsats")
    axe(head)
    head.get_by_role("button", name=re.compile(r"^Ja, godkend ")).click()
    expect(head.get_by_text("afgørelsesbrevet er dannet")).to_be_visible()
    axe(head)
    proposal = TrancheProposal.objects.get()
    assert proposal.status == ProposalStatus.APPROVED and proposal.justification
