from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clusters.models import choices_check
from grants.core.models import Grant
from grants.targets.catalogue import REPORTED_INDICATORS, Indicator

AMOUNT = {"max_digits": 16, "decimal_places": 4}


class GrantTarget(models.Model):
    """Baseline (udgangspunkt) and target (måltal) of one indicator in one grant year. Set at
    award (targets_set_at_award); changed afterwards only by an approved amendment case."""

    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, related_name="targets")
    year_number = models.PositiveSmallIntegerField(_("bevillingsår"))
    indicator = models.CharField(_("indikator"), max_length=40, choices=Indicator.choices)
    baseline = models.DecimalField(_("udgangspunkt"), null=True, blank=True, **AMOUNT)
    target = models.DecimalField(_("måltal"), **AMOUNT)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("måltal")
        verbose_name_plural = _("måltal")
        ordering = ["grant_id", "year_number", "indicator"]  # not "grant": no join to sort
        constraints = [
            models.UniqueConstraint(fields=["grant", "year_number", "indicator"],
                                    name="target_grant_year_indicator_unique"),
            choices_check("target_indicator_valid", "indicator", Indicator),
            models.CheckConstraint(name="target_year_range",
                                   condition=Q(year_number__gte=1, year_number__lte=10)),
            models.CheckConstraint(name="target_nonnegative", condition=Q(target__gte=0)),
            models.CheckConstraint(name="target_baseline_nonnegative",
                                   condition=Q(baseline__isnull=True) | Q(baseline__gte=0)),
        ]

    def __str__(self):
        return f"{self.grant.reference} år {self.year_number}: {self.indicator} = {self.target}"


class ReportedIndicatorValue(models.Model):
    """The realised value of a hand-reported indicator in a grant year, entered by the cluster in
    the year's annual report."""

    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, related_name="reported_values")
    year_number = models.PositiveSmallIntegerField(_("bevillingsår"))
    indicator = models.CharField(_("indikator"), max_length=40, choices=Indicator.choices)
    value = models.DecimalField(_("realiseret"), **AMOUNT)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("indberettet indikatorværdi")
        verbose_name_plural = _("indberettede indikatorværdier")
        constraints = [
            models.UniqueConstraint(fields=["grant", "year_number", "indicator"],
                                    name="reported_value_unique"),
            models.CheckConstraint(name="reported_value_indicator_is_reported",
                                   condition=Q(indicator__in=list(REPORTED_INDICATORS))),
            models.CheckConstraint(name="reported_value_nonnegative", condition=Q(value__gte=0)),
        ]


class TargetEvent(models.Model):
    """Append-only history of targets, baselines and reported values: who changed which from
    what to what, and on what basis (award, amendment case, annual report)."""

    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, related_name="target_events")
    year_number = models.PositiveSmallIntegerField()
    indicator = models.CharField(max_length=40, choices=Indicator.choices)
    field = models.CharField(max_length=20)  # target | baseline | reported
    old_value = models.DecimalField(null=True, blank=True, **AMOUNT)
    new_value = models.DecimalField(null=True, blank=True, **AMOUNT)
    basis = models.CharField(max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("måltalshændelse")
        verbose_name_plural = _("måltalshændelser")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(name="target_event_field_valid",
                                   condition=Q(field__in=["target", "baseline", "reported"])),
        ]
