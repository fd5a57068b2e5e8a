"""Klyngestatistik: the national page for 2021-2023 on the demo data against a bare Django view,
and the same figures on ten times the demo data.

Runs in its own scratch database (klyngeadmin_bench_statistics). The tenfold data is made with
SQL INSERT ... SELECT inside one transaction (nine more copies of every company, activity and
participation, new CVR numbers and external ids) and rolled back at the end, so the database
stays at the demo size between runs. Prints the time ratio against the data ratio: the time
should grow at most in proportion to the data."""

import os
import time

os.environ.setdefault("BENCH_DATABASE_NAME", "klyngeadmin_bench_statistics")

from common import bare_view_client, ensure_demo, report, setup_django, summary, timings  # noqa: E402

PAGE = "/statistik/?from_year=2021&to_year=2023"
COPIES = 9  # nine more copies: ten times the data

REPLICATE = [
    # companies: a new CVR number per copy (11,000,001 + ...: outside every range the demo uses)
    f"""CREATE TEMP TABLE bench_company_map ON COMMIT DROP AS
        SELECT c.id AS old_id, k,
               (10000000 + k * 1000000 + row_number() OVER (PARTITION BY k ORDER BY c.id))::text AS cvr
        FROM clusters_company c CROSS JOIN generate_series(1, {COPIES}) AS k""",
    """INSERT INTO clusters_company (cvr, name, employees, turnover_dkk, balance_dkk, size_class,
                                     db07_code, municipality_code, region, created_at, updated_at)
       SELECT m.cvr, c.name, c.employees, c.turnover_dkk, c.balance_dkk, c.size_class, c.db07_code,
              c.municipality_code, c.region, now(), now()
       FROM bench_company_map m JOIN clusters_company c ON c.id = m.old_id""",
    "ALTER TABLE bench_company_map ADD COLUMN new_id bigint",
    """UPDATE bench_company_map m SET new_id = c.id FROM clusters_company c WHERE c.cvr = m.cvr""",
    "ANALYZE bench_company_map",  # temp tables have no statistics until analysed: bad join plans
    # activities: the same cluster and dates, a new external id per copy
    f"""CREATE TEMP TABLE bench_activity_map ON COMMIT DROP AS
        SELECT a.id AS old_id, k, a.cluster_id, a.external_id || '-x' || k AS external_id
        FROM clusters_activity a CROSS JOIN generate_series(1, {COPIES}) AS k""",
    """INSERT INTO clusters_activity (cluster_id, external_id, title, activity_type, start_date,
                                      end_date, international, eu_funded, version, created_at,
                                      updated_at)
       SELECT a.cluster_id, m.external_id, a.title, a.activity_type, a.start_date, a.end_date,
              a.international, a.eu_funded, 1, now(), now()
       FROM bench_activity_map m JOIN clusters_activity a ON a.id = m.old_id""",
    "ALTER TABLE bench_activity_map ADD COLUMN new_id bigint",
    """UPDATE bench_activity_map m SET new_id = a.id FROM clusters_activity a
       WHERE a.cluster_id = m.cluster_id AND a.external_id = m.external_id""",
    "ANALYZE bench_activity_map",
    # participations: copy k of a company takes part in copy k of each of its activities
    """INSERT INTO clusters_companyparticipation (activity_id, company_id)
       SELECT am.new_id, cm.new_id FROM clusters_companyparticipation p
       JOIN bench_activity_map am ON am.old_id = p.activity_id
       JOIN bench_company_map cm ON cm.old_id = p.company_id AND cm.k = am.k""",
    """INSERT INTO clusters_institutionparticipation (activity_id, institution_id)
       SELECT am.new_id, p.institution_id FROM clusters_institutionparticipation p
       JOIN bench_activity_map am ON am.old_id = p.activity_id""",
    "ANALYZE clusters_company",
    "ANALYZE clusters_activity",
    "ANALYZE clusters_companyparticipation",
    "ANALYZE clusters_institutionparticipation",
]


def data_rows(cursor) -> int:
    """Rows the figures are computed from: companies, activities and participations."""
    cursor.execute("""SELECT (SELECT count(*) FROM clusters_company)
                           + (SELECT count(*) FROM clusters_activity)
                           + (SELECT count(*) FROM clusters_companyparticipation)
                           + (SELECT count(*) FROM clusters_institutionparticipation)""")
    return cursor.fetchone()[0]


def main():
    setup_django()
    from django.db import connection, transaction

    from grants.statistics.selectors import headline_figures, programme_statistics

    seeded = ensure_demo()
    if seeded:
        print(f"(built the demo data in the scratch database in {seeded:.1f} s)")

    def figures():
        return programme_statistics(from_year=2021, to_year=2023)

    client, bare_url = bare_view_client()
    assert client.get(PAGE).status_code == 200
    figures_1x = headline_figures(from_year=2021, to_year=2023)
    assert figures_1x["companies"] == 11_050, figures_1x["companies"]

    page = timings(lambda: client.get(PAGE), repeat=15, warmup=2)
    bare = timings(lambda: client.get(bare_url), repeat=50, warmup=5)
    report("national statistics page 2021-2023 (demo data)", page, bare)
    one = timings(figures, repeat=5, warmup=1)
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as counted:
        figures()

    with transaction.atomic():
        with connection.cursor() as cursor:
            rows_1x = data_rows(cursor)
            started = time.perf_counter()
            for statement in REPLICATE:
                cursor.execute(statement)
            built = time.perf_counter() - started
            rows_10x = data_rows(cursor)
        figures_10x = headline_figures(from_year=2021, to_year=2023)
        assert figures_10x["companies"] == 10 * figures_1x["companies"], figures_10x["companies"]
        assert figures_10x["activities"] == 10 * figures_1x["activities"]
        assert figures_10x["companies_outside_strength_position"] == (
            10 * figures_1x["companies_outside_strength_position"])
        ten = timings(figures, repeat=3, warmup=1)
        transaction.set_rollback(True)  # the scratch database stays at the demo size

    med_1, p95_1 = summary(one)
    med_10, p95_10 = summary(ten)
    data_ratio = rows_10x / rows_1x
    time_ratio = med_10 / med_1
    print(f"figures (programme_statistics, {len(counted)} queries) on the demo data: median "
          f"{med_1 * 1000:.0f} ms, p95 {p95_1 * 1000:.0f} ms ({rows_1x:,} rows)")
    print(f"figures on ten times the demo data: median {med_10 * 1000:.0f} ms, p95 "
          f"{p95_10 * 1000:.0f} ms ({rows_10x:,} rows, made in {built:.1f} s)")
    verdict = "at most proportional" if time_ratio <= data_ratio else "MORE than proportional"
    print(f"time ratio {time_ratio:.2f} for data ratio {data_ratio:.2f}: {verdict}")


if __name__ == "__main__":
    main()
