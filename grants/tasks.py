"""Celery tasks: thin, idempotent, safe to run twice or at the same time.

Every task acks late and is re-queued if its worker dies (settings: CELERY_TASK_ACKS_LATE,
CELERY_TASK_REJECT_ON_WORKER_LOST); a database that is briefly unreachable is retried a bounded
number of times with exponential backoff. A mail that keeps failing is not a task retry: the
relay records it on the notification row, retries it with backoff and marks it failed in the
end (grants.notifications.relay_pending)."""

import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError

from grants.cases import delivery, records
from grants.notifications import reminders
from grants.notifications import services as notifications
from grants.statistics import aggregates
from klyngeadmin.kernel.outbox import KICK_RETRY_POLICY

logger = logging.getLogger(__name__)

RETRYING = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "ignore_result": True,
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": 5,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 5,
}


@shared_task(**RETRYING)
def relay_notifications(limit: int = 200) -> int:
    """Mail pending notifications (the outbox relay; also on the beat every minute)."""
    sent = notifications.relay_pending(limit=limit)
    if sent >= limit:  # more may be waiting: go on in a fresh task
        relay_notifications.apply_async(retry=True, retry_policy=KICK_RETRY_POLICY)
    return sent


@shared_task(**RETRYING)
def reminder_tick() -> int:
    """Create the deadline reminders due now (beat: every 15 minutes, UTC)."""
    return len(reminders.reminder_tick())


@shared_task(**RETRYING)
def send_notification_digests() -> int:
    """Mail each person's daily digest (beat: once a day)."""
    return notifications.send_digests()


@shared_task(**RETRYING)
def refresh_statistics() -> int:
    """Recompute the stored programme figures (queued after commit by figures_changed, debounced;
    also nightly on the beat). Safe to run twice: each run replaces every period's rows."""
    aggregates.release_refresh()
    return aggregates.aggregates_refresh()


def queue_statistics_refresh(sender=None, **kwargs) -> None:
    """figures_changed receiver: queue one refresh per debounce window (a burst of writes waits
    DEBOUNCE_SECONDS and is counted by one refresh)."""
    if aggregates.claim_refresh():
        try:
            refresh_statistics.apply_async(countdown=aggregates.DEBOUNCE_SECONDS, retry=True,
                                           retry_policy=KICK_RETRY_POLICY)
        except Exception:  # noqa: BLE001 - a broker outage delays the figures, never a write
            aggregates.release_refresh()
            logger.warning("could not queue the statistics refresh; the nightly one catches up")


@shared_task(**RETRYING)
def relay_digital_post(limit: int = 100) -> int:
    """Send queued Digital Post letters and retry failed ones (beat: every minute)."""
    return delivery.digital_post_relay(limit=limit)


@shared_task(**RETRYING)
def relay_records_filings(limit: int = 200) -> int:
    """File pending case documents in the records system (beat: every minute)."""
    return records.records_relay(limit=limit)
