"""In the browser: a cluster director signs in with MitID Erhverv through the development
identity provider (the local stand-in for NemLog-in that `make run` switches on): login page,
IdP page, the signed assertion auto-posted back, and the page they asked for."""

import pytest
from playwright.sync_api import expect

from klyngeadmin.kernel.roles import Role
from tests.factories import ClusterFactory, UserFactory


@pytest.fixture
def dev_idp_on(settings, live_server, tmp_path):
    settings.SITE_URL = live_server.url
    settings.SAML_IDP_METADATA = ""
    settings.SAML_SP_KEY_FILE = settings.SAML_SP_CERT_FILE = ""
    settings.SAML_DEV_IDP = True
    settings.SAML_DEV_KEYS_DIR = tmp_path


@pytest.fixture
def director(transactional_db):
    cluster = ClusterFactory(name="MitID-klyngen")
    ClusterFactory(name="Anden klynge")
    return UserFactory(username="mitid-direktoer", role=Role.DIRECTOR, cluster=cluster,
                       first_name="Mette", last_name="Direktør", email="mette@mitid-klyngen.example")


def test_director_signs_in_with_mitid_erhverv_and_lands_where_they_were_going(
    page, dev_idp_on, director, axe
):
    csp = []
    page.on("console", lambda m: csp.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto("/aktiviteter/")  # not signed in: the login page, remembering where to go
    expect(page.get_by_role("heading", name="Log ind", exact=True)).to_be_visible()
    axe(page)

    page.get_by_role("link", name="Log ind med MitID Erhverv").click()
    expect(page.get_by_role("heading", name="MitID Erhverv (lokal test-IdP)")).to_be_visible()
    axe(page)
    page.get_by_label("Klyngeorganisation (CVR i login-svaret)").select_option(
        label=f"{director.cluster.name} ({director.cluster.cvr})"
    )
    page.get_by_label("Klyngens direktør").check()
    page.get_by_role("button", name="Log ind som den valgte person").click()

    page.wait_for_url("**/aktiviteter/")  # the assertion was posted back by the static script
    expect(page.locator("#portal-user")).to_contain_text("Mette Direktør")
    expect(page.locator("#portal-user")).to_contain_text("MitID-klyngen")
    assert csp == []
    director.refresh_from_db()
    assert director.saml_subject and director.saml_subject.startswith("urn:uuid:")

    page.get_by_role("button", name="Log ud").click()
    page.goto("/aktiviteter/")
    expect(page.get_by_role("heading", name="Log ind", exact=True)).to_be_visible()


def test_a_new_employee_of_a_cluster_signs_in_as_cluster_staff(page, dev_idp_on, director):
    page.goto("/login/")
    page.get_by_role("link", name="Log ind med MitID Erhverv").click()
    # No account was prepared for them: they are created as cluster staff of the CVR's cluster.
    page.get_by_label("Klyngeorganisation (CVR i login-svaret)").select_option(
        label=f"{director.cluster.name} ({director.cluster.cvr})"
    )
    page.get_by_label("En ny medarbejder").check()
    page.get_by_role("button", name="Log ind som den valgte person").click()
    page.wait_for_url("**/oversigt/")
    expect(page.locator("#portal-user")).to_contain_text("Ny Medarbejder")
    expect(page.locator("#portal-user")).to_contain_text("MitID-klyngen")
