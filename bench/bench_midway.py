"""The midway evaluation pages on the demo data: the cohort view of 2029 (every cluster side by
side with its starting-point analysis) and one evaluation's page, median and p95 latency against
a bare Django view measured in the same run, plus their query counts."""

import os

from common import bare_view_client, ensure_demo, report, setup_django, timings

REPEAT = 20


def main():
    os.environ["REQUIRE_2FA"] = "False"  # the caseworker signs in with force_login (no TOTP)
    setup_django()
    seeded = ensure_demo()
    if seeded:
        print(f"(built the demo data in {seeded:.1f} s)")
    from django.db import connection
    from django.test import Client

    from evaluations.models import MidwayEvaluation
    from klyngeadmin.accounts.models import User

    caseworker = User.objects.get(username="caseworker1")
    evaluation = MidwayEvaluation.objects.filter(year=2029).order_by("id").first()
    client = Client()
    client.force_login(caseworker)
    bare_client, bare_url = bare_view_client()

    def get(c, path):
        def run():
            response = c.get(path)
            assert response.status_code == 200, (path, response.status_code)
        return run

    limit = timings(get(bare_client, bare_url), repeat=REPEAT * 2)
    cohort_size = MidwayEvaluation.objects.filter(year=2029).count()
    for label, path in (("cohort 2029", "/midtvejsevaluering/aargang/2029/"),
                        ("cohort 2029 XLSX", "/midtvejsevaluering/aargang/2029/eksport.xlsx"),
                        ("evaluation page", f"/midtvejsevaluering/{evaluation.pk}/")):
        queries: list[str] = []

        def record(execute, sql, params, many, context, queries=queries):
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(record):
            client.get(path)
        samples = timings(get(client, path), repeat=REPEAT)
        report(f"{label} ({cohort_size} clusters, {len(queries)} queries)", samples, limit)


if __name__ == "__main__":
    main()
