from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clusters.constants import FunderKind
from clusters.models import TimestampedModel, choices_check
from grants.constants import AttachmentKind, ReportStatus
from grants.core.models import Grant
from grants.deadlines.models import Deadline


class AnnualReport(TimestampedModel):
    """The yearly report obligation (årsrapport) of one grant year, and its content."""

    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, related_name="reports")
    year_number = models.PositiveSmallIntegerField(_("bevillingsår"))
    year = models.PositiveSmallIntegerField(_("år"))
    deadline = models.OneToOneField(Deadline, on_delete=models.PROTECT, related_name="annual_report")
    status = models.CharField(
        _("status"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    version = models.PositiveIntegerField(default=1)
    submitted_at = models.DateTimeField(_("indsendt"), null=True, blank=True)
    approved_at = models.DateTimeField(_("godkendt"), null=True, blank=True)

    # Financial section (whole kroner; blank until the cluster fills it in)
    grant_spent_dkk = models.BigIntegerField(_("forbrugt bevilling (kr.)"), null=True, blank=True)
    cofinancing_membership_dkk = models.BigIntegerField(_("kontingenter (kr.)"), null=True, blank=True)
    cofinancing_sponsorship_dkk = models.BigIntegerField(_("sponsorater (kr.)"), null=True, blank=True)
    cofinancing_foundation_dkk = models.BigIntegerField(_("fondsmidler (kr.)"), null=True, blank=True)
    cofinancing_project_dkk = models.BigIntegerField(_("projektmidler (kr.)"), null=True, blank=True)

    # Narrative sections
    value_created = models.TextField(_("værdiskabelse i virksomhederne"), blank=True)
    knowledge_collaboration = models.TextField(_("samarbejde med videninstitutioner"), blank=True)
    internationalisation = models.TextField(_("internationalisering"), blank=True)
    platform_role = models.TextField(_("klyngen som platform"), blank=True)
    local_collaboration = models.TextField(_("lokalt samarbejde"), blank=True)

    class Meta:
        verbose_name = _("årsrapport")
        verbose_name_plural = _("årsrapporter")
        ordering = ["grant", "year"]
        constraints = [
            models.UniqueConstraint(fields=["grant", "year"], name="report_grant_year_unique"),
            choices_check("report_status_valid", "status", ReportStatus),
            models.CheckConstraint(
                name="report_amounts_nonnegative",
                condition=(
                    (Q(grant_spent_dkk__isnull=True) | Q(grant_spent_dkk__gte=0))
                    & (Q(cofinancing_membership_dkk__isnull=True) | Q(cofinancing_membership_dkk__gte=0))
                    & (Q(cofinancing_sponsorship_dkk__isnull=True) | Q(cofinancing_sponsorship_dkk__gte=0))
                    & (Q(cofinancing_foundation_dkk__isnull=True) | Q(cofinancing_foundation_dkk__gte=0))
                    & (Q(cofinancing_project_dkk__isnull=True) | Q(cofinancing_project_dkk__gte=0))
                ),
            ),
            models.CheckConstraint(
                name="report_submitted_has_time",
                condition=Q(status=ReportStatus.DRAFT)
                | Q(status=ReportStatus.CANCELLED)
                | Q(submitted_at__isnull=False),
            ),
        ]

    def __str__(self):
        return f"Årsrapport {self.year} – {self.grant.cluster}"

    @property
    def cluster(self):
        return self.grant.cluster

    @property
    def due_at(self):
        return self.deadline.due_at



class CompetitiveFunding(models.Model):
    """Competitive funds brought home (hjemtag) in a report year, by funder."""

    report = models.ForeignKey(AnnualReport, on_delete=models.CASCADE, related_name="competitive_funding")
    funder = models.CharField(_("bevillingsgiver"), max_length=200)
    funder_kind = models.CharField(_("type"), max_length=20, choices=FunderKind.choices)
    amount_dkk = models.BigIntegerField(_("beløb (kr.)"))

    class Meta:
        verbose_name = _("hjemtaget konkurrenceudsat finansiering")
        verbose_name_plural = _("hjemtaget konkurrenceudsat finansiering")
        constraints = [
            models.UniqueConstraint(fields=["report", "funder"], name="competitive_funding_unique"),
            choices_check("competitive_funder_kind_valid", "funder_kind", FunderKind),
            models.CheckConstraint(name="competitive_amount_nonnegative", condition=Q(amount_dkk__gte=0)),
        ]



class ReportEvent(models.Model):
    """Append-only history of a report's workflow: who moved it from what to what, and why."""

    report = models.ForeignKey(AnnualReport, on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("rapporthændelse")
        verbose_name_plural = _("rapporthændelser")
        ordering = ["created_at", "id"]



class ReportVersion(models.Model):
    """An immutable snapshot of a submitted annual report: its content, its key figures (with
    the drill-down lists) and its attachments as they were when submitted. Numbered 1, 2, …
    per report. A database trigger refuses UPDATE and DELETE (see migration 0004)."""

    report = models.ForeignKey(AnnualReport, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("versionsnummer"))
    snapshot = models.JSONField(_("indhold"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("indsendt"), default=timezone.now)

    class Meta:
        verbose_name = _("indsendt version")
        verbose_name_plural = _("indsendte versioner")
        ordering = ["report_id", "number"]  # not "report": no join to sort one report's rows
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="report_version_unique"),
            models.CheckConstraint(name="report_version_positive", condition=Q(number__gte=1)),
        ]

    def __str__(self):
        return f"{self.report} – version {self.number}"



class ReportAttachment(models.Model):
    """A file attached to an annual report (the auditor's statement and others).

    The type is detected from the content (grants.reports.attachments), never from the name or the
    browser's claim; files are served only through a permission-checking view."""

    report = models.ForeignKey(AnnualReport, on_delete=models.PROTECT, related_name="attachments")
    kind = models.CharField(_("bilagstype"), max_length=30, choices=AttachmentKind.choices)
    file = models.FileField(_("fil"), upload_to="report-attachments/%Y/")
    original_name = models.CharField(_("filnavn"), max_length=255)
    content_type = models.CharField(_("filtype"), max_length=100)
    size_bytes = models.PositiveBigIntegerField(_("størrelse (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("bilag")
        verbose_name_plural = _("bilag")
        ordering = ["created_at", "id"]
        constraints = [choices_check("attachment_kind_valid", "kind", AttachmentKind)]

    def __str__(self):
        return self.original_name

