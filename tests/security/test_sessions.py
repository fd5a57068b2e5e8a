"""Sessions: new key on login, idle timeout, absolute lifetime, logout that really ends it."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db
PASSWORD = "test-password-123"


def signed_in(client) -> bool:
    """Follows / (cluster people are sent on to their dashboard): not ending at the login page."""
    response = client.get("/", follow=True)
    return response.status_code == 200 and not response.request["PATH_INFO"].startswith(
        reverse("login")
    )


def _login(client, user):
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return client.session.session_key


def test_login_gives_a_new_session_key(client, director):
    session = client.session  # an anonymous session exists before login (fixation attempt)
    session["planted"] = "x"
    session.save()
    before = session.session_key
    key = _login(client, director)
    assert key != before
    assert not Session.objects.filter(session_key=before).exists()
    assert signed_in(client)


def test_idle_timeout_ends_the_session_after_30_minutes(client, director, settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        _login(client, director)
        traveller.shift(timedelta(minutes=29))
        assert signed_in(client)  # activity renews the session
        traveller.shift(timedelta(minutes=29))
        assert signed_in(client)
        traveller.shift(timedelta(minutes=31))
        assert not signed_in(client)


def test_absolute_lifetime_ends_even_an_active_session(client, director, settings):
    settings.SESSION_ABSOLUTE_LIFETIME_SECONDS = 2 * 3600
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        _login(client, director)
        for _ in range(5):  # active every 25 minutes: 125 minutes in all
            traveller.shift(timedelta(minutes=25))
            active = signed_in(client)
        assert not active
        assert "_auth_user_id" not in client.session


def test_absolute_lifetime_keeps_a_session_younger_than_it(client, director, settings):
    settings.SESSION_ABSOLUTE_LIFETIME_SECONDS = 2 * 3600
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        _login(client, director)
        for _ in range(4):  # 100 minutes
            traveller.shift(timedelta(minutes=25))
            assert signed_in(client)


def test_logout_is_post_only(client, director):
    client.force_login(director)
    assert client.get(reverse("logout")).status_code == 405
    assert signed_in(client)


def test_logout_really_ends_the_session(client, director):
    key = _login(client, director)
    stolen = Client()
    stolen.cookies["sessionid"] = key
    assert signed_in(stolen)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert not Session.objects.filter(session_key=key).exists()
    assert not signed_in(stolen)
