"""Klyngestatistik: the national page for 2021-2023 on the demo data against a bare Django view,
and the same figures on ten times the demo data.

Runs in its own scratch database (klyngeadmin_bench_statistics). Everything happens inside one
transaction rolled back at the end: the demo data is ANALYZEd first (so 1x and 10x are measured
with planner statistics alike), then the tenfold data is made (klyngeadmin.demo.scale: nine more
copies of every company, activity and participation, ANALYZEd too). Prints the time ratio of the
live query against the data ratio. The public page itself reads the stored aggregates
(bench/bench_pages.py measures it)."""

import os
import time

os.environ.setdefault("BENCH_DATABASE_NAME", "klyngeadmin_bench_statistics")

from common import bare_view_client, ensure_demo, report, setup_django, summary, timings  # noqa: E402

PAGE = "/statistik/?from_year=2021&to_year=2023"
COPIES = 9  # nine more copies: ten times the data

def data_rows(cursor) -> int:
    """Rows the figures are computed from: companies, activities and participations."""
    cursor.execute("""SELECT (SELECT count(*) FROM clusters_company)
                           + (SELECT count(*) FROM clusters_activity)
                           + (SELECT count(*) FROM clusters_companyparticipation)
                           + (SELECT count(*) FROM clusters_institutionparticipation)""")
    return cursor.fetchone()[0]


def measure(figures):
    """1x then 10x, inside the caller's transaction."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from grants.statistics.selectors import headline_figures
    from klyngeadmin.demo.scale import analyze, scale_activity_data

    analyze()  # 1x with planner statistics, as 10x
    client, bare_url = bare_view_client()
    assert client.get(PAGE).status_code == 200
    figures_1x = headline_figures(from_year=2021, to_year=2023)
    assert figures_1x["companies"] == 11_050, figures_1x["companies"]

    page = timings(lambda: client.get(PAGE), repeat=15, warmup=2)
    bare = timings(lambda: client.get(bare_url), repeat=50, warmup=5)
    report("national statistics page 2021-2023 (demo data)", page, bare)
    one = timings(figures, repeat=5, warmup=1)
    with CaptureQueriesContext(connection) as counted:
        figures()

    with connection.cursor() as cursor:
        rows_1x = data_rows(cursor)
        started = time.perf_counter()
        scale_activity_data(COPIES)
        built = time.perf_counter() - started
        rows_10x = data_rows(cursor)
    figures_10x = headline_figures(from_year=2021, to_year=2023)
    assert figures_10x["companies"] == 10 * figures_1x["companies"], figures_10x["companies"]
    assert figures_10x["activities"] == 10 * figures_1x["activities"]
    assert figures_10x["companies_outside_strength_position"] == (
        10 * figures_1x["companies_outside_strength_position"])
    ten = timings(figures, repeat=3, warmup=1)
    return one, ten, counted, rows_1x, rows_10x, built


def main():
    setup_django()
    from django.db import transaction

    from grants.statistics.selectors import programme_statistics

    seeded = ensure_demo()
    if seeded:
        print(f"(built the demo data in the scratch database in {seeded:.1f} s)")

    def figures():
        return programme_statistics(from_year=2021, to_year=2023)

    with transaction.atomic():  # rolled back: the scratch database stays as it was
        one, ten, counted, rows_1x, rows_10x, built = measure(figures)
        transaction.set_rollback(True)

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
