from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clusters.models import choices_check
from grants.budgets.constants import AidCostType, CostCategory, FundingSource, LineKind
from grants.core.models import Grant
from klyngeadmin.kernel.formatting import choice_label


class BudgetLine(models.Model):
    """One line of a grant year's budget and accounts: a cost (programme cost category mapped to
    an operating-aid cost type) or a funding source, with its budget and — once the year's
    annual report carries it — its actual amount and, for a large deviation, the explanation.
    Whole kroner. Written only by grants.budgets.services."""

    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, related_name="budget_lines")
    year_number = models.PositiveSmallIntegerField(_("bevillingsår"))
    kind = models.CharField(_("art"), max_length=10, choices=LineKind.choices)
    cost_category = models.CharField(
        _("omkostningsart"), max_length=30, choices=CostCategory.choices, blank=True
    )
    aid_cost_type = models.CharField(
        _("omkostningstype (statsstøtte)"), max_length=30, choices=AidCostType.choices, blank=True
    )
    funding_source = models.CharField(
        _("finansieringskilde"), max_length=20, choices=FundingSource.choices, blank=True
    )
    budget_dkk = models.BigIntegerField(_("budget (kr.)"), default=0)
    actual_dkk = models.BigIntegerField(_("realiseret (kr.)"), null=True, blank=True)
    explanation = models.TextField(_("forklaring på afvigelse"), blank=True)

    class Meta:
        verbose_name = _("budgetlinje")
        verbose_name_plural = _("budgetlinjer")
        # by the grant's id, not the grant (whose order joins the grant and its cluster)
        ordering = ["grant_id", "year_number", "kind", "cost_category", "aid_cost_type", "funding_source"]
        constraints = [
            choices_check("budget_line_kind_valid", "kind", LineKind),
            models.CheckConstraint(
                name="budget_line_shape",
                condition=(
                    Q(kind=LineKind.COST, funding_source="")
                    & Q(cost_category__in=CostCategory.values)
                    & Q(aid_cost_type__in=AidCostType.values)
                )
                | (
                    Q(kind=LineKind.FUNDING, cost_category="", aid_cost_type="")
                    & Q(funding_source__in=FundingSource.values)
                ),
            ),
            models.CheckConstraint(
                name="budget_line_amounts_nonnegative",
                condition=Q(budget_dkk__gte=0) & (Q(actual_dkk__isnull=True) | Q(actual_dkk__gte=0)),
            ),
            models.CheckConstraint(name="budget_line_year_positive", condition=Q(year_number__gte=1)),
            models.UniqueConstraint(
                fields=["grant", "year_number", "kind", "cost_category", "aid_cost_type",
                        "funding_source"],
                name="budget_line_unique",
            ),
        ]

    def __str__(self):
        return f"{self.grant.reference} år {self.year_number}: {self.label}"

    @property
    def label(self) -> str:
        # choice_label: get_FOO_display translates every choice; the budget shows many lines
        if self.kind == LineKind.COST:
            return (f"{choice_label(self, 'cost_category')} – "
                    f"{choice_label(self, 'aid_cost_type')}")
        return str(choice_label(self, "funding_source"))

    @property
    def key(self) -> str:
        """The line's stable name in forms and the API: cost:<category>:<type> or funding:<source>."""
        if self.kind == LineKind.COST:
            return f"cost:{self.cost_category}:{self.aid_cost_type}"
        return f"funding:{self.funding_source}"


class BudgetEvent(models.Model):
    """Append-only audit of budget and accounts writes: who set what for which grant year."""

    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, related_name="budget_events")
    year_number = models.PositiveSmallIntegerField(_("bevillingsår"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=20)  # budget_set | actuals_set
    lines = models.JSONField(default=list)
    text = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("budgethændelse")
        verbose_name_plural = _("budgethændelser")
        ordering = ["created_at", "id"]
