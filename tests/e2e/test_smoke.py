from playwright.sync_api import expect


def test_login_page_shows_username_field(page, live_server):
    response = page.goto(live_server.url + "/login/")
    assert response is not None and response.ok, (
        f"GET /login/ answered {response and response.status}"
    )
    expect(page.locator("input[name='username']")).to_be_visible()
