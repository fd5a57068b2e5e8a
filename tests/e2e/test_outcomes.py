"""Browser test of outcomes in companies (issue 15): a director registers outcomes for the 2026
report, sends a follow-up survey, submits the report; the company's contact answers the
single-use link in a browser that is not signed in. axe-core on every new page; the state-aid
pages too."""

import re

import pytest
from playwright.sync_api import expect

from clusters.models import CompanyParticipation, ExchangeRate, StateAidCeiling
from clusters.stateaid.defaults import seed_defaults
from evaluations.midway.schedule import grant_create
from grants.constants import ReportStatus
from grants.notifications.models import Notification
from grants.outcomes.models import CompanyOutcome
from klyngeadmin.kernel.roles import Role
from tests.e2e.test_reporting import fill_report, login
from tests.factories import ClusterFactory, UserFactory
from tests.grants.report_helpers import build_activity_data


@pytest.fixture
def setup(transactional_db):
    seed_defaults(StateAidCeiling, ExchangeRate)  # the seeded configuration (a flush empties it)
    cluster = ClusterFactory(name="Resultatklyngen")
    UserFactory(username="direktoer", role=Role.DIRECTOR, cluster=cluster,
                email="direktoer@example.test")
    grant = grant_create(cluster=cluster, reference="KP-E2E-15", start_year=2025, horizon_years=10,
                         annual_amount_dkk=10_000_000)
    build_activity_data(cluster, 2026)
    participation = CompanyParticipation.objects.filter(activity__cluster=cluster, activity__year=2026) \
        .select_related("company", "activity").order_by("activity__title", "company__name").first()
    return {"report": grant.reports.get(year=2026), "company": participation.company,
            "activity": participation.activity}


def test_director_fills_outcomes_in_the_2026_report_and_a_company_answers_its_survey(page, setup, axe, browser,
                                                                                     live_server):
    report, company, activity = setup["report"], setup["company"], setup["activity"]
    login(page, "direktoer")
    page.goto(f"/rapporter/{report.pk}/")
    section = page.locator("section", has=page.get_by_role("heading", name="Resultater i virksomhederne"))
    expect(section).to_be_visible()
    section.get_by_role("link", name="Registrér resultater og send spørgeskemaer").click()
    expect(page).to_have_url(re.compile(r"/resultater/2026/$"))
    axe(page)

    # an investment without its amount is refused with the error named at the top
    page.locator("#id_subject").select_option(f"a:{activity.external_id}")
    page.locator("#id_cvr").fill(company.cvr)
    page.locator("#id_kind").select_option("investment")
    page.get_by_role("button", name="Registrér resultat").click()
    expect(page.locator("#error-summary")).to_be_focused()
    expect(page.locator("#error-summary")).to_contain_text("beløb i hele kroner")
    axe(page)
    assert not CompanyOutcome.objects.exists()
    page.locator("#id_investment_dkk").fill("1.500.000")
    page.get_by_role("button", name="Registrér resultat").click()
    expect(page.get_by_text("Resultatet er registreret.")).to_be_visible()
    page.locator("#id_subject").select_option(f"a:{activity.external_id}")
    page.locator("#id_cvr").fill(company.cvr)
    page.locator("#id_kind").select_option("competence")
    page.get_by_role("button", name="Registrér resultat").click()
    expect(page.get_by_text("Resultatet er registreret.")).to_be_visible()
    expect(page.get_by_role("cell", name="Ny kompetence")).to_be_visible()

    # the follow-up survey to the participant contact
    page.locator("#id_invite-subject").select_option(f"a:{activity.external_id}")
    page.locator("#id_invite-cvr").fill(company.cvr)
    page.get_by_label("Kontaktpersonens navn").fill("Kim Kontakt")
    page.get_by_label("Kontaktpersonens e-mail").fill("kim@virksomhed.example")
    page.get_by_role("button", name="Send spørgeskema").click()
    expect(page.get_by_text("Spørgeskemaet er sendt til kim@virksomhed.example.")).to_be_visible()
    axe(page)

    # back in the report: the outcomes beside the narrative; fill and submit
    page.goto(f"/rapporter/{report.pk}/")
    table = page.get_by_role("table", name="Resultater i virksomhederne 2026")
    expect(table.get_by_role("row", name=re.compile(r"Udløst investering 1 1\.500\.000 kr\."))).to_be_visible()
    fill_report(page)
    page.get_by_role("button", name="Gem og gå til indsendelse").click()
    page.get_by_label("Jeg bekræfter").check()
    page.get_by_role("button", name="Indsend årsrapporten").click()
    expect(page.get_by_text("er indsendt som version 1")).to_be_visible()
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED

    # the company's contact opens the link from the mail, not signed in
    link = Notification.objects.get(kind="survey:invitation").url
    path = re.sub(r"^https?://[^/]+", "", link)
    context = browser.new_context(locale="da-DK", base_url=live_server.url)
    survey = context.new_page()
    try:
        survey.goto(path)
        expect(survey.get_by_role("heading", level=1)).to_contain_text(company.name)
        axe(survey)
        survey.get_by_label("Nyt produkt eller ny proces").check()
        survey.get_by_label("Nyt samarbejde med en videninstitution").check()
        survey.get_by_role("button", name="Send svar").click()
        expect(survey.get_by_role("heading", name="Tak for svaret")).to_be_visible()
        axe(survey)
        survey.goto(path)  # single use
        expect(survey.get_by_text("allerede besvaret")).to_be_visible()
    finally:
        context.close()
    got = set(CompanyOutcome.objects.filter(source="survey").values_list("kind", "company_id"))
    assert got == {("product", company.pk), ("knowledge_collaboration", company.pk)}


def test_state_aid_pages_pass_axe(page, setup, axe):
    activity, company = setup["activity"], setup["company"]
    login(page, "direktoer")
    page.goto(f"/aktiviteter/{activity.pk}/statsstoette/")
    page.get_by_label("Markedspris").check()
    page.get_by_label("Deltagerbetaling pr. deltager (kr.)").fill("1.200")
    page.get_by_role("button", name="Gem deltagerbetaling").click()
    expect(page.get_by_text("Deltagerbetalingen er gemt.")).to_be_visible()
    axe(page)
    page.goto("/statsstoette/")
    page.get_by_label("Virksomhedens CVR-nummer").fill(company.cvr)
    page.get_by_label("Erklæret den").fill("2026-01-01")
    page.get_by_role("button", name="Registrér erklæring").click()
    expect(page.get_by_text("er registreret")).to_be_visible()
    axe(page)
    page.goto(f"/aktiviteter/{activity.pk}/statsstoette/")
    page.get_by_label("Virksomhed", exact=True).select_option(str(company.pk))
    page.get_by_label("De minimis-støtte (forordning 2023/2831)").check()
    page.get_by_label("Støttens værdi (kr.)").fill("2.300.000")
    page.get_by_role("button", name="Registrér støtte").click()
    expect(page.get_by_text("over loftet")).to_be_visible()  # EUR 308,297 > 300,000
    axe(page)
    page.goto("/statsstoette/")
    expect(page.get_by_role("cell", name="Over loftet")).to_be_visible()
    axe(page)
