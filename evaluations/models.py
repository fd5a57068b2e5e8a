from django.db import models
from django.utils.translation import gettext_lazy as _

from clusters.models import TimestampedModel, choices_check
from grants.models import Deadline, Grant

from .constants import EvaluationStatus


class MidwayEvaluation(TimestampedModel):
    """The year-5 evaluation of a 10-year grant; its decision takes effect from year 6."""

    grant = models.OneToOneField(Grant, on_delete=models.PROTECT, related_name="midway_evaluation")
    year = models.PositiveSmallIntegerField(_("evalueringsår"))
    status = models.CharField(
        _("status"), max_length=20, choices=EvaluationStatus.choices, default=EvaluationStatus.SCHEDULED
    )
    self_assessment_deadline = models.OneToOneField(
        Deadline, on_delete=models.PROTECT, related_name="self_assessment_of"
    )
    scoring_deadline = models.OneToOneField(Deadline, on_delete=models.PROTECT, related_name="scoring_of")
    decision_effective_year = models.PositiveSmallIntegerField(_("afgørelsen gælder fra år"))

    class Meta:
        verbose_name = _("midtvejsevaluering")
        verbose_name_plural = _("midtvejsevalueringer")
        ordering = ["year", "grant__cluster__name"]
        constraints = [
            choices_check("evaluation_status_valid", "status", EvaluationStatus),
            models.CheckConstraint(
                name="evaluation_effective_after_year",
                condition=models.Q(decision_effective_year__gt=models.F("year")),
            ),
        ]

    def __str__(self):
        return f"Midtvejsevaluering {self.year} – {self.grant.cluster}"
