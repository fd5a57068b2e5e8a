"""The notification outbox: `notify()` writes a row inside the caller's transaction and asks
the relay task to send after commit. The row is the promise; the task only delivers it."""

import logging

from django.db import transaction

from .models import Deadline, Notification

log = logging.getLogger(__name__)


def _kick_relay() -> None:
    from .tasks import relay_notifications

    try:
        relay_notifications.delay()
    except Exception:  # broker down: the row stays pending and the next relay tick sends it
        log.warning("Could not queue the notification relay; pending rows wait for the next tick")


def notify(
    *, recipient, kind: str, subject: str, body: str = "", url: str = "",
    deadline: Deadline | None = None,
) -> Notification:
    notification = Notification.objects.create(
        recipient=recipient, kind=kind, subject=subject, body=body, url=url, deadline=deadline
    )
    transaction.on_commit(_kick_relay)
    return notification
