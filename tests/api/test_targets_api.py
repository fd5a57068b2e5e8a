"""GET /api/v1/grants/{ref}/targets/ (issue 15 item 5): own grant, another cluster's 404, the
authority sees every grant; attainment as strings, n/a as null."""

import pytest

from grants.targets.services import targets_set_at_award
from tests.api.conftest import assert_problem

pytestmark = pytest.mark.django_db


@pytest.fixture
def awarded(grant, caseworker):
    targets_set_at_award(grant=grant, actor=caseworker, rows=[
        {"year_number": 1, "indicator": "companies", "target": 10, "baseline": 4},
        {"year_number": 1, "indicator": "cofinancing_dkk", "target": 1_000_000},
        {"year_number": 2, "indicator": "companies", "target": 12},
    ])
    return grant


def test_cluster_key_reads_its_grant_targets(api, awarded):
    r = api.get(f"/api/v1/grants/{awarded.reference}/targets/")
    assert r.status_code == 200
    body = r.json()
    assert body["reference"] == awarded.reference and body["cluster"] == awarded.cluster.slug
    assert [y["year_number"] for y in body["years"]] == [1, 2]
    first = body["years"][0]
    rows = {i["indicator"]: i for i in first["indicators"]}
    assert rows["companies"] == {
        "indicator": "companies", "name": "Deltagende virksomheder", "unit": "count",
        "source": "computed", "definition": rows["companies"]["definition"],
        "baseline": "4.0000", "target": "10.0000", "realised": "0.0000",
        "deviation": "-10.0000", "attainment": "0.0000",
    }
    assert rows["cofinancing_dkk"]["realised"] is None  # the report is not filled in
    assert rows["cofinancing_dkk"]["attainment"] is None
    assert first["attainment"] == "0.0000"


def test_another_clusters_grant_is_404(other_api, awarded):
    assert_problem(other_api.get(f"/api/v1/grants/{awarded.reference}/targets/"), 404)


def test_authority_key_reads_every_grant(caseworker_api, awarded, other_grant):
    assert caseworker_api.get(f"/api/v1/grants/{awarded.reference}/targets/").status_code == 200
    r = caseworker_api.get(f"/api/v1/grants/{other_grant.reference}/targets/")
    assert r.status_code == 200 and r.json()["years"] == []


def test_unknown_grant_and_no_key(anonymous_api, api, awarded):
    assert_problem(api.get("/api/v1/grants/NOPE/targets/"), 404)
    assert anonymous_api.get(f"/api/v1/grants/{awarded.reference}/targets/").status_code == 401
