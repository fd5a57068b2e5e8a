from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from klyngeadmin.accounts.keys import api_key_create, api_key_revoke


class ApiClient:
    """A django.test.Client speaking JSON with a Bearer key."""

    def __init__(self, key: str | None):
        self.client = Client()
        self.key = key

    def _headers(self, headers):
        out = dict(headers or {})
        if self.key:
            out.setdefault("Authorization", f"Bearer {self.key}")
        return out

    def get(self, path, data=None, headers=None):
        return self.client.get(path, data, headers=self._headers(headers))

    def delete(self, path, headers=None):
        return self.client.delete(path, headers=self._headers(headers))

    def _send(self, method, path, data, content_type, headers):
        return getattr(self.client, method)(
            path, data=data, content_type=content_type, headers=self._headers(headers)
        )

    def post(self, path, data=None, content_type="application/json", headers=None):
        return self._send("post", path, data, content_type, headers)

    def put(self, path, data=None, content_type="application/json", headers=None):
        return self._send("put", path, data, content_type, headers)

    def patch(self, path, data=None, content_type="application/json", headers=None):
        return self._send("patch", path, data, content_type, headers)


@pytest.fixture
def cluster_key(cluster, director):
    return api_key_create(name="CRM", cluster=cluster, created_by=director)


@pytest.fixture
def other_cluster_key(other_cluster):
    return api_key_create(name="Anden CRM", cluster=other_cluster)


@pytest.fixture
def caseworker_key(caseworker):
    return api_key_create(name="BI", user=caseworker)


@pytest.fixture
def revoked_key(cluster):
    issued = api_key_create(name="Gammel", cluster=cluster)
    api_key_revoke(api_key=issued.api_key)
    return issued


@pytest.fixture
def expired_key(cluster):
    return api_key_create(
        name="Udløbet", cluster=cluster, expires_at=timezone.now() - timedelta(minutes=1)
    )


@pytest.fixture
def api(cluster_key):
    return ApiClient(cluster_key.plain)


@pytest.fixture
def other_api(other_cluster_key):
    return ApiClient(other_cluster_key.plain)


@pytest.fixture
def caseworker_api(caseworker_key):
    return ApiClient(caseworker_key.plain)


@pytest.fixture
def revoked_api(revoked_key):
    return ApiClient(revoked_key.plain)


@pytest.fixture
def expired_api(expired_key):
    return ApiClient(expired_key.plain)


@pytest.fixture
def anonymous_api(db):
    return ApiClient(None)


@pytest.fixture
def denied_clients(revoked_api, expired_api, anonymous_api):
    """Every client that must get 401."""
    return {"revoked": revoked_api, "expired": expired_api, "none": anonymous_api}


def assert_problem(response, status, field=None):
    assert response.status_code == status, (response.status_code, response.content[:2000])
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status
    assert isinstance(body["errors"], list)
    if field is not None:
        assert field in [e["field"] for e in body["errors"]], body
    return body
