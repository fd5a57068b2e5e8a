"""Structured JSON security log with no secrets in any log line.

The test swaps the streams of the handlers configured in settings.LOGGING (root console and
the security handler), so it checks the real configuration, filters and formatter included."""

import json
import logging

import pytest
from django.test import Client
from django.urls import reverse

from klyngeadmin.accounts.keys import api_key_create
from klyngeadmin.accounts.security.services import user_deactivate

pytestmark = pytest.mark.django_db
PASSWORD = "test-password-123"
WRONG_PASSWORD = "Forkert-Hemmelig-Kode-987"
CPR = "010190-1234"


def _events(text):
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def test_security_events_are_json_and_hold_no_secrets(log_output, director, caseworker, administrator, other_cluster):
    client = Client()
    client.post(reverse("login"), {"username": director.username, "password": WRONG_PASSWORD})
    client.post(reverse("login"), {"username": director.username, "password": PASSWORD})
    session_key = client.session.session_key
    client.get(f"/api-noegler/{10**9}/spaer/")  # refused (404) for whatever route

    issued = api_key_create(name="BI", user=caseworker)
    Client(HTTP_AUTHORIZATION=f"Bearer {issued.plain}").get("/api/v1/clusters/")
    Client(HTTP_AUTHORIZATION="Bearer ka_deadbeef_notavalidkeyatallxxxxxxxxxxxxxxxxxx").get(
        "/api/v1/clusters/"
    )
    caseworker.role = "head_of_office"
    caseworker.save()
    user_deactivate(user=caseworker, actor=administrator)
    # Anyone's careless log line: the filter scrubs it too.
    logging.getLogger("grants").warning(
        "cpr %s password=%s key %s", CPR, WRONG_PASSWORD, issued.plain
    )

    text = log_output.getvalue()
    events = {e["event"]: e for e in _events(text)}
    for name in ("login_failed", "login", "not_found", "api_key_used", "api_key_rejected",
                 "permission_changed", "user_deactivated"):
        assert name in events, f"{name} missing from:\n{text}"
    assert events["login"]["user_id"] == director.pk
    assert events["api_key_used"]["key_prefix"] == issued.api_key.prefix
    changes = [e["changes"] for e in _events(text) if e["event"] == "permission_changed"]
    assert {"role": ["caseworker", "head_of_office"]} in changes
    assert {"is_active": [True, False]} in changes
    for secret in (PASSWORD, WRONG_PASSWORD, CPR, "0101901234", issued.plain, session_key,
                   issued.plain.split("_", 2)[2]):
        assert secret not in text, f"secret {secret!r} leaked into the log"


def test_refused_access_is_logged_with_user(log_output, director, other_grant):
    client = Client()
    client.force_login(director)
    response = client.get(f"/rapporter/{other_grant.reports.first().pk}/")
    assert response.status_code == 404
    events = [e for e in _events(log_output.getvalue()) if e["event"] == "not_found"]
    assert events and events[-1]["user_id"] == director.pk


def test_lockout_is_logged(log_output, director):
    client = Client()
    for _ in range(5):
        client.post(reverse("login"), {"username": director.username, "password": "x"})
    assert "login_locked_out" in {e["event"] for e in _events(log_output.getvalue())}
