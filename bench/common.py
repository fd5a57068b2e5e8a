"""Shared set-up for the benchmarks: a separate database, the demo data, timing helpers.

Every benchmark prints its figures as ratios against a limit measured in the same run (a bare
Django view, a raw COPY, one plain query), so the numbers mean the same on any machine."""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = os.environ.get("BENCH_DATABASE_NAME", "klyngeadmin_bench")


def setup_django():
    """Point Django at the bench database (created if missing) and migrate it."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "klyngeadmin.settings")
    os.environ["DEBUG"] = "True"
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/klyngeadmin")
    head, _, _ = base.rpartition("/")
    os.environ["DATABASE_URL"] = f"{head}/{BENCH_DB}"
    import psycopg

    with psycopg.connect(f"{head}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DB]).fetchone():
            conn.execute(f'CREATE DATABASE "{BENCH_DB}"')
    import django

    django.setup()
    import logging

    # No worker runs during the benchmarks: the "could not queue ..." warnings of the outboxes'
    # relays, the statistics refresh, the CVR look-up and the post-import ANALYZE (the work waits
    # for the beat's tick or the nightly run, as designed) would only bury the figures.
    for name in ("grants.notifications.services", "klyngeadmin.kernel.outbox", "grants.tasks",
                 "clusters.companies.services", "clusters.ingest"):
        logging.getLogger(name).setLevel(logging.ERROR)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def ensure_demo(reset: bool = False) -> float:
    """Build the demo data if the bench database lacks it; returns the seconds it took."""
    import io

    from django.core.management import call_command

    from klyngeadmin.demo.builder import demo_present

    if demo_present() and not reset:
        return 0.0
    started = time.perf_counter()
    call_command("seed_demo", "--reset", "--allow-demo-passwords", stdout=io.StringIO())
    return time.perf_counter() - started


def timings(fn, *, repeat: int = 30, warmup: int = 3) -> list[float]:
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def summary(samples: list[float]) -> tuple[float, float]:
    """Median and 95th percentile, in seconds."""
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def bare_view_client():
    """A test client and the URL of a bare Django view (the limit for page latencies)."""
    from django.test import Client

    return Client(), "/bench/bare/"


def report(name: str, samples: list[float], limit: list[float]) -> None:
    med, p95 = summary(samples)
    lmed, lp95 = summary(limit)
    print(f"{name}: median {med * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms; "
          f"bare view median {lmed * 1000:.2f} ms, p95 {lp95 * 1000:.2f} ms; "
          f"ratio median {med / lmed:.1f}x, p95 {p95 / lp95:.1f}x")
