from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clusters.models import ClusterOrganisation, TimestampedModel, choices_check
from grants.calls.models import Application
from grants.constants import Funder, GrantStatus, GrantType, TrancheStatus


class Grant(TimestampedModel):
    """A klyngebevilling. Its whole life is laid out as rows by grants.services.grant_create."""

    cluster = models.ForeignKey(
        ClusterOrganisation, verbose_name=_("klynge"), on_delete=models.PROTECT, related_name="grants"
    )
    reference = models.CharField(_("bevillingsnummer"), max_length=40, unique=True)
    funder = models.CharField(_("bevillingsgiver"), max_length=20, choices=Funder.choices)
    grant_type = models.CharField(_("bevillingstype"), max_length=30, choices=GrantType.choices)
    start_year = models.PositiveSmallIntegerField(_("startår"))
    horizon_years = models.PositiveSmallIntegerField(_("løbetid (år)"))
    midway_year = models.PositiveSmallIntegerField(
        _("midtvejsevaluering i bevillingsår"), null=True, blank=True
    )
    annual_amount_dkk = models.BigIntegerField(_("årlig rate (kr.)"))
    status = models.CharField(_("status"), max_length=20, choices=GrantStatus.choices, default=GrantStatus.ACTIVE)
    application = models.OneToOneField(
        Application, null=True, blank=True, on_delete=models.PROTECT, related_name="grant"
    )
    # The award letter (tilsagnsbrev) accepted by the cluster's director: no tranche is
    # proposed or released before (grants.cases.tranches; a trigger on grants_tranche too).
    award_accepted_at = models.DateTimeField(_("tilsagn accepteret"), null=True, blank=True)
    award_accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("tilsagn accepteret af"),
    )

    class Meta:
        verbose_name = _("bevilling")
        verbose_name_plural = _("bevillinger")
        ordering = ["-start_year", "cluster__name"]
        constraints = [
            choices_check("grant_status_valid", "status", GrantStatus),
            choices_check("grant_funder_valid", "funder", Funder),
            choices_check("grant_type_valid", "grant_type", GrantType),
            models.CheckConstraint(
                name="grant_horizon_range", condition=Q(horizon_years__gte=1, horizon_years__lte=10)
            ),
            models.CheckConstraint(
                name="grant_midway_within_horizon",
                condition=Q(midway_year__isnull=True)
                | Q(midway_year__gte=1, midway_year__lt=F("horizon_years")),
            ),
            models.CheckConstraint(name="grant_amount_nonnegative", condition=Q(annual_amount_dkk__gte=0)),
            models.CheckConstraint(
                name="grant_award_accepted_by_and_when",
                condition=Q(award_accepted_at__isnull=True, award_accepted_by__isnull=True)
                | Q(award_accepted_at__isnull=False, award_accepted_by__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.reference} ({self.cluster})"

    @property
    def award_accepted(self) -> bool:
        return self.award_accepted_at is not None

    @property
    def end_year(self) -> int:
        return self.start_year + self.horizon_years - 1

    def calendar_year(self, year_number: int) -> int:
        return self.start_year + year_number - 1



class Tranche(models.Model):
    """One grant year and its rate (udbetaling)."""

    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="tranches")
    year_number = models.PositiveSmallIntegerField(_("bevillingsår"))
    year = models.PositiveSmallIntegerField(_("kalenderår"))
    amount_dkk = models.BigIntegerField(_("beløb (kr.)"))
    status = models.CharField(
        _("status"), max_length=20, choices=TrancheStatus.choices, default=TrancheStatus.PLANNED
    )
    released_on = models.DateField(_("udbetalt den"), null=True, blank=True)

    class Meta:
        verbose_name = _("rate")
        verbose_name_plural = _("rater")
        ordering = ["grant_id", "year_number"]  # not "grant": see tests/grants/test_default_order.py
        constraints = [
            models.UniqueConstraint(fields=["grant", "year_number"], name="tranche_grant_year_unique"),
            choices_check("tranche_status_valid", "status", TrancheStatus),
            models.CheckConstraint(name="tranche_year_number_positive", condition=Q(year_number__gte=1)),
            models.CheckConstraint(name="tranche_amount_nonnegative", condition=Q(amount_dkk__gte=0)),
            models.CheckConstraint(
                name="tranche_released_has_date",
                condition=~Q(status=TrancheStatus.RELEASED) | Q(released_on__isnull=False),
            ),
        ]



class GrantEvent(models.Model):
    """Append-only history of a grant's and its tranches' states: who moved what from which
    state to which, and why (grants.cases.tranches writes it in the same transaction). `tranche` is
    empty for a change of the grant's own status."""

    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, related_name="events")
    tranche = models.ForeignKey(
        Tranche, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    from_status = models.CharField(max_length=20)
    to_status = models.CharField(max_length=20)
    text = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("bevillingshændelse")
        verbose_name_plural = _("bevillingshændelser")
        ordering = ["created_at", "id"]

