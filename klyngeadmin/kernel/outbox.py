"""The two things every outbox here does alike (notifications, Digital Post letters, records
filings): ask a worker to relay now, and put a failed row off with exponential backoff. The
rows themselves and their relays stay with their domain."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from celery import current_app

log = logging.getLogger(__name__)

# A kick fails fast: the beat's tick relays whatever a lost kick leaves behind.
KICK_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}


def kick(task: str, *, what: str) -> None:
    """Queue `task` (a relay) now; a broker that does not answer only costs the wait for the
    next tick, logged as "Could not queue the <what>; ..."."""
    try:
        current_app.send_task(task, retry=True, retry_policy=KICK_RETRY_POLICY)
    except Exception:  # noqa: BLE001 - broker down: the rows wait for the beat tick
        log.warning("Could not queue the %s; the rows wait for the next tick", what)


def retry_at(now: datetime, *, base_seconds: int, attempts: int, cap_seconds: int,
             max_exponent: int | None = None) -> datetime:
    """When a row that has failed `attempts` times is tried again: base × 2^(attempts−1),
    at most `cap_seconds` later."""
    exponent = max(attempts - 1, 0)
    if max_exponent is not None:
        exponent = min(exponent, max_exponent)
    return now + timedelta(seconds=min(base_seconds * 2 ** exponent, cap_seconds))
