"""Import jobs whose worker died (issue 18, finding 4).

A running import beats its heart on the job row (`heartbeat_at`, every
IMPORT_HEARTBEAT_SECONDS, from a thread with its own database connection) and holds the job's
advisory lock inside its transaction. When the whole worker is killed, the lock goes with its
database session and the heartbeat stops; the broker would only hand the message out again
after its visibility timeout (an hour). The beat's sweep (`sweep_stuck_imports`, every minute)
finds RUNNING jobs whose heartbeat is older than IMPORT_STALE_SECONDS and whose lock is free,
and queues them again - or, after IMPORT_MAX_ATTEMPTS runs, marks them failed. Running a job
twice is safe (importing.import_job_run is idempotent), so a message that comes back later
finds the job done and does nothing."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clusters.constants import ImportJobStatus
from clusters.models import ImportJob
from klyngeadmin.accounts.security.logging import security_event

log = logging.getLogger(__name__)
LOCK_KEY = 7301  # importing.import_job_run's advisory lock: (LOCK_KEY, job id)


class Heartbeat:
    """Writes heartbeat_at = now() every `interval` seconds through its own autocommit
    connection until stopped. Used as a context manager around a run."""

    def __init__(self, job_id: int, interval: float | None = None):
        self.job_id = job_id
        self.interval = settings.IMPORT_HEARTBEAT_SECONDS if interval is None else interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"import-heartbeat-{job_id}",
                                        daemon=True)

    def _run(self) -> None:
        conn = connections.create_connection(DEFAULT_DB_ALIAS)
        table = connection.ops.quote_name(ImportJob._meta.db_table)
        try:
            while not self._stop.wait(self.interval):
                try:
                    with conn.cursor() as cursor:
                        cursor.execute(
                            f"UPDATE {table} SET heartbeat_at = now() "  # noqa: S608
                            "WHERE id = %s AND status = %s",
                            [self.job_id, ImportJobStatus.RUNNING])
                except Exception:  # the database is away: the run itself will notice
                    log.warning("import %s: heartbeat not written", self.job_id, exc_info=True)
                    conn.close()
        finally:
            conn.close()

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=5)
        return False


def _lock_is_free(job_id: int) -> bool:
    """True when no run holds the job's advisory lock (the caller is in a transaction; the
    probe's own hold ends with it)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [LOCK_KEY, job_id])
        return bool(cursor.fetchone()[0])


def _publish(job_id: int) -> None:
    """Queue the run; if the broker is away, put the job back as it was, so the next sweep
    tries again."""
    from clusters.tasks import run_activity_import

    try:
        run_activity_import.delay(job_id)
    except Exception:
        log.warning("import %s: could not be queued again; the next sweep retries", job_id,
                    exc_info=True)
        ImportJob.objects.filter(pk=job_id, status=ImportJobStatus.QUEUED).update(
            status=ImportJobStatus.RUNNING)


def sweep_stuck_imports(*, now=None) -> dict:
    """Requeue (or fail, after IMPORT_MAX_ATTEMPTS runs) RUNNING jobs with a stale heartbeat
    and nobody holding their lock. Returns the job ids it requeued and failed. Safe to run
    twice or concurrently (rows are locked with SKIP LOCKED)."""
    now = now or timezone.now()
    stale_before = now - timedelta(seconds=settings.IMPORT_STALE_SECONDS)
    requeued: list[int] = []
    failed: list[int] = []
    with transaction.atomic():
        candidates = list(
            ImportJob.objects.select_for_update(skip_locked=True)
            .filter(status=ImportJobStatus.RUNNING, heartbeat_at__lt=stale_before)
            .order_by("id")
        )
        for job in candidates:
            if not _lock_is_free(job.pk):
                continue  # a run is alive (only its heartbeat is late): leave it
            if job.run_attempts >= settings.IMPORT_MAX_ATTEMPTS:
                ImportJob.objects.filter(pk=job.pk).update(
                    status=ImportJobStatus.FAILED, finished_at=now,
                    failure=_("Importen blev afbrudt %(n)s gange, og intet er importeret. "
                              "Prøv igen, eller kontakt Erhvervsstyrelsen.")
                    % {"n": job.run_attempts},
                )
                failed.append(job.pk)
            else:
                ImportJob.objects.filter(pk=job.pk).update(status=ImportJobStatus.QUEUED)
                requeued.append(job.pk)
        for job_id in requeued:
            transaction.on_commit(lambda job_id=job_id: _publish(job_id))
    for job_id in requeued:
        security_event("import_job_requeued", job_id=job_id, level=logging.WARNING)
    for job_id in failed:
        security_event("import_job_failed_after_worker_loss", job_id=job_id,
                       level=logging.WARNING)
    return {"requeued": requeued, "failed": failed}
