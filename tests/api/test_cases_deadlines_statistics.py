from datetime import date

import pytest
from django.utils import timezone

from clusters.models import CompanyParticipation
from grants.cases.models import CaseEvent
from grants.cases.services import case_open
from grants.constants import CaseEventKind, CaseStatus, CaseType
from grants.deadlines.models import Deadline
from tests.api.conftest import assert_problem
from tests.factories import ActivityFactory, CompanyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(grant, other_grant, caseworker):
    first = case_open(
        case_type=CaseType.ANNUAL_REPORT, subject="Årsrapport 2025", cluster=grant.cluster,
        report=grant.reports.get(year=2025),
    )
    second = case_open(
        case_type=CaseType.ANNUAL_REPORT, subject="Årsrapport 2025 (anden)", cluster=other_grant.cluster,
        report=other_grant.reports.get(year=2025),
    )
    second.status, second.assignee = CaseStatus.ASSIGNED, caseworker
    second.save()
    CaseEvent.objects.create(case=second, actor=caseworker, kind=CaseEventKind.NOTE, text="Intern", internal=True)
    return first, second


# -- cases ---------------------------------------------------------------------------------------


def test_cases_newest_first_with_events(caseworker_api, cases, caseworker):
    first, second = cases
    r = caseworker_api.get("/api/v1/cases/")
    assert r.status_code == 200
    results = r.json()["results"]
    assert [c["journal_number"] for c in results] == [second.journal_number, first.journal_number]
    top = results[0]
    assert set(top) == {"journal_number", "type", "status", "cluster", "subject", "assignee", "deadline", "events"}
    assert top["type"] == "annual_report" and top["status"] == "assigned"
    assert top["assignee"] == caseworker.username
    assert top["deadline"].endswith(("+01:00", "+02:00"))
    assert [e["kind"] for e in top["events"]] == ["opened", "note"]


def test_cases_filters(caseworker_api, cases, other_cluster):
    first, second = cases
    assert caseworker_api.get("/api/v1/cases/?status=new").json()["results"][0]["journal_number"] == first.journal_number
    r = caseworker_api.get(f"/api/v1/cases/?cluster={other_cluster.slug}")
    assert [c["journal_number"] for c in r.json()["results"]] == [second.journal_number]
    assert caseworker_api.get("/api/v1/cases/?type=application").json()["count"] == 0
    assert_problem(caseworker_api.get("/api/v1/cases/?type=nope"), 400, "type")


def test_case_detail(caseworker_api, cases):
    first, _second = cases
    r = caseworker_api.get(f"/api/v1/cases/{first.journal_number}/")
    assert r.json()["journal_number"] == first.journal_number
    assert_problem(caseworker_api.get("/api/v1/cases/1999-000001/"), 404)


def test_cases_query_count_is_constant(caseworker_api, cases, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        assert caseworker_api.get("/api/v1/cases/").json()["count"] == 2


def test_cases_denied_for_cluster_keys(api, cases):
    first, _second = cases  # the cluster's own case: still not for the cluster's key
    assert_problem(api.get("/api/v1/cases/"), 403)
    assert_problem(api.get(f"/api/v1/cases/{first.journal_number}/"), 403)


@pytest.mark.parametrize("client_name", ["revoked", "expired", "none"])
def test_cases_denied_without_valid_key(denied_clients, client_name, cases):
    assert_problem(denied_clients[client_name].get("/api/v1/cases/"), 401)
    assert_problem(denied_clients[client_name].get(f"/api/v1/cases/{cases[0].journal_number}/"), 401)


# -- deadlines ------------------------------------------------------------------------------------


def test_deadlines_cluster_key_sees_own_open(api, grant, other_grant):
    first = grant.reports.get(year=2025).deadline
    Deadline.objects.filter(pk=first.pk).update(completed_at=timezone.now())
    r = api.get("/api/v1/deadlines/")
    assert r.status_code == 200
    results = r.json()["results"]
    assert {d["kind"] for d in results} == {"annual_report", "self_assessment"}
    assert len(results) == 9 + 1  # nine open reports and the self-assessment
    assert all(d["cluster"] == grant.cluster.slug for d in results)
    assert results[0]["due_at"] == "2027-03-31T23:59:00+02:00"
    assert set(results[0]) >= {"kind", "subject", "due_at"}


def test_deadlines_caseworker_key_sees_their_cases(caseworker_api, cases):
    results = caseworker_api.get("/api/v1/deadlines/").json()["results"]
    assert [d["kind"] for d in results] == ["case_handling"]
    assert results[0]["subject"].endswith("(anden)")


@pytest.mark.parametrize("client_name", ["revoked", "expired", "none"])
def test_deadlines_denied_without_valid_key(denied_clients, client_name):
    assert_problem(denied_clients[client_name].get("/api/v1/deadlines/"), 401)


# -- statistics -----------------------------------------------------------------------------------


@pytest.fixture
def activity_data(cluster, other_cluster):
    for c, n in ((cluster, 2), (other_cluster, 1)):
        for i in range(n):
            a = ActivityFactory(cluster=c, start_date=date(2022, 5, 1), end_date=date(2022, 5, 2),
                                external_id=f"s{c.pk}-{i}")
            CompanyParticipation.objects.create(activity=a, company=CompanyFactory())


def test_statistics_headline_figures(caseworker_api, activity_data, cluster):
    r = caseworker_api.get("/api/v1/statistics/?from_year=2021&to_year=2023")
    assert r.status_code == 200, r.content
    body = r.json()
    for key in ("companies", "activities", "institution_participations", "institution_activities",
                "grant_spent_dkk", "external_funding_dkk", "share_companies_outside_strength_position",
                "sme_companies"):
        assert key in body
    assert body["activities"] == 3 and body["companies"] == 3
    r = caseworker_api.get(f"/api/v1/statistics/?from_year=2021&to_year=2023&cluster={cluster.slug}")
    assert r.json()["activities"] == 2 and r.json()["cluster"] == cluster.slug
    assert caseworker_api.get("/api/v1/statistics/?from_year=2024&to_year=2025").json()["activities"] == 0


def test_statistics_bad_parameters(caseworker_api):
    assert_problem(caseworker_api.get("/api/v1/statistics/?from_year=2023&to_year=2021"), 400, "to_year")
    assert_problem(caseworker_api.get("/api/v1/statistics/?from_year=abc"), 400, "from_year")
    assert_problem(caseworker_api.get("/api/v1/statistics/?cluster=nope"), 404)


def test_statistics_denied_for_cluster_keys(api):
    assert_problem(api.get("/api/v1/statistics/"), 403)


@pytest.mark.parametrize("client_name", ["revoked", "expired", "none"])
def test_statistics_denied_without_valid_key(denied_clients, client_name):
    assert_problem(denied_clients[client_name].get("/api/v1/statistics/"), 401)
