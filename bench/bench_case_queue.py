"""The case queue (/sager/) with 5,000 cases: median and p95 latency against a bare Django
view measured in the same run, plus the query count (which must not grow with the cases).

The 5,000 cases are bulk-created inside a transaction that is rolled back at the end, so the
shared bench database keeps only the demo data; the tables written are vacuumed before and after
(autovacuum may be off where the benches run: the rolled-back rows would stay behind as dead
tuples and slow every later read of the cases, the queue page in bench_pages.py among them)."""

from common import bare_view_client, ensure_demo, report, setup_django, timings

N_CASES = 5_000
REPEAT = 25
WRITTEN = ("grants_case", "grants_deadline")


def vacuum() -> None:
    from django.db import connection

    with connection.cursor() as cur:
        for table in WRITTEN:
            cur.execute(f"VACUUM {table}")


def main():
    import os

    os.environ["REQUIRE_2FA"] = "False"  # a signed-in caseworker without the TOTP step
    setup_django()
    seeded = ensure_demo()
    if seeded:
        print(f"(built the demo data in {seeded:.1f} s)")
    from datetime import timedelta

    from django.db import connection, transaction
    from django.test import Client
    from django.utils import timezone

    from grants.cases.models import Case
    from grants.constants import CaseStatus, CaseType, DeadlineKind
    from grants.deadlines.models import Deadline
    from grants.reports.models import AnnualReport
    from klyngeadmin.accounts.models import User

    vacuum()
    with transaction.atomic():
        caseworkers = list(User.objects.filter(username__in=["caseworker1", "caseworker2"]))
        reports = list(AnnualReport.objects.select_related("grant").order_by("id")[:200])
        now = timezone.now()
        deadlines = Deadline.objects.bulk_create(
            (Deadline(kind=DeadlineKind.CASE_HANDLING, subject=f"Bench-sag {i}",
                      cluster_id=reports[i % len(reports)].grant.cluster_id,
                      due_at=now + timedelta(days=i % 90 - 20), original_due_at=now)
             for i in range(N_CASES)),
            batch_size=1000,
        )
        statuses = CaseStatus.values
        Case.objects.bulk_create(
            (Case(journal_number=f"2018-{i + 1:06d}", case_type=CaseType.ANNUAL_REPORT,
                  cluster_id=d.cluster_id, subject=f"Årsrapport (bench) {i}",
                  report=reports[i % len(reports)], status=statuses[i % len(statuses)],
                  deadline=d,
                  assignee=None if statuses[i % len(statuses)] == CaseStatus.NEW
                  else caseworkers[i % 2])
             for i, d in enumerate(deadlines)),
            batch_size=1000,
        )
        total = Case.objects.count()
        client = Client()
        client.force_login(caseworkers[0])
        bare_client, bare_url = bare_view_client()

        def get(c, path):
            def run():
                response = c.get(path)
                assert response.status_code == 200, (path, response.status_code)
            return run

        limit = timings(get(bare_client, bare_url), repeat=REPEAT * 2)
        for label, path in (
            ("all cases, by deadline", "/sager/"),
            ("my overdue cases", "/sager/?fane=mine&overskredet=1"),
            ("search + status filter, page 3", "/sager/?q=klyngen&status=in_progress&side=3"),
        ):
            queries: list[str] = []

            def record(execute, sql, params, many, context, queries=queries):
                queries.append(sql)
                return execute(sql, params, many, context)

            with connection.execute_wrapper(record):
                size = len(client.get(path).content)
            samples = timings(get(client, path), repeat=REPEAT)
            report(f"case queue {path} ({label}; {total} cases, {len(queries)} queries, "
                   f"{size // 1024} KB)", samples, limit)
        transaction.set_rollback(True)
    vacuum()  # the database as found


if __name__ == "__main__":
    main()
