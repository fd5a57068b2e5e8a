"""The programme's figures, precomputed: one row per (period, section, position).

The public statistics page reads these rows only (``grants.statistics.aggregates``); the live
query (``grants.statistics.selectors.programme_statistics``) computes them and stays the oracle
they must equal. A section is one part of the page's ``Statistics``: the totals, one row per year,
one per cluster, one per funder of competitive funds. ``figures`` holds that part's figures as
the live query returns them (integer kroner, counts, shares), so a figure added to the live query
is stored and read without a new column."""

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from clusters.models import choices_check


class AggregateSection(models.TextChoices):
    TOTAL = "total", _("i alt")
    YEAR = "year", _("pr. år")
    CLUSTER = "cluster", _("pr. klynge")
    FUNDER = "funder", _("pr. bevillingsgiver")
    OUTCOMES = "outcomes", _("resultater i virksomhederne")
    FEE_BAND = "fee_band", _("pr. deltagerbetaling")


class StatisticsAggregate(models.Model):
    from_year = models.PositiveSmallIntegerField(_("fra år"))
    to_year = models.PositiveSmallIntegerField(_("til år"))
    section = models.CharField(_("afsnit"), max_length=16, choices=AggregateSection.choices)
    position = models.PositiveIntegerField(_("placering"))
    # the year (section year) or the cluster's id (section cluster); empty otherwise
    key = models.IntegerField(_("nøgle"), null=True, blank=True)
    figures = models.JSONField(_("tal"), encoder=DjangoJSONEncoder)
    computed_at = models.DateTimeField(_("beregnet"))

    class Meta:
        verbose_name = _("forudberegnet statistik")
        verbose_name_plural = _("forudberegnet statistik")
        constraints = [
            models.UniqueConstraint(fields=["from_year", "to_year", "section", "position"],
                                    name="statistics_aggregate_unique"),
            choices_check("statistics_aggregate_section_valid", "section", AggregateSection),
            models.CheckConstraint(name="statistics_aggregate_period_ordered",
                                   condition=Q(from_year__lte=F("to_year"))),
            models.CheckConstraint(
                name="statistics_aggregate_key_set",
                condition=Q(section__in=["total", "funder", "outcomes", "fee_band"], key__isnull=True)
                | Q(section__in=["year", "cluster"], key__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.from_year}-{self.to_year} {self.section} {self.position}"
