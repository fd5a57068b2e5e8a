"""The activity list built from values() and written by orjson (issue 19): byte for byte what
the model serializer and DRF's JSONRenderer wrote for the same rows, and keyset (cursor) pages
alongside page numbers."""

import json
from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest
from django.utils.translation import gettext_lazy
from rest_framework.pagination import PageNumberPagination
from rest_framework.renderers import JSONRenderer

from clusters.api import selectors
from clusters.api.serializers import ActivitySerializer
from clusters.constants import AidLegalBasis, FeeBasis
from clusters.models import CompanyParticipation, InstitutionParticipation, StateAidRecord
from klyngeadmin.accounts.api.authentication import ClusterKeyPrincipal
from klyngeadmin.kernel.api.pagination import PageOrCursorPagination
from klyngeadmin.kernel.api.renderers import OrjsonRenderer
from tests.api.conftest import assert_problem
from tests.api.test_cases_deadlines_statistics import cases  # noqa: F401 - a fixture used below
from tests.factories import ActivityFactory, CompanyFactory, InstitutionFactory

pytestmark = pytest.mark.django_db

ODD_TITLE = "Kontrol\x01tegn, tab\t, linje\u2028skift\u2029, æøå \U0001f600 \"citat\" \\ /"


def _old_bytes(user, n_rows: int) -> bytes:
    """What the endpoint wrote before: the model serializer over the prefetching queryset, in
    PageNumberPagination's envelope, through DRF's JSONRenderer."""
    rows = list(selectors.activity_list(user=user)[:100])
    data = {"count": n_rows, "next": None, "previous": None,
            "results": ActivitySerializer(rows, many=True).data}
    return JSONRenderer().render(data)


def test_list_bytes_equal_the_serializer_and_json_renderer(api, cluster, director, cluster_key):
    inst_b, inst_a = InstitutionFactory(code="ZZ-INST"), InstitutionFactory(code="AA-INST")
    a = ActivityFactory(cluster=cluster, title=ODD_TITLE, international=True,
                        start_date=date(2024, 5, 2), end_date=date(2024, 6, 1),
                        fee_per_participant_dkk=750, fee_basis=FeeBasis.COST)
    for n, company in enumerate((CompanyFactory(cvr="12345674", name="Æble\u2028ApS"), CompanyFactory())):
        CompanyParticipation.objects.create(activity=a, company=company)
        StateAidRecord.objects.create(cluster=cluster, activity=a, company=company, created_by=director,
                                      legal_basis=list(AidLegalBasis.values)[n], amount_dkk=1000 + n,
                                      granted_on=date(2024, 5, 2))
    for inst in (inst_b, inst_a):
        InstitutionParticipation.objects.create(activity=a, institution=inst)
    ActivityFactory(cluster=cluster, start_date=date(2024, 5, 2), end_date=date(2024, 5, 2))
    ActivityFactory(cluster=cluster, eu_funded=True)
    r = api.get("/api/v1/activities/")
    assert r.status_code == 200 and r["Content-Type"] == "application/json"
    assert r.content == _old_bytes(ClusterKeyPrincipal(cluster_key.api_key), 3)
    odd = next(x for x in r.json()["results"] if x["external_id"] == a.external_id)
    assert odd["title"] == ODD_TITLE and len(odd["companies"]) == 2
    assert [i["code"] for i in odd["institutions"]] == ["AA-INST", "ZZ-INST"]
    assert odd["fee_per_participant_dkk"] == 750 and len(odd["aid"]) == 2
    assert b"\\u2028" in r.content and "\u2028".encode() not in r.content


def test_an_empty_list_is_the_same_bytes(api, cluster_key):
    assert api.get("/api/v1/activities/").content == _old_bytes(ClusterKeyPrincipal(cluster_key.api_key), 0)


@pytest.mark.parametrize("value", [
    {"a": [1, True, None, "x\u2029y"]},
    {"when": datetime(2026, 3, 1, 12, 30, 15, 123456, tzinfo=UTC), "day": date(2026, 3, 1),
     "at": time(7, 5), "amount": Decimal("12.50"), "lazy": gettext_lazy("Ikke fundet")},
    [],
    None,
])
def test_the_orjson_renderer_writes_what_json_renderer_writes(value):
    assert OrjsonRenderer().render(value) == JSONRenderer().render(value)


def test_list_query_count_does_not_grow_with_the_rows(api, cluster, django_assert_num_queries):
    def one():
        a = ActivityFactory(cluster=cluster)
        CompanyParticipation.objects.create(activity=a, company=CompanyFactory())
        InstitutionParticipation.objects.create(activity=a, institution=InstitutionFactory())

    one()
    api.get("/api/v1/activities/")  # the key's first use writes its last-used time
    with django_assert_num_queries(6) as few:  # the key; count, page, companies, institutions, aid
        api.get("/api/v1/activities/")
    for _ in range(40):
        one()
    with django_assert_num_queries(len(few.captured_queries)):
        r = api.get("/api/v1/activities/")
        assert r.json()["count"] == 41
    with django_assert_num_queries(len(few.captured_queries)):
        api.get("/api/v1/activities/?cursor=")


# -- keyset pages ------------------------------------------------------------------------------


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(PageOrCursorPagination, "page_size", 3)
    monkeypatch.setattr(PageNumberPagination, "page_size", 3)


def _walk(api, url):
    seen, pages = [], 0
    while url:
        body = api.get(url).json()
        assert body["previous"] is None
        seen += [a["external_id"] for a in body["results"]]
        url = body["next"]
        pages += 1
        assert pages < 20
    return seen, body["count"], pages


def test_cursor_pages_walk_the_same_rows_as_page_numbers(api, cluster, other_cluster, small_pages):
    days = [date(2024, 1, 5), date(2024, 1, 5), date(2024, 1, 5), date(2023, 7, 1), date(2025, 2, 2),
            date(2024, 1, 5), date(2022, 3, 3)]
    for i, day in enumerate(days):
        ActivityFactory(cluster=cluster, external_id=f"k{i}", start_date=day, end_date=day)
    ActivityFactory(cluster=other_cluster, external_id="theirs", start_date=date(2024, 1, 5),
                    end_date=date(2024, 1, 5))
    by_page = []
    for page in (1, 2, 3):
        by_page += [a["external_id"] for a in api.get(f"/api/v1/activities/?page={page}").json()["results"]]
    by_cursor, count, pages = _walk(api, "/api/v1/activities/?cursor=")
    assert by_cursor == by_page and len(by_cursor) == 7 and "theirs" not in by_cursor
    assert (count, pages) == (7, 3)
    filtered, count, _pages = _walk(api, "/api/v1/activities/?cursor=&year=2024")
    assert filtered == [x for x in by_page if x in {"k0", "k1", "k2", "k5"}] and count == 4


def test_cursor_next_link_keeps_the_filters_and_drops_the_page(api, cluster, small_pages):
    for i in range(4):
        ActivityFactory(cluster=cluster, external_id=f"n{i}")
    nxt = api.get("/api/v1/activities/?cursor=&year=2025&page=1").json()["next"]
    assert "year=2025" in nxt and "cursor=" in nxt and "page=" not in nxt
    assert api.get(nxt).json()["results"][0]["external_id"] == "n3"


@pytest.mark.parametrize("cursor", ["%%%", "bm90LWpzb24", "WzFd", "WyJub3QtYS1kYXRlIiwxXQ"])
def test_a_bad_cursor_is_a_400_naming_the_field(api, cluster, cursor):
    ActivityFactory(cluster=cluster)
    r = api.get(f"/api/v1/activities/?cursor={cursor}")
    assert_problem(r, 400, "cursor")
    assert "cursor" in json.loads(r.content)["errors"][0]["detail"].lower()


def test_another_clusters_key_never_sees_the_rows_by_cursor(other_api, cluster):
    ActivityFactory(cluster=cluster)
    body = other_api.get("/api/v1/activities/?cursor=").json()
    assert (body["count"], body["results"], body["next"]) == (0, [], None)


# -- every list endpoint: orjson writes what DRF's JSONRenderer wrote for the same data -------


@pytest.mark.parametrize(("who", "url"), [
    ("cluster", "/api/v1/clusters/"),
    ("cluster", "/api/v1/institutions/"),
    ("cluster", "/api/v1/reports/"),
    ("cluster", "/api/v1/deadlines/"),
    ("cluster", "/api/v1/facilitated-projects/"),
    ("caseworker", "/api/v1/cases/"),
    ("caseworker", "/api/v1/deadlines/"),
    ("caseworker", "/api/v1/reports/"),
])
@pytest.mark.usefixtures("cases")
def test_every_list_writes_the_json_renderers_bytes(who, url, api, caseworker_api, cluster, director):
    from clusters.constants import FacilitatedProjectStatus, FunderKind
    from clusters.projects import facilitated_project_create

    inst = InstitutionFactory(name="Æ\u2028Ø")
    facilitated_project_create(
        cluster=cluster, actor=director, external_id="p-1", title="Projekt \u2029 æ",
        funder="Innovationsfonden", funder_kind=FunderKind.NATIONAL_PUBLIC, year=2025,
        amount_applied_dkk=1_000_000, amount_granted_dkk=0, cluster_share_dkk=0,
        status=FacilitatedProjectStatus.APPLIED, partner_institution_ids=[inst.pk],
    )
    r = (api if who == "cluster" else caseworker_api).get(url)
    assert r.status_code == 200, r.content[:300]
    assert r.data["count"] > 0, url  # something real to compare
    assert r.content == JSONRenderer().render(r.data)
