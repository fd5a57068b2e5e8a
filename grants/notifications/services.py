"""The notification outbox.

`notify()` writes a row inside the caller's transaction and asks the relay task to send after
commit. The row is the promise; the task only delivers it. If the broker is down the kick fails
fast (a short publish retry policy) and the row waits for the relay's beat tick.

Mail is rendered here, without a web request: in the recipient's language (User.language,
Danish or English), plain text and HTML (templates/emails/), with an absolute link to the exact
page built from settings.SITE_URL.

Each person chooses per category how mail reaches them (NotificationPreference): immediately,
in a daily digest, or off (the notification still shows on /notifikationer/). Deadline
reminders to a cluster's director are mandatory: they cannot be switched off.
"""

import functools
import logging
from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from grants.constants import (
    NotificationCategory,
    NotificationDelivery,
    NotificationStatus,
)
from grants.deadlines.models import Deadline
from grants.notifications.models import MailAcceptance, Notification, NotificationPreference
from klyngeadmin.kernel.localtime import COPENHAGEN as CPH
from klyngeadmin.kernel.outbox import kick, retry_at
from klyngeadmin.kernel.roles import AUTHORITY_ROLES, Role

log = logging.getLogger(__name__)
LANGUAGES = ("da", "en")

# A kick from a web request must never hang it: one quick retry, then give up (the relay's
# beat tick sends the row anyway). Celery's default would retry for several seconds.


# -- categories and preferences ---------------------------------------------------------------

def category_for_kind(kind: str) -> str:
    """The preference category of a notification kind (`reminder:-7d` -> deadlines)."""
    head = kind.split(":", 1)[0].lower()
    if head in ("reminder", "overdue", "deadline"):
        return NotificationCategory.DEADLINES
    for prefix, category in (
        ("report", NotificationCategory.REPORTS),
        ("case", NotificationCategory.CASES),
        ("extension", NotificationCategory.CASES),
        ("evaluation", NotificationCategory.EVALUATIONS),
        ("midway", NotificationCategory.EVALUATIONS),
    ):
        if head.startswith(prefix):
            return category
    return NotificationCategory.OTHER


def is_mandatory(*, role: str, category: str) -> bool:
    """Deadline reminders to the responsible director cannot be switched off."""
    return role == Role.DIRECTOR and category == NotificationCategory.DEADLINES


def resolve_delivery(*, role: str, category: str, preference: str | None) -> str:
    delivery = preference or NotificationDelivery.IMMEDIATE
    if delivery == NotificationDelivery.OFF and is_mandatory(role=role, category=category):
        return NotificationDelivery.IMMEDIATE
    return delivery


def delivery_sql(*, role: str, preference: str, category: str) -> tuple[str, dict]:
    """`resolve_delivery` as an SQL expression over a role column and a stored-preference column
    (NULL where nothing is stored), with its parameters: the reminder tick resolves thousands of
    rows in one statement. The mandatory roles come from `is_mandatory`, the one rule."""
    params = {
        "delivery_default": str(NotificationDelivery.IMMEDIATE),
        "delivery_off": str(NotificationDelivery.OFF),
        "delivery_mandatory_roles": [str(r) for r in Role.values if is_mandatory(role=r, category=category)],
    }
    sql = (f"CASE WHEN {preference} = %(delivery_off)s AND {role} = ANY(%(delivery_mandatory_roles)s) "
           f"THEN %(delivery_default)s ELSE COALESCE(NULLIF({preference}, ''), %(delivery_default)s) END")
    return sql, params


def preferences_for(user) -> dict[str, str]:
    """Every category with the user's delivery choice (immediately where nothing is stored)."""
    stored = dict(
        NotificationPreference.objects.filter(user=user).values_list("category", "delivery")
    )
    return {c: stored.get(c, NotificationDelivery.IMMEDIATE) for c in NotificationCategory.values}


class PreferenceNotAllowed(ValueError):
    def __init__(self, category: str):
        self.category = category
        super().__init__(category)


@transaction.atomic
def preferences_set(*, user, choices: dict[str, str]) -> dict[str, str]:
    """Store a user's delivery choice per category. Refuses to switch off what is mandatory."""
    for category, delivery in choices.items():
        if category not in NotificationCategory.values or delivery not in NotificationDelivery.values:
            raise ValueError(f"{category}={delivery}")
        if delivery == NotificationDelivery.OFF and is_mandatory(role=user.role, category=category):
            raise PreferenceNotAllowed(category)
    for category, delivery in choices.items():
        NotificationPreference.objects.update_or_create(
            user=user, category=category, defaults={"delivery": delivery}
        )
    return preferences_for(user)


# -- writing notifications (the outbox) -------------------------------------------------------

def kick_relay() -> None:
    """Ask a worker to send pending rows now. Fails fast when the broker is down."""
    kick("grants.tasks.relay_notifications", what="notification relay")


# A notification text: a string, or a function making it, called in the recipient's language.
Text = str | Callable[[], str]


def in_language_of(recipient, text: Text) -> str:
    """`text` for `recipient`: a callable is called with their language active (the person
    acting may read another language than the person told)."""
    if not callable(text):
        return str(text)
    with translation.override(language_of(recipient)):
        return str(text())


def notify(
    *, recipient, kind: str, subject: Text, body: Text = "", url: str = "",
    deadline: Deadline | None = None,
) -> Notification:
    """Write a notification row in the caller's transaction; mail it after commit (per the
    recipient's preference: now, in the daily digest, or not at all). Pass the subject and body
    as functions (`lambda: _("...") % {...}`) so they are written in the recipient's language."""
    subject, body = in_language_of(recipient, subject), in_language_of(recipient, body)
    category = category_for_kind(kind)
    preference = (
        NotificationPreference.objects.filter(user=recipient, category=category)
        .values_list("delivery", flat=True).first()
    )
    delivery = resolve_delivery(role=recipient.role, category=category, preference=preference)
    notification = Notification.objects.create(
        recipient=recipient, kind=kind, subject=subject[:300], body=body, url=url,
        deadline=deadline, delivery=delivery,
        status=(NotificationStatus.SKIPPED if delivery == NotificationDelivery.OFF
                else NotificationStatus.PENDING),
    )
    if delivery == NotificationDelivery.IMMEDIATE:
        transaction.on_commit(kick_relay)
    return notification


def notify_address(*, email: str, kind: str, subject: str, body: str = "", url: str = "") -> Notification:
    """An outbox row for a person who is no user (a participant contact): written in the
    caller's transaction, in Danish, mailed immediately after commit by the same relay."""
    notification = Notification.objects.create(
        to_email=email, kind=kind, subject=subject[:300], body=body, url=url,
        delivery=NotificationDelivery.IMMEDIATE, status=NotificationStatus.PENDING,
    )
    transaction.on_commit(kick_relay)
    return notification


# -- links ------------------------------------------------------------------------------------

# URL names (with the argument each takes) tried in order for the exact page of what a
# deadline is about; the first that exists wins (the pages come from the reports, cases and
# evaluation features).
LINK_URL_NAMES = {
    "case": (("cases:detail", "journal_number"),),
    "cluster_case": (("cases:cluster_case", "journal_number"),),  # the cluster's page of its case
    "report": (("grants:report_detail", "pk"),),
    "evaluation": (("evaluations:detail", "pk"),),
    "application": (("calls:application", "application_id"),),  # the applicant's page
}
_MARK = {"pk": 987654321, "journal_number": "JOURNALNUMBERMARK", "application_id": 987654322}


@functools.lru_cache(maxsize=64)
def _url_pattern(name: str, arg: str) -> str | None:
    """The path of a URL name with a marker for its argument, reversed once (the tick builds
    thousands of links per run)."""
    try:
        return reverse(name, kwargs={arg: _MARK[arg]})
    except NoReverseMatch:
        return None


@functools.lru_cache(maxsize=1)
def _fallback_path() -> str:
    return reverse("notification_list")


# The pages a deadline reminder may open, in the order they are tried, for the authority's people
# (their case) and for everyone else (the cluster's report or evaluation, an applicant's
# application, else the cluster's page of the case). The first that the deadline has and that exists wins; else the notification list.
LINK_ORDER = {
    "authority": ("case", "report", "evaluation"),
    "cluster": ("report", "evaluation", "application", "cluster_case"),
}


def deadline_path_sql(*, role: str, columns: dict[str, dict[str, str]]) -> tuple[str, dict]:
    """An SQL expression for the path a reminder about a deadline opens for its recipient, with
    its parameters, for the reminder tick to write thousands of links in one statement.

    `role` is the recipient's role column; `columns` names, per page in LINK_URL_NAMES, the
    column holding each URL argument (`{"report": {"pk": "t.report_id"}, ...}`). The URL
    patterns are reversed here, once. Their arguments go in unquoted: they are ids and journal
    numbers, which the database keeps to digits and a hyphen (case_journal_number_format)."""
    params: dict = {"link_authority": [str(r) for r in AUTHORITY_ROLES], "link_fallback": _fallback_path()}

    def first_of(order) -> str:
        tries = []
        for what in order:
            for name, arg in LINK_URL_NAMES[what]:
                pattern = _url_pattern(name, arg)
                if pattern is None:
                    continue
                key = f"link_{len(params)}"
                params[key], params[f"{key}_mark"] = pattern, str(_MARK[arg])
                # NULL (the deadline has no such page) makes the whole replace() NULL
                tries.append(f"replace(%({key})s, %({key}_mark)s, NULLIF(({columns[what][arg]})::text, ''))")
        return f"COALESCE({', '.join([*tries, '%(link_fallback)s'])})"

    sql = (f"CASE WHEN {role} = ANY(%(link_authority)s) THEN {first_of(LINK_ORDER['authority'])} "
           f"ELSE {first_of(LINK_ORDER['cluster'])} END")
    return sql, params


def absolute_url(path: str) -> str:
    if not path:
        return settings.SITE_URL.rstrip("/") + "/"
    if urlsplit(path).scheme:
        return path
    return settings.SITE_URL.rstrip("/") + ("" if path.startswith("/") else "/") + path


# -- rendering (no request needed) ------------------------------------------------------------

def language_of(user) -> str:
    if user is None:  # a mail to an address (no user): Danish
        return "da"
    lang = (getattr(user, "language", "") or "da").split("-")[0]
    return lang if lang in LANGUAGES else "da"


def _reminder_context(n: Notification) -> dict:
    if n.deadline_id is None or ":" not in n.kind:
        return {}
    head = n.kind.split(":", 1)[0]
    if head not in ("reminder", "overdue"):
        return {}
    # Days counted when the mail is written (Danish calendar days), not when the row was made:
    # a mail delayed by an outage still tells the truth.
    due_at = n.deadline.due_at.astimezone(CPH)
    days = (due_at.date() - timezone.now().astimezone(CPH).date()).days
    return {
        "is_reminder": True,
        "days_before": max(days, 0),
        "days_overdue": max(-days, 0),
        "overdue": days < 0,
        "due_at": due_at,
        "deadline": n.deadline,
    }


def render_notification(n: Notification) -> tuple[str, str, str]:
    """(subject, plain text, HTML) of one notification's mail, in the recipient's language."""
    lang = language_of(n.recipient)
    context = {
        "notification": n,
        "recipient": n.recipient,
        "subject": n.subject,
        "body": n.body,
        "link": absolute_url(n.url),
        "preferences_link": absolute_url(reverse("notification_preferences")),
        "site_url": settings.SITE_URL.rstrip("/"),
        **_reminder_context(n),
    }
    with translation.override(lang), timezone.override(CPH):
        text = render_to_string(f"emails/notification.{lang}.txt", context)
        html = render_to_string(f"emails/notification.{lang}.html", context)
    return n.subject, text, html


def render_digest(recipient, notifications: list[Notification]) -> tuple[str, str, str]:
    lang = language_of(recipient)
    items = [
        {"notification": n, "link": absolute_url(n.url), **_reminder_context(n)} for n in notifications
    ]
    subject = (
        f"klyngeadmin: {len(items)} new notifications" if lang == "en"
        else f"klyngeadmin: {len(items)} nye notifikationer"
    )
    context = {
        "recipient": recipient, "items": items, "subject": subject,
        "list_link": absolute_url(reverse("notification_list")),
        "preferences_link": absolute_url(reverse("notification_preferences")),
    }
    with translation.override(lang), timezone.override(CPH):
        text = render_to_string(f"emails/digest.{lang}.txt", context)
        html = render_to_string(f"emails/digest.{lang}.html", context)
    return subject, text, html


def _message_id(key: str) -> str:
    domain = urlsplit(settings.SITE_URL).hostname or "klyngeadmin"
    return f"<{key}@{domain}>"


def _already_accepted(message_id: str) -> bool:

    return MailAcceptance.objects.filter(message_id=message_id).exists()


def _record_acceptance(message_id: str) -> None:
    """Committed at once on a connection of its own (the relay's transaction is still open),
    so the mark survives a relay killed right after the mail server said yes."""

    conn = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with conn.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {conn.ops.quote_name(MailAcceptance._meta.db_table)} "  # noqa: S608
                "(message_id, accepted_at) VALUES (%s, now()) ON CONFLICT (message_id) DO NOTHING",
                [message_id])
    finally:
        conn.close()


def _send(*, to: str, subject: str, text: str, html: str, message_id: str) -> bool:
    """Send one mail, at most once per Message-ID: False (and nothing sent) when the mail
    server has accepted this Message-ID before. The acceptance is recorded as soon as the
    server has taken the message - before the connection's slow goodbye (SMTP QUIT) and
    before the relay marks its row sent."""
    if _already_accepted(message_id):
        return False
    msg = EmailMultiAlternatives(
        subject, text, None, [to], headers={"Message-ID": message_id}
    )
    msg.attach_alternative(html, "text/html")
    connection = get_connection(fail_silently=False)
    connection.open()
    try:
        if connection.send_messages([msg]) != 1:
            raise RuntimeError("the mail server did not take the message")
        _record_acceptance(message_id)
    finally:
        try:
            connection.close()
        except Exception:  # noqa: BLE001 - accepted already; a failed goodbye changes nothing
            log.warning("mail %s accepted, but closing the connection failed", message_id,
                        exc_info=True)
    return True


# -- delivering (called by the Celery tasks) --------------------------------------------------

def _record_failure(n: Notification, exc: Exception, now) -> None:
    n.attempts += 1
    n.last_error = f"{type(exc).__name__}: {exc}"[:2000]
    if n.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
        n.status = NotificationStatus.FAILED
        n.next_attempt_at = None
        log.error("Notification %s failed for good after %s attempts: %s", n.pk, n.attempts, exc)
    else:
        n.next_attempt_at = retry_at(now, base_seconds=settings.NOTIFICATION_RETRY_BACKOFF_SECONDS,
                                     attempts=n.attempts, cap_seconds=6 * 3600)
    n.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])


def deliverable(now):
    return Notification.objects.filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
        status=NotificationStatus.PENDING,
    )


def relay_pending(*, limit: int = 200) -> int:
    """Mail pending immediate notifications, one row per transaction.

    The row is locked (FOR UPDATE SKIP LOCKED) while its mail is sent and marked sent in the same
    transaction: two relays never send the same row, and a relay killed mid-send leaves the row
    pending (its lock goes with its connection) for the next one. The mail server's acceptance
    of the row's Message-ID is recorded at once on its own connection (MailAcceptance), so a
    relay killed after that point is never followed by a second send: the next relay finds
    the Message-ID accepted and only marks the row sent. A send that raises is recorded
    on the row and retried with exponential backoff; after NOTIFICATION_MAX_ATTEMPTS it is marked
    failed and shows in the administrators' list."""
    sent = 0
    for _ in range(limit):
        now = timezone.now()
        with transaction.atomic():
            n = (
                deliverable(now).filter(delivery=NotificationDelivery.IMMEDIATE)
                .select_for_update(skip_locked=True, of=("self",))
                .select_related("recipient", "deadline")
                .order_by("id").first()
            )
            if n is None:
                break
            try:
                to = n.recipient.email if n.recipient is not None else n.to_email
                if not to:
                    raise ValueError("the recipient has no e-mail address")
                subject, text, html = render_notification(n)
                _send(to=to, subject=subject, text=text, html=html,
                      message_id=_message_id(f"notification-{n.pk}"))
            except Exception as exc:  # noqa: BLE001 - recorded on the row, retried with backoff
                _record_failure(n, exc, now)
                continue
            n.status = NotificationStatus.SENT
            n.sent_at = timezone.now()
            n.attempts += 1
            n.next_attempt_at = None
            n.last_error = ""
            n.save(update_fields=["status", "sent_at", "attempts", "next_attempt_at", "last_error"])
            sent += 1
    return sent


def send_digests(*, now=None) -> int:
    """One mail per person with pending digest notifications: the daily summary."""
    now = now or timezone.now()
    recipients = list(
        deliverable(now).filter(delivery=NotificationDelivery.DIGEST, created_at__lte=now)
        .values_list("recipient_id", flat=True).distinct()
    )
    sent = 0
    for recipient_id in recipients:
        with transaction.atomic():
            rows = list(
                deliverable(now)
                .filter(delivery=NotificationDelivery.DIGEST, recipient_id=recipient_id,
                        created_at__lte=now)
                .select_for_update(skip_locked=True, of=("self",))
                .select_related("recipient", "deadline").order_by("created_at", "id")
            )
            if not rows:
                continue
            recipient = rows[0].recipient
            try:
                if not recipient.email:
                    raise ValueError("the recipient has no e-mail address")
                subject, text, html = render_digest(recipient, rows)
                _send(to=recipient.email, subject=subject, text=text, html=html,
                      message_id=_message_id(f"digest-{recipient_id}-{rows[0].pk}-{rows[-1].pk}"))
            except Exception as exc:  # noqa: BLE001
                for n in rows:
                    _record_failure(n, exc, now)
                continue
            Notification.objects.filter(pk__in=[n.pk for n in rows]).update(
                status=NotificationStatus.SENT, sent_at=timezone.now(), attempts=1,
                next_attempt_at=None,
            )
            sent += 1
    return sent


# -- reading (the notification pages) ---------------------------------------------------------

def notifications_for(user):
    """A person's own notifications, newest first. Nobody sees anybody else's."""
    if user is None or not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")


def unread_count(user) -> int:
    return notifications_for(user).filter(read_at__isnull=True).count()


def notification_mark_read(*, user, notification: Notification | None = None) -> int:
    """Mark one of the user's notifications (or all of them) read. Returns rows changed."""
    qs = notifications_for(user).filter(read_at__isnull=True)
    if notification is not None:
        qs = qs.filter(pk=notification.pk)
    return qs.update(read_at=timezone.now())


@transaction.atomic
def notification_retry(*, notification: Notification) -> Notification:
    """An administrator sends a failed notification again (from the admin list)."""
    Notification.objects.filter(pk=notification.pk, status=NotificationStatus.FAILED).update(
        status=NotificationStatus.PENDING, attempts=0, next_attempt_at=None
    )
    transaction.on_commit(kick_relay)
    notification.refresh_from_db()
    return notification
