"""Fault (3): two ticks at the same time (threads, and two processes), and the same tick run
twice - no duplicates. The ticks' advisory lock (each tick's INSERT sees what the earlier one
committed) is what makes this hold, not luck in timing; the UNIQUE (deadline, recipient, kind)
key is the guard behind it."""

import re
import subprocess
import threading
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction

from grants.constants import DeadlineKind
from grants.deadlines.models import Deadline
from grants.notifications.models import Notification
from grants.notifications.reminders import reminder_tick
from klyngeadmin.kernel.roles import Role
from tests.factories import ClusterFactory, UserFactory
from tests.subprocesses import PYTHON, ROOT, subprocess_env

CPH = ZoneInfo("Europe/Copenhagen")
NOW = datetime(2026, 3, 24, 9, tzinfo=CPH)
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def due_deadlines():
    """6 deadlines due in 7 days for 3 clusters with a director and a staff member each:
    12 reminders are due at NOW."""
    due = datetime(2026, 3, 31, 23, 59, tzinfo=CPH)
    for _ in range(3):
        cluster = ClusterFactory()
        UserFactory(role=Role.DIRECTOR, cluster=cluster)
        UserFactory(role=Role.CLUSTER_STAFF, cluster=cluster)
        for i in range(2):
            Deadline.objects.create(kind=DeadlineKind.ANNUAL_REPORT, subject=f"Frist {i}",
                                    cluster=cluster, due_at=due, original_due_at=due)
    return 12


def assert_no_duplicates(expected):
    keys = list(Notification.objects.values_list("deadline_id", "recipient_id", "kind"))
    assert len(keys) == len(set(keys)) == expected


def in_thread(fn, results, barrier=None):
    def run():
        try:
            if barrier:
                barrier.wait()
            results.append(fn())
        except Exception as exc:  # noqa: BLE001 - reported by the test
            results.append(exc)
        finally:
            connection.close()
    t = threading.Thread(target=run)
    t.start()
    return t


def test_same_tick_twice(due_deadlines):
    assert len(reminder_tick(now=NOW)) == due_deadlines
    assert reminder_tick(now=NOW) == []
    assert_no_duplicates(due_deadlines)


def test_four_ticks_at_the_same_time_in_threads(due_deadlines):
    results: list = []
    barrier = threading.Barrier(4)
    threads = [in_thread(lambda: reminder_tick(now=NOW), results, barrier) for _ in range(4)]
    for t in threads:
        t.join(60)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(len(r) for r in results) == due_deadlines
    assert_no_duplicates(due_deadlines)


def test_overlapping_tick_waits_for_the_first_and_creates_nothing(due_deadlines):
    """Deterministic overlap: the first tick has inserted but not committed when the second
    would run its query; it waits on the ticks' lock, then sees the first's rows and does
    nothing."""
    results: list = []
    with transaction.atomic():
        first = reminder_tick(now=NOW)
        assert len(first) == due_deadlines
        second = in_thread(lambda: reminder_tick(now=NOW), results)
        time.sleep(1.0)
        assert second.is_alive(), "the second tick should be waiting on the first's rows"
    second.join(60)
    assert results == [[]]
    assert_no_duplicates(due_deadlines)


def test_two_send_reminders_processes_at_once(due_deadlines):
    env = subprocess_env()
    cmd = [PYTHON, "manage.py", "send_reminders", "--now", NOW.isoformat()]
    procs = [subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    created = [int(re.search(r"^created=(\d+)$", out, re.M).group(1)) for out, _ in outs]
    assert sum(created) == due_deadlines
    printed = sum(len(re.findall(r"^notification=\d+ ", out, re.M)) for out, _ in outs)
    assert printed == due_deadlines
    assert_no_duplicates(due_deadlines)


def test_a_tick_waits_while_another_holds_the_tick_lock(due_deadlines):
    """The ticks take turns under one advisory lock (the tick is a plain INSERT, not ON CONFLICT):
    while the lock is held elsewhere a tick creates nothing; once it is free, the tick runs."""
    from grants.notifications.reminders import TICK_LOCK

    results: list = []
    with transaction.atomic():
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [TICK_LOCK])
        tick = in_thread(lambda: reminder_tick(now=NOW), results)
        time.sleep(1.0)
        assert tick.is_alive(), "the tick should wait for the lock"
        assert Notification.objects.count() == 0
    tick.join(60)
    assert [len(r) for r in results] == [due_deadlines]
    assert_no_duplicates(due_deadlines)
