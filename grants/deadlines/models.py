from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clusters.models import ClusterOrganisation, TimestampedModel, choices_check
from grants.constants import DeadlineKind, ExtensionStatus


class Deadline(models.Model):
    """A due time as data: reports, self-assessments, scoring, case handling, change requests.

    Extensions move `due_at` and keep `original_due_at` and the DeadlineExtension history."""

    kind = models.CharField(_("type"), max_length=30, choices=DeadlineKind.choices)
    subject = models.CharField(_("emne"), max_length=300)
    cluster = models.ForeignKey(
        ClusterOrganisation, null=True, blank=True, on_delete=models.CASCADE, related_name="deadlines"
    )
    # The party that must meet the deadline when it is not a cluster: an open-call applicant
    # heard before a rejection (grants.cases.party). Its reminders go to the applicant's user.
    applicant = models.ForeignKey(
        "evaluations.Applicant", null=True, blank=True, on_delete=models.CASCADE,
        related_name="deadlines",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="deadlines",
    )
    due_at = models.DateTimeField(_("frist"))
    original_due_at = models.DateTimeField(_("oprindelig frist"))
    completed_at = models.DateTimeField(_("opfyldt"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("annulleret"), null=True, blank=True)

    class Meta:
        verbose_name = _("frist")
        verbose_name_plural = _("frister")
        ordering = ["due_at"]
        constraints = [
            choices_check("deadline_kind_valid", "kind", DeadlineKind),
            # one party at most: a cluster or an applicant
            models.CheckConstraint(
                name="deadline_one_party",
                condition=Q(cluster__isnull=True) | Q(applicant__isnull=True),
            ),
            # a hearing deadline is always some party's (the reminders must reach someone)
            models.CheckConstraint(
                name="deadline_hearing_has_party",
                condition=~Q(kind=DeadlineKind.HEARING)
                | Q(cluster__isnull=False) | Q(applicant__isnull=False),
            ),
        ]
        indexes = [
            models.Index(
                fields=["due_at"], name="deadline_open_due",
                condition=Q(completed_at__isnull=True, cancelled_at__isnull=True),
            )
        ]

    def __str__(self):
        return f"{self.subject} ({self.due_at:%Y-%m-%d})"

    @property
    def is_open(self) -> bool:
        return self.completed_at is None and self.cancelled_at is None



class DeadlineExtension(TimestampedModel):
    deadline = models.ForeignKey(Deadline, on_delete=models.CASCADE, related_name="extensions")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("begrundelse"))
    requested_due_at = models.DateTimeField(_("ønsket frist"))
    previous_due_at = models.DateTimeField(_("frist før forlængelse"))
    status = models.CharField(
        _("status"), max_length=20, choices=ExtensionStatus.choices, default=ExtensionStatus.REQUESTED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    new_due_at = models.DateTimeField(_("ny frist"), null=True, blank=True)

    class Meta:
        verbose_name = _("anmodning om fristforlængelse")
        verbose_name_plural = _("anmodninger om fristforlængelse")
        ordering = ["-created_at"]
        constraints = [
            choices_check("extension_status_valid", "status", ExtensionStatus),
            models.CheckConstraint(
                name="extension_approved_has_new_due",
                condition=~Q(status=ExtensionStatus.APPROVED) | Q(new_due_at__isnull=False),
            ),
        ]

