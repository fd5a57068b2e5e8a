"""Outcomes in companies as data (issue 15, item 4): per company per activity or facilitated
project, entered by the cluster or reported by the company through a single-use survey link."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clusters.models import (
    Activity,
    ClusterOrganisation,
    Company,
    FacilitatedProject,
    choices_check,
)
from grants.outcomes.constants import OutcomeKind, OutcomeSource


class SurveyInvitation(models.Model):
    """A single-use follow-up survey link to the participant contact the cluster gave. Only a
    SHA-256 of the token is kept; the contact's name and e-mail are personal data, cleared by
    the retention job (docs/personal-data.md)."""

    cluster = models.ForeignKey(ClusterOrganisation, on_delete=models.PROTECT, related_name="survey_invitations")
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="survey_invitations")
    activity = models.ForeignKey(
        Activity, null=True, blank=True, on_delete=models.PROTECT, related_name="survey_invitations"
    )
    project = models.ForeignKey(
        FacilitatedProject, null=True, blank=True, on_delete=models.PROTECT,
        related_name="survey_invitations",
    )
    contact_name = models.CharField(_("kontaktperson"), max_length=200, blank=True)
    contact_email = models.EmailField(_("kontaktpersonens e-mail"), blank=True)
    token_sha256 = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(_("udløber"))
    answered_at = models.DateTimeField(_("besvaret"), null=True, blank=True)
    contact_forgotten_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("opfølgende spørgeskema")
        verbose_name_plural = _("opfølgende spørgeskemaer")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="survey_invitation_one_subject",
                condition=Q(activity__isnull=False, project__isnull=True)
                | Q(activity__isnull=True, project__isnull=False),
            ),
        ]


class CompanyOutcome(models.Model):
    """One outcome (kind) in one company from one activity or one facilitated project, as the
    cluster registered it or the company reported it. An investment carries its amount."""

    cluster = models.ForeignKey(ClusterOrganisation, on_delete=models.PROTECT, related_name="company_outcomes")
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="outcomes")
    activity = models.ForeignKey(
        Activity, null=True, blank=True, on_delete=models.CASCADE, related_name="outcomes"
    )
    project = models.ForeignKey(
        FacilitatedProject, null=True, blank=True, on_delete=models.CASCADE, related_name="outcomes"
    )
    year = models.PositiveSmallIntegerField(_("år"))
    kind = models.CharField(_("resultat"), max_length=30, choices=OutcomeKind.choices)
    source = models.CharField(_("kilde"), max_length=10, choices=OutcomeSource.choices)
    investment_dkk = models.PositiveBigIntegerField(_("investering (kr.)"), null=True, blank=True)
    invitation = models.ForeignKey(
        SurveyInvitation, null=True, blank=True, on_delete=models.SET_NULL, related_name="outcomes"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("resultat i virksomhed")
        verbose_name_plural = _("resultater i virksomheder")
        ordering = ["year", "id"]
        constraints = [
            choices_check("company_outcome_kind_valid", "kind", OutcomeKind),
            choices_check("company_outcome_source_valid", "source", OutcomeSource),
            models.CheckConstraint(
                name="company_outcome_one_subject",
                condition=Q(activity__isnull=False, project__isnull=True)
                | Q(activity__isnull=True, project__isnull=False),
            ),
            models.CheckConstraint(
                name="company_outcome_investment_amount",
                condition=Q(kind=OutcomeKind.INVESTMENT) | Q(investment_dkk__isnull=True),
            ),
            models.UniqueConstraint(
                fields=["company", "activity", "project", "kind", "source"],
                name="company_outcome_unique", nulls_distinct=False,
            ),
        ]
        indexes = [models.Index(fields=["cluster", "year"], name="company_outcome_cluster_year")]


class OutcomeEvent(models.Model):
    """Append-only audit trail of outcome and survey writes."""

    cluster = models.ForeignKey(ClusterOrganisation, on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=40)
    summary = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]


class EffectMeasurement(models.Model):
    """One figure of Danmarks Statistik's effect measurement for a cluster and year: the
    treated firms (the cluster's participants) against a matched control group."""

    cluster = models.ForeignKey(ClusterOrganisation, on_delete=models.PROTECT, related_name="effect_measurements")
    year = models.PositiveSmallIntegerField(_("år"))
    indicator = models.CharField(_("indikator"), max_length=100)
    treated_value = models.DecimalField(_("deltagere"), max_digits=18, decimal_places=4)
    control_value = models.DecimalField(_("kontrolgruppe"), max_digits=18, decimal_places=4)
    treated_firms = models.PositiveIntegerField(_("antal deltagende virksomheder"))
    control_firms = models.PositiveIntegerField(_("antal kontrolvirksomheder"))
    loaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    loaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("effektmåling")
        verbose_name_plural = _("effektmålinger")
        ordering = ["cluster", "year", "indicator"]
        constraints = [
            models.UniqueConstraint(fields=["cluster", "year", "indicator"], name="effect_measurement_unique"),
        ]
