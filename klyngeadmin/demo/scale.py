"""Ten times the demo data (or any multiple): `manage.py seed_demo --scale N`, the benches, tests.

``scale_activity_data(copies)`` adds ``copies`` more copies of every company, activity and
participation (new CVR numbers from 11,000,001 on and new external ids, outside every range the
demo uses), with plain SQL INSERT ... SELECT, then ANALYZEs the tables so the planner sees the
new size. Copy k of a company takes part in copy k of each of its activities, so every count
figure (companies, activities, participations, outside the strength position) is exactly
(copies + 1) times the demo's. Reports, grants and money are not copied: the clusters and their
reports stay the demo's, only their activity data grows. Call it inside a transaction to roll
it back, or use ``committed_copies()``: the copies committed (as imported data is, so pages that
cache figures of committed data see them) and removed again afterwards (bench/bench_pages.py)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction

from clusters.ingest import analyze_activity_tables
from klyngeadmin.kernel.signals import announce_figures_changed

# What scale_activity_data adds to, in the order the rows can be removed.
SCALED_TABLES = ("clusters_companyparticipation", "clusters_institutionparticipation",
                 "clusters_activity", "clusters_company")


def _statements(copies: int) -> list[str]:
    return [
        "DROP TABLE IF EXISTS demo_scale_company_map",
        f"""CREATE TEMP TABLE demo_scale_company_map AS
            SELECT c.id AS old_id, k,
                   (10000000 + k * 1000000
                    + row_number() OVER (PARTITION BY k ORDER BY c.id))::text AS cvr
            FROM clusters_company c CROSS JOIN generate_series(1, {copies}) AS k""",
        """INSERT INTO clusters_company (cvr, name, employees, turnover_dkk, balance_dkk,
                                         size_class, db07_code, municipality_code, region,
                                         created_at, updated_at)
           SELECT m.cvr, c.name, c.employees, c.turnover_dkk, c.balance_dkk, c.size_class,
                  c.db07_code, c.municipality_code, c.region, now(), now()
           FROM demo_scale_company_map m JOIN clusters_company c ON c.id = m.old_id""",
        "ALTER TABLE demo_scale_company_map ADD COLUMN new_id bigint",
        """UPDATE demo_scale_company_map m SET new_id = c.id FROM clusters_company c
           WHERE c.cvr = m.cvr""",
        "ANALYZE demo_scale_company_map",  # temp tables have no statistics until analysed
        "DROP TABLE IF EXISTS demo_scale_activity_map",
        f"""CREATE TEMP TABLE demo_scale_activity_map AS
            SELECT a.id AS old_id, k, a.cluster_id, a.external_id || '-x' || k AS external_id
            FROM clusters_activity a CROSS JOIN generate_series(1, {copies}) AS k""",
        """INSERT INTO clusters_activity (cluster_id, external_id, title, activity_type,
                                          start_date, end_date, international, eu_funded,
                                          version, created_at, updated_at)
           SELECT a.cluster_id, m.external_id, a.title, a.activity_type, a.start_date,
                  a.end_date, a.international, a.eu_funded, 1, now(), now()
           FROM demo_scale_activity_map m JOIN clusters_activity a ON a.id = m.old_id""",
        "ALTER TABLE demo_scale_activity_map ADD COLUMN new_id bigint",
        """UPDATE demo_scale_activity_map m SET new_id = a.id FROM clusters_activity a
           WHERE a.cluster_id = m.cluster_id AND a.external_id = m.external_id""",
        "ANALYZE demo_scale_activity_map",
        """INSERT INTO clusters_companyparticipation (activity_id, company_id)
           SELECT am.new_id, cm.new_id FROM clusters_companyparticipation p
           JOIN demo_scale_activity_map am ON am.old_id = p.activity_id
           JOIN demo_scale_company_map cm ON cm.old_id = p.company_id AND cm.k = am.k""",
        """INSERT INTO clusters_institutionparticipation (activity_id, institution_id)
           SELECT am.new_id, p.institution_id FROM clusters_institutionparticipation p
           JOIN demo_scale_activity_map am ON am.old_id = p.activity_id""",
        "DROP TABLE demo_scale_company_map",
        "DROP TABLE demo_scale_activity_map",
    ]


def analyze() -> None:
    """Planner statistics for the activity tables (clusters.ingest: also after large imports)."""
    analyze_activity_tables()


def vacuum_analyze() -> None:
    """VACUUM (ANALYZE) the tables the copies grow, then the planner statistics of the rest:
    the dead rows that removing the copies leaves are reclaimed at once (autovacuum may be off,
    and they would pile up run after run, slowing every scan of them). Outside a transaction
    only, as VACUUM must be: as ``committed_copies`` is."""
    with connection.cursor() as cursor:
        for table in SCALED_TABLES:
            cursor.execute(f"VACUUM (ANALYZE) {table}")  # noqa: S608 - constants
    analyze()


def analyze_all() -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def scale_activity_data(copies: int) -> None:
    """Add ``copies`` more copies of the activity data (``--scale 10`` is nine copies)."""
    if copies < 1:
        return
    with connection.cursor() as cursor:
        for statement in _statements(copies):
            cursor.execute(statement)
    analyze()


@contextmanager
def committed_copies(copies: int) -> Iterator[None]:
    """``scale_activity_data(copies)`` committed for the duration of the block, then removed:
    every row above each table's highest id before, in one transaction. Both announce changed
    figures after commit, as an import does, and ANALYZE; the removal VACUUMs (ANALYZE) too.
    Not inside a transaction (the copies are committed; VACUUM refuses a transaction)."""
    marks = {}
    with connection.cursor() as cursor:
        for table in SCALED_TABLES:
            cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}")  # noqa: S608 - constants
            marks[table] = cursor.fetchone()[0]
    try:
        with transaction.atomic():
            scale_activity_data(copies)
            announce_figures_changed()
        yield
    finally:
        with transaction.atomic(), connection.cursor() as cursor:
            for table in SCALED_TABLES:
                cursor.execute(f"DELETE FROM {table} WHERE id > %s", [marks[table]])  # noqa: S608
            announce_figures_changed()
        vacuum_analyze()
