"""The company page (/virksomheder/<cvr>/), "Opdatér fra CVR" and the JSON lookup behind the
forms: allowed and refused, both ways."""

from datetime import date

import pytest

from clusters.constants import CompanySource
from clusters.models import CompanyParticipation, CompanyRecordEvent
from klyngeadmin.kernel.roles import Role
from tests.cvr_server import CvrServer
from tests.factories import ActivityFactory, CompanyFactory, UserFactory, next_cvr

pytestmark = pytest.mark.django_db


@pytest.fixture
def register(settings):
    server = CvrServer().start()
    settings.CVR_URL = server.url
    settings.CVR_USERNAME, settings.CVR_PASSWORD = server.username, server.password
    settings.CVR_TIMEOUT, settings.CVR_RETRIES = 5.0, 0  # a healthy register answers in milliseconds; 0.5 s failed a lookup on a loaded machine
    settings.CVR_CIRCUIT_RESET_SECONDS = 0.0
    yield server
    server.stop()


@pytest.fixture
def company(cluster, other_cluster):
    c = CompanyFactory(name="Klyngens Navn")
    for cl, title in ((cluster, "Egen aktivitet"), (other_cluster, "Anden klynges aktivitet")):
        CompanyParticipation.objects.create(
            company=c, activity=ActivityFactory(cluster=cl, title=title, start_date=date(2025, 2, 1),
                                                end_date=date(2025, 2, 1)))
    return c


def test_caseworker_sees_the_company_page_and_updates_it(client, caseworker, company, register):
    register.add(company.cvr, name="Registrets Navn A/S", employees=30)
    client.force_login(caseworker)
    html = client.get(f"/virksomheder/{company.cvr}/").content.decode()
    assert "Klyngens Navn" in html and "Egen aktivitet" in html and "Anden klynges aktivitet" in html
    assert "Opdatér fra CVR" in html and "indtastet af en klynge" in html
    r = client.post(f"/virksomheder/{company.cvr}/opdater/", follow=True)
    assert "Virksomheden er opdateret fra CVR-registret." in r.content.decode()
    company.refresh_from_db()
    assert (company.name, company.source) == ("Registrets Navn A/S", CompanySource.CVR)
    assert CompanyRecordEvent.objects.get(company=company).actor == caseworker
    register.mode = "500"
    r = client.post(f"/virksomheder/{company.cvr}/opdater/", follow=True)
    assert "CVR-registret svarer ikke lige nu" in r.content.decode()


def test_company_page_is_refused_to_cluster_people_and_unknown_cvrs_are_404(client, director,
                                                                          caseworker, company):
    client.force_login(director)
    assert client.get(f"/virksomheder/{company.cvr}/").status_code == 403
    assert client.post(f"/virksomheder/{company.cvr}/opdater/").status_code == 403
    client.force_login(caseworker)
    assert client.get("/virksomheder/12345674/").status_code == 404
    client.logout()
    assert client.get(f"/virksomheder/{company.cvr}/").status_code == 302  # to the login page


def test_lookup_answers_the_register_for_cluster_people(client, director, register):
    cvr = next_cvr()
    register.add(cvr, name="Opslaget ApS", industry="Computerprogrammering")
    client.force_login(director)
    body = client.get("/virksomheder/opslag/", {"cvr": cvr}).json()
    assert (body["found"], body["name"], body["municipality"]) == (True, "Opslaget ApS", "Aarhus")
    assert client.get("/virksomheder/opslag/", {"cvr": next_cvr()}).json()["found"] is False
    assert client.get("/virksomheder/opslag/", {"cvr": "12345678"}).status_code == 400
    register.mode = "500"
    assert "svarer ikke" in client.get("/virksomheder/opslag/", {"cvr": cvr}).json()["message"]


def test_lookup_refused_without_login_and_open_to_applicants(client, db):
    assert client.get("/virksomheder/opslag/?cvr=12345674").status_code == 302
    client.force_login(UserFactory(role=Role.APPLICANT))
    assert client.get("/virksomheder/opslag/?cvr=12345674").status_code == 200
