import re

import pytest
from django.test import Client

from klyngeadmin.accounts.keys import api_key_create, hash_key
from klyngeadmin.accounts.models import ApiKey
from tests.api.conftest import ApiClient

pytestmark = pytest.mark.django_db

LIST = "/api-noegler/"


def logged_in(user):
    c = Client()
    c.force_login(user)
    return c


def test_director_creates_key_shown_once(director, cluster):
    c = logged_in(director)
    r = c.get(LIST)
    assert r.status_code == 200 and "Klyngen har ingen API-nøgler endnu." in r.content.decode()
    r = c.post(LIST, {"name": "Vores CRM", "expires_on": ""})
    assert r.status_code == 302 and r["Location"] == "/api-noegler/ny/"  # post/redirect/get
    r = c.get(r["Location"])
    assert r.status_code == 200
    html = r.content.decode()
    key = ApiKey.objects.get(cluster=cluster)
    plain = html.split('id="api-key-value" type="text" readonly value="')[1].split('"')[0]
    assert hash_key(plain) == key.key_hash and key.created_by == director
    assert f'size="{len(plain)}"' in html and "Kopiér nøglen" in html
    assert "no-cache" in r["Cache-Control"] or "no-store" in r["Cache-Control"]
    assert ApiClient(plain).get("/api/v1/clusters/").status_code == 200
    listing = c.get(LIST).content.decode()
    assert key.prefix in listing and plain not in listing and "Vores CRM" in listing


def test_reloading_the_page_that_shows_a_new_key_issues_no_second_key(director, cluster):
    c = logged_in(director)
    shown = c.post(LIST, {"name": "Vores CRM", "expires_on": ""}, follow=True)
    plain = shown.content.decode().split('id="api-key-value" type="text" readonly value="')[1]
    plain = plain.split('"')[0]
    again = c.get("/api-noegler/ny/", follow=True)  # the reload
    assert ApiKey.objects.filter(cluster=cluster).count() == 1
    html = again.content.decode()
    assert plain not in html and "Nøglen er allerede vist og kan ikke vises igen" in html
    assert again.redirect_chain[-1][0] == LIST
    assert not any(plain in str(v) for v in c.session.values())  # gone from the session too


def test_another_clusters_director_never_sees_the_new_key(director, other_director, cluster):
    c = logged_in(director)
    c.post(LIST, {"name": "Vores CRM", "expires_on": ""})
    other = logged_in(other_director)
    session = other.session
    session["api_key_new"] = dict(c.session["api_key_new"])  # even with the key's id planted
    session.save()
    html = other.get("/api-noegler/ny/", follow=True).content.decode()
    assert c.session["api_key_new"]["plain"] not in html


def test_create_refuses_past_expiry_with_error_next_to_field(director):
    r = logged_in(director).post(LIST, {"name": "x", "expires_on": "2000-01-01"})
    html = r.content.decode()
    assert "Udløbsdatoen må ikke ligge i fortiden." in html
    assert re.search(r'aria-describedby="[^"]*id_expires_on_error', html)
    assert 'id="id_expires_on_error"' in html
    assert not ApiKey.objects.exists()


def test_director_revokes_key(director, cluster):
    issued = api_key_create(name="CRM", cluster=cluster, created_by=director)
    c = logged_in(director)
    url = f"/api-noegler/{issued.api_key.pk}/tilbagekald/"
    assert "holder op med at virke" in c.get(url).content.decode()
    r = c.post(url)
    assert r.status_code == 302
    issued.api_key.refresh_from_db()
    assert issued.api_key.revoked_at is not None and issued.api_key.revoked_by == director
    assert ApiClient(issued.plain).get("/api/v1/clusters/").status_code == 401
    assert "Tilbagekaldt" in c.get(LIST).content.decode()


def test_other_directors_key_is_404(other_director, cluster, director):
    issued = api_key_create(name="CRM", cluster=cluster, created_by=director)
    c = logged_in(other_director)
    url = f"/api-noegler/{issued.api_key.pk}/tilbagekald/"
    assert c.get(url).status_code == 404
    assert c.post(url).status_code == 404
    issued.api_key.refresh_from_db()
    assert issued.api_key.revoked_at is None
    assert issued.api_key.prefix not in c.get(LIST).content.decode()


def test_caseworker_keys_are_not_listed_or_revocable(director, caseworker):
    issued = api_key_create(name="BI", user=caseworker)
    c = logged_in(director)
    assert issued.api_key.prefix not in c.get(LIST).content.decode()
    assert c.post(f"/api-noegler/{issued.api_key.pk}/tilbagekald/").status_code == 404


@pytest.mark.parametrize("who", ["staff_member", "caseworker", "head_of_office"])
def test_other_roles_get_403(request, who, director, cluster):
    issued = api_key_create(name="CRM", cluster=cluster, created_by=director)
    c = logged_in(request.getfixturevalue(who))
    assert c.get(LIST).status_code == 403
    assert c.post(LIST, {"name": "x"}).status_code == 403
    assert c.post(f"/api-noegler/{issued.api_key.pk}/tilbagekald/").status_code == 403
    assert ApiKey.objects.count() == 1 and ApiKey.objects.get().revoked_at is None


def test_anonymous_is_sent_to_login(db):
    r = Client().get(LIST)
    assert r.status_code == 302 and r["Location"].startswith("/login/")
    assert Client().post("/api-noegler/1/tilbagekald/").status_code == 302


def test_director_sees_nav_link(director):
    assert 'href="/api-noegler/"' in logged_in(director).get(LIST).content.decode()
