"""The public-sector basics: accessibility statement, privacy notice, contact and help, linked
from every page's footer; a "Log ind" link on public pages; a favicon; an honest header mark."""

from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[1]
FOOTER_LINKS = ("accessibility_statement", "privacy_notice", "contact_help")
PUBLIC_PAGES = {
    "accessibility_statement": "Tilgængelighedserklæring",
    "privacy_notice": "Behandling af personoplysninger",
    "contact_help": "Kontakt og hjælp",
}


def assert_footer_links(html: str, where: str) -> None:
    footer = html[html.find("<footer"):]
    assert "<footer" in html, f"{where}: no footer"
    for name in FOOTER_LINKS:
        assert f'href="{reverse(name)}"' in footer, f"{where}: the footer does not link {name}"


@pytest.mark.django_db
@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_public_pages_open_without_signing_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    html = response.content.decode()
    assert f"<h1>{PUBLIC_PAGES[name]}</h1>" in html
    assert_footer_links(html, name)
    assert f'href="{reverse("login")}?next={reverse(name)}"' in html, "no Log ind link"


@pytest.mark.django_db
def test_the_privacy_notice_tells_the_retention_period_from_the_settings(client, settings):
    settings.PERSONAL_DATA_RETENTION_DAYS = 730
    html = client.get(reverse("privacy_notice")).content.decode()
    assert "730 dage" in html and "Datatilsynet" in html


@pytest.mark.django_db
def test_the_public_statistics_has_a_log_ind_link_and_the_login_page_none(client):
    html = client.get("/statistik/").content.decode()
    assert f'href="{reverse("login")}?next=/statistik/"' in html
    login = client.get(reverse("login")).content.decode()
    assert "log-on" not in login  # the login page itself offers the form, not a link to it
    assert_footer_links(login, "login")


@pytest.mark.django_db
def test_every_main_page_has_the_footer_links(client, director, caseworker, grant):
    pages = {
        None: ["/statistik/", "/login/", "/finnes-ikke/"],
        director: ["/oversigt/", "/aktiviteter/", "/projekter/", "/mine-sager/", "/api-noegler/",
                   "/statistik/klynge/", "/notifikationer/", "/midtvejsevaluering/",
                   f"/rapporter/{grant.reports.order_by('year').first().pk}/"],
        caseworker: ["/sager/", "/statistik/sagsbehandler/", "/midtvejsevaluering/", "/opslag/"],
    }
    for user, urls in pages.items():
        client.logout()
        if user is not None:
            client.force_login(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code in (200, 404), (url, response.status_code)
            assert_footer_links(response.content.decode(), url)


def test_every_full_page_template_has_the_footer():
    """A template that is a page of its own (not extending base.html) includes the footer;
    mails and PDF letters are not pages."""
    missing = []
    for path in (ROOT / "templates").rglob("*.html"):
        rel = path.relative_to(ROOT / "templates").as_posix()
        if rel.startswith(("emails/", "api/swagger")) or "pdf" in rel:
            continue
        text = path.read_text()
        if "<html" in text and '{% include "_footer.html" %}' not in text:
            missing.append(rel)
    assert not missing, missing


@pytest.mark.django_db
def test_the_favicon_is_served(client):
    html = client.get(reverse("login")).content.decode()
    assert 'rel="icon"' in html
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("favicon.ico")
    assert finders.find("favicon.ico") and finders.find("img/favicon.svg")


@pytest.mark.django_db
def test_the_header_mark_is_klyngeadmin_and_erhvervsstyrelsen_not_virk(client):
    html = client.get(reverse("login")).content.decode()
    header = html[html.find("<header"):html.find("</header>")]
    assert 'class="site-mark-name">klyngeadmin<' in header
    assert 'class="site-mark-authority">Erhvervsstyrelsen<' in header
    assert "virk" not in header.lower()
    css = (ROOT / "static/css/klyngeadmin.css").read_text()
    assert ".logo.site-mark { background-image: none;" in css  # DKFDS' virk theme draws the Virk logo


@pytest.mark.django_db
def test_an_authority_user_without_second_factor_still_reads_the_public_pages(client, settings):
    settings.REQUIRE_2FA = True
    client.force_login(UserFactory(role="caseworker"))
    assert client.get(reverse("contact_help")).status_code == 200
