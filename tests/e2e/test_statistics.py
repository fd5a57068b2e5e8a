"""The public statistics page in a real browser: the headline figures, the tables, axe."""

from playwright.sync_api import expect


def test_public_statistics_page_shows_headline_figures_and_passes_axe(demo_data, page, live_server, axe):
    response = page.goto(live_server.url + "/statistik/")
    assert response is not None and response.ok
    expect(page.locator("h1")).to_have_text("Klyngestatistik")
    figures = page.locator(".stat-key-figures")
    expect(figures).to_contain_text("11.050")
    expect(figures).to_contain_text("3.083")
    expect(figures).to_contain_text("5.784")
    expect(figures).to_contain_text("365.000.000 kr.")
    expect(figures).to_contain_text("850.000.000 kr.")
    expect(figures).to_contain_text("50,0 %")
    expect(page.locator("table caption", has_text="Klyngerne side om side")).to_be_visible()
    expect(page.locator("svg[role='img']").first).to_be_visible()
    axe(page)


def test_public_statistics_period_filter_by_keyboard(page, live_server, axe):
    page.goto(live_server.url + "/statistik/")
    page.get_by_label("Fra år").select_option("2024")
    page.get_by_label("Til år").select_option("2021")
    page.get_by_role("button", name="Vis tal").press("Enter")
    expect(page.locator(".form-error-message")).to_contain_text("Til-året skal være")
    expect(page.get_by_label("Til år")).to_have_attribute("aria-invalid", "true")
    axe(page)
