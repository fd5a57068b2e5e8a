"""Sign-in with MitID Erhverv (NemLog-in, SAML/OIOSAML 3) against a local test IdP.

Each test runs the real flow through the test client: GET /saml2/login/ (a signed AuthnRequest
sent by redirect, verified here by the IdP), the IdP's signed and encrypted assertion POSTed to
/saml2/acs/. Wrong signature, tampering, wrong audience, expiry, replay and unsolicited answers
are refused with a Danish page and a security-log line, and sign nobody in."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from klyngeadmin.accounts.models import UsedSamlAssertion, User
from klyngeadmin.kernel.roles import Role
from klyngeadmin.saml import attributes as attr
from klyngeadmin.saml.dev_idp import oiosaml_identity
from klyngeadmin.saml.services import (
    SamlRefused,
    assertion_use_once,
    forget_expired_assertions,
)
from tests.factories import ClusterFactory, UserFactory

pytestmark = pytest.mark.django_db
SUBJECT = "urn:uuid:6f1c7e0a-3b7e-4a55-9d0c-2f6c1b0e8a11"


def identity(cluster, **overrides):
    values = dict(cvr=cluster.cvr, subject=SUBJECT, email="anne.hansen@klynge.example",
                  first_name="Anne", last_name="Hansen", org_name=cluster.name)
    values.update(overrides)
    return oiosaml_identity(**values)


def sign_in(client, saml_idp, ident, **respond_kwargs):
    authn_request, relay_state, _ = saml_idp.start_login(client)
    saml_response = saml_idp.respond(authn_request, ident, **respond_kwargs)
    return client.post("/saml2/acs/", {"SAMLResponse": saml_response, "RelayState": relay_state})


def signed_in_user_id(client):
    return client.session.get(SESSION_KEY)


def refused(response, text):
    body = response.content.decode()
    return response.status_code == 403 and text in body and "Du er ikke logget ind" in body


# -- the good path ---------------------------------------------------------------------------

def test_first_sign_in_creates_cluster_staff_of_the_cluster_with_the_cvr(client, saml_idp):
    cluster, other = ClusterFactory(), ClusterFactory()
    client.get("/login/")  # an anonymous session exists before: sign-in must not keep its key
    key_before = client.session.session_key

    response = sign_in(client, saml_idp, identity(cluster))

    assert response.status_code == 302 and response["Location"] == "/oversigt/"
    user = User.objects.get(saml_subject=SUBJECT)
    assert (user.cluster, user.role) == (cluster, Role.CLUSTER_STAFF)
    assert (user.first_name, user.last_name, user.email) == ("Anne", "Hansen",
                                                            "anne.hansen@klynge.example")
    assert not user.has_usable_password()
    assert str(user.pk) == signed_in_user_id(client)
    assert client.session.session_key != key_before
    assert client.get("/oversigt/").status_code == 200
    assert other.users.count() == 0


def test_first_sign_in_links_the_account_prepared_in_that_cluster_by_email(client, saml_idp):
    cluster = ClusterFactory()
    director = UserFactory(role=Role.DIRECTOR, cluster=cluster, email="Anne.Hansen@klynge.example")
    # The same e-mail in another cluster is not a match: the CVR decides.
    UserFactory(role=Role.DIRECTOR, cluster=ClusterFactory(), email="anne.hansen@klynge.example")

    assert sign_in(client, saml_idp, identity(cluster)).status_code == 302

    director.refresh_from_db()
    assert director.saml_subject == SUBJECT and director.role == Role.DIRECTOR
    assert str(director.pk) == signed_in_user_id(client)
    assert User.objects.filter(saml_subject__isnull=False).count() == 1


def test_the_idps_post_needs_no_csrf_token(saml_idp):
    """NemLog-in posts from its own site: the ACS must not demand our CSRF token."""
    browser = Client(enforce_csrf_checks=True)
    assert sign_in(browser, saml_idp, identity(ClusterFactory())).status_code == 302
    assert signed_in_user_id(browser)


def test_later_sign_ins_find_the_person_by_uuid_and_update_name_and_email(client, saml_idp):
    cluster = ClusterFactory()
    sign_in(client, saml_idp, identity(cluster))
    first = User.objects.get(saml_subject=SUBJECT)

    second = Client()
    response = sign_in(second, saml_idp, identity(cluster, email="anne@ny.example",
                                                  last_name="Hansen-Berg"))

    assert response.status_code == 302
    assert User.objects.filter(saml_subject=SUBJECT).count() == 1
    first.refresh_from_db()
    assert (first.email, first.last_name) == ("anne@ny.example", "Hansen-Berg")
    assert str(first.pk) == signed_in_user_id(second)


def test_relay_state_brings_the_person_back_to_the_page_they_asked_for(client, saml_idp):
    cluster = ClusterFactory()
    authn_request, relay_state, _ = saml_idp.start_login(client, next_path="/aktiviteter/")
    response = client.post("/saml2/acs/", {
        "SAMLResponse": saml_idp.respond(authn_request, identity(cluster)),
        "RelayState": relay_state,
    })
    assert response["Location"] == "/aktiviteter/"


def test_a_foreign_relay_state_is_not_followed(client, saml_idp):
    cluster = ClusterFactory()
    authn_request, _, _ = saml_idp.start_login(client)
    response = client.post("/saml2/acs/", {
        "SAMLResponse": saml_idp.respond(authn_request, identity(cluster)),
        "RelayState": "https://evil.example/phish",
    })
    assert response.status_code == 302 and "evil.example" not in response["Location"]


def test_the_authn_request_is_signed_and_asks_for_nsis_substantial_or_higher(client, saml_idp):
    authn_request, _, query = saml_idp.start_login(client)

    assert query["SigAlg"] == "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
    classes = [c.text for c in authn_request.requested_authn_context.authn_context_class_ref]
    assert classes == [attr.LOA_CONTEXT_PREFIX + "Substantial", attr.LOA_CONTEXT_PREFIX + "High"]
    assert authn_request.requested_authn_context.comparison == "minimum"
    assert authn_request.assertion_consumer_service_url == "http://testserver/saml2/acs/"
    # The IdP really verifies that signature: a changed one is refused.
    tampered = dict(query, Signature=base64.b64encode(b"\0" * 256).decode())
    with pytest.raises(Exception):  # noqa: B017 - pysaml2 raises its own signature errors
        saml_idp.idp.parse_request(tampered)


def test_metadata_names_our_entity_acs_and_signing_certificate(client, saml_idp):
    response = client.get("/saml2/metadata/")
    body = response.content.decode()
    assert response.status_code == 200 and "xml" in response["Content-Type"]
    assert 'entityID="http://testserver/saml2/metadata/"' in body
    assert 'Location="http://testserver/saml2/acs/"' in body
    assert 'AuthnRequestsSigned="true"' in body and 'WantAssertionsSigned="true"' in body
    assert "X509Certificate" in body


def test_logout_ends_the_saml_signed_in_session(client, saml_idp):
    cluster = ClusterFactory()
    sign_in(client, saml_idp, identity(cluster))
    assert signed_in_user_id(client)
    client.post("/logout/")
    assert client.get("/oversigt/").status_code == 302
    assert signed_in_user_id(client) is None


# -- refused ---------------------------------------------------------------------------------

def test_an_assertion_signed_with_another_key_is_refused(client, saml_idp):
    cluster = ClusterFactory()
    response = sign_in(client, saml_idp, identity(cluster), signer=saml_idp.forger)
    assert refused(response, "signaturen er ikke gyldig")
    assert signed_in_user_id(client) is None
    assert not User.objects.filter(saml_subject=SUBJECT).exists()


def test_an_assertion_changed_after_signing_is_refused(client, saml_idp):
    cluster, other = ClusterFactory(), ClusterFactory()
    authn_request, relay_state, _ = saml_idp.start_login(client)
    xml = base64.b64decode(saml_idp.respond(authn_request, identity(cluster), encrypt=False))
    assert xml.count(cluster.cvr.encode()) == 1
    forged = base64.b64encode(xml.replace(cluster.cvr.encode(), other.cvr.encode())).decode()

    response = client.post("/saml2/acs/", {"SAMLResponse": forged, "RelayState": relay_state})

    assert refused(response, "signaturen er ikke gyldig")
    assert signed_in_user_id(client) is None
    assert not User.objects.filter(saml_subject=SUBJECT).exists()


def test_an_assertion_for_another_service_is_refused(client, saml_idp):
    """As another service that received a valid (decrypted) assertion might try to use it."""
    cluster = ClusterFactory()
    response = sign_in(client, saml_idp, identity(cluster), encrypt=False,
                       audience="https://another-service.example/saml/metadata")
    assert refused(response, "ikke udstedt til denne tjeneste")
    assert signed_in_user_id(client) is None


def test_an_expired_assertion_is_refused(client, saml_idp):
    cluster = ClusterFactory()
    authn_request, relay_state, _ = saml_idp.start_login(client)
    saml_response = saml_idp.respond(authn_request, identity(cluster))
    # The IdP's lifetime is 5 minutes and 60 s of clock skew is allowed: 7 minutes later.
    with time_machine.travel(timezone.now() + timedelta(minutes=7)):
        response = client.post("/saml2/acs/", {"SAMLResponse": saml_response,
                                               "RelayState": relay_state})
    assert refused(response, "udløbet")
    assert signed_in_user_id(client) is None


def test_a_replayed_response_is_refused_in_the_same_and_in_a_new_session(client, saml_idp):
    cluster = ClusterFactory()
    authn_request, relay_state, _ = saml_idp.start_login(client)
    saml_response = saml_idp.respond(authn_request, identity(cluster))
    post = {"SAMLResponse": saml_response, "RelayState": relay_state}
    assert client.post("/saml2/acs/", post).status_code == 302
    assert UsedSamlAssertion.objects.count() == 1

    client.post("/logout/")
    assert refused(client.post("/saml2/acs/", post), "Start et nyt login")
    attacker = Client()
    saml_idp.start_login(attacker)  # even with a login of their own under way
    assert refused(attacker.post("/saml2/acs/", post), "Start et nyt login")
    assert signed_in_user_id(client) is None and signed_in_user_id(attacker) is None


def test_the_replay_guard_accepts_each_assertion_id_once():
    assertion_use_once(assertion_id="id-abc", not_on_or_after="2026-11-29T12:05:00Z")
    with pytest.raises(SamlRefused) as refusal:
        assertion_use_once(assertion_id="id-abc", not_on_or_after="2026-11-29T12:05:00Z")
    assert refusal.value.code == "replay"
    assert UsedSamlAssertion.objects.get().expires_at.isoformat() == "2026-11-29T12:05:00+00:00"


def test_an_answer_to_a_request_we_did_not_make_is_refused(client, saml_idp):
    cluster = ClusterFactory()
    authn_request, relay_state, _ = saml_idp.start_login(client)
    saml_response = saml_idp.respond(authn_request, identity(cluster),
                                     in_response_to="id-made-up-by-an-attacker")
    response = client.post("/saml2/acs/", {"SAMLResponse": saml_response,
                                           "RelayState": relay_state})
    assert refused(response, "hører ikke til et login")


@pytest.mark.parametrize(("overrides", "text", "code"), [
    ({"cvr": "12345674"}, "CVR-nummer 12345674 tilhører ikke en klyngeorganisation", "unknown_cvr"),
    ({"cvr": ""}, "intet CVR-nummer", "no_cvr"),
    ({"loa": "Low"}, "for lavt sikringsniveau", "loa_too_low"),
])
def test_unknown_cvr_missing_cvr_and_low_assurance_are_refused(client, saml_idp, log_output,
                                                                overrides, text, code):
    cluster = ClusterFactory()
    response = sign_in(client, saml_idp, identity(cluster, **overrides))
    assert refused(response, text)
    assert not User.objects.filter(saml_subject=SUBJECT).exists()
    events = [json.loads(line) for line in log_output.getvalue().splitlines()
              if line.startswith("{")]
    refusals = [e for e in events if e["event"] == "saml_login_refused"]
    assert [e["reason"] for e in refusals] == [code]
    # No personal data from the assertion in the log.
    assert "anne.hansen" not in log_output.getvalue() and "Hansen" not in log_output.getvalue()


def test_a_deactivated_person_is_refused(client, saml_idp):
    cluster = ClusterFactory()
    UserFactory(role=Role.CLUSTER_STAFF, cluster=cluster, saml_subject=SUBJECT, is_active=False)
    response = sign_in(client, saml_idp, identity(cluster))
    assert refused(response, "Din adgang er lukket")
    assert signed_in_user_id(client) is None


def test_a_person_known_in_another_cluster_is_refused(client, saml_idp):
    cluster, other = ClusterFactory(), ClusterFactory()
    UserFactory(role=Role.CLUSTER_STAFF, cluster=other, saml_subject=SUBJECT)
    response = sign_in(client, saml_idp, identity(cluster))
    assert refused(response, "knyttet til en anden organisation")
    assert signed_in_user_id(client) is None


def test_a_post_without_saml_response_is_a_bad_request(client, saml_idp):
    assert client.post("/saml2/acs/", {}).status_code == 400


# -- switched off, housekeeping, deploy checks -------------------------------------------------

def test_without_saml_configuration_the_saml_pages_do_not_exist(client, settings):
    settings.SAML_IDP_METADATA, settings.SAML_DEV_IDP = "", False
    for url in ("/saml2/login/", "/saml2/metadata/", "/saml2/dev-idp/sso/"):
        assert client.get(url).status_code == 404, url
    assert client.post("/saml2/acs/", {"SAMLResponse": "x"}).status_code == 404
    assert "Log ind med MitID Erhverv" not in client.get("/login/").content.decode()


def test_the_login_page_offers_mitid_erhverv_when_configured(client, saml_idp):
    body = client.get("/login/?next=/aktiviteter/").content.decode()
    assert 'href="/saml2/login/?next=/aktiviteter/"' in body
    assert "Log ind med MitID Erhverv" in body


def test_expired_assertion_ids_are_forgotten_by_the_hourly_job():
    from klyngeadmin.celery import app as celery_app
    from klyngeadmin.tasks import forget_expired_saml_assertions

    now = timezone.now()
    UsedSamlAssertion.objects.create(assertion_id="old", expires_at=now - timedelta(hours=2))
    UsedSamlAssertion.objects.create(assertion_id="current", expires_at=now + timedelta(minutes=3))
    assert forget_expired_assertions(now=now) == 1
    assert list(UsedSamlAssertion.objects.values_list("assertion_id", flat=True)) == ["current"]
    UsedSamlAssertion.objects.create(assertion_id="older", expires_at=now - timedelta(days=1))
    assert forget_expired_saml_assertions.apply().get() == 1  # the task beat runs hourly
    assert any(entry["task"] == "klyngeadmin.tasks.forget_expired_saml_assertions"
               for entry in celery_app.conf.beat_schedule.values())


def test_the_deploy_check_refuses_the_development_idp(settings):
    from django.core.management.base import SystemCheckError

    settings.SAML_DEV_IDP = True
    with pytest.raises(SystemCheckError, match="klyngeadmin.E101"):
        call_command("check", "--deploy", "--tag", "security")
    settings.SAML_DEV_IDP = False
    settings.SAML_IDP_METADATA = "/nonexistent/metadata.xml"
    with pytest.raises(SystemCheckError, match="klyngeadmin.E102"):
        call_command("check", "--deploy", "--tag", "security")
    settings.SAML_IDP_METADATA = ""
    settings.SAML_MIN_LOA = "substantial"
    with pytest.raises(SystemCheckError, match="klyngeadmin.E103"):
        call_command("check", "--deploy", "--tag", "security")


# -- the development IdP (make run) ----------------------------------------------------------

def test_the_development_idp_signs_in_a_demo_director_end_to_end(client, settings, tmp_path):
    settings.SITE_URL = "http://testserver"
    settings.SAML_IDP_METADATA = ""
    settings.SAML_SP_KEY_FILE = settings.SAML_SP_CERT_FILE = ""
    settings.SAML_DEV_IDP = True
    settings.SAML_DEV_KEYS_DIR = tmp_path
    cluster = ClusterFactory()
    director = UserFactory(role=Role.DIRECTOR, cluster=cluster, email="direktor@klynge.example")

    login = client.get("/saml2/login/", {"next": "/oversigt/"})
    assert login.status_code == 302
    sso = urlsplit(login["Location"])
    assert sso.path == "/saml2/dev-idp/sso/"
    page = client.get(sso.path, {k: v[0] for k, v in parse_qs(sso.query).items()})
    assert page.status_code == 200 and cluster.cvr in page.content.decode()

    form = {k: v[0] for k, v in parse_qs(sso.query).items()}
    posted = client.post(sso.path, {**form, "cluster": cluster.pk, "persona": "director"})
    assert posted.status_code == 200
    body = posted.content.decode()
    assert 'action="http://testserver/saml2/acs/"' in body
    saml_response = body.split('name="SAMLResponse" value="')[1].split('"')[0]
    assert b"EncryptedAssertion" in base64.b64decode(saml_response)

    done = client.post("/saml2/acs/", {"SAMLResponse": saml_response, "RelayState": "/oversigt/"})
    assert done.status_code == 302 and done["Location"] == "/oversigt/"
    assert signed_in_user_id(client) == str(director.pk)
    assert (tmp_path / "dev-idp.key").stat().st_mode & 0o077 == 0


def test_the_development_idp_refuses_an_unsigned_request_and_is_off_by_default(client, settings,
                                                                               tmp_path):
    settings.SAML_DEV_KEYS_DIR = tmp_path
    settings.SAML_DEV_IDP = False
    assert client.get("/saml2/dev-idp/sso/", {"SAMLRequest": "x"}).status_code == 404
    settings.SITE_URL = "http://testserver"
    settings.SAML_DEV_IDP = True
    response = client.get("/saml2/dev-idp/sso/", {"SAMLRequest": "bm90IGEgcmVxdWVzdA=="})
    assert response.status_code == 400
    assert "ikke læses eller er ikke signeret" in response.content.decode()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(3))
def test_two_first_sign_ins_of_one_person_at_once_make_one_user(attempt):
    """Two browsers of the same person arriving together: one user, both signed in as it."""
    from klyngeadmin.saml.services import saml_user_for
    from tests.grants.test_case_concurrency import _race

    cluster = ClusterFactory()
    ava = identity(cluster)
    results = _race(lambda: saml_user_for(ava=ava), lambda: saml_user_for(ava=ava))
    assert not [r for r in results if isinstance(r, Exception)], results
    assert results[0].pk == results[1].pk
    assert User.objects.filter(saml_subject=SUBJECT).count() == 1


def test_once_mitid_is_configured_in_production_cluster_people_cannot_use_passwords(
    client, settings, caseworker
):
    director = UserFactory(role=Role.DIRECTOR, cluster=ClusterFactory(), username="dir-pw")
    settings.CLUSTER_PASSWORD_LOGIN = False
    refused_page = client.post("/login/", {"username": "dir-pw", "password": "test-password-123"})
    assert refused_page.status_code == 200
    assert "logger ind med MitID Erhverv" in refused_page.content.decode()
    assert signed_in_user_id(client) is None
    staff = client.post("/login/", {"username": caseworker.username,
                                    "password": "test-password-123"})
    assert staff.status_code == 302 and signed_in_user_id(client) == str(caseworker.pk)
    client.post("/logout/")
    settings.CLUSTER_PASSWORD_LOGIN = True  # development, or before NemLog-in is configured
    assert client.post("/login/", {"username": "dir-pw",
                                   "password": "test-password-123"}).status_code == 302
    assert signed_in_user_id(client) == str(director.pk)


@pytest.mark.parametrize(("env", "allowed"), [
    ({"DEBUG": "True"}, "True"),
    ({"DEBUG": "False"}, "True"),  # no NemLog-in yet: passwords are the only way in
    ({"DEBUG": "False", "SAML_IDP_METADATA": "/etc/klyngeadmin/nemlogin.xml"}, "False"),
    ({"DEBUG": "False", "SAML_IDP_METADATA": "/x.xml", "CLUSTER_PASSWORD_LOGIN": "True"}, "True"),
])
def test_cluster_password_login_default(env, allowed):
    import os
    import subprocess
    import sys

    from django.conf import settings as django_settings

    base = {k: v for k, v in os.environ.items()
            if k not in ("DJANGO_ALLOW_ASYNC_UNSAFE", "SAML_IDP_METADATA", "CLUSTER_PASSWORD_LOGIN")}
    out = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); from django.conf import settings;"
         " print(settings.CLUSTER_PASSWORD_LOGIN)"],
        env={**base, "SECRET_KEY": "x" * 60, "ALLOWED_HOSTS": "example.dk",
             "DJANGO_SETTINGS_MODULE": "klyngeadmin.settings", **env},
        cwd=django_settings.BASE_DIR, capture_output=True, text=True, timeout=120, check=True,
    )
    assert out.stdout.strip().splitlines()[-1] == allowed
