from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from .constants import NotificationStatus
from .models import Notification

MAX_ATTEMPTS = 5


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def relay_notifications(batch_size: int = 100) -> int:
    """Send pending notifications. Each row is locked (SKIP LOCKED) while it is sent, so two
    relays never send the same row; a row that keeps failing is marked failed."""
    sent = 0
    while True:
        with transaction.atomic():
            rows = list(
                Notification.objects.select_for_update(skip_locked=True)
                .select_related("recipient")
                .filter(status=NotificationStatus.PENDING)
                .order_by("id")[:batch_size]
            )
            if not rows:
                return sent
            for n in rows:
                try:
                    url = settings.SITE_URL.rstrip("/") + n.url if n.url.startswith("/") else n.url
                    body = f"{n.body}\n\n{url}".strip() if url else n.body
                    send_mail(n.subject, body, None, [n.recipient.email], fail_silently=False)
                except Exception as exc:  # noqa: BLE001 - recorded on the row, retried later
                    n.attempts += 1
                    n.last_error = str(exc)[:2000]
                    if n.attempts >= MAX_ATTEMPTS:
                        n.status = NotificationStatus.FAILED
                    n.save(update_fields=["attempts", "last_error", "status"])
                    continue
                n.status = NotificationStatus.SENT
                n.sent_at = timezone.now()
                n.attempts += 1
                n.save(update_fields=["status", "sent_at", "attempts"])
                sent += 1
            if len(rows) < batch_size:
                return sent
