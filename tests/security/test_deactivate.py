"""Deactivating a user ends all their sessions and revokes their API keys at once."""

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from klyngeadmin.accounts.keys import api_key_create
from klyngeadmin.accounts.models import ApiKey
from klyngeadmin.accounts.security.services import user_deactivate

pytestmark = pytest.mark.django_db
PASSWORD = "test-password-123"


def _signed_in_client(user):
    client = Client()
    assert client.post(reverse("login"), {"username": user.username, "password": PASSWORD}).status_code == 302
    return client


def _api(key):
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def test_deactivate_ends_every_session_and_revokes_the_users_keys(caseworker, caseworker2, administrator):
    browsers = [_signed_in_client(caseworker) for _ in range(2)]
    bystander = _signed_in_client(caseworker2)
    issued = api_key_create(name="BI", user=caseworker)
    other = api_key_create(name="BI 2", user=caseworker2)
    assert _api(issued.plain).get("/api/v1/clusters/").status_code == 200

    result = user_deactivate(user=caseworker, actor=administrator)

    assert result == {"sessions_ended": 2, "api_keys_revoked": 1}
    caseworker.refresh_from_db()
    assert not caseworker.is_active
    for browser in browsers:
        response = browser.get("/")
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert _api(issued.plain).get("/api/v1/clusters/").status_code == 401
    key = ApiKey.objects.get(pk=issued.api_key.pk)
    assert key.revoked_at is not None and key.revoked_by == administrator
    # Others are untouched.
    assert bystander.get("/", follow=True).request["PATH_INFO"] != reverse("login")  # still signed in
    assert _api(other.plain).get("/api/v1/clusters/").status_code == 200


def test_deactivate_twice_is_harmless(caseworker, administrator):
    _signed_in_client(caseworker)
    user_deactivate(user=caseworker, actor=administrator)
    assert user_deactivate(user=caseworker, actor=administrator) == {
        "sessions_ended": 0, "api_keys_revoked": 0,
    }


def test_cluster_keys_issued_by_a_deactivated_director_keep_working(director, administrator):
    issued = api_key_create(name="CRM", cluster=director.cluster, created_by=director)
    user_deactivate(user=director, actor=administrator)
    assert _api(issued.plain).get("/api/v1/activities/").status_code == 200


def test_admin_action_deactivates(client, administrator, caseworker):
    victim = _signed_in_client(caseworker)
    api_key_create(name="BI", user=caseworker)
    client.force_login(administrator)
    response = client.post(
        "/admin/klyngeadmin/user/",
        {"action": "deactivate_users", "_selected_action": [caseworker.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert "1 session(er) afsluttet og 1 API-nøgle(r) tilbagekaldt" in response.content.decode()
    assert victim.get("/").status_code == 302
    assert not Session.objects.filter(session_key=victim.session.session_key).exists()


def test_admin_action_is_not_for_directors(client, director, caseworker):
    client.force_login(director)
    response = client.post(
        "/admin/klyngeadmin/user/",
        {"action": "deactivate_users", "_selected_action": [caseworker.pk]},
    )
    assert response.status_code == 302 and "login" in response.url
    caseworker.refresh_from_db()
    assert caseworker.is_active
