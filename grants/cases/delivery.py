"""Letters to the Digital Post inbox of the case's party - the cluster, or an open-call
applicant (grants.cases.party) - (issue 16, item 6).

`letter_dispatch()` is called by grants.cases.letters.decision_letter_store - the one place a
letter is issued - inside the letter's transaction: it writes a LetterDelivery row (the
outbox) addressed to the party's CVR, with the messageUUID fixed there and then, and kicks
the relay after commit. `digital_post_relay()` (Celery: grants.tasks.relay_digital_post, also
on the beat every minute) builds the MeMo message from the stored PDF and hands it to the
configured sender (klyngeadmin.kernel.digitalpost.senders).

Exactly once: a row is locked (FOR UPDATE SKIP LOCKED) while it is sent and marked sent in the
same transaction, so two relays never send one row; a relay killed after Digital Post took the
message leaves the row queued, and the resend carries the same messageUUID, which Digital Post
answers with 409 (already delivered). A failure is recorded on the row (status failed, the
reason) and retried with exponential backoff until DIGITAL_POST_MAX_ATTEMPTS. When a letter
has been delivered the party (the cluster's directors, or the applicant) gets an e-mail
notice that it has arrived."""

from __future__ import annotations

import logging
import uuid

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from grants.cases.models import DecisionLetter, LetterDelivery
from grants.cases.party import case_party
from grants.constants import DeliveryStatus
from grants.notifications.services import notify
from klyngeadmin.kernel.digitalpost.memo import MemoLetter, Party, build_memo
from klyngeadmin.kernel.digitalpost.senders import DeliveryFailed, get_sender
from klyngeadmin.kernel.outbox import kick, retry_at

log = logging.getLogger(__name__)
TASK = "grants.tasks.relay_digital_post"


def kick_digital_post() -> None:
    kick(TASK, what="Digital Post relay")


def letter_dispatch(letter: DecisionLetter) -> LetterDelivery | None:
    """Queue `letter` for its case's party's Digital Post (in the caller's transaction): the
    cluster's CVR, or an applicant's (grants.cases.party). A letter whose case has no party
    (or a party without a valid CVR) has nobody to go to: None."""
    party = case_party(letter.case)
    cvr = (party.cvr if party else "").strip()
    if not (len(cvr) == 8 and cvr.isdigit()):
        return None
    delivery = LetterDelivery.objects.create(letter=letter, recipient_cvr=cvr,
                                             message_uuid=uuid.uuid4())
    transaction.on_commit(kick_digital_post)
    return delivery


def memo_xml(delivery: LetterDelivery) -> bytes:
    """The MeMo message of a delivery: the letter's stored PDF, byte for byte."""
    letter = delivery.letter
    with letter.file.open("rb") as fh:
        pdf = fh.read()
    party = case_party(letter.case)
    return build_memo(MemoLetter(
        message_uuid=delivery.message_uuid,
        label=letter.title,
        sender=Party(cvr=settings.DIGITAL_POST_SENDER_CVR, label=settings.DIGITAL_POST_SENDER_LABEL),
        recipient=Party(cvr=delivery.recipient_cvr, label=party.name if party else ""),
        pdf=pdf,
        filename=letter.file.name.rsplit("/", 1)[-1],
        created_at=letter.created_at,
        case_id=letter.case.journal_number,
        case_system=settings.DIGITAL_POST_SENDER_SYSTEM_ID,
    ))


def _open_deliveries(now):
    return LetterDelivery.objects.filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
        Q(status=DeliveryStatus.QUEUED)
        | Q(status=DeliveryStatus.FAILED, attempts__lt=settings.DIGITAL_POST_MAX_ATTEMPTS),
    )


def _record_failure(delivery: LetterDelivery, reason: str, now) -> None:
    delivery.attempts = F("attempts") + 1
    delivery.status = DeliveryStatus.FAILED
    delivery.last_error = reason[:2000] or "unknown error"
    delivery.save(update_fields=["attempts", "status", "last_error"])
    delivery.refresh_from_db(fields=["attempts"])
    if delivery.attempts >= settings.DIGITAL_POST_MAX_ATTEMPTS:
        delivery.next_attempt_at = None
        log.error("Digital Post delivery %s failed for good: %s", delivery.pk, reason)
    else:
        delivery.next_attempt_at = retry_at(now, base_seconds=settings.DIGITAL_POST_RETRY_BACKOFF_SECONDS,
                                            attempts=delivery.attempts, cap_seconds=6 * 3600)
    delivery.save(update_fields=["next_attempt_at"])


def _notice(delivery: LetterDelivery) -> None:
    letter = delivery.letter
    party = case_party(letter.case)
    for person in party.notified() if party else ():
        notify(recipient=person, kind="case_letter_delivered",
               subject=lambda: _("Nyt brev i Digital Post: %(title)s") % {"title": letter.title},
               body=lambda: _("Erhvervsstyrelsen har sendt jer et brev med Digital Post "
                              "(journalnummer %(j)s). Brevet kan også ses i klyngeadmin.")
               % {"j": letter.case.journal_number},
               url=party.url)


def digital_post_relay(*, limit: int = 100) -> int:
    """Send queued (and retry failed) Digital Post letters, one row per transaction."""
    sender = get_sender()
    sent = 0
    for _n in range(limit):
        now = timezone.now()
        with transaction.atomic():
            delivery = (
                _open_deliveries(now).select_for_update(skip_locked=True, of=("self",))
                .select_related("letter__case__cluster", "letter__cluster").order_by("id").first()
            )
            if delivery is None:
                break
            try:
                receipt = sender.send(message_uuid=str(delivery.message_uuid),
                                      xml=memo_xml(delivery))
            except DeliveryFailed as exc:
                _record_failure(delivery, str(exc), now)
                continue
            except Exception as exc:  # noqa: BLE001 - any other fault is a failed attempt too
                _record_failure(delivery, f"{type(exc).__name__}: {exc}", now)
                continue
            delivery.status = DeliveryStatus.SENT
            delivery.sent_at = timezone.now()
            delivery.receipt = receipt[:200]
            delivery.attempts += 1
            delivery.next_attempt_at = None
            delivery.save(update_fields=["status", "sent_at", "receipt", "attempts",
                                         "next_attempt_at"])
            _notice(delivery)
            sent += 1
    return sent

