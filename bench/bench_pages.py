"""The key pages at the demo data (1x) and ten times it (10x), each against a bare page served
behind the same middleware to the same signed-in user (bench/urls_pages.py), under the same
conditions: planner statistics fresh at both sizes (ANALYZE), the stored statistics refreshed at
both sizes. Prints per page the median and p95 ratio against the bare page and the HTML size.

The tenfold data (klyngeadmin.demo.scale: nine more copies of every company, activity and
participation) is committed, as imported data is: the pages cache figures of committed data only
(clusters.figures_cache), invalidated after commit by ``figures_changed``. It is removed again at
the end (``committed_copies``), the tables VACUUMed (autovacuum may be off: the dead rows would
pile up run after run), the planner statistics and the stored statistics computed afresh, so the
bench database is left as it was found.

Targets (issue 19): every page <= 10x the bare page at 1x and 10x (median and p95), HTML
<= 150 KB; the statistics page <= 1.5x slower at 10x than at 1x."""

import os
import time

from common import ensure_demo, setup_django, summary, timings

REPEAT = int(os.environ.get("BENCH_PAGES_REPEAT", "15"))
# BENCH_PAGES_ONLY="cohort,case queue": only the pages whose name contains one of these.
ONLY = [part.strip() for part in os.environ.get("BENCH_PAGES_ONLY", "").split(",") if part.strip()]
SIZE_LIMIT = 150 * 1024
RATIO_LIMIT = 10.0
STATISTICS_GROWTH_LIMIT = 1.5


def pages():
    """(name, who, path) of the pages measured; `who` is 'director', 'caseworker' or None."""
    from django.db.models import Count

    from clusters.models import ClusterOrganisation
    from grants.cases.models import Case
    from grants.reports.models import AnnualReport

    cluster = (ClusterOrganisation.objects.filter(status="active")
               .annotate(n=Count("activities")).order_by("-n").first())
    report = AnnualReport.objects.get(grant__cluster=cluster, year=2025)
    # The busiest cluster's report has no case in the demo data: the annual-report case with
    # the longest history of any cluster then (the case page shows its report's figures too).
    case = (Case.objects.filter(report=report).order_by("-created_at").first()
            or Case.objects.filter(case_type="annual_report").annotate(events_n=Count("events"))
            .order_by("-events_n", "-created_at").first())
    found = [
        ("report page 2025 (busiest cluster)", "director", f"/rapporter/{report.pk}/"),
        ("midway cohort 2029", "caseworker", "/midtvejsevaluering/aargang/2029/"),
        ("case queue, search + filter", "caseworker", "/sager/?q=rsrapport&type=annual_report"),
        ("dashboard", "director", "/oversigt/"),
        ("activity list", "director", "/aktiviteter/"),
        ("national statistics", None, "/statistik/?from_year=2021&to_year=2023"),
    ]
    if case is not None:  # the bare page is served to the same caseworker (measure)
        found.insert(3, ("case page", "caseworker", f"/sager/{case.journal_number}/"))
    if ONLY:
        found = [page for page in found if any(part in page[0] for part in ONLY)]
    return cluster, found


def measure(clients, page_list) -> dict:
    out = {}
    for name, who, path in page_list:
        client = clients[who]

        def run(client=client, path=path):
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            return response

        def bare_run(client=client):
            client.get("/bench/pages/bare/")

        size = len(run().content)
        for _ in range(2):  # warm-up
            run()
            bare_run()
        page, bare = [], []
        for _ in range(REPEAT):  # interleaved: the same machine load for the page and its bare page
            page.extend(timings(run, repeat=1, warmup=0))
            bare.extend(timings(bare_run, repeat=1, warmup=0))
        out[name] = (summary(page), summary(bare), size)
    return out


def print_table(label: str, results: dict) -> list[str]:
    failures = []
    print(f"-- {label}")
    print(f"{'page':40} {'median':>9} {'p95':>9} {'x bare (med/p95)':>18} {'HTML':>8}")
    for name, ((med, p95), (bmed, bp95), size) in results.items():
        ratio_med, ratio_p95 = med / bmed, p95 / bp95
        print(f"{name:40} {med * 1000:7.1f}ms {p95 * 1000:7.1f}ms {ratio_med:8.1f} /{ratio_p95:6.1f}x"
              f" {size / 1024:6.0f}KB")
        if max(ratio_med, ratio_p95) > RATIO_LIMIT:
            failures.append(f"{label} {name}: {ratio_med:.1f}x / {ratio_p95:.1f}x the bare page")
        if size > SIZE_LIMIT:
            failures.append(f"{label} {name}: {size / 1024:.0f} KB of HTML")
    return failures


def main():
    os.environ["REQUIRE_2FA"] = "False"  # the caseworker signs in with force_login (no TOTP)
    setup_django()
    from django.conf import settings

    settings.ROOT_URLCONF = "bench.urls_pages"
    seeded = ensure_demo()
    if seeded:
        print(f"(built the demo data in {seeded:.1f} s)")
    from django.test import Client

    from grants.statistics.aggregates import aggregates_refresh
    from klyngeadmin.accounts.models import User
    from klyngeadmin.demo.scale import committed_copies, vacuum_analyze
    from klyngeadmin.kernel.roles import Role

    cluster, page_list = pages()
    clients = {None: Client(), "director": Client(), "caseworker": Client()}
    clients["director"].force_login(User.objects.get(role=Role.DIRECTOR, cluster=cluster))
    clients["caseworker"].force_login(User.objects.get(username="caseworker1"))

    vacuum_analyze()  # 1x measured with planner statistics (as 10x is), no dead rows left over
    aggregates_refresh(period_list=[(2021, 2023)])
    one = measure(clients, page_list)
    started = time.perf_counter()
    try:
        with committed_copies(9):  # ANALYZEs what it grew; removed (and VACUUMed) on the way out
            aggregates_refresh(period_list=[(2021, 2023)])  # what the after-commit refresh does
            print(f"(made ten times the activity data in {time.perf_counter() - started:.1f} s)")
            ten = measure(clients, page_list)
    finally:
        aggregates_refresh(period_list=[(2021, 2023)])  # the demo's figures again

    failures = print_table("1x (demo data)", one)
    failures += print_table("10x (ten times the activity data)", ten)
    name = "national statistics"
    if name in one:
        growth = ten[name][0][0] / one[name][0][0]
        print(f"national statistics, 10x over 1x: {growth:.2f}x (limit {STATISTICS_GROWTH_LIMIT}x)")
        if growth > STATISTICS_GROWTH_LIMIT:
            failures.append(f"statistics grew {growth:.2f}x from 1x to 10x")
    for failure in failures:
        print(f"OVER THE LIMIT: {failure}")


if __name__ == "__main__":
    main()
