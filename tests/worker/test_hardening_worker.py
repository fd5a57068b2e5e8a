"""Findings 3 and 4 with real processes (a private redis-server, Celery workers, the pytest
test database):

(3) Redis is down for 60 s: the worker keeps retrying with backoff, is still running, and
    processes a task by itself once Redis is back (the seconds to resume are printed).
(4) The whole worker is SIGKILLed mid-import: the beat's sweep sees the stale heartbeat and the
    free lock and queues the job again; a new worker imports it, once (the seconds the job
    stayed "running" are printed).
"""

import time

import psycopg
import pytest
from django.db import connection

from clusters.constants import ImportJobStatus
from clusters.imports.services import import_job_confirm, import_job_create
from clusters.models import Activity, ImportJob
from clusters.tasks import run_activity_import, sweep_stuck_imports
from grants.tasks import relay_notifications
from tests.subprocesses import database_url
from tests.worker.conftest import wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

OUTAGE_SECONDS = 60


def test_worker_survives_a_60_s_redis_outage_and_resumes_by_itself(worker, broker):
    worker.start()
    broker.stop()
    time.sleep(OUTAGE_SECONDS)
    assert worker.proc.poll() is None, "the worker gave up on the broker:\n" + worker.logs()[-3000:]

    done = worker.succeeded()
    broker.start()  # same port, empty
    back = time.monotonic()
    relay_notifications.apply_async()
    wait_until(lambda: worker.succeeded() > done, timeout=60, interval=0.2,
               what="the worker to process a task after Redis is back")
    resumed = time.monotonic() - back
    print(f"\nworker resumed {resumed:.1f} s after Redis came back (outage {OUTAGE_SECONDS} s)")
    assert resumed < 35  # kombu's backoff waits at most 30 s between attempts
    assert "Cannot connect to redis" in worker.logs() or "Connection to broker lost" in worker.logs()


CSV = (
    "external_id;title;activity_type;start_date;end_date\n"
    "k-1;Temadag;knowledge_sharing;2025-03-01;2025-03-01\n"
    "k-2;Netværk;matchmaking;2025-04-01;2025-04-01\n"
).encode()


def test_a_killed_import_is_queued_again_and_imported_once(worker, broker, cluster, director,
                                                           monkeypatch):
    # The worker's own sweep settings: a short staleness so the test need not wait minutes.
    monkeypatch.setenv("IMPORT_HEARTBEAT_SECONDS", "1")
    monkeypatch.setenv("IMPORT_STALE_SECONDS", "5")
    job = import_job_create(cluster=cluster, actor=director, file_name="k.csv", data=CSV)
    assert import_job_confirm(job=job)
    table = connection.ops.quote_name(Activity._meta.db_table)
    # Another session holds the activity table, so the run stops inside its transaction.
    blocker = psycopg.connect(database_url(), autocommit=False)
    try:
        blocker.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
        worker.start()
        run_activity_import.delay(job.pk)

        def running_with_heartbeat():
            job.refresh_from_db()
            return job.status == ImportJobStatus.RUNNING and job.heartbeat_at

        wait_until(running_with_heartbeat, timeout=60, what="the import to be running")
        worker.kill()  # SIGKILL of the whole worker mid-import
        killed = time.monotonic()
    finally:
        blocker.rollback()
        blocker.close()

    job.refresh_from_db()
    assert job.status == ImportJobStatus.RUNNING  # as the audit found it

    worker.start()
    left_running = None
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        sweep_stuck_imports.apply_async()  # what the beat does every minute
        time.sleep(1)
        job.refresh_from_db()
        if left_running is None and job.run_attempts >= 2:
            left_running = time.monotonic() - killed
        if job.status == ImportJobStatus.DONE:
            break
    assert job.status == ImportJobStatus.DONE, worker.logs()[-3000:]
    print(f"\nkilled import stayed 'running' (first run) for {left_running:.1f} s; "
          f"done {time.monotonic() - killed:.1f} s after the kill")
    assert job.run_attempts == 2
    assert Activity.objects.filter(cluster=cluster).count() == 2
    assert left_running < 30
    assert ImportJob.objects.get(pk=job.pk).created == 2


def test_relay_killed_after_the_mail_server_accepted_never_sends_twice(
    worker, mail_dir, director, monkeypatch
):
    """Finding 7: the mail server has taken the message, the relay is SIGKILLed while the
    server is slow to say goodbye (before the row is marked sent). The next relay finds the
    Message-ID accepted and marks the row sent without a second mail."""
    from django.db import transaction

    from grants.constants import NotificationStatus
    from grants.notifications.models import MailAcceptance
    from grants.notifications.services import notify
    from tests.worker.conftest import mails_for

    director.email = "direktor@klynge.example.dk"
    director.save()
    monkeypatch.setenv("SLOW_MAIL_CLOSE_SECONDS", "60")
    worker.start()
    with transaction.atomic():  # the kick after commit makes the worker send
        n = notify(recipient=director, kind="report_submitted", subject="Kvittering")
    accepted = mail_dir.parent / "accepted"
    wait_until(lambda: accepted.exists() and any(accepted.iterdir()), timeout=60,
               what="the mail server to accept the message")
    assert mails_for(mail_dir, n.pk) == 1
    worker.kill()  # SIGKILL while the server is slow to close: the row is not marked sent
    n.refresh_from_db()
    assert n.status == NotificationStatus.PENDING
    assert MailAcceptance.objects.filter(message_id__startswith=f"<notification-{n.pk}@").exists()

    monkeypatch.setenv("SLOW_MAIL_CLOSE_SECONDS", "0")
    worker.start()
    relay_notifications.apply_async()

    def sent():
        n.refresh_from_db()
        return n.status == NotificationStatus.SENT

    wait_until(sent, timeout=60, what="the row to be marked sent")
    assert mails_for(mail_dir, n.pk) == 1
