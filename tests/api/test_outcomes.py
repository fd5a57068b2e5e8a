"""`POST /api/v1/outcomes/` (bulk, idempotent, all or nothing) and the fee and aid in the
activity payload."""

from datetime import date

import pytest

from clusters.constants import AidLegalBasis, FeeBasis
from clusters.models import CompanyParticipation, ExchangeRate, StateAidCeiling
from clusters.stateaid import services as aid
from clusters.stateaid.defaults import seed_defaults
from grants.outcomes.models import CompanyOutcome
from tests.factories import ActivityFactory, CompanyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def stateaid_configuration(db):
    """The ceilings and rate the migration seeds (a flush by an earlier transactional or demo
    test removes them)."""
    seed_defaults(StateAidCeiling, ExchangeRate)
URL = "/api/v1/outcomes/"


@pytest.fixture
def company(cluster):
    activity = ActivityFactory(cluster=cluster, external_id="crm-1", start_date=date(2026, 5, 1),
                               end_date=date(2026, 5, 1))
    c = CompanyFactory()
    CompanyParticipation.objects.create(activity=activity, company=c)
    return c


def body(company, **over):
    return {"outcomes": [{"cvr": company.cvr, "activity": "crm-1", "kind": "idea", **over}]}


def test_bulk_creates_then_changes_nothing(api, company):
    r = api.post(URL, body(company))
    assert r.status_code == 200 and r.json() == {"created": 1, "updated": 0, "unchanged": 0}
    r = api.post(URL, body(company))
    assert r.json() == {"created": 0, "updated": 0, "unchanged": 1}
    assert CompanyOutcome.objects.count() == 1


def test_idempotency_key_replays_the_first_answer(api, company):
    first = api.post(URL, body(company), headers={"Idempotency-Key": "k-1"})
    again = api.post(URL, body(company), headers={"Idempotency-Key": "k-1"})
    assert again.json() == first.json() and again.headers["Idempotent-Replayed"] == "true"
    assert api.post(URL, body(company, kind="competence"), headers={"Idempotency-Key": "k-1"}).status_code == 422


def test_bad_rows_answer_400_naming_index_and_field_and_change_nothing(api, company):
    r = api.post(URL, {"outcomes": [body(company)["outcomes"][0],
                                    {"cvr": company.cvr, "activity": "crm-1", "kind": "investment"}]})
    assert r.status_code == 400
    assert [(e["index"], e["field"]) for e in r.json()["errors"]] == [(1, "investment_dkk")]
    assert not CompanyOutcome.objects.exists()
    assert api.post(URL, {"outcomes": "no"}).status_code == 400


def test_another_clusters_key_cannot_reach_the_activity(other_api, company):
    r = other_api.post(URL, body(company))
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "activity"
    assert not CompanyOutcome.objects.exists()


def test_authority_keys_and_no_key_are_refused(caseworker_api, company, client):
    assert caseworker_api.post(URL, body(company)).status_code == 403
    assert client.post(URL, body(company), content_type="application/json").status_code == 401


def test_activity_payload_carries_fee_and_aid(api, cluster, director, company, django_assert_max_num_queries):
    activity = company.activities.get()
    aid.activity_fee_set(activity=activity, actor=director, fee_per_participant_dkk=400, fee_basis=FeeBasis.COST,
                         individual_service=False)
    aid.aid_record_set(activity=activity, company=company, actor=director,
                       legal_basis=AidLegalBasis.CLUSTER_ACCESS, amount_dkk=3_000)
    for i in range(5):
        ActivityFactory(cluster=cluster, external_id=f"more-{i}")
    with django_assert_max_num_queries(12):
        r = api.get("/api/v1/activities/")
    item = next(a for a in r.json()["results"] if a["external_id"] == "crm-1")
    assert (item["fee_per_participant_dkk"], item["fee_basis"], item["individual_service"]) == (400, "cost", False)
    assert item["aid"] == [{"cvr": company.cvr, "legal_basis": "cluster_access", "amount_dkk": 3000,
                            "granted_on": "2026-05-01"}]
    other = next(a for a in r.json()["results"] if a["external_id"] == "more-0")
    assert other["fee_basis"] == "free" and other["aid"] == []
