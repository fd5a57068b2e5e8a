"""The annual report page (/rapporter/<pk>/) of the demo data's largest cluster: median and
p95 latency against a bare Django view measured in the same run, plus its query count.

Two pages are timed: the busiest historical report (approved, read-only, the most activities
and companies in its drill-down lists) and the current draft with its form."""

from common import bare_view_client, ensure_demo, report, setup_django, timings

REPEAT = 25


def main():
    setup_django()
    seeded = ensure_demo()
    if seeded:
        print(f"(built the demo data in {seeded:.1f} s)")
    from django.db import connection
    from django.db.models import Count
    from django.test import Client

    from clusters.models import ClusterOrganisation
    from grants.reports.models import AnnualReport
    from klyngeadmin.accounts.models import User
    from klyngeadmin.kernel.roles import Role

    cluster = (ClusterOrganisation.objects.filter(status="active")
               .annotate(n=Count("activities")).order_by("-n").first())
    director = User.objects.get(role=Role.DIRECTOR, cluster=cluster)
    reports = AnnualReport.objects.filter(grant__cluster=cluster)
    busiest = max(reports.filter(year__lte=2026),
                  key=lambda r: cluster.activities.filter(year=r.year).count())
    draft = reports.get(year=2026)

    client = Client()
    client.force_login(director)
    bare_client, bare_url = bare_view_client()

    def get(c, path):
        def run():
            response = c.get(path)
            assert response.status_code == 200, (path, response.status_code)
        return run

    limit = timings(get(bare_client, bare_url), repeat=REPEAT * 2)
    for label, r in (("approved report", busiest), ("draft report with form", draft)):
        path = f"/rapporter/{r.pk}/"
        queries: list[str] = []

        def record(execute, sql, params, many, context, queries=queries):
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(record):
            size = len(client.get(path).content)
        activities = cluster.activities.filter(year=r.year).count()
        samples = timings(get(client, path), repeat=REPEAT)
        report(f"report page {r.year} ({label}, {cluster.name}, {activities} activities, "
               f"{len(queries)} queries, {size // 1024} KB)", samples, limit)


if __name__ == "__main__":
    main()
