"""GET /api/v1/evaluations/ (caseworker keys): fields, totals and decision once decided,
filters, denied for cluster keys and without a valid key, constant query count."""

import pytest

from evaluations.midway.panel_services import consensus_save, panel_join, scores_save
from evaluations.midway.services import decision_approve, decision_propose, evaluation_open
from evaluations.panels.defaults import ensure_default_rubrics
from tests.api.conftest import assert_problem
from tests.evaluations.conftest import all_scores, answer_all


@pytest.fixture
def decided(grant, caseworker, caseworker2, head_of_office, director):
    ensure_default_rubrics()
    evaluation = grant.midway_evaluation
    evaluation_open(evaluation=evaluation, actor=caseworker)
    answer_all(evaluation, director)
    for user in (caseworker, caseworker2):
        member = panel_join(panel=evaluation.panel, actor=user, no_conflict=True)
        scores_save(member=member, actor=user, scores=all_scores(evaluation, 3), submit=True)
    consensus_save(panel=evaluation.panel, actor=caseworker, scores=all_scores(evaluation, 3),
                   outcome="continue", text="Tilfredsstillende")
    decision_propose(evaluation=evaluation, actor=caseworker, outcome="continue", reasons="Godt")
    decision_approve(evaluation=evaluation, actor=head_of_office)
    return evaluation


def test_evaluations_list_fields_and_decided_totals(caseworker_api, decided, other_grant):
    r = caseworker_api.get("/api/v1/evaluations/")
    assert r.status_code == 200
    results = {e["cluster"]: e for e in r.json()["results"]}
    done = results[decided.grant.cluster.slug]
    assert set(done) == {"id", "cluster", "grant", "year", "status", "rubric_version", "raw_total",
                         "adjusted_total", "decision"}
    assert done["grant"] == decided.grant.reference and done["year"] == 2029
    assert done["status"] == "decided" and done["rubric_version"] == 1
    assert done["adjusted_total"] == "3.00" and done["decision"] == "continue"
    assert done["raw_total"] is not None
    scheduled = results[other_grant.cluster.slug]
    assert scheduled["status"] == "scheduled"
    assert scheduled["rubric_version"] is None
    assert scheduled["raw_total"] is scheduled["adjusted_total"] is scheduled["decision"] is None


def test_evaluations_filters(caseworker_api, decided, other_grant):
    r = caseworker_api.get(f"/api/v1/evaluations/?cluster={other_grant.cluster.slug}")
    assert [e["cluster"] for e in r.json()["results"]] == [other_grant.cluster.slug]
    assert caseworker_api.get("/api/v1/evaluations/?status=decided").json()["count"] == 1
    assert caseworker_api.get("/api/v1/evaluations/?year=2030").json()["count"] == 0
    assert_problem(caseworker_api.get("/api/v1/evaluations/?status=nope"), 400, "status")


def test_evaluations_denied_for_cluster_keys(api, grant):
    assert_problem(api.get("/api/v1/evaluations/"), 403)


@pytest.mark.parametrize("client_name", ["revoked", "expired", "none"])
def test_evaluations_denied_without_valid_key(denied_clients, client_name, grant):
    assert_problem(denied_clients[client_name].get("/api/v1/evaluations/"), 401)


def test_evaluations_query_count_is_constant(caseworker_api, grant, other_grant, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        assert caseworker_api.get("/api/v1/evaluations/").json()["count"] == 2
