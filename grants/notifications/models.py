from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clusters.models import choices_check
from grants.constants import NotificationCategory, NotificationDelivery, NotificationStatus
from grants.deadlines.models import Deadline


class Notification(models.Model):
    """The outbox: a row written in the same transaction as the change that causes it; the
    relay task sends pending rows, so a broker outage delays mail but loses none.

    A reminder about a deadline is unique per (deadline, recipient, kind), so a second tick
    creates nothing new."""

    # Neither foreign key has an index of its own: notification_inbox leads with recipient_id,
    # and notification_once_per_deadline (partial: deadline_id IS NOT NULL, which every
    # deadline_id = x implies) with deadline_id. The reminder tick writes thousands of rows a
    # run; each index less is one write less per row (issue 19).
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
        related_name="notifications", db_index=False,
    )
    # A mail to a person who is no user (a participant contact's survey link, grants/outcomes):
    # the address instead of a recipient. Personal data: cleared with the survey's contact.
    to_email = models.EmailField(_("modtagerens e-mail"), blank=True, default="", db_default="")
    kind = models.CharField(_("type"), max_length=60)
    deadline = models.ForeignKey(
        Deadline, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications",
        db_index=False,
    )
    subject = models.CharField(_("emne"), max_length=300)
    body = models.TextField(_("tekst"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=NotificationStatus.choices, default=NotificationStatus.PENDING
    )
    delivery = models.CharField(
        _("levering"), max_length=20, choices=NotificationDelivery.choices,
        default=NotificationDelivery.IMMEDIATE,
    )
    attempts = models.PositiveSmallIntegerField(_("forsøg"), default=0)
    last_error = models.TextField(_("seneste fejl"), blank=True)
    next_attempt_at = models.DateTimeField(_("næste forsøg"), null=True, blank=True)
    created_at = models.DateTimeField(_("oprettet"), default=timezone.now)
    sent_at = models.DateTimeField(_("sendt"), null=True, blank=True)
    read_at = models.DateTimeField(_("læst"), null=True, blank=True)

    class Meta:
        verbose_name = _("notifikation")
        verbose_name_plural = _("notifikationer")
        ordering = ["-created_at", "-id"]
        constraints = [
            choices_check("notification_status_valid", "status", NotificationStatus),
            choices_check("notification_delivery_valid", "delivery", NotificationDelivery),
            models.CheckConstraint(
                name="notification_has_recipient",
                condition=Q(recipient__isnull=False) | ~Q(to_email=""),
            ),
            models.UniqueConstraint(
                fields=["deadline", "recipient", "kind"], name="notification_once_per_deadline",
                condition=Q(deadline__isnull=False),
            ),
        ]
        indexes = [
            models.Index(fields=["status"], name="notification_pending",
                         condition=Q(status="pending")),
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox"),
            models.Index(fields=["recipient"], name="notification_unread",
                         condition=Q(read_at__isnull=True)),
        ]

    def __str__(self):
        return self.subject



class NotificationPreference(models.Model):
    """How one person wants one category of notifications by mail. No row means immediately."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    category = models.CharField(_("kategori"), max_length=20, choices=NotificationCategory.choices)
    delivery = models.CharField(
        _("levering"), max_length=20, choices=NotificationDelivery.choices,
        default=NotificationDelivery.IMMEDIATE,
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("notifikationsindstilling")
        verbose_name_plural = _("notifikationsindstillinger")
        constraints = [
            models.UniqueConstraint(fields=["user", "category"], name="notification_preference_once"),
            choices_check("notification_preference_category_valid", "category", NotificationCategory),
            choices_check("notification_preference_delivery_valid", "delivery", NotificationDelivery),
        ]

    def __str__(self):
        return f"{self.user} {self.category}: {self.delivery}"



class MailAcceptance(models.Model):
    """A Message-ID the mail server has accepted (grants/notifications.py). Written on its own
    connection the moment the server says yes, before the relay's transaction commits: a relay
    killed after that point never sends the same message again (issue 18, finding 7)."""

    message_id = models.CharField(max_length=255, unique=True)
    accepted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("modtaget mail")
        verbose_name_plural = _("modtagne mails")

    def __str__(self):
        return self.message_id

