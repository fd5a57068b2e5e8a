"""The activity list (/aktiviteter/) of the demo data's largest cluster (director-foedevarer):
median and p95 latency against a bare Django view measured in the same run, plus its query
count. Four views of the list: the first page, a search with filters, the last page (the deepest
offset) and the facilitated projects list."""

from common import bare_view_client, ensure_demo, report, setup_django, timings

REPEAT = 30
DIRECTOR = "director-foedevarer"


def main():
    setup_django()
    seeded = ensure_demo()
    if seeded:
        print(f"(built the demo data in {seeded:.1f} s)")
    from django.db import connection
    from django.test import Client

    from clusters.models import Activity, CompanyParticipation
    from klyngeadmin.accounts.models import User

    director = User.objects.select_related("cluster").get(username=DIRECTOR)
    cluster = director.cluster
    n_activities = Activity.objects.filter(cluster=cluster).count()
    n_participations = CompanyParticipation.objects.filter(activity__cluster=cluster).count()
    last_page = (n_activities + 49) // 50

    client = Client()
    client.force_login(director)
    bare_client, bare_url = bare_view_client()

    def get(c, path):
        def run():
            response = c.get(path)
            assert response.status_code == 200, (path, response.status_code)
        return run

    limit = timings(get(bare_client, bare_url), repeat=REPEAT * 2)
    print(f"{cluster.name}: {n_activities} activities, {n_participations} company participations")
    for label, path in (
        ("activity list, first page", "/aktiviteter/"),
        ("activity list, search + filters", "/aktiviteter/?q=data&year=2022&activity_type=&international=nej"),
        (f"activity list, last page ({last_page})", f"/aktiviteter/?side={last_page}"),
        ("facilitated projects list", "/projekter/"),
    ):
        queries: list[str] = []

        def record(execute, sql, params, many, context, queries=queries):
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(record):
            size = len(client.get(path).content)
        samples = timings(get(client, path), repeat=REPEAT)
        report(f"{label} ({len(queries)} queries, {size // 1024} KB)", samples, limit)


if __name__ == "__main__":
    main()
