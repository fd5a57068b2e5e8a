"""In the browser: a director switches to English and back, by keyboard; the page's language
attribute follows, so screen readers read it in the right language."""

import pytest
from playwright.sync_api import expect

from klyngeadmin.kernel.roles import Role
from tests.factories import ClusterFactory, UserFactory


@pytest.fixture
def director(transactional_db):
    return UserFactory(username="sprog", role=Role.DIRECTOR,
                       cluster=ClusterFactory(name="Sprogklyngen"), first_name="Sara")


def test_switch_to_english_and_back(page, director, axe):
    page.goto("/login/")
    expect(page.locator("html")).to_have_attribute("lang", "da")
    page.get_by_role("button", name="English").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Sign in", exact=True)).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    axe(page)
    page.get_by_label("Username").fill("sprog")
    page.get_by_label("Password").fill("test-password-123")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Overview for Sprogklyngen")).to_be_visible()
    axe(page)
    page.get_by_role("button", name="Dansk").click()
    expect(page.get_by_role("heading", name="Oversigt for Sprogklyngen")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "da")
    director.refresh_from_db()
    assert director.language == "da"
