"""In the browser: the Content-Security-Policy blocks nothing on the main pages (so no page
relies on inline script or style), and an authority user goes through the TOTP setup."""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from evaluations.midway.schedule import grant_create
from klyngeadmin.kernel.roles import Role
from tests.factories import ClusterFactory, UserFactory

PASSWORD = "test-password-123"


def _watch_csp(page) -> list[str]:
    violations: list[str] = []
    page.on(
        "console",
        lambda msg: violations.append(msg.text)
        if "Content Security Policy" in msg.text or "Content-Security-Policy" in msg.text
        else None,
    )
    return violations


def _login(page, username):
    page.goto("/login/")
    page.get_by_label("Brugernavn").fill(username)
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()


@pytest.fixture
def director(transactional_db):
    cluster = ClusterFactory(name="CSP-klyngen")
    user = UserFactory(username="cspdirektoer", role=Role.DIRECTOR, cluster=cluster)
    grant_create(cluster=cluster, reference="KP-CSP-1", start_year=2025, horizon_years=10,
                 annual_amount_dkk=1_000_000)
    return user


def test_main_pages_cause_no_csp_violation(page, director):
    violations = _watch_csp(page)
    page.goto("/login/")
    _login(page, director.username)
    page.wait_for_load_state("networkidle")
    report_link = page.locator("a[href^='/rapporter/']").first
    pages = ["/statistik/", "/aktiviteter/", "/notifikationer/", "/api-noegler/"]
    if report_link.count():
        pages.insert(0, report_link.get_attribute("href"))
    for path in pages:
        page.goto(path)
        page.wait_for_load_state("networkidle")
    assert not violations, "\n".join(violations)


def test_caseworker_sets_up_totp_in_the_browser(page, settings, transactional_db):
    settings.REQUIRE_2FA = True
    UserFactory(username="cspsagsbehandler", role=Role.CASEWORKER)
    violations = _watch_csp(page)
    _login(page, "cspsagsbehandler")
    expect(page.get_by_role("heading", name="Opsæt totrinsbekræftelse")).to_be_visible()
    expect(page.get_by_role("img", name="QR-kode til din autentificeringsapp")).to_be_visible()
    device = TOTPDevice.objects.get(user__username="cspsagsbehandler")
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    page.get_by_label("Kode fra din autentificeringsapp").fill(f"{code:06d}")
    page.get_by_role("button", name="Bekræft").click()
    expect(page.get_by_role("heading", name="Opsæt totrinsbekræftelse")).to_have_count(0)
    assert TOTPDevice.objects.get(user__username="cspsagsbehandler").confirmed
    assert not violations, "\n".join(violations)
