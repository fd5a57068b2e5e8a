"""Fault (4): the clock moves past deadlines and across the switches to and from summer time.

The beat ticks every 15 minutes in UTC. We move the clock (time-machine) tick by tick across
spring (29 March 2026, 02:00 -> 03:00) and autumn (25 October 2026, 03:00 -> 02:00) and check
that every reminder is created exactly once, on the right Danish calendar day, never before
07:00 Danish time."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from grants.constants import DeadlineKind
from grants.deadlines.models import Deadline
from grants.notifications.models import Notification
from grants.notifications.reminders import reminder_tick

CPH = ZoneInfo("Europe/Copenhagen")


def ticks(start: datetime, end: datetime, *, every: timedelta, fine_days: set[date]):
    """UTC tick times from start to end: every `every`, and every 15 minutes on `fine_days`
    (Danish dates) - the days around the DST switches, where an hour could go missing or
    repeat."""
    t = start.astimezone(UTC)
    while t <= end:
        yield t
        step = timedelta(minutes=15) if t.astimezone(CPH).date() in fine_days else every
        t += step


def run_clock(start, end, fine_days):
    # UTC-aligned 3-hour ticks elsewhere (00, 03, 06 … UTC), as a coarse beat would run
    for t in ticks(start, end, every=timedelta(hours=3), fine_days=fine_days):
        with time_machine.travel(t, tick=False):
            reminder_tick()


def created_on(deadline) -> dict[str, date]:
    out = {}
    for n in Notification.objects.filter(deadline=deadline):
        local = n.created_at.astimezone(CPH)
        assert local.hour >= 7, f"{n.kind} created at {local} - before 07:00 Danish time"
        out[n.kind] = local.date()
    return out


@pytest.fixture
def deadlines(cluster, director):
    def make(due):
        return Deadline.objects.create(kind=DeadlineKind.ANNUAL_REPORT, subject=f"Frist {due}",
                                       cluster=cluster, due_at=due, original_due_at=due)
    return make


def test_spring_forward_every_reminder_once_on_the_right_day(deadlines, director):
    # 31 March 23:59 (summer time, UTC+2): its -7d and -14d days are still winter time (UTC+1)
    report = deadlines(datetime(2026, 3, 31, 23, 59, tzinfo=CPH))
    # due on the switch day itself, at 02:30 local - a time that does not exist that night
    # (zoneinfo resolves it to 03:30 summer time); still the Danish day 29 March
    on_switch = deadlines(datetime(2026, 3, 29, 2, 30, tzinfo=CPH))
    # due just after midnight the day after the switch: its "-1d" day is the 23-hour day
    after = deadlines(datetime(2026, 3, 30, 0, 15, tzinfo=CPH))
    fine = {date(2026, 3, d) for d in (28, 29, 30)}
    run_clock(datetime(2026, 2, 27, 0, tzinfo=UTC), datetime(2026, 4, 16, 0, tzinfo=CPH), fine)

    assert created_on(report) == {
        "reminder:-30d": date(2026, 3, 1), "reminder:-14d": date(2026, 3, 17),
        "reminder:-7d": date(2026, 3, 24), "reminder:-1d": date(2026, 3, 30),
        "reminder:0d": date(2026, 3, 31), "overdue:+1d": date(2026, 4, 1),
        "overdue:+7d": date(2026, 4, 7), "overdue:+14d": date(2026, 4, 14),
    }
    assert created_on(on_switch) == {
        "reminder:-30d": date(2026, 2, 27), "reminder:-14d": date(2026, 3, 15),
        "reminder:-7d": date(2026, 3, 22), "reminder:-1d": date(2026, 3, 28),
        "reminder:0d": date(2026, 3, 29), "overdue:+1d": date(2026, 3, 30),
        "overdue:+7d": date(2026, 4, 5), "overdue:+14d": date(2026, 4, 12),
    }
    assert created_on(after)["reminder:-1d"] == date(2026, 3, 29)
    assert created_on(after)["reminder:0d"] == date(2026, 3, 30)
    # exactly once each: one row per (deadline, kind) for the one recipient
    assert Notification.objects.count() == 8 + 8 + 8
    # and the spring -30d of the first deadline was created from 07:00 winter time = 06:00 UTC
    first = Notification.objects.get(deadline=report, kind="reminder:-30d").created_at
    assert first.astimezone(UTC).hour == 6


def test_fall_back_every_reminder_once_on_the_right_day(deadlines, director):
    # due the day after the 25-hour day, shortly after midnight (winter time)
    after = deadlines(datetime(2026, 10, 26, 0, 30, tzinfo=CPH))
    # due on the switch day in the repeated hour 02:30 (first occurrence, summer time)
    repeated = deadlines(datetime(2026, 10, 25, 2, 30, tzinfo=CPH))
    # due the evening before the switch
    before = deadlines(datetime(2026, 10, 24, 23, 59, tzinfo=CPH))
    fine = {date(2026, 10, d) for d in (24, 25, 26)}
    run_clock(datetime(2026, 9, 20, 0, tzinfo=UTC), datetime(2026, 11, 3, 12, tzinfo=CPH), fine)

    assert created_on(after) == {
        "reminder:-30d": date(2026, 9, 26), "reminder:-14d": date(2026, 10, 12),
        "reminder:-7d": date(2026, 10, 19), "reminder:-1d": date(2026, 10, 25),
        "reminder:0d": date(2026, 10, 26), "overdue:+1d": date(2026, 10, 27),
        "overdue:+7d": date(2026, 11, 2),
    }
    assert created_on(repeated) == {
        "reminder:-30d": date(2026, 9, 25), "reminder:-14d": date(2026, 10, 11),
        "reminder:-7d": date(2026, 10, 18), "reminder:-1d": date(2026, 10, 24),
        "reminder:0d": date(2026, 10, 25), "overdue:+1d": date(2026, 10, 26),
        "overdue:+7d": date(2026, 11, 1),
    }
    assert created_on(before)["reminder:0d"] == date(2026, 10, 24)
    assert created_on(before)["overdue:+1d"] == date(2026, 10, 25)
    assert Notification.objects.count() == 7 + 7 + 7


def test_clock_jumps_past_a_deadline(deadlines, director):
    """The clock is moved forward past the due time in one step (a machine that was off, or a
    clock corrected): one overdue notice, none of the reminders it skipped."""
    d = deadlines(datetime(2026, 3, 31, 23, 59, tzinfo=CPH))
    with time_machine.travel(datetime(2026, 3, 2, 9, tzinfo=CPH), tick=False):
        assert [r.kind for r in reminder_tick()] == ["reminder:-30d"]
    with time_machine.travel(datetime(2026, 4, 3, 9, tzinfo=CPH), tick=False):
        assert [r.kind for r in reminder_tick()] == ["overdue:+1d"]
        assert reminder_tick() == []
    # and back again (a clock corrected backwards): nothing is sent twice
    with time_machine.travel(datetime(2026, 3, 2, 9, tzinfo=CPH), tick=False):
        assert reminder_tick() == []
    assert sorted(Notification.objects.filter(deadline=d).values_list("kind", flat=True)) == [
        "overdue:+1d", "reminder:-30d"
    ]
