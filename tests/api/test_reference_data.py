import pytest

from clusters.models import FacilitatedProject
from tests.api.conftest import assert_problem
from tests.factories import InstitutionFactory

pytestmark = pytest.mark.django_db


def test_clusters_cluster_key_sees_own(api, cluster, other_cluster):
    r = api.get("/api/v1/clusters/")
    assert r.status_code == 200
    assert r.json()["results"] == [{
        "slug": cluster.slug, "name": cluster.name,
        "strength_position": cluster.strength_position.slug, "status": "active",
    }]


def test_clusters_caseworker_sees_all(caseworker_api, cluster, other_cluster):
    slugs = {c["slug"] for c in caseworker_api.get("/api/v1/clusters/").json()["results"]}
    assert slugs == {cluster.slug, other_cluster.slug}


def test_institutions_for_every_valid_key(api, caseworker_api):
    InstitutionFactory(code="au", name="Aarhus Universitet", cvr="")
    for client in (api, caseworker_api):
        r = client.get("/api/v1/institutions/")
        assert r.json()["results"] == [{"code": "au", "name": "Aarhus Universitet", "kind": "university", "cvr": ""}]


@pytest.mark.parametrize("path", ["/api/v1/clusters/", "/api/v1/institutions/", "/api/v1/facilitated-projects/"])
@pytest.mark.parametrize("client_name", ["revoked", "expired", "none"])
def test_reference_lists_denied_without_valid_key(denied_clients, client_name, path):
    assert_problem(denied_clients[client_name].get(path), 401)


PROJECT = {
    "title": "Horizon-ansøgning", "funder": "EU Horizon Europe", "funder_kind": "eu", "year": 2025,
    "amount_applied_dkk": 5_000_000, "amount_granted_dkk": 0, "cluster_share_dkk": 0, "status": "applied",
}


def test_facilitated_project_put_creates_and_replaces(api, cluster):
    url = "/api/v1/facilitated-projects/fp-1/"
    r = api.put(url, PROJECT)
    assert r.status_code == 201, r.content
    assert r.json()["external_id"] == "fp-1" and r.json()["cluster"] == cluster.slug
    assert api.put(url, PROJECT).status_code == 200
    assert FacilitatedProject.objects.get().version == 1
    r = api.put(url, {**PROJECT, "status": "granted", "amount_granted_dkk": 4_000_000, "version": 50})
    assert r.json()["amount_granted_dkk"] == 4_000_000 and r.json()["version"] == 2
    assert api.get("/api/v1/facilitated-projects/").json()["count"] == 1
    assert api.get(url).json()["status"] == "granted"


def test_facilitated_project_invalid(api):
    r = api.put("/api/v1/facilitated-projects/fp-1/", {**PROJECT, "amount_granted_dkk": 10, "funder_kind": "x"})
    body = assert_problem(r, 400)
    assert "funder_kind" in {e["field"] for e in body["errors"]}
    r = api.put("/api/v1/facilitated-projects/fp-1/", {**PROJECT, "amount_granted_dkk": 10})
    assert_problem(r, 400, "amount_granted_dkk")
    assert not FacilitatedProject.objects.exists()


def test_facilitated_projects_scoped(api, other_api, caseworker_api, cluster, other_cluster):
    assert api.put("/api/v1/facilitated-projects/fp-1/", PROJECT).status_code == 201
    assert other_api.get("/api/v1/facilitated-projects/").json()["count"] == 0
    assert_problem(other_api.get("/api/v1/facilitated-projects/fp-1/"), 404)
    assert other_api.put("/api/v1/facilitated-projects/fp-1/", {**PROJECT, "title": "Deres"}).status_code == 201
    assert FacilitatedProject.objects.get(cluster=cluster).title == "Horizon-ansøgning"
    assert caseworker_api.get("/api/v1/facilitated-projects/").json()["count"] == 2
    r = caseworker_api.get(f"/api/v1/facilitated-projects/fp-1/?cluster={cluster.slug}")
    assert r.json()["title"] == "Horizon-ansøgning"
    assert_problem(caseworker_api.get("/api/v1/facilitated-projects/fp-1/"), 404)
    assert_problem(caseworker_api.put("/api/v1/facilitated-projects/fp-9/", PROJECT), 403)


@pytest.mark.parametrize("client_name", ["revoked", "expired", "none"])
def test_facilitated_project_put_denied_without_valid_key(denied_clients, client_name):
    assert_problem(denied_clients[client_name].put("/api/v1/facilitated-projects/fp-1/", PROJECT), 401)
    assert not FacilitatedProject.objects.exists()


@pytest.mark.parametrize("client_name", ["revoked", "expired", "none"])
def test_facilitated_project_get_denied_without_valid_key(denied_clients, client_name, api):
    assert api.put("/api/v1/facilitated-projects/fp-1/", PROJECT).status_code == 201
    assert_problem(denied_clients[client_name].get("/api/v1/facilitated-projects/fp-1/"), 401)
