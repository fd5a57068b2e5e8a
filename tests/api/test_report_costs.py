"""GET/PUT /api/v1/reports/{id}/costs/: own cluster reads and writes, a caseworker key reads,
another cluster gets 404; PUT is all or nothing with 400 naming field and line; If-Match."""

import pytest

from grants.budgets.models import BudgetLine
from tests.api.conftest import ApiClient, assert_problem
from tests.budgets.helpers import actuals_as_budget, budget_grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(grant, caseworker):
    budget_grant(grant, caseworker, years=(1,))
    return grant.reports.get(year_number=1)


def url(report):
    return f"/api/v1/reports/{report.pk}/costs/"


def test_get_own_report_costs(api, report, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        r = api.get(url(report))
    assert r.status_code == 200 and r["ETag"] == f'"v{report.version}"'
    body = r.json()
    assert body["report"] == report.pk and len(body["lines"]) == 8
    first = body["lines"][0]
    assert set(first) == {"line", "label", "kind", "budget_dkk", "actual_dkk", "deviation_dkk",
                          "needs_explanation", "explanation"}
    assert body["aid_intensity"]["pct"] == "50.00" and body["aid_intensity"]["ceiling_pct"] == 50


def test_other_cluster_gets_404_and_caseworker_reads(other_api, caseworker_api, report):
    assert_problem(other_api.get(url(report)), 404)
    assert_problem(other_api.put(url(report), {"lines": []}, headers={"If-Match": "*"}), 404)
    assert caseworker_api.get(url(report)).status_code == 200
    r = caseworker_api.put(url(report), {"lines": actuals_as_budget()}, headers={"If-Match": "*"})
    assert r.status_code == 403
    assert not BudgetLine.objects.filter(actual_dkk__isnull=False).exists()


def test_put_saves_all_lines(api, report):
    r = api.put(url(report), {"lines": actuals_as_budget(**{"funding:in_kind": 1_600_000,
                                                             "funding:private_cash": 3_900_000})},
                headers={"If-Match": f'"v{report.version}"'})
    assert r.status_code == 200, r.content
    assert r["ETag"] == f'"v{report.version + 1}"'
    lines = {x["line"]: x for x in r.json()["lines"]}
    assert lines["funding:in_kind"]["actual_dkk"] == 1_600_000
    assert lines["funding:in_kind"]["deviation_dkk"] == 100_000


def test_put_bad_line_is_400_naming_field_and_line_and_changes_nothing(api, report):
    lines = actuals_as_budget()
    lines[3]["actual_dkk"] = 3_000_000  # a deviation without explanation
    r = api.put(url(report), {"lines": lines}, headers={"If-Match": "*"})
    body = assert_problem(r, 400, field="lines[3].explanation")
    assert "Forklar afvigelsen" in body["errors"][0]["detail"]
    lines = actuals_as_budget()
    lines[2]["actual_dkk"] = -1
    assert_problem(api.put(url(report), {"lines": lines}, headers={"If-Match": "*"}), 400,
                   field="lines[2].actual_dkk")
    assert_problem(api.put(url(report), {"lines": [{"line": "funding:loan", "actual_dkk": 1}]},
                           headers={"If-Match": "*"}), 400, field="lines[0].line")
    assert_problem(api.put(url(report), {"lines": actuals_as_budget()[1:]},
                           headers={"If-Match": "*"}), 400, field="lines")
    assert not BudgetLine.objects.filter(actual_dkk__isnull=False).exists()


def test_put_needs_a_current_if_match(api, report):
    assert_problem(api.put(url(report), {"lines": actuals_as_budget()}), 428)
    assert_problem(api.put(url(report), {"lines": actuals_as_budget()},
                           headers={"If-Match": '"v999"'}), 412)
    assert not BudgetLine.objects.filter(actual_dkk__isnull=False).exists()


def test_unauthenticated_is_401(denied_clients, report):
    for client in denied_clients.values():
        assert client.get(url(report)).status_code == 401
    assert isinstance(denied_clients["none"], ApiClient)
