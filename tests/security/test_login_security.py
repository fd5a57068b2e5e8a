"""Login throttling (django-axes) and the second factor (django-otp TOTP)."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import login_verified

pytestmark = pytest.mark.django_db
PASSWORD = "test-password-123"


def _post_login(client, username, password, ip="10.0.0.1"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def _code(device, offset=0):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset):06d}"


# --- throttling -------------------------------------------------------------------------------


def test_five_failures_lock_the_username_from_that_ip_with_a_danish_message(client, director):
    for _ in range(4):
        assert _post_login(client, director.username, "wrong").status_code == 200
    response = _post_login(client, director.username, "wrong")
    assert response.status_code == 429
    body = response.content.decode()
    assert "midlertidigt spærret" in body and "15 minutter" in body
    # Even the right password is refused while locked.
    assert _post_login(client, director.username, PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_username_and_ip(client, director, other_director):
    for _ in range(5):
        _post_login(client, director.username, "wrong", ip="10.0.0.1")
    # The real user from their own IP, and another user from the attacker's IP, still get in.
    assert _post_login(client, director.username, PASSWORD, ip="10.9.9.9").status_code == 302
    client.logout()
    assert _post_login(client, other_director.username, PASSWORD, ip="10.0.0.1").status_code == 302


def test_lockout_lifts_after_the_cool_off(client, director):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        for _ in range(5):
            _post_login(client, director.username, "wrong")
        assert _post_login(client, director.username, PASSWORD).status_code == 429
        traveller.shift(timedelta(minutes=16))
        assert _post_login(client, director.username, PASSWORD).status_code == 302


def test_a_success_resets_the_failure_count(client, director):
    for _ in range(4):
        _post_login(client, director.username, "wrong")
    assert _post_login(client, director.username, PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        assert _post_login(client, director.username, "wrong").status_code == 200


# --- second factor ----------------------------------------------------------------------------


@pytest.fixture
def require_2fa(settings):
    settings.REQUIRE_2FA = True


@pytest.mark.parametrize("role_fixture", ["caseworker", "head_of_office", "administrator"])
def test_authority_users_must_set_up_totp(client, require_2fa, role_fixture, request):
    user = request.getfixturevalue(role_fixture)
    assert _post_login(client, user.username, PASSWORD).status_code == 302
    response = client.get("/")
    assert response.status_code == 302 and response.url.startswith(reverse("otp_setup"))
    assert client.get("/admin/").url.startswith(reverse("otp_setup"))


def test_cluster_users_need_no_second_factor(client, require_2fa, director, staff_member):
    for user in (director, staff_member):
        client.force_login(user)
        response = client.get("/", follow=True)
        assert response.status_code == 200
        assert not response.request["PATH_INFO"].startswith("/2fa/")


def test_setup_shows_qr_and_uri_and_a_valid_code_confirms_the_device(
    client, require_2fa, caseworker
):
    client.force_login(caseworker)
    page = client.get(reverse("otp_setup") + "?next=/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "data:image/svg+xml;base64," in body and "otpauth://totp/" in body
    device = TOTPDevice.objects.get(user=caseworker, confirmed=False)

    wrong_code = "000000" if _code(device) != "000000" else "111111"
    wrong = client.post(reverse("otp_setup"), {"token": wrong_code})
    assert wrong.status_code == 200
    assert "Koden er forkert" in wrong.content.decode()
    assert 'aria-describedby="id_token_hint id_token_error"' in wrong.content.decode()
    device.refresh_from_db()
    assert not device.confirmed

    key_before = client.session.session_key
    # A second try at once is throttled (django-otp's growing delay after a failure).
    throttled = client.post(reverse("otp_setup"), {"token": _code(device)})
    assert "For mange forkerte koder" in throttled.content.decode()
    with time_machine.travel(timezone.now() + timedelta(seconds=5)):
        response = client.post(reverse("otp_setup"), {"token": _code(device), "next": "/"})
    assert response.status_code == 302 and response.url == "/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.session.session_key != key_before
    assert client.get("/").url == "/sager/"  # verified: to the case queue, not to 2FA


def test_verify_after_password_login(client, require_2fa, caseworker):
    device = TOTPDevice.objects.create(user=caseworker, name="app", confirmed=True)
    assert _post_login(client, caseworker.username, PASSWORD).status_code == 302
    response = client.get("/")
    assert response.url.startswith(reverse("otp_verify"))
    invalid = client.post(reverse("otp_verify"), {"token": "12ab56"})
    assert "Koden må kun indeholde cifre" in invalid.content.decode()
    assert client.get("/").status_code == 302
    response = client.post(reverse("otp_verify"), {"token": _code(device), "next": "/"})
    assert response.status_code == 302
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert client.get("/").url == "/sager/"  # verified: to the case queue, not to 2FA


def test_verify_refuses_a_replayed_code(client, require_2fa, caseworker):
    device = TOTPDevice.objects.create(user=caseworker, name="app", confirmed=True)
    code = _code(device)
    client.force_login(caseworker)
    assert client.post(reverse("otp_verify"), {"token": code}).status_code == 302
    client.logout()
    client.force_login(caseworker)
    assert client.post(reverse("otp_verify"), {"token": code}).status_code == 200
    assert client.get("/").status_code == 302


def test_unverified_api_session_gets_403_json(client, require_2fa, caseworker):
    client.force_login(caseworker)
    response = client.get("/api/v1/")
    assert response.status_code == 403


def test_login_verified_helper_marks_the_session(client, require_2fa, caseworker):
    login_verified(client, caseworker)
    assert client.get("/").url == "/sager/"  # verified: to the case queue, not to 2FA
