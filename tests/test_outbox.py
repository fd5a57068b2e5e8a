"""The outboxes' shared backoff (klyngeadmin.kernel.outbox.retry_at)."""

from datetime import UTC, datetime, timedelta

from klyngeadmin.kernel.outbox import retry_at

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


def test_backoff_doubles_per_attempt_and_stops_at_the_cap():
    waits = [retry_at(NOW, base_seconds=60, attempts=n, cap_seconds=3600) - NOW for n in range(1, 9)]
    assert waits[:4] == [timedelta(seconds=s) for s in (60, 120, 240, 480)]
    assert waits[-1] == timedelta(hours=1) and max(waits) == timedelta(hours=1)


def test_the_exponent_can_be_capped_and_a_first_try_waits_the_base():
    assert retry_at(NOW, base_seconds=1, attempts=20, cap_seconds=10**6, max_exponent=8) - NOW == timedelta(
        seconds=256)
    assert retry_at(NOW, base_seconds=5, attempts=0, cap_seconds=60) - NOW == timedelta(seconds=5)
