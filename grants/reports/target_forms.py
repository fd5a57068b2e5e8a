"""The annual report's target section form: one whole-number field per hand-reported indicator
(grants.targets.catalogue). Thin: it parses; grants.reports.target_section saves."""

from django import forms
from django.utils.translation import gettext_lazy as _

from grants.targets.catalogue import CATALOGUE, REPORTED_INDICATORS
from klyngeadmin.kernel.forms import AccessibleFormMixin

FIELD_PREFIX = "reported_"


class ReportedIndicatorsForm(AccessibleFormMixin, forms.Form):
    def __init__(self, *args, initial_values: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        initial_values = initial_values or {}
        for code in REPORTED_INDICATORS:
            d = CATALOGUE[code]
            value = initial_values.get(code)
            self.fields[FIELD_PREFIX + code] = forms.IntegerField(
                label=d.name, help_text=d.definition, required=False, min_value=0,
                max_value=10**9,
                initial=None if value is None else int(value),
                error_messages={
                    "invalid": _("Skriv et helt antal, fx 12."),
                    "min_value": _("Antallet kan ikke være negativt."),
                    "max_value": _("Antallet er for stort."),
                },
                widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
            )
        self._style_widgets()

    def values(self) -> dict:
        return {code: self.cleaned_data.get(FIELD_PREFIX + code) for code in REPORTED_INDICATORS}

    def service_field(self, code: str) -> str:
        return FIELD_PREFIX + code
