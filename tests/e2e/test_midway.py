"""Browser test of the midway evaluation from start to decision: the caseworker opens it, the
cluster submits its self-assessment, two caseworkers score blind (the second cannot see the
first's scores in the page or by URL), consensus, a withdrawal proposed by the caseworker and
approved by the head of office, years 6-10 cancelled, and the director sees the letter."""

import re

import pytest
from playwright.sync_api import expect

from evaluations.constants import EvaluationStatus
from evaluations.midway.schedule import grant_create
from evaluations.models import PanelMember
from evaluations.panels.defaults import ensure_default_rubrics
from grants.cases.models import Case, DecisionLetter
from grants.constants import GrantStatus, ReportStatus, TrancheStatus
from klyngeadmin.kernel.roles import Role
from tests.factories import ClusterFactory, UserFactory

PASSWORD = "test-password-123"
SECRET = "Første bedømmers fortrolige begrundelse"


@pytest.fixture
def setup(transactional_db):
    ensure_default_rubrics()
    cluster = ClusterFactory(name="Spirende Klynge Vest")
    director = UserFactory(username="direktoer", role=Role.DIRECTOR, cluster=cluster,
                           first_name="Dorthe", last_name="Direktør")
    for username, role, first in [("sagsbehandler1", Role.CASEWORKER, "Karen"),
                                  ("sagsbehandler2", Role.CASEWORKER, "Kasper"),
                                  ("kontorchef", Role.HEAD_OF_OFFICE, "Henrik")]:
        UserFactory(username=username, role=role, first_name=first, last_name="ERST")
    grant = grant_create(cluster=cluster, reference="KP-E2E-MW", start_year=2025, horizon_years=10,
                         annual_amount_dkk=5_000_000)
    return {"grant": grant, "evaluation": grant.midway_evaluation, "director": director}


def login(page, username):
    page.context.clear_cookies()
    page.goto("/login/")
    page.get_by_label("Brugernavn").fill(username)
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    expect(page).not_to_have_url(re.compile(r"/login/"))


def criteria_titles(evaluation):
    evaluation.refresh_from_db()
    return list(evaluation.rubric.criteria.order_by("position").values_list("title", "key"))


def score_all(page, titles, value, reason):
    for title, _key in titles:
        page.get_by_label(f"Point for {title}", exact=True).select_option(str(value))
        page.get_by_label(f"Begrundelse for {title}", exact=True).fill(reason)


def test_midway_evaluation_withdrawal_end_to_end(page, setup, axe):
    evaluation = setup["evaluation"]
    detail = f"/midtvejsevaluering/{evaluation.pk}/"

    # The caseworker opens the evaluation.
    login(page, "sagsbehandler1")
    page.goto(detail)
    page.get_by_role("button", name="Åbn evalueringen og bed klyngen om selvevaluering").click()
    # before its year the caseworker confirms first (nothing is opened by the first click)
    expect(page.get_by_role("heading", level=1)).to_have_text("Åbn midtvejsevalueringen før tid?")
    axe(page)
    page.get_by_role("button", name="Ja, åbn evalueringen nu").click()
    expect(page.locator("#evaluation-status")).to_have_text("Selvevaluering")
    titles = criteria_titles(evaluation)

    # The cluster fills in and submits its self-assessment.
    login(page, "direktoer")
    page.goto(detail)
    page.get_by_role("link", name="Udfyld selvevaluering").click()
    expect(page.get_by_role("heading", name=re.compile("Nøgletal for år 1–5"))).to_be_visible()
    axe(page)
    page.get_by_label("Samlet vurdering").fill("Vi har nået de fleste mål.")
    for title, _key in titles:
        page.get_by_label(title, exact=True).fill(f"Vores indsats: {title}.")
    page.get_by_role("button", name="Indsend selvevalueringen").click()
    expect(page.locator("#evaluation-status")).to_have_text("Bedømmelse")

    # The first caseworker declares no conflict and scores.
    login(page, "sagsbehandler1")
    page.goto(detail)
    page.get_by_role("link", name="Deltag i bedømmelsespanelet").click()
    page.get_by_label("Jeg erklærer, at jeg ikke er inhabil i forhold til klyngen").check()
    page.get_by_role("button", name="Afgiv erklæring og deltag i panelet").click()
    page.get_by_role("link", name="Bedøm").click()
    axe(page)
    score_all(page, titles, 1, SECRET)
    page.get_by_role("button", name="Indsend min bedømmelse").click()
    expect(page.get_by_text("Din bedømmelse er indsendt.")).to_be_visible()
    first_member = PanelMember.objects.get(user__username="sagsbehandler1")

    # The second caseworker cannot see the first's scores: not in the page, not by URL.
    login(page, "sagsbehandler2")
    page.goto(detail)
    expect(page.get_by_text(SECRET)).to_have_count(0)
    page.get_by_role("link", name="Deltag i bedømmelsespanelet").click()
    page.get_by_label("Jeg erklærer, at jeg ikke er inhabil i forhold til klyngen").check()
    page.get_by_role("button", name="Afgiv erklæring og deltag i panelet").click()
    page.get_by_role("link", name="Bedøm").click()
    expect(page.get_by_text(SECRET)).to_have_count(0)
    response = page.goto(f"{detail}bedoemmelse/{first_member.pk}/")
    assert response.status == 403
    page.goto(f"{detail}bedoemmelse/")
    score_all(page, titles, 2, "Anden bedømmers begrundelse")
    page.get_by_role("button", name="Indsend min bedømmelse").click()
    expect(page.locator("#evaluation-status")).to_have_text("Konsensus")
    # now revealed
    response = page.goto(f"{detail}bedoemmelse/{first_member.pk}/")
    assert response.status == 200
    expect(page.get_by_text(SECRET).first).to_be_visible()

    # Consensus and the proposal (the first caseworker).
    login(page, "sagsbehandler1")
    page.goto(detail)
    page.get_by_role("link", name="Fastlæg konsensus").click()
    score_all(page, titles, 1, "Panelet er enigt: for lidt fremgang.")
    page.get_by_label("Panelets anbefaling").select_option("withdraw")
    page.get_by_label("Begrundelse for anbefalingen").fill("Klyngen lever ikke op til forventningerne.")
    page.get_by_role("button", name="Gem konsensus og anbefaling").click()
    expect(page.get_by_text("Konsensus og anbefaling er gemt.")).to_be_visible()
    page.get_by_role("link", name="Indstil afgørelse").click()
    page.get_by_label("Tilbagekaldelse").check()
    page.get_by_label("Begrundelse", exact=True).fill("Lave point på alle kriterier trods klyngens udgangspunkt.")
    page.get_by_role("button", name="Indstil til godkendelse").click()
    expect(page.locator("#evaluation-status")).to_have_text("Indstillet")
    expect(page.get_by_role("button", name="Godkend afgørelsen")).to_have_count(0)  # four eyes

    # The head of office cannot decide the withdrawal before the cluster has been heard.
    login(page, "kontorchef")
    page.goto(detail)
    axe(page)
    page.get_by_role("button", name="Godkend afgørelsen").click()
    expect(page.get_by_text("kræver en partshøring først")).to_be_visible()
    expect(page.locator("#evaluation-status")).to_have_text("Indstillet")

    # The caseworker sends the hearing letter from the evaluation's case ...
    journal = Case.objects.get(evaluation=evaluation).journal_number
    login(page, "sagsbehandler1")
    page.goto(f"/sager/{journal}/")
    page.get_by_text("Send i partshøring", exact=True).click()
    page.get_by_label("Påtænkt afgørelse").fill("Bevillingen tilbagekaldes fra bevillingsår 6.")
    page.get_by_label("Begrundelse", exact=True).fill("Lave point på alle kriterier.")
    expect(page.get_by_label("Høringsfrist (dage)")).to_have_value("14")
    page.get_by_role("button", name="Send høringsbrev").click()
    expect(page.get_by_text("Høringsbrevet er sendt")).to_be_visible()
    expect(page.get_by_test_id("case-status")).to_have_text("Afventer klyngen")

    # ... the director reads it under Mine sager and answers in the case ...
    login(page, "direktoer")
    page.goto("/mine-sager/")
    expect(page.get_by_text("Jeres høringssvar")).to_be_visible()
    page.get_by_role("link", name=journal, exact=True).click()
    expect(page.get_by_role("heading", name="Partshøring: jeres svar")).to_be_visible()
    expect(page.get_by_text("Bevillingen tilbagekaldes fra bevillingsår 6.").first).to_be_visible()
    axe(page)
    page.get_by_label("Jeres høringssvar").fill("Vi har en plan for de næste år.")
    page.get_by_role("button", name="Send høringssvar").click()
    expect(page.get_by_text("Jeres høringssvar er modtaget.")).to_be_visible()
    expect(page.get_by_text(re.compile(rf"kvittering for modtagelse {journal}-H"))).to_be_visible()

    # ... and the head of office decides, confirming what the withdrawal takes.
    login(page, "kontorchef")
    page.goto(detail)
    page.get_by_role("button", name="Godkend afgørelsen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bekræft tilbagekaldelsen")
    expect(page.get_by_test_id("confirm-amount")).to_have_text("25.000.000 kr.")  # years 6-10
    expect(page.get_by_test_id("confirm-grant")).to_contain_text("KP-E2E-MW")
    axe(page)
    page.get_by_role("button", name="Ja, tilbagekald bevillingen").click()
    expect(page.locator("#evaluation-status")).to_have_text("Afgjort")
    expect(page.get_by_text("Rater og årsrapporter efter år 5 er annulleret.")).to_be_visible()

    grant = setup["grant"]
    grant.refresh_from_db()
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.DECIDED
    assert grant.status == GrantStatus.WITHDRAWN
    assert set(grant.tranches.filter(year_number__gte=6).values_list("status", flat=True)) == {
        TrancheStatus.CANCELLED}
    assert set(grant.reports.filter(year_number__gte=6).values_list("status", flat=True)) == {
        ReportStatus.CANCELLED}
    assert not grant.tranches.filter(year_number__lte=5, status=TrancheStatus.CANCELLED).exists()

    # The director sees the decision and the letter.
    login(page, "direktoer")
    page.goto(detail)
    expect(page.locator("#decision-outcome")).to_have_text(re.compile("Tilbagekaldelse"))
    axe(page)
    link = page.get_by_role("link", name="Afgørelsesbrev (PDF)")
    expect(link).to_be_visible()
    pdf = page.request.get(link.get_attribute("href"), timeout=90_000)  # WeasyPrint on a busy machine
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")
    # the stored decision letter quotes the receipt of the cluster's answer
    stored = DecisionLetter.objects.get(case__journal_number=journal, kind="midway_decision")
    assert f"kvittering {journal}-H" in stored.body
