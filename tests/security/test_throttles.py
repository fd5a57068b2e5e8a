"""Findings 6, 8 and 10: sign-in throttled per IP across usernames and per username across
IPs, the client IP behind the reverse proxy, a too-long username, and the registration
throttle. The same limits shared by two processes against a real Redis: tests/worker."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from klyngeadmin.accounts.security.client_ip import client_ip
from klyngeadmin.kernel import ratelimit
from tests.evaluations.conftest import call, rubrics  # noqa: F401 - fixtures
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "test-password-123"
THROTTLED = "For mange mislykkede forsøg på at logge ind"


def _post_login(client, username, password, ip="10.0.0.1", **extra):
    return client.post(reverse("login"), {"username": username, "password": password},
                       REMOTE_ADDR=ip, **extra)


def test_wrong_passwords_spread_over_many_usernames_lock_the_ip(client, settings, director):
    """The audit's case: 32 wrong passwords over 8 users from one IP, then a correct one."""
    users = [UserFactory() for _ in range(8)]
    for user in users:
        for _ in range(4):  # under django-axes' 5 per username and IP
            _post_login(client, user.username, "wrong")
    response = _post_login(client, director.username, PASSWORD)
    assert response.status_code == 200
    assert THROTTLED in response.content.decode()
    assert "_auth_user_id" not in client.session
    # another address is not affected
    response = _post_login(client, director.username, PASSWORD, ip="10.9.9.9")
    assert response.status_code == 302


def test_wrong_passwords_for_one_username_from_many_ips_lock_the_username(client, director):
    for i in range(21):  # 21 addresses, one failure each
        _post_login(client, director.username, "wrong", ip=f"10.1.0.{i + 1}")
    response = _post_login(client, director.username, PASSWORD, ip="10.2.0.1")
    assert THROTTLED in response.content.decode()
    assert "_auth_user_id" not in client.session
    other = UserFactory()
    other.set_password(PASSWORD)
    other.save()
    assert _post_login(client, other.username, PASSWORD, ip="10.2.0.1").status_code == 302


def test_the_throttle_lifts_when_the_window_has_passed(client, director, settings):
    settings.LOGIN_FAILURE_RATE_PER_IP = "3/m"
    for _ in range(3):
        _post_login(client, f"x{_}", "wrong")
    assert THROTTLED in _post_login(client, director.username, PASSWORD).content.decode()
    rate = settings.LOGIN_FAILURE_RATE_PER_IP
    ratelimit.reset("login_ip", "10.0.0.1", rate)
    assert _post_login(client, director.username, PASSWORD).status_code == 302


def test_the_client_ip_behind_one_proxy_is_the_one_the_proxy_saw(settings):
    rf = RequestFactory()
    spoofed = rf.get("/", REMOTE_ADDR="172.18.0.5", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    settings.AXES_IPWARE_PROXY_COUNT = 0
    assert client_ip(spoofed) == "172.18.0.5"  # no proxy trusted: the header is ignored
    settings.AXES_IPWARE_PROXY_COUNT = 1
    assert client_ip(spoofed) == "203.0.113.7"  # the client's own "6.6.6.6" is not trusted
    assert client_ip(rf.get("/", REMOTE_ADDR="172.18.0.5")) == "172.18.0.5"
    assert client_ip(rf.get("/", REMOTE_ADDR="172.18.0.5", HTTP_X_FORWARDED_FOR="junk")) == "172.18.0.5"


def test_behind_the_proxy_one_clients_failures_do_not_lock_out_another(client, settings,
                                                                       director):
    """Finding 6's second half: with the proxy count set, five wrong passwords from one
    client (all via the proxy's address) leave the user able to sign in from another."""
    settings.AXES_IPWARE_PROXY_COUNT = 1
    for _ in range(5):
        _post_login(client, director.username, "wrong", ip="172.18.0.5",
                    HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert _post_login(client, director.username, PASSWORD, ip="172.18.0.5",
                       HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 429
    response = _post_login(client, director.username, PASSWORD, ip="172.18.0.5",
                           HTTP_X_FORWARDED_FOR="198.51.100.2")
    assert response.status_code == 302


def test_a_username_of_256_and_more_characters_is_a_form_error(client):
    response = _post_login(client, "a" * 300, "whatever")
    assert response.status_code == 200
    assert "Brugernavnet er for langt." in response.content.decode()


def test_registration_is_throttled_per_ip(client, settings, call):  # noqa: F811
    from evaluations.models import Applicant
    from tests.factories import next_cvr

    settings.REGISTRATION_RATE_PER_IP = "2/h"

    def register(n):
        client.logout()
        return client.post(reverse("calls:register", args=[call.pk]), {
            "organisation_name": f"Klynge {n}", "cvr": next_cvr(), "city": "Esbjerg",
            "region": "DK-83", "first_name": "Bo", "last_name": "Brint",
            "email": f"bo{n}@example.test", "username": f"brint{n}",
            "password1": "Str0ng-pass-word!", "password2": "Str0ng-pass-word!"},
            REMOTE_ADDR="10.5.0.1")

    assert register(1).status_code == 302
    assert register(2).status_code == 302
    response = register(3)
    assert response.status_code == 429
    assert "for mange organisationer fra din adresse" in response.content.decode()
    assert Applicant.objects.count() == 2
