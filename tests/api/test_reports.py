import pytest

from grants.cases.models import Case
from grants.constants import ReportStatus
from grants.reports.models import AnnualReport, ReportEvent
from grants.reports.services import REPORT_FINANCE_FIELDS, REPORT_NARRATIVE_FIELDS
from klyngeadmin.accounts.keys import api_key_create
from tests.api.conftest import ApiClient, assert_problem

pytestmark = pytest.mark.django_db

COMPLETE = {
    **{name: 1000 for name in REPORT_FINANCE_FIELDS},
    **{name: "Tekst om året." for name in REPORT_NARRATIVE_FIELDS},
}


@pytest.fixture
def report(grant):
    return grant.reports.get(year=2025)


@pytest.fixture
def other_report(other_grant):
    return other_grant.reports.get(year=2025)


def url(report, suffix=""):
    return f"/api/v1/reports/{report.pk}/{suffix}"


def test_list_cluster_key_sees_own(api, grant, other_grant):
    r = api.get("/api/v1/reports/")
    assert r.status_code == 200
    body = r.json()
    assert body["count"] == 10
    first = body["results"][0]
    assert set(first) == {"id", "cluster", "year", "status", "due_at"}
    assert first["cluster"] == grant.cluster.slug and first["status"] == "draft"
    assert first["due_at"] == "2026-03-31T23:59:00+02:00"  # ISO 8601 with the offset
    assert api.get("/api/v1/reports/?year=2026").json()["count"] == 1
    assert api.get(f"/api/v1/reports/?cluster={other_grant.cluster.slug}").json()["count"] == 0


def test_list_caseworker_sees_all_and_filters_by_cluster(caseworker_api, grant, other_grant):
    assert caseworker_api.get("/api/v1/reports/").json()["count"] == 20
    r = caseworker_api.get(f"/api/v1/reports/?cluster={other_grant.cluster.slug}&year=2025")
    assert [x["cluster"] for x in r.json()["results"]] == [other_grant.cluster.slug]


def test_list_query_count_is_constant(caseworker_api, grant, other_grant, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        assert caseworker_api.get("/api/v1/reports/").json()["count"] == 20


def test_detail_has_etag(api, report):
    r = api.get(url(report))
    assert r.status_code == 200
    assert r["ETag"] == f'"v{report.version}"'
    assert r.json()["status"] == "draft" and "grant_spent_dkk" in r.json()


def test_other_clusters_report_is_404(other_api, report):
    assert_problem(other_api.get(url(report)), 404)
    assert_problem(other_api.patch(url(report), {"value_created": "x"}, headers={"If-Match": '"v1"'}), 404)
    assert_problem(other_api.post(url(report, "submit/")), 404)
    report.refresh_from_db()
    assert report.value_created == "" and report.status == "draft"


def test_patch_with_if_match(api, report):
    etag = api.get(url(report))["ETag"]
    r = api.patch(url(report), {"grant_spent_dkk": 5_000_000, "value_created": "Værdi",
                                "status": "approved", "year": 1999}, headers={"If-Match": etag})
    assert r.status_code == 200, r.content
    assert r.json()["grant_spent_dkk"] == 5_000_000 and r.json()["value_created"] == "Værdi"
    assert r.json()["status"] == "draft" and r.json()["year"] == 2025  # read-only
    assert r["ETag"] != etag
    assert ReportEvent.objects.filter(report=report).exists()


def test_patch_stale_is_412_and_missing_is_428(api, report):
    etag = api.get(url(report))["ETag"]
    assert api.patch(url(report), {"value_created": "A"}, headers={"If-Match": etag}).status_code == 200
    assert_problem(api.patch(url(report), {"value_created": "B"}, headers={"If-Match": etag}), 412)
    assert_problem(api.patch(url(report), {"value_created": "B"}), 428)
    report.refresh_from_db()
    assert report.value_created == "A"


def test_patch_invalid_lists_fields(api, report):
    r = api.patch(url(report), {"grant_spent_dkk": -1, "value_created": 5 * "x" * 5000},
                  headers={"If-Match": '"v1"'})
    assert_problem(r, 400, "grant_spent_dkk")


def test_patch_submitted_report_is_409(api, report):
    api.patch(url(report), COMPLETE, headers={"If-Match": '"v1"'})
    assert api.post(url(report, "submit/")).status_code == 200
    etag = api.get(url(report))["ETag"]
    assert_problem(api.patch(url(report), {"value_created": "x"}, headers={"If-Match": etag}), 409)


def test_submit(api, report, director):
    assert api.patch(url(report), COMPLETE, headers={"If-Match": '"v1"'}).status_code == 200
    r = api.post(url(report, "submit/"))
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "submitted"
    assert Case.objects.filter(report=report).count() == 1
    event = ReportEvent.objects.filter(report=report, to_status="submitted").get()
    assert event.actor == director  # the key's issuer is accountable
    assert_problem(api.post(url(report, "submit/")), 409)


def test_submit_with_cli_key_acts_as_integration_user(cluster, report):
    client = ApiClient(api_key_create(name="cli", cluster=cluster).plain)
    client.patch(url(report), COMPLETE, headers={"If-Match": '"v1"'})
    assert client.post(url(report, "submit/")).status_code == 200
    actor = ReportEvent.objects.get(report=report, to_status="submitted").actor
    assert actor.username == f"api-{cluster.slug}" and not actor.is_active
    assert not actor.has_usable_password()


def test_submit_incomplete_is_400_naming_fields(api, report):
    body = assert_problem(api.post(url(report, "submit/")), 400)
    assert {"grant_spent_dkk", "value_created"} <= {e["field"] for e in body["errors"]}
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT


def test_submit_stale_if_match_is_412(api, report):
    api.patch(url(report), COMPLETE, headers={"If-Match": '"v1"'})
    assert_problem(api.post(url(report, "submit/"), headers={"If-Match": '"v1"'}), 412)
    assert AnnualReport.objects.get(pk=report.pk).status == "draft"


def test_caseworker_key_reads_but_cannot_write(caseworker_api, report):
    assert caseworker_api.get(url(report)).status_code == 200
    assert_problem(caseworker_api.patch(url(report), {"value_created": "x"}, headers={"If-Match": '"v1"'}), 403)
    assert_problem(caseworker_api.post(url(report, "submit/")), 403)


@pytest.mark.parametrize("client_name", ["revoked", "expired", "none"])
def test_reports_denied_without_valid_key(denied_clients, client_name, report):
    client = denied_clients[client_name]
    assert_problem(client.get("/api/v1/reports/"), 401)
    assert_problem(client.get(url(report)), 401)
    assert_problem(client.patch(url(report), {"value_created": "x"}, headers={"If-Match": '"v1"'}), 401)
    assert_problem(client.post(url(report, "submit/")), 401)
    report.refresh_from_db()
    assert report.value_created == ""
