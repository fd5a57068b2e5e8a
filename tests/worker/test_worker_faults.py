"""Faults (1) and (2) with real processes: a private redis-server and a Celery worker started
by the test, the pytest test database, and mail written to files by the worker.

(1) Redis is stopped while a director submits a report: the submit still succeeds in under
    3 s, the notification row is pending, and exactly one mail goes out once Redis is back and
    the relay's beat tick runs.
(2) The worker is killed (SIGKILL) while it is sending: the mail is sent once after restart.
"""

import os
import signal
import time

import pytest
from django.db import transaction

from grants.cases.flows import report_submit
from grants.constants import NotificationStatus
from grants.notifications.models import Notification
from grants.notifications.services import kick_relay, notify
from grants.tasks import relay_notifications
from tests.grants.report_helpers import fill_report, report_for
from tests.worker.conftest import mail_files, mails_for, sending_markers, wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def sent(n) -> bool:
    n.refresh_from_db()
    return n.status == NotificationStatus.SENT


def relay_tick():
    """What the beat does every minute: publish the relay task."""
    relay_notifications.apply_async()


@pytest.fixture
def director_with_mail(director):
    director.email = "direktor@klynge.example.dk"
    director.save()
    return director


def test_redis_stopped_while_a_director_submits_a_report(worker, broker, mail_dir, grant,
                                                         director_with_mail):
    report = fill_report(report_for(grant))
    worker.start()
    broker.stop()  # Redis goes away

    started = time.monotonic()
    version = report_submit(report=report, actor=director_with_mail)
    elapsed = time.monotonic() - started
    assert elapsed < 3, f"submit took {elapsed:.2f} s with Redis down"
    assert version.number == 1
    report.refresh_from_db()
    assert report.status == "submitted"
    n = Notification.objects.get(recipient=director_with_mail, kind="report_submitted")
    assert n.status == NotificationStatus.PENDING
    time.sleep(1)
    assert mail_files(mail_dir) == []

    broker.start()  # Redis is back (same port, empty: the kick was never queued)
    relay_tick()
    wait_until(lambda: mails_for(mail_dir, n.pk) == 1, timeout=90, what="the receipt mail")
    wait_until(lambda: sent(n), timeout=30, what="the row to be marked sent")
    # further relay ticks (and kicks) find nothing to send: still exactly one mail
    done = worker.succeeded()
    relay_tick()
    kick_relay()
    wait_until(lambda: worker.succeeded() >= done + 2, timeout=60, what="two more relay runs")
    assert mails_for(mail_dir, n.pk) == 1
    assert len(mail_files(mail_dir)) == 1
    assert "direktor@klynge.example.dk" in mail_files(mail_dir)[0].read_text()


def test_kick_fails_fast_when_redis_is_down(broker, director, transactional_db):
    broker.stop()
    started = time.monotonic()
    with transaction.atomic():
        notify(recipient=director, kind="report_submitted", subject="Kvittering")
    assert time.monotonic() - started < 3
    for _ in range(3):  # and again, with the pool's broken connection
        started = time.monotonic()
        kick_relay()
        assert time.monotonic() - started < 1.5
    assert Notification.objects.get().status == NotificationStatus.PENDING


def test_worker_killed_while_sending_sends_once_after_restart(worker, mail_dir, director_with_mail):
    worker.start(slow_mail_seconds=60)
    with transaction.atomic():  # the kick after commit makes the worker start sending
        n = notify(recipient=director_with_mail, kind="report_submitted", subject="Kvittering")
    wait_until(lambda: sending_markers(mail_dir) == 1, timeout=60, what="the worker to be sending")
    worker.kill()  # SIGKILL mid-send: no ack, no cleanup, its DB connection (and row lock) gone

    n.refresh_from_db()
    assert n.status == NotificationStatus.PENDING
    # the relay had opened its mail connection (an empty file) but no mail was written
    assert mails_for(mail_dir, n.pk) == 0

    worker.start(slow_mail_seconds=0)
    relay_tick()
    wait_until(lambda: mails_for(mail_dir, n.pk) == 1, timeout=90, what="the mail after restart")
    wait_until(lambda: sent(n), timeout=30, what="the row to be marked sent")
    done = worker.succeeded()
    relay_tick()
    wait_until(lambda: worker.succeeded() > done, timeout=60, what="another relay run")
    assert mails_for(mail_dir, n.pk) == 1


def test_pool_child_killed_while_sending_task_is_redelivered_and_sent_once(
    worker, mail_dir, director_with_mail
):
    """acks_late + reject_on_worker_lost: the prefork pool's child dies mid-send, the worker
    re-queues the message and a new child sends the mail - once."""
    worker.pool = "prefork"
    worker.start(slow_mail_seconds=60, slow_once=True)
    with transaction.atomic():
        n = notify(recipient=director_with_mail, kind="report_submitted", subject="Kvittering")
    wait_until(lambda: sending_markers(mail_dir) == 1, timeout=60, what="the child to be sending")
    main, children = worker.proc.pid, [p for p in worker.pids() if p != worker.proc.pid]
    assert children, "prefork pool without a child"
    for pid in children:
        os.kill(pid, signal.SIGKILL)
    # no relay tick here: the re-queued task alone must deliver it
    wait_until(lambda: mails_for(mail_dir, n.pk) == 1, timeout=90, what="the redelivered send")
    assert worker.proc.poll() is None and worker.proc.pid == main
    wait_until(lambda: sent(n), timeout=30, what="the row to be marked sent")
    time.sleep(2)
    assert mails_for(mail_dir, n.pk) == 1
    assert "WorkerLostError" in worker.logs()
