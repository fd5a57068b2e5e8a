from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from clusters.models import ClusterOrganisation, TimestampedModel, choices_check
from grants.constants import ApplicationStatus, CallKind, CallStatus


class Call(TimestampedModel):
    """An opslag: a regular call, or the open call for new emerging areas."""

    title = models.CharField(_("titel"), max_length=300)
    kind = models.CharField(_("type"), max_length=20, choices=CallKind.choices)
    status = models.CharField(_("status"), max_length=20, choices=CallStatus.choices, default=CallStatus.DRAFT)
    opens_at = models.DateTimeField(_("åbner"))
    closes_at = models.DateTimeField(_("ansøgningsfrist"))
    budget_dkk = models.BigIntegerField(_("ramme (kr.)"), default=0)
    description = models.TextField(_("beskrivelse"), blank=True)
    # Above this year's grant spending the annual report needs the auditor's statement; empty
    # means the programme default (settings.AUDITOR_STATEMENT_THRESHOLD_DKK).
    auditor_statement_threshold_dkk = models.BigIntegerField(
        _("revisorerklæring kræves over (kr.)"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("opslag")
        verbose_name_plural = _("opslag")
        ordering = ["-opens_at"]
        constraints = [
            choices_check("call_kind_valid", "kind", CallKind),
            choices_check("call_status_valid", "status", CallStatus),
            models.CheckConstraint(name="call_dates_order", condition=Q(closes_at__gt=F("opens_at"))),
        ]

    def __str__(self):
        return self.title



class Application(TimestampedModel):
    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="applications")
    applicant_name = models.CharField(_("ansøger"), max_length=200)
    applicant_cvr = models.CharField(_("ansøgers CVR-nummer"), max_length=8)
    proposed_area = models.CharField(_("foreslået område"), max_length=300)
    status = models.CharField(
        _("status"), max_length=20, choices=ApplicationStatus.choices, default=ApplicationStatus.DRAFT
    )
    cluster = models.ForeignKey(
        ClusterOrganisation, null=True, blank=True, on_delete=models.PROTECT, related_name="applications"
    )
    submitted_at = models.DateTimeField(_("indsendt"), null=True, blank=True)

    class Meta:
        verbose_name = _("ansøgning")
        verbose_name_plural = _("ansøgninger")
        constraints = [choices_check("application_status_valid", "status", ApplicationStatus)]

    def __str__(self):
        return f"{self.applicant_name}: {self.proposed_area}"

