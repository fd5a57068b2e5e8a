"""In the browser, on a phone and at 320 px: the header menu opens and closes by keyboard and
reaches notifications and "Log ud"; no page scrolls sideways (wide tables scroll in their own
container, with a visible cue); axe is clean at both widths; an English-language browser still
gets Danish; the footer links, the favicon and the header mark are there on every page."""

import pytest
from playwright.sync_api import expect

from evaluations.midway.schedule import grant_create
from grants.cases.flows import report_submit
from klyngeadmin.kernel.roles import Role
from tests.e2e.conftest import screenshot
from tests.factories import ClusterFactory, UserFactory
from tests.grants.report_helpers import fill_report

PASSWORD = "test-password-123"
PHONE = {"width": 390, "height": 844}
NARROW = {"width": 320, "height": 640}


@pytest.fixture
def data(transactional_db):
    cluster = ClusterFactory(name="Smalle Skærmes Klynge for Meget Lange Navne")
    director = UserFactory(username="telefon", role=Role.DIRECTOR, cluster=cluster,
                           first_name="Tine", last_name="Telefon")
    caseworker = UserFactory(username="sagsbehandler", role=Role.CASEWORKER, first_name="Karen")
    grant = grant_create(cluster=cluster, reference="KP-E2E-SMAL", start_year=2025,
                         horizon_years=10, annual_amount_dkk=7_500_000)
    report = fill_report(grant.reports.get(year=2025))
    report_submit(report=report, actor=director)
    return {"director": director, "caseworker": caseworker, "report": report}


def sign_in(page, username):
    page.goto("/login/")
    page.get_by_label("Brugernavn").fill(username)
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    expect(page.locator(".js-nav-toggle")).to_be_attached()


def shot(page, name):
    screenshot(page, f"daily_{name}")


def tab_to(page, predicate_js: str, limit: int = 40) -> None:
    """Press Tab until the focused element satisfies the JS predicate (el => bool)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"() => {{ const el = document.activeElement; return !!el && ({predicate_js})(el); }}"):
            return
    pytest.fail(f"never reached by Tab: {predicate_js}")


def assert_no_horizontal_scroll(page) -> None:
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{page.url}: page {widths[0]} px wide in a {widths[1]} px window"


def test_the_menu_by_keyboard_at_phone_width(browser, live_server, data, axe):
    context = browser.new_context(locale="da-DK", base_url=live_server.url, viewport=PHONE)
    page = context.new_page()
    try:
        sign_in(page, "telefon")
        menu_button = page.get_by_role("button", name="Menu")
        expect(menu_button).to_be_visible()
        expect(menu_button).to_have_attribute("aria-expanded", "false")
        expect(page.get_by_role("button", name="Log ud")).to_be_hidden()
        expect(page.get_by_role("link", name="Aktiviteter")).to_be_hidden()
        axe(page)
        tab_to(page, "el => el.classList.contains('js-nav-toggle')")
        page.keyboard.press("Enter")
        expect(menu_button).to_have_attribute("aria-expanded", "true")
        expect(page.get_by_role("link", name="Oversigt", exact=True)).to_be_focused()
        shot(page, "menu_open_390")
        axe(page)
        tab_to(page, "el => el.id === 'notifications-link-menu'")
        tab_to(page, "el => el.classList.contains('log-off')")
        log_off = page.get_by_role("button", name="Log ud")
        expect(log_off).to_be_visible()
        box = log_off.bounding_box()
        assert box["height"] < 60, "Log ud wraps onto two lines"
        page.keyboard.press("Escape")
        expect(menu_button).to_have_attribute("aria-expanded", "false")
        expect(menu_button).to_be_focused()
        expect(log_off).to_be_hidden()
        # and the menu's own "Log ud" signs out
        page.keyboard.press("Enter")
        tab_to(page, "el => el.classList.contains('log-off')")
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", name="Log ind")).to_be_visible()
    finally:
        context.close()


def test_the_desktop_header_has_no_menu_button_and_log_ud_on_one_line(page, data):
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in(page, "telefon")
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    log_off = page.get_by_role("button", name="Log ud")
    expect(log_off).to_be_visible()
    assert log_off.bounding_box()["height"] < 60
    # the mark is ours, not DKFDS' Virk logo
    background = page.evaluate(
        "() => getComputedStyle(document.querySelector('.header .logo')).backgroundImage")
    assert background == "none"
    expect(page.locator(".header .logo")).to_contain_text("klyngeadmin")
    expect(page.locator(".header .logo")).to_contain_text("Erhvervsstyrelsen")


DIRECTOR_PAGES = ["/oversigt/", "/aktiviteter/", "/aktiviteter/ny/", "/projekter/", "/mine-sager/",
                  "/api-noegler/", "/statistik/klynge/", "/notifikationer/",
                  "/notifikationer/indstillinger/", "/midtvejsevaluering/"]
CASEWORKER_PAGES = ["/sager/", "/statistik/sagsbehandler/", "/midtvejsevaluering/", "/opslag/"]
PUBLIC_PAGES = ["/statistik/", "/login/", "/tilgaengelighedserklaering/", "/privatliv/",
                "/kontakt/"]


def _check_pages(page, urls, axe, label, with_axe):
    missing = []
    page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
    for url in urls:
        response = page.goto(url)
        assert response.status == 200, (url, response.status)
        assert_no_horizontal_scroll(page)
        footer = page.locator("footer")
        for name in ("Tilgængelighedserklæring", "Behandling af personoplysninger",
                     "Kontakt og hjælp"):
            expect(footer.get_by_role("link", name=name)).to_be_visible()
        if with_axe:
            axe(page)
    shot(page, label)
    assert not missing, f"404 while loading the pages (favicon?): {missing}"


@pytest.mark.parametrize("viewport", [NARROW, PHONE], ids=["320px", "390px"])
def test_every_main_page_fits_the_screen_and_axe_is_clean(browser, live_server, data, axe,
                                                          viewport):
    context = browser.new_context(locale="da-DK", base_url=live_server.url, viewport=viewport)
    page = context.new_page()
    try:
        report_url = f"/rapporter/{data['report'].pk}/"
        _check_pages(page, PUBLIC_PAGES, axe, f"public_{viewport['width']}", with_axe=True)
        sign_in(page, "telefon")
        _check_pages(page, [*DIRECTOR_PAGES, report_url], axe,
                     f"director_{viewport['width']}", with_axe=True)
        page.goto("/statistik/klynge/")
        shot(page, f"statistics_{viewport['width']}")
        page.context.clear_cookies()
        sign_in(page, "sagsbehandler")
        case_url = page.locator("table a[href^='/sager/']").first.get_attribute("href")
        _check_pages(page, [*CASEWORKER_PAGES, case_url], axe,
                     f"caseworker_{viewport['width']}", with_axe=True)
    finally:
        context.close()


def test_a_wide_table_scrolls_in_its_own_container_with_a_visible_cue(browser, live_server,
                                                                     data):
    context = browser.new_context(locale="da-DK", base_url=live_server.url, viewport=NARROW)
    page = context.new_page()
    try:
        sign_in(page, "sagsbehandler")
        page.goto("/statistik/sagsbehandler/")
        assert_no_horizontal_scroll(page)
        scrollable = page.locator(".table-wrap.is-scrollable, .table-scroll.is-scrollable")
        assert scrollable.count() > 0, "no table is wider than 320 px?"
        first = scrollable.first
        assert first.evaluate("el => el.scrollWidth > el.clientWidth")
        assert first.get_attribute("tabindex") == "0"  # keyboard users can scroll it
        cue = page.locator(".table-scroll-cue:not([hidden])").first
        expect(cue).to_be_visible()
        expect(cue).to_contain_text("rul til siden")
        first.evaluate("el => el.closest('section').scrollIntoView()")
        screenshot(first.locator("xpath=ancestor::section[1]"), "daily_wide_table_320",
                   full_page=False)
    finally:
        context.close()


def test_an_english_language_browser_gets_danish(browser, live_server, data, axe):
    context = browser.new_context(locale="en-US", base_url=live_server.url,
                                  extra_http_headers={"Accept-Language": "en-US,en;q=0.9"})
    page = context.new_page()
    try:
        page.goto("/login/")
        expect(page.locator("html")).to_have_attribute("lang", "da")
        expect(page.get_by_role("heading", name="Log ind", exact=True)).to_be_visible()
        sign_in(page, "telefon")
        expect(page.get_by_role("heading", name="Næste skridt")).to_be_visible()
        expect(page.get_by_role("button", name="Log ud")).to_be_visible()
        axe(page)
        # English only when chosen
        page.get_by_role("button", name="English").click()
        expect(page.get_by_role("heading", name="Next step")).to_be_visible()
        expect(page.locator("html")).to_have_attribute("lang", "en")
    finally:
        context.close()
