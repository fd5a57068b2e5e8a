"""Filter forms of the statistics pages (GET; nothing is saved)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clusters.constants import Region
from clusters.models import ClusterOrganisation, StrengthPosition
from grants.statistics.selectors import DEFAULT_FROM_YEAR, DEFAULT_TO_YEAR, FIRST_YEAR
from klyngeadmin.kernel.forms import AccessibleFormMixin


def year_choices():
    return [(y, str(y)) for y in range(FIRST_YEAR, timezone.localdate().year + 1)]


class PeriodForm(AccessibleFormMixin, forms.Form):
    from_year = forms.TypedChoiceField(label=_("Fra år"), coerce=int, choices=year_choices)
    to_year = forms.TypedChoiceField(label=_("Til år"), coerce=int, choices=year_choices)

    def __init__(self, data=None, **kwargs):
        data = data.copy() if data else {}
        data.setdefault("from_year", str(DEFAULT_FROM_YEAR))
        data.setdefault("to_year", str(DEFAULT_TO_YEAR))
        super().__init__(data, **kwargs)
        self._style_widgets()

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("from_year"), cleaned.get("to_year")
        if start is not None and end is not None and start > end:
            self.add_error("to_year", _("Til-året skal være samme år som fra-året eller senere."))
        return cleaned

    def selection(self) -> dict:
        """The keyword arguments for the selectors (the defaults while the form is invalid)."""
        if not self.is_valid():
            return {"from_year": DEFAULT_FROM_YEAR, "to_year": DEFAULT_TO_YEAR}
        return {"from_year": self.cleaned_data["from_year"],
                "to_year": self.cleaned_data["to_year"]}


class StatisticsFilterForm(PeriodForm):
    """The caseworker page: period, clusters, region and strength position."""

    clusters = forms.ModelMultipleChoiceField(
        label=_("Klynger"), required=False, queryset=ClusterOrganisation.objects.order_by("name"),
        help_text=_("Vælg ingen for at se alle klynger."),
    )
    region = forms.ChoiceField(label=_("Region"), required=False,
                               choices=[("", _("Alle regioner")), *Region.choices])
    strength_position = forms.ModelChoiceField(
        label=_("Styrkeposition"), required=False, empty_label=_("Alle styrkepositioner"),
        queryset=StrengthPosition.objects.order_by("name"),
    )

    def selection(self) -> dict:
        selection = super().selection()
        if self.is_valid():
            clusters = self.cleaned_data["clusters"]
            selection.update(
                clusters=[c.pk for c in clusters] or None,
                region=self.cleaned_data["region"] or None,
                strength_position=self.cleaned_data["strength_position"],
            )
        return selection
