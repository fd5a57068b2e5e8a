import json

import pytest
from django.test import override_settings

from clusters.api.views import ActivityBulkView
from clusters.models import Activity, Company, CompanyParticipation, InstitutionParticipation
from klyngeadmin.accounts.models import IdempotencyRecord
from tests.api.conftest import assert_problem
from tests.factories import ActivityFactory, CompanyFactory, InstitutionFactory, next_cvr

pytestmark = pytest.mark.django_db

BULK = "/api/v1/activities/bulk/"


def item(external_id="crm-1", **over):
    data = {
        "external_id": external_id,
        "title": f"Aktivitet {external_id}",
        "activity_type": "matchmaking",
        "start_date": "2023-03-01",
        "end_date": "2023-03-01",
        "international": False,
        "eu_funded": False,
        "companies": [],
        "institutions": [],
    }
    data.update(over)
    return data


def company(cvr=None, name="Virksomhed ApS", employees=25):
    return {"cvr": cvr or next_cvr(), "name": name, "employees": employees}


@pytest.fixture
def institution(db):
    return InstitutionFactory(code="au")


# -- bulk -------------------------------------------------------------------------------------


def test_bulk_creates_updates_and_counts_unchanged(api, cluster, institution):
    c1, c2 = company(), company()
    items = [
        item("a", companies=[c1, c2], institutions=[{"code": "au"}]),
        item("b", companies=[c1]),
        item("c"),
    ]
    r = api.post(BULK, {"activities": items})
    assert r.status_code == 200, r.content
    assert r.json() == {"created": 3, "updated": 0, "unchanged": 0}
    a = Activity.objects.get(cluster=cluster, external_id="a")
    assert {c.cvr for c in a.companies.all()} == {c1["cvr"], c2["cvr"]}
    assert [i.code for i in a.institutions.all()] == ["au"]
    assert Company.objects.get(cvr=c1["cvr"]).size_class == "small"

    items[0] = item("a", companies=[c2], institutions=[])  # c1 and the institution leave
    items[1] = item("b", title="Ny titel", companies=[c1])
    r = api.post(BULK, {"activities": items})
    assert r.json() == {"created": 0, "updated": 2, "unchanged": 1}
    a.refresh_from_db()
    assert [c.cvr for c in a.companies.all()] == [c2["cvr"]]
    assert not a.institutions.exists()
    assert a.version == 2
    assert Activity.objects.get(external_id="b").title == "Ny titel"
    assert Activity.objects.get(external_id="c").version == 1


def test_bulk_leaves_known_companies_as_they_are(api, cluster):
    """The company register is shared by every cluster: one cluster's CRM (like its import
    file) can add companies but not rename or resize another's."""
    known = CompanyFactory(name="Original A/S", employees=40)
    size_class = known.size_class
    r = api.post(BULK, {"activities": [
        item("k", companies=[company(cvr=known.cvr, name="Omdøbt ApS", employees=400)]),
    ]})
    assert r.status_code == 200, r.content
    known.refresh_from_db()
    assert (known.name, known.employees, known.size_class) == ("Original A/S", 40, size_class)
    assert Activity.objects.get(cluster=cluster, external_id="k").companies.get() == known


def test_bulk_cluster_comes_from_the_key(api, cluster, other_cluster):
    r = api.post(BULK, {"activities": [item("x", cluster=other_cluster.slug, status="approved")]})
    assert r.status_code == 200
    assert Activity.objects.get(external_id="x").cluster == cluster
    assert not Activity.objects.filter(cluster=other_cluster).exists()


def test_bulk_same_external_id_in_two_clusters_is_two_activities(api, other_api, cluster, other_cluster):
    assert api.post(BULK, {"activities": [item("same")]}).json()["created"] == 1
    assert other_api.post(BULK, {"activities": [item("same", title="Andet")]}).json()["created"] == 1
    assert Activity.objects.get(cluster=cluster, external_id="same").title == "Aktivitet same"


def test_bulk_lists_every_problem_and_changes_nothing(api, cluster, institution):
    ActivityFactory(cluster=cluster, external_id="keep", title="Før")
    bad_cvr = "12345678"  # weighted sum not divisible by 11
    items = [
        item("keep", title="Efter"),  # valid, but must not be applied
        item("b", companies=[company(cvr=bad_cvr)]),
        item("c", institutions=[{"code": "nowhere"}]),
        item("d", start_date="2023-05-01", end_date="2023-04-01"),
        item("e", activity_type="party"),
        item("keep"),
        item("g", companies=[company(employees=-1), {"cvr": "1", "name": ""}]),
        "not an object",
        item("i", start_date="2023-02-30"),
        {"title": "no id"},
    ]
    r = api.post(BULK, {"activities": items})
    body = assert_problem(r, 400)
    got = {(e["index"], e["field"]) for e in body["errors"]}
    assert {
        (1, "companies[0].cvr"),
        (2, "institutions[0].code"),
        (3, "end_date"),
        (4, "activity_type"),
        (5, "external_id"),
        (6, "companies[0].employees"),
        (6, "companies[1].cvr"),
        (6, "companies[1].name"),
        (6, "companies[1].employees"),
        (7, None),
        (8, "start_date"),
        (9, "external_id"),
        (9, "activity_type"),
    } <= got
    assert 0 not in {i for i, _f in got}
    assert Activity.objects.get(external_id="keep").title == "Før"
    assert Activity.objects.filter(cluster=cluster).count() == 1
    assert not Company.objects.exists()


def test_bulk_errors_are_danish_unless_english_is_asked_for(api):
    items = [item("d", start_date="2023-05-01", end_date="2023-04-01")]
    danish = assert_problem(api.post(BULK, {"activities": items}), 400)
    english = assert_problem(api.post(BULK, {"activities": items},
                                      headers={"Accept-Language": "en"}), 400)
    assert [e["field"] for e in danish["errors"]] == [e["field"] for e in english["errors"]]
    assert danish["errors"][0]["detail"] != english["errors"][0]["detail"]
    assert "start" in english["errors"][0]["detail"].lower()


def test_bulk_wrong_shapes_are_400(api):
    assert_problem(api.post(BULK, {"activities": "nope"}), 400, "activities")
    assert_problem(api.post(BULK, [1, 2]), 400, "activities")
    r = api.post(BULK, {"activities": [item("a", international="yes", companies="x")]})
    body = assert_problem(r, 400)
    assert {(0, "international"), (0, "companies")} <= {(e["index"], e["field"]) for e in body["errors"]}


def test_bulk_duplicate_company_in_one_activity(api):
    c = company()
    r = api.post(BULK, {"activities": [item("a", companies=[c, c])]})
    assert_problem(r, 400, "companies[1].cvr")


def test_bulk_over_5000_is_413(api):
    r = api.post(BULK, {"activities": [item(f"x{i}") for i in range(5001)]})
    assert_problem(r, 413)
    assert not Activity.objects.exists()


def test_bulk_body_over_cap_is_413(api, monkeypatch):
    monkeypatch.setattr(ActivityBulkView, "max_body_bytes", 200)
    r = api.post(BULK, {"activities": [item(f"x{i}") for i in range(5)]})
    assert_problem(r, 413)
    assert not Activity.objects.exists()


def test_bulk_wrong_content_type_is_415(api):
    r = api.post(BULK, "activities=1", content_type="application/x-www-form-urlencoded")
    assert_problem(r, 415)
    r = api.post(BULK, "<a/>", content_type="text/xml")
    assert_problem(r, 415)


def test_bulk_malformed_json_is_400(api):
    assert_problem(api.post(BULK, "{not json", content_type="application/json"), 400)


def test_bulk_idempotency_key_replays_first_answer(api, cluster):
    headers = {"Idempotency-Key": "batch-1"}
    first = api.post(BULK, {"activities": [item("a")]}, headers=headers)
    assert first.json() == {"created": 1, "updated": 0, "unchanged": 0}
    Activity.objects.filter(external_id="a").delete()  # would be re-created if redone
    again = api.post(BULK, {"activities": [item("a")]}, headers=headers)
    assert again.status_code == 200
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert not Activity.objects.filter(external_id="a").exists()
    assert IdempotencyRecord.objects.count() == 1


def test_bulk_idempotency_key_with_other_body_is_422(api):
    headers = {"Idempotency-Key": "batch-2"}
    assert api.post(BULK, {"activities": [item("a")]}, headers=headers).status_code == 200
    r = api.post(BULK, {"activities": [item("b")]}, headers=headers)
    assert_problem(r, 422)
    assert not Activity.objects.filter(external_id="b").exists()


def test_bulk_idempotency_keys_are_per_api_key(api, other_api):
    headers = {"Idempotency-Key": "k"}
    assert api.post(BULK, {"activities": [item("a")]}, headers=headers).json()["created"] == 1
    assert other_api.post(BULK, {"activities": [item("b")]}, headers=headers).json()["created"] == 1


def test_bulk_failed_request_stores_no_idempotency_record(api):
    headers = {"Idempotency-Key": "k"}
    assert_problem(api.post(BULK, {"activities": [item("a", activity_type="x")]}, headers=headers), 400)
    assert api.post(BULK, {"activities": [item("a")]}, headers=headers).status_code == 200


def test_bulk_queries_do_not_grow_with_rows(api, institution, django_assert_max_num_queries):
    items = [
        item(f"q{i}", companies=[company(), company()], institutions=[{"code": "au"}])
        for i in range(60)
    ]
    with django_assert_max_num_queries(16):
        assert api.post(BULK, {"activities": items}).json()["created"] == 60
    for it in items:
        it["title"] += " ændret"
        it["companies"] = it["companies"][:1] + [company()]
    with django_assert_max_num_queries(20):
        assert api.post(BULK, {"activities": items}).json()["updated"] == 60
    assert CompanyParticipation.objects.count() == 120
    assert InstitutionParticipation.objects.count() == 60


@pytest.mark.parametrize("who", ["caseworker_api"])
def test_bulk_denied_for_caseworker_keys(request, who):
    assert_problem(request.getfixturevalue(who).post(BULK, {"activities": [item()]}), 403)
    assert not Activity.objects.exists()


@pytest.mark.parametrize("client_name", ["revoked", "expired", "none"])
def test_bulk_denied_without_valid_key(denied_clients, client_name):
    assert_problem(denied_clients[client_name].post(BULK, {"activities": [item()]}), 401)
    assert not Activity.objects.exists()


@override_settings(API_THROTTLE_RATES={"api": "1000/min", "api_bulk": "2/min"})
def test_bulk_is_throttled_with_429(api):
    from django.core.cache import cache

    cache.clear()
    for _ in range(2):
        assert api.post(BULK, {"activities": [item()]}).status_code == 200
    r = api.post(BULK, {"activities": [item()]})
    assert_problem(r, 429)
    assert int(r["Retry-After"]) > 0
    cache.clear()


# -- list ------------------------------------------------------------------------------------


def test_list_is_scoped_and_filtered(api, caseworker_api, cluster, other_cluster):
    ActivityFactory(cluster=cluster, external_id="mine-2023", start_date="2023-01-05", end_date="2023-01-05")
    ActivityFactory(cluster=cluster, external_id="mine-2024", start_date="2024-01-05", end_date="2024-01-05",
                    activity_type="incubation")
    ActivityFactory(cluster=other_cluster, external_id="theirs")
    ids = [a["external_id"] for a in api.get("/api/v1/activities/").json()["results"]]
    assert sorted(ids) == ["mine-2023", "mine-2024"]
    assert [a["external_id"] for a in api.get("/api/v1/activities/?year=2023").json()["results"]] == ["mine-2023"]
    r = api.get("/api/v1/activities/?activity_type=incubation")
    assert [a["external_id"] for a in r.json()["results"]] == ["mine-2024"]
    assert api.get(f"/api/v1/activities/?cluster={other_cluster.slug}").json()["count"] == 0
    assert caseworker_api.get("/api/v1/activities/").json()["count"] == 3
    assert caseworker_api.get(f"/api/v1/activities/?cluster={other_cluster.slug}").json()["count"] == 1
    assert_problem(api.get("/api/v1/activities/?year=abc"), 400, "year")
    assert_problem(api.get("/api/v1/activities/?activity_type=party"), 400, "activity_type")


def test_list_query_count_is_constant(api, cluster, django_assert_max_num_queries):
    for i in range(30):
        a = ActivityFactory(cluster=cluster, external_id=f"l{i}")
        CompanyParticipation.objects.create(activity=a, company=CompanyFactory())
    with django_assert_max_num_queries(7):  # 7: the activities' aid records (a prefetch)
        r = api.get("/api/v1/activities/")
    assert r.json()["count"] == 30
    assert len(r.json()["results"][0]["companies"]) == 1


@pytest.mark.parametrize("client_name", ["revoked", "expired", "none"])
def test_list_denied_without_valid_key(denied_clients, client_name):
    assert_problem(denied_clients[client_name].get("/api/v1/activities/"), 401)


# -- one activity ------------------------------------------------------------------------------


def test_put_creates_then_replaces_idempotently(api, cluster):
    url = "/api/v1/activities/crm-2023-0042/"
    data = item("crm-2023-0042", companies=[company()])
    data.pop("external_id")
    r = api.put(url, data)
    assert r.status_code == 201, r.content
    assert r.json()["external_id"] == "crm-2023-0042"
    assert r.json()["cluster"] == cluster.slug
    r2 = api.put(url, data)
    assert r2.status_code == 200
    assert r2.json()["version"] == 1  # nothing changed
    data["title"] = "Ændret"
    data["companies"] = []
    r3 = api.put(url, {**data, "version": 99, "cluster": "x", "year": 1999})
    assert r3.status_code == 200
    assert r3.json()["title"] == "Ændret" and r3.json()["companies"] == []
    assert r3.json()["version"] == 2 and r3.json()["year"] == 2023
    assert Activity.objects.filter(external_id="crm-2023-0042").count() == 1


def test_put_invalid_lists_fields_without_index(api):
    r = api.put("/api/v1/activities/x/", item("x", end_date="2000-01-01", companies=[company(cvr="12345678")]))
    body = assert_problem(r, 400)
    assert {e["field"] for e in body["errors"]} == {"end_date", "companies[0].cvr"}
    assert all("index" not in e for e in body["errors"])
    assert not Activity.objects.exists()


def test_put_body_external_id_must_match_path(api):
    assert_problem(api.put("/api/v1/activities/x/", item("y")), 400, "external_id")


def test_get_and_delete_own_activity(api, cluster):
    ActivityFactory(cluster=cluster, external_id="mine")
    assert api.get("/api/v1/activities/mine/").json()["external_id"] == "mine"
    assert api.delete("/api/v1/activities/mine/").status_code == 204
    assert not Activity.objects.filter(external_id="mine").exists()
    assert_problem(api.get("/api/v1/activities/mine/"), 404)


def test_other_clusters_activity_is_404_for_every_method(other_api, cluster, other_cluster):
    ActivityFactory(cluster=cluster, external_id="mine", title="Uændret")
    url = "/api/v1/activities/mine/"
    assert_problem(other_api.get(url), 404)
    assert_problem(other_api.delete(url), 404)
    # PUT with another cluster's external_id creates the other cluster's own activity
    r = other_api.put(url, item("mine", title="Deres"))
    assert r.status_code == 201
    assert Activity.objects.get(cluster=cluster, external_id="mine").title == "Uændret"
    assert Activity.objects.get(cluster=other_cluster, external_id="mine").title == "Deres"


def test_activity_detail_denied_for_caseworker_keys(caseworker_api, cluster):
    ActivityFactory(cluster=cluster, external_id="mine")
    assert_problem(caseworker_api.get("/api/v1/activities/mine/"), 403)
    assert_problem(caseworker_api.put("/api/v1/activities/mine/", item("mine")), 403)
    assert_problem(caseworker_api.delete("/api/v1/activities/mine/"), 403)
    assert Activity.objects.filter(external_id="mine").exists()


@pytest.mark.parametrize("client_name", ["revoked", "expired", "none"])
def test_activity_detail_denied_without_valid_key(denied_clients, client_name, cluster):
    ActivityFactory(cluster=cluster, external_id="mine")
    client = denied_clients[client_name]
    assert_problem(client.get("/api/v1/activities/mine/"), 401)
    assert_problem(client.put("/api/v1/activities/mine/", item("mine", title="x")), 401)
    assert_problem(client.delete("/api/v1/activities/mine/"), 401)
    assert Activity.objects.get(external_id="mine").title != "x"


def test_problem_json_shape(api):
    r = api.post(BULK, json.dumps({"activities": [item("a", activity_type="x")]}), content_type="application/json")
    body = assert_problem(r, 400)
    assert set(body) == {"type", "title", "status", "detail", "errors"}
    assert body["errors"][0] == {"index": 0, "field": "activity_type", "detail": body["errors"][0]["detail"]}


def test_bulk_nul_characters_are_400_not_500(api):
    r = api.post(BULK, {"activities": [item("a\x00", title="x\x00", companies=[company(name="A\x00")],
                                            institutions=[{"code": "a\x00"}])]})
    body = assert_problem(r, 400)
    assert {"external_id", "title", "companies[0].name", "institutions[0].code"} <= {e["field"] for e in body["errors"]}


def test_unknown_api_paths_are_problem_json_404(api):
    assert_problem(api.get("/api/v1/nowhere/"), 404)
    assert_problem(api.post("/api/v1/reports/-1/submit/"), 404)  # no CSRF page, no HTML
