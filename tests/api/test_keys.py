import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError
from django.utils import timezone

from klyngeadmin.accounts.keys import ApiKeyOwnerError, api_key_create, hash_key
from klyngeadmin.accounts.models import ApiKey
from tests.api.conftest import ApiClient, assert_problem

pytestmark = pytest.mark.django_db


def test_key_is_stored_hashed_with_visible_prefix(cluster):
    issued = api_key_create(name="CRM", cluster=cluster)
    row = ApiKey.objects.get(pk=issued.api_key.pk)
    assert issued.plain.startswith(row.prefix + "_")
    assert row.key_hash == hash_key(issued.plain)
    assert issued.plain not in {row.key_hash, row.prefix, row.name}
    assert len(issued.plain) > 40


def test_key_needs_exactly_one_owner(cluster, caseworker, director):
    with pytest.raises(ApiKeyOwnerError):
        api_key_create(name="x", cluster=cluster, user=caseworker)
    with pytest.raises(ApiKeyOwnerError):
        api_key_create(name="x")
    with pytest.raises(ApiKeyOwnerError):
        api_key_create(name="x", user=director)  # cluster people use cluster keys


def test_db_constraint_one_owner(cluster, caseworker):
    with pytest.raises(IntegrityError):
        ApiKey.objects.create(name="x", prefix="ka_x", key_hash="0" * 64, cluster=cluster, user=caseworker)


def test_last_used_is_recorded(api, cluster_key):
    assert cluster_key.api_key.last_used_at is None
    assert api.get("/api/v1/clusters/").status_code == 200
    cluster_key.api_key.refresh_from_db()
    assert cluster_key.api_key.last_used_at is not None


@pytest.mark.parametrize("client_name", ["revoked", "expired", "none"])
def test_denied_keys_get_401(denied_clients, client_name):
    body = assert_problem(denied_clients[client_name].get("/api/v1/clusters/"), 401)
    assert body["type"].endswith(("authentication_failed", "not_authenticated"))


def test_unknown_and_malformed_keys_get_401(db):
    assert_problem(ApiClient("ka_nope_nope").get("/api/v1/clusters/"), 401)
    r = ApiClient(None).get("/api/v1/clusters/", headers={"Authorization": "Bearer a b"})
    assert_problem(r, 401)


def test_key_of_deactivated_caseworker_gets_401(caseworker, caseworker_api):
    caseworker.is_active = False
    caseworker.save()
    assert_problem(caseworker_api.get("/api/v1/clusters/"), 401)


def test_key_expiring_later_works(cluster):
    issued = api_key_create(name="x", cluster=cluster, expires_at=timezone.now() + timedelta(days=1))
    assert ApiClient(issued.plain).get("/api/v1/clusters/").status_code == 200


def test_create_api_key_command_for_cluster(cluster):
    out, err = io.StringIO(), io.StringIO()
    call_command("create_api_key", "--cluster", cluster.slug, stdout=out, stderr=err)
    key = out.getvalue().strip().splitlines()[-1]
    row = ApiKey.objects.get(key_hash=hash_key(key))
    assert row.cluster == cluster and row.user is None
    r = ApiClient(key).get("/api/v1/clusters/")
    assert [c["slug"] for c in r.json()["results"]] == [cluster.slug]


def test_create_api_key_command_for_caseworker(caseworker):
    out = io.StringIO()
    call_command("create_api_key", "--user", caseworker.username, stdout=out, stderr=io.StringIO())
    key = out.getvalue().strip().splitlines()[-1]
    assert ApiKey.objects.get(key_hash=hash_key(key)).user == caseworker


def test_create_api_key_command_refuses(director):
    with pytest.raises(CommandError):
        call_command("create_api_key", "--cluster", "nope", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("create_api_key", "--user", "nope", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("create_api_key", "--user", director.username, stdout=io.StringIO(),
                     stderr=io.StringIO())


def test_revoked_and_expired_caseworker_keys_get_401(caseworker):
    from klyngeadmin.accounts.keys import api_key_revoke

    revoked = api_key_create(name="r", user=caseworker)
    api_key_revoke(api_key=revoked.api_key)
    expired = api_key_create(name="e", user=caseworker, expires_at=timezone.now() - timedelta(seconds=1))
    for issued in (revoked, expired):
        for path in ("/api/v1/cases/", "/api/v1/statistics/", "/api/v1/reports/"):
            assert_problem(ApiClient(issued.plain).get(path), 401)
