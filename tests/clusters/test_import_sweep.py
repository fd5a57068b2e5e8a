"""Finding 4: the sweep that queues again, or fails, imports whose worker died (heartbeat on
the job row, the job's advisory lock). The SIGKILL of a real worker: tests/worker."""

from datetime import timedelta

import pytest
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

from clusters.constants import ImportJobStatus
from clusters.imports.services import import_job_run
from clusters.imports.sweep import LOCK_KEY, Heartbeat, sweep_stuck_imports
from clusters.models import ImportJob

pytestmark = pytest.mark.django_db(transaction=True)


def running_job(cluster, director, *, seconds_ago: int, attempts: int = 1) -> ImportJob:
    return ImportJob.objects.create(
        cluster=cluster, created_by=director, file_name="x.csv", total_rows=0, rows=[],
        status=ImportJobStatus.RUNNING, run_attempts=attempts,
        heartbeat_at=timezone.now() - timedelta(seconds=seconds_ago),
    )


@pytest.fixture
def eager_tasks():
    """Tasks published by the sweep run at once in this process (the real task body)."""
    from klyngeadmin.celery import app

    saved = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = saved


def test_a_job_with_a_stale_heartbeat_and_a_free_lock_is_run_again(cluster, director,
                                                                  settings, eager_tasks):
    stuck = running_job(cluster, director, seconds_ago=settings.IMPORT_STALE_SECONDS + 5)
    fresh = running_job(cluster, director, seconds_ago=1)
    assert sweep_stuck_imports() == {"requeued": [stuck.pk], "failed": []}
    stuck.refresh_from_db()
    fresh.refresh_from_db()
    assert stuck.status == ImportJobStatus.DONE and stuck.run_attempts == 2
    assert fresh.status == ImportJobStatus.RUNNING
    assert sweep_stuck_imports() == {"requeued": [], "failed": []}


def test_a_job_whose_run_holds_the_lock_is_left_alone(cluster, director, settings):
    job = running_job(cluster, director, seconds_ago=settings.IMPORT_STALE_SECONDS + 5)
    alive = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with alive.cursor() as cursor:  # a live run: its session holds the job's lock
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", [LOCK_KEY, job.pk])
        assert sweep_stuck_imports() == {"requeued": [], "failed": []}
    finally:
        alive.close()
    job.refresh_from_db()
    assert job.status == ImportJobStatus.RUNNING


def test_a_job_killed_too_often_is_failed_with_a_danish_reason(cluster, director, settings):
    job = running_job(cluster, director, seconds_ago=settings.IMPORT_STALE_SECONDS + 5,
                      attempts=settings.IMPORT_MAX_ATTEMPTS)
    assert sweep_stuck_imports() == {"requeued": [], "failed": [job.pk]}
    job.refresh_from_db()
    assert job.status == ImportJobStatus.FAILED
    assert job.failure.startswith(f"Importen blev afbrudt {settings.IMPORT_MAX_ATTEMPTS} gange")


def test_a_run_counts_its_attempts_and_beats(cluster, director):
    job = ImportJob.objects.create(cluster=cluster, created_by=director, file_name="x.csv",
                                   status=ImportJobStatus.QUEUED)
    assert import_job_run(job.pk) == "done"
    job.refresh_from_db()
    assert job.run_attempts == 1 and job.heartbeat_at is not None
    before = job.heartbeat_at
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJobStatus.RUNNING)
    with Heartbeat(job.pk, interval=0.05):
        import time

        time.sleep(0.5)
    job.refresh_from_db()
    assert job.heartbeat_at > before
