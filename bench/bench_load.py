"""Load test: gunicorn on a loopback port against the bench database (demo data), driven by
locust headless for a bounded time (bench/locustfile.py): directors editing their reports,
caseworkers working the queue, cluster integrations posting bulk activity batches.

Prints throughput, p50/p95 per request kind and in all, errors; fails (exit 1) on any 5xx, on
an unexpected failure, or if the database does not hold exactly what the accepted requests sent
(every accepted batch's activities, each report's last accepted text).

    .venv/bin/python bench/bench_load.py            # LOAD_SECONDS=30 LOAD_USERS=14

It runs against a scratch copy of the bench database (dropped at the end), so the bench
database is left as it was found.
"""

import csv
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from common import ROOT, ensure_demo, setup_django

SECONDS = int(os.environ.get("LOAD_SECONDS", "30"))
USERS = int(os.environ.get("LOAD_USERS", "14"))
BATCH = int(os.environ.get("LOAD_BATCH_SIZE", "50"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, seconds: float = 30) -> None:
    import urllib.request

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"gunicorn did not answer {url} within {seconds} s")


def make_plan(run: str) -> dict:
    from django.conf import settings
    from django.urls import reverse

    from clusters.models import ClusterOrganisation
    from grants.constants import ReportStatus
    from grants.reports.models import AnnualReport
    from klyngeadmin.accounts.keys import api_key_create
    from klyngeadmin.accounts.models import User

    directors = []
    for user in User.objects.filter(role="director", is_active=True).order_by("pk"):
        report = (
            AnnualReport.objects.filter(grant__cluster=user.cluster_id, status=ReportStatus.DRAFT)
            .order_by("year").first()
        )
        if report:
            directors.append({"username": user.username, "report": report.pk})
    clusters = list(ClusterOrganisation.objects.order_by("pk")[:6])
    integrations = [
        {"cluster": c.pk,
         "key": api_key_create(name=f"load test {run}", cluster=c).plain}
        for c in clusters
    ]
    from grants.cases.models import Case

    queue = reverse("cases:queue")
    items = [reverse("cases:detail", args=[j]) for j in
             Case.objects.order_by("pk").values_list("journal_number", flat=True)[:20]]
    items = items or [f"/rapporter/{pk}/" for pk in AnnualReport.objects.exclude(
        status=ReportStatus.DRAFT).order_by("pk").values_list("pk", flat=True)[:20]]
    return {
        "run": run,
        "password": settings.DEMO_PASSWORD,
        "directors": directors,
        "integrations": integrations,
        "caseworkers": [{"username": u, "i": 0} for u in ("caseworker1", "caseworker2")],
        "caseworker_queue": queue,
        "caseworker_items": items or ["/statistik/"],
        "batch_size": BATCH,
    }


def read_stats(prefix: Path) -> list[dict]:
    with open(f"{prefix}_stats.csv", newline="") as fh:
        return list(csv.DictReader(fh))


def scratch_copy() -> str:
    """A throw-away copy of the bench database (CREATE DATABASE ... TEMPLATE) that this process
    and gunicorn then use, so the load test's activities, report edits and audit rows never
    reach the bench database the other benches measure. Returns the copy's name."""
    import psycopg
    from django.db import connections

    settings = connections["default"].settings_dict
    source = settings["NAME"]
    copy = f"{source}_load"
    connections.close_all()  # a template database must have no other connection
    head = os.environ["DATABASE_URL"].rpartition("/")[0]
    with psycopg.connect(f"{head}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{copy}"')
        conn.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{source}"')
    settings["NAME"] = copy
    os.environ["DATABASE_URL"] = f"{head}/{copy}"
    return copy


def drop_copy(copy: str) -> None:
    import psycopg
    from django.db import connections

    connections.close_all()
    head = os.environ["DATABASE_URL"].rpartition("/")[0]
    with psycopg.connect(f"{head}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{copy}"')


def main() -> int:
    setup_django()
    seed = ensure_demo()
    copy = scratch_copy()
    try:
        return run_load(seed)
    finally:
        drop_copy(copy)


def run_load(seed) -> int:
    from clusters.models import Activity
    from grants.reports.models import AnnualReport

    run = f"load-{uuid.uuid4().hex[:8]}"
    plan = make_plan(run)
    work = Path(tempfile.mkdtemp(prefix="bench_load_"))
    (work / "plan.json").write_text(json.dumps(plan))
    port = free_port()
    env = {
        **os.environ,
        "DEBUG": "True",                  # plain HTTP on loopback: no secure-cookie transport
        "REQUIRE_2FA": "False",           # caseworkers sign in with password only in this bench
        "API_THROTTLE_RATE": "1000000/min",
        "API_BULK_THROTTLE_RATE": "1000000/min",
        "AXES_FAILURE_LIMIT": "1000",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": os.environ["DATABASE_URL"],  # the scratch copy
    }
    gunicorn_log = open(work / "gunicorn.log", "w")  # noqa: SIM115 - closed after the run
    gunicorn = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "klyngeadmin.wsgi:application",
         "--bind", f"127.0.0.1:{port}", "--workers", "3", "--threads", "2",
         "--log-level", "warning", "--timeout", "60"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=gunicorn_log,
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz")
        started = time.perf_counter()
        locust = subprocess.run(
            [sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"),
             "--headless", "--users", str(USERS), "--spawn-rate", str(USERS),
             "--run-time", f"{SECONDS}s", "--host", f"http://127.0.0.1:{port}",
             "--csv", str(work / "load"), "--only-summary", "--stop-timeout", "10",
             "--loglevel", "WARNING"],
            cwd=ROOT, env={**env, "LOCUST_PLAN": str(work / "plan.json"),
                           "LOCUST_RESULTS": str(work / "results.json")},
            capture_output=True, text=True, timeout=SECONDS + 90,
        )
        elapsed = time.perf_counter() - started
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=30)
        gunicorn_log.close()

    if not (work / "results.json").exists():
        print(locust.stdout[-3000:], locust.stderr[-3000:])
        return 1
    results = json.loads((work / "results.json").read_text())
    stats = read_stats(work / "load")
    print(f"load: {USERS} users for {SECONDS} s against gunicorn (3 workers x 2 threads) on "
          f"127.0.0.1, demo data{f' (seeded {seed:.0f} s)' if seed else ''}")
    print(f"{'request':32} {'count':>6} {'fail':>5} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7}")
    total = None
    for row in stats:
        line = (f"{row['Name'][:32]:32} {row['Request Count']:>6} {row['Failure Count']:>5} "
                f"{float(row['Requests/s']):7.1f} {row['50%']:>7} {row['95%']:>7}")
        if row["Name"] == "Aggregated":
            total = row
        else:
            print(line)
    print(line if total is None else
          f"{'all':32} {total['Request Count']:>6} {total['Failure Count']:>5} "
          f"{float(total['Requests/s']):7.1f} {total['50%']:>7} {total['95%']:>7}")

    # Nothing lost: the database holds exactly what the accepted requests sent.
    accepted = {(c, e) for c, e in results["activities"]}
    stored = set(Activity.objects.filter(external_id__startswith=run)
                 .values_list("cluster_id", "external_id"))
    reports_ok = all(
        AnnualReport.objects.get(pk=int(pk)).value_created == text
        for pk, text in results["reports"].items()
    )
    failures = int(total["Failure Count"]) if total else -1
    print(f"throughput {float(total['Requests/s']):.1f} req/s, p95 {total['95%']} ms; "
          f"5xx: {len(results['server_errors'])}; failures: {failures} "
          f"(refused 400/409: {results['refused']}); run took {elapsed:.0f} s")
    print(f"activities: {len(accepted)} accepted in bulk batches, {len(stored)} stored, "
          f"{'identical' if accepted == stored else 'DIFFERENT'}; reports edited: "
          f"{len(results['reports'])}, last accepted text stored: {reports_ok}")
    ok = not results["server_errors"] and failures == 0 and accepted == stored and reports_ok
    if not ok:
        print("LOAD TEST FAILED", results["server_errors"][:10], locust.stderr[-2000:])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
