from playwright.sync_api import expect

from klyngeadmin.accounts.models import ApiKey
from tests.factories import UserFactory


def test_director_issues_and_revokes_an_api_key(page, live_server, axe, cluster):
    UserFactory(username="direktor", role="director", cluster=cluster)
    page.goto("/login/")
    page.get_by_label("Brugernavn").fill("direktor")
    page.get_by_label("Adgangskode").fill("test-password-123")
    page.get_by_role("button", name="Log ind").click()
    page.goto("/api-noegler/")
    expect(page.get_by_role("heading", level=1)).to_have_text("API-nøgler")
    axe(page)
    page.get_by_label("Navn").fill("Vores CRM")
    page.get_by_role("button", name="Opret nøgle").click()
    value = page.locator("#api-key-value").input_value()
    assert value.startswith("ka_")
    axe(page)
    page.get_by_role("link", name="Tilbage til API-nøgler").click()
    page.get_by_role("link", name="Tilbagekald nøglen Vores CRM").click()
    axe(page)
    page.get_by_role("button", name="Tilbagekald nøglen").click()
    expect(page.get_by_text("er tilbagekaldt")).to_be_visible()
    assert ApiKey.objects.get().revoked_at is not None
