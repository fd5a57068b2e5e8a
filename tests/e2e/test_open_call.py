"""Browser test of the open call for emerging areas: an administrator publishes a call; a new
organisation registers and applies in the browser; two caseworkers score; consensus; the
caseworker proposes approval and the head of office approves; the new cluster has its grant with
10 years laid out."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clusters.models import ClusterOrganisation
from evaluations.models import Criterion
from evaluations.panels.defaults import ensure_default_rubrics
from grants.calls.models import Application
from klyngeadmin.kernel.roles import Role
from tests.factories import InstitutionFactory, UserFactory, next_cvr

PASSWORD = "test-password-123"


@pytest.fixture
def setup(transactional_db):
    ensure_default_rubrics()
    UserFactory(username="admin1", administrator=True)
    for username, role in [("sagsbehandler1", Role.CASEWORKER), ("sagsbehandler2", Role.CASEWORKER),
                           ("kontorchef", Role.HEAD_OF_OFFICE)]:
        UserFactory(username=username, role=role)
    return {"institution": InstitutionFactory(name="Syddansk Erhvervsakademi", kind="academy")}


def login(page, username, password=PASSWORD):
    page.context.clear_cookies()
    page.goto("/login/")
    page.get_by_label("Brugernavn").fill(username)
    page.get_by_label("Adgangskode").fill(password)
    page.get_by_role("button", name="Log ind").click()
    expect(page).not_to_have_url(re.compile(r"/login/"))


def test_open_call_from_registration_to_ten_year_grant(page, setup, axe):
    # The administrator creates and publishes the call.
    login(page, "admin1")
    page.goto("/opslag/nyt/")
    now = timezone.localtime()
    page.get_by_label("Titel").fill("Åbent opslag for spirende områder 2027")
    page.get_by_label("Beskrivelse").fill("Nye områder kan søge om en 10-årig klyngebevilling.")
    page.get_by_label("Åbner").fill((now - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Ansøgningsfrist").fill((now + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Ramme pr. år (kr.)").fill("20000000")
    page.get_by_role("button", name="Opret opslag").click()
    page.get_by_role("button", name="Offentliggør opslaget").click()
    expect(page.locator("#call-status")).to_have_text("Offentliggjort")
    call_url = page.url

    # A new organisation registers and applies.
    page.context.clear_cookies()
    page.goto(call_url)
    axe(page)
    page.get_by_role("link", name="Registrér din organisation og ansøg").click()
    cvr = next_cvr()
    page.get_by_label("Organisationens navn").fill("Kvanteklyngen Fyn")
    page.get_by_label("CVR-nummer").fill(cvr)
    page.get_by_label("By").fill("Odense")
    page.get_by_label("Region").select_option("DK-83")
    page.get_by_label("Dit fornavn").fill("Kim")
    page.get_by_label("Dit efternavn").fill("Kvist")
    page.get_by_label("Din e-mail").fill("kim@example.test")
    page.get_by_label("Brugernavn").fill("kvanteklyngen")
    page.get_by_label("Adgangskode", exact=True).fill("Kvante-Fyn-2027!")
    page.get_by_label("Gentag adgangskoden").fill("Kvante-Fyn-2027!")
    page.get_by_role("button", name="Registrér og fortsæt til ansøgningen").click()
    expect(page.get_by_role("heading", name="Ansøgning til det åbne opslag")).to_be_visible()
    axe(page)
    page.get_by_label("Det spirende område").fill("Kvanteteknologi")
    page.get_by_label("Beskrivelse af området og klyngens formål").fill("Kvantesensorer til industrien.")
    page.get_by_label("Samlet årligt budget (kr.)").fill("6000000")
    page.get_by_label("Ansøgt beløb pr. år (kr.)").fill("4000000")
    page.get_by_label("Privat medfinansiering pr. år (kr.)").fill("1500000")
    page.get_by_label("Virksomheder i konsortiet").fill(f"{next_cvr()};Kvantefirma ApS\n{next_cvr()};Sensor A/S")
    page.get_by_label("Syddansk Erhvervsakademi (Erhvervsakademi)").check()
    page.get_by_role("button", name="Indsend ansøgningen").click()
    expect(page.locator("#application-status")).to_have_text("Under bedømmelse")
    application = Application.objects.get(applicant_cvr=cvr)
    detail = f"/opslag/ansoegninger/{application.pk}/"
    titles = list(Criterion.objects.filter(rubric__purpose="application", rubric__active=True)
                  .order_by("position").values_list("title", flat=True))

    # Two caseworkers score.
    for username, value in [("sagsbehandler1", 4), ("sagsbehandler2", 3)]:
        login(page, username)
        page.goto(detail)
        page.get_by_role("link", name="Deltag i bedømmelsespanelet").click()
        page.get_by_label("Jeg erklærer, at jeg ikke er inhabil i forhold til klyngen").check()
        page.get_by_role("button", name="Afgiv erklæring og deltag i panelet").click()
        for title in titles:
            page.get_by_label(f"Point for {title}", exact=True).select_option(str(value))
            page.get_by_label(f"Begrundelse for {title}", exact=True).fill("Vurderet ud fra ansøgningen")
        page.get_by_role("button", name="Indsend min bedømmelse").click()
        expect(page.locator("#application-status")).to_be_visible()

    # Consensus and proposal by the first caseworker; approval by the head of office.
    login(page, "sagsbehandler1")
    page.goto(detail)
    page.get_by_role("link", name="Fastlæg konsensus").click()
    for title in titles:
        page.get_by_label(f"Point for {title}", exact=True).select_option("4")
        page.get_by_label(f"Begrundelse for {title}", exact=True).fill("Panelet er enigt")
    page.get_by_label("Panelets anbefaling").select_option("approve")
    page.get_by_label("Begrundelse for anbefalingen").fill("Et stærkt spirende område.")
    page.get_by_role("button", name="Gem konsensus og anbefaling").click()
    page.get_by_role("link", name="Indstil afgørelse").click()
    page.get_by_label("Bevilling").check()
    page.get_by_label("Begrundelse").fill("Stærkt konsortium og realistisk budget.")
    page.get_by_role("button", name="Indstil til godkendelse").click()
    expect(page.get_by_role("button", name="Godkend indstillingen")).to_have_count(0)

    login(page, "kontorchef")
    page.goto(detail)
    page.get_by_role("button", name="Godkend indstillingen").click()
    expect(page.locator("#application-status")).to_have_text("Godkendt")
    expect(page.locator("#grant-created")).to_contain_text("10 bevillingsår")

    cluster = ClusterOrganisation.objects.get(cvr=cvr)
    assert cluster.strength_position.emerging
    grant = cluster.grants.get()
    assert grant.tranches.count() == 10 and grant.reports.count() == 10
    assert grant.midway_evaluation.year == grant.start_year + 4

    # The applicant is now the cluster's director.
    login(page, "kvanteklyngen", "Kvante-Fyn-2027!")
    expect(page.locator(".user-cluster")).to_have_text("Kvanteklyngen Fyn")
