"""The bulk ingest's tables and writer (issue 19, docs/ingest.md): no index that another one
covers, every foreign key kept, one company statement for known and new companies alike, the
binary COPY writing what was sent, and the garbage collector paused only inside the ingest."""

import gc
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clusters.models import Activity, ClusterDataEvent, Company, CompanyParticipation
from clusters.services import activity_ingest
from klyngeadmin.kernel.runtime import gc_paused
from tests.factories import CompanyFactory, InstitutionFactory

pytestmark = pytest.mark.django_db

NEW_CVR = "12345674"


def _indexes(table: str) -> dict[str, str]:
    with connection.cursor() as cur:
        cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [table])
        return dict(cur.fetchall())


def _foreign_keys(table: str) -> set[str]:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT a.attname FROM pg_constraint c JOIN pg_attribute a "
            "ON a.attrelid = c.conrelid AND a.attnum = ANY(c.conkey) "
            "WHERE c.contype = 'f' AND c.conrelid = %s::regclass", [table],
        )
        return {r[0] for r in cur.fetchall()}


def _leading_columns(table: str) -> list[str]:
    """The first column of every index on the table."""
    out = []
    for definition in _indexes(table).values():
        cols = definition.split("(", 1)[1]
        out.append(cols.split(",")[0].split(")")[0].split()[0].strip('"'))
    return out


@pytest.mark.parametrize(("table", "column", "covering"), [
    ("clusters_activity", "cluster_id", {"activity_external_id_unique", "activity_cluster_year"}),
    ("clusters_companyparticipation", "activity_id", {"company_participation_unique"}),
    ("clusters_institutionparticipation", "activity_id", {"institution_participation_unique"}),
])
def test_a_foreign_key_has_no_index_of_its_own_where_a_composite_leads_with_it(table, column, covering):
    indexes = _indexes(table)
    assert covering <= indexes.keys()
    for name in covering:
        assert f"btree ({column}, " in indexes[name]  # leads with the column
    # exactly the covering indexes lead with the column: no single-column index on it
    assert _leading_columns(table).count(column) == len(covering)
    assert column in _foreign_keys(table)  # the constraint stays


def test_company_cvr_is_unique_without_the_like_index():
    indexes = _indexes("clusters_company")
    assert not [n for n in indexes if n.endswith("_like")]
    assert "UNIQUE" in indexes["company_cvr_unique"]
    CompanyFactory(cvr=NEW_CVR)
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Company.objects.create(cvr=NEW_CVR, name="Igen", employees=1, size_class="micro")


def test_participations_keep_their_foreign_keys():
    assert _foreign_keys("clusters_companyparticipation") == {"activity_id", "company_id"}
    assert _foreign_keys("clusters_institutionparticipation") == {"activity_id", "institution_id"}


def _item(external_id, companies, institutions=()):
    return {
        "external_id": external_id, "title": f"Aktivitet {external_id}",
        "activity_type": "matchmaking", "start_date": "2025-03-01", "end_date": "2025-03-02",
        "international": True, "eu_funded": False,
        "companies": [{"cvr": c, "name": f"Firma {c}", "employees": 12} for c in companies],
        "institutions": [{"code": code} for code in institutions],
    }


def test_one_company_statement_for_known_and_new_companies(cluster, director, monkeypatch):
    known = CompanyFactory()
    looked_up = []
    monkeypatch.setattr("clusters.ingest.lookup_after_commit", lambda cvrs: looked_up.extend(cvrs))
    with CaptureQueriesContext(connection) as queries:
        result = activity_ingest(cluster=cluster, actor=director,
                                 items=[_item("a-1", [known.cvr, NEW_CVR]), _item("a-2", [NEW_CVR])])
    assert result.created == 2
    company_reads = [q["sql"] for q in queries.captured_queries
                     if "clusters_company" in q["sql"] and "clusters_companyparticipation" not in q["sql"]]
    assert len(company_reads) == 1, company_reads  # insert-the-new and look-up-the-known together
    assert looked_up == [NEW_CVR]  # only the company this request created goes to the register
    known.refresh_from_db()
    assert known.name != f"Firma {known.cvr}"  # a known company is left as it is
    assert set(CompanyParticipation.objects.filter(activity__external_id="a-1")
               .values_list("company__cvr", flat=True)) == {known.cvr, NEW_CVR}


def test_the_binary_copy_writes_what_was_sent(cluster, director):
    inst = InstitutionFactory()
    activity_ingest(cluster=cluster, actor=director, items=[_item("b-1", [NEW_CVR], [inst.code])])
    a = Activity.objects.get(external_id="b-1")
    assert (a.cluster_id, a.title, a.activity_type, a.start_date, a.end_date, a.international,
            a.eu_funded, a.version, a.year) == (
        cluster.pk, "Aktivitet b-1", "matchmaking", date(2025, 3, 1), date(2025, 3, 2), True, False, 1,
        2025)
    assert list(a.institutions.values_list("code", flat=True)) == [inst.code]
    company = Company.objects.get(cvr=NEW_CVR)
    assert (company.name, company.employees, company.size_class) == ("Firma 12345674", 12, "small")
    event = ClusterDataEvent.objects.get(external_id="b-1")
    assert (event.actor_id, event.object_id, event.summary) == (
        director.pk, a.pk, "1 virksomheder, 1 videninstitutioner")


def test_gc_is_paused_inside_the_ingest_only(cluster, director, monkeypatch):
    seen = []
    import clusters.ingest

    real = clusters.ingest._write

    def spy(*args, **kwargs):
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(clusters.ingest, "_write", spy)
    assert gc.isenabled()
    activity_ingest(cluster=cluster, actor=director, items=[_item("g-1", [])])
    assert seen == [False]
    assert gc.isenabled()


def test_gc_paused_nests_and_restores():
    assert gc.isenabled()
    with gc_paused():
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()  # it was off before: it stays off
    finally:
        gc.enable()
    with pytest.raises(RuntimeError), gc_paused():
        raise RuntimeError
    assert gc.isenabled()


def test_a_company_or_date_seen_before_is_checked_again_in_full():
    """The parser's shortcuts (a CVR already found valid, a date already read) skip only what
    they remember: every other check still refuses what it refused at first sight."""
    from clusters.ingest import parse_activities

    def company(**over):
        return {"cvr": NEW_CVR, "name": "Firma", "employees": 3, **over}

    def item(i, companies, **over):
        return {**_item(f"p-{i}", []), "companies": companies, **over}

    items = [
        item(0, [company()]),  # the CVR is found valid here
        item(1, [company(employees=True)]),
        item(2, [company(employees=-1)]),
        item(3, [company(name="x" * 201)]),
        item(4, [company(name=" ")]),
        item(5, [company(name="a\x00b")]),
        item(6, [company(), company(name="Igen")]),
        item(7, [company(cvr=int(NEW_CVR))]),
        item(8, ["not an object"]),
        item(9, [], start_date=date(2025, 3, 1)),  # "2025-03-01" was read; a date object is not text
        item(10, [], end_date="2025-02-30"),
    ]
    parsed, errors = parse_activities(items)
    assert [p.index for p in parsed] == [0]
    assert parsed[0].companies == {NEW_CVR: ("Firma", 3)}
    assert [(e["index"], e["field"]) for e in errors] == [
        (1, "companies[0].employees"), (2, "companies[0].employees"), (3, "companies[0].name"),
        (4, "companies[0].name"), (5, "companies[0].name"), (6, "companies[1].cvr"),
        (7, "companies[0].cvr"), (8, "companies[0]"), (9, "start_date"), (10, "end_date"),
    ]


def test_allocated_ids_come_from_the_tables_own_sequence(cluster):
    from clusters.ingest import allocate_ids
    from tests.factories import ActivityFactory

    with connection.cursor() as cur:
        ids = allocate_ids(cur, Activity._meta.db_table, 3)
    assert len(set(ids)) == 3 and ids == sorted(ids)
    assert ActivityFactory(cluster=cluster).pk > max(ids)  # the ORM's next id is past them
