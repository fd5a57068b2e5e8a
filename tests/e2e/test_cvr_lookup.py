"""A director types a CVR number in the activity form and sees the register's name, industry
and municipality before saving (static/js/cvr-lookup.js over /virksomheder/opslag/, answered
by the register stand-in in the test process); the page stays axe clean. A caseworker opens
the company page and updates it from the register."""

import pytest
from playwright.sync_api import expect

from clusters.models import Company
from klyngeadmin.kernel.roles import Role
from tests.cvr_server import CvrServer
from tests.e2e.conftest import screenshot
from tests.e2e.test_activities import log_in
from tests.factories import ClusterFactory, UserFactory, next_cvr


@pytest.fixture
def register(settings):
    server = CvrServer().start()
    settings.CVR_URL = server.url
    settings.CVR_USERNAME, settings.CVR_PASSWORD = server.username, server.password
    settings.CVR_TIMEOUT, settings.CVR_RETRIES = 2.0, 0
    yield server
    server.stop()


@pytest.fixture
def director(transactional_db):
    return UserFactory(username="direktoer", role=Role.DIRECTOR, cluster=ClusterFactory())


def test_typing_a_cvr_shows_the_registers_name_before_saving(page, live_server, director, register,
                                                              axe):
    cvr = next_cvr()
    register.add(cvr, name="Fermenteriet Nordhav ApS", db07="107100",
                 industry="Fremstilling af brød", municipality=751)
    log_in(page, live_server)
    page.goto(live_server.url + "/aktiviteter/ny/")
    page.get_by_label("Deltagende virksomheder").fill(f"{cvr};Fermenteriet;12")
    results = page.locator(".cvr-lookup-results")
    expect(results).to_contain_text("Fermenteriet Nordhav ApS")
    expect(results).to_contain_text("Fremstilling af brød")
    expect(results).to_contain_text("Aarhus")
    assert not Company.objects.filter(cvr=cvr).exists()  # nothing saved yet
    screenshot(page, "cvr_lookup_activity_form")
    axe(page)
