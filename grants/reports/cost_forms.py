"""The accounts section's formset: one row per budget line (actual amount, explanation of a
deviation). Thin: parses amounts; grants.reports.costs.report_costs_save validates and writes."""

import re

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from grants.reports.forms import AmountField
from klyngeadmin.kernel.forms import AccessibleFormMixin


class CostLineForm(AccessibleFormMixin, forms.Form):
    line = forms.CharField(widget=forms.HiddenInput)
    actual_dkk = AmountField(
        label=_("Realiseret (kr.)"),
        error_messages={"required": _("Udfyld beløbet (skriv 0, hvis der ikke er noget).")},
    )
    explanation = forms.CharField(
        label=_("Forklaring på afvigelse"), required=False, max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kræves, når det realiserede afviger væsentligt fra budgettet."),
    )


CostLineFormSet = formset_factory(CostLineForm, extra=0, max_num=100, absolute_max=100)


def costs_formset(table: dict, data=None, *, version: int | None = None):
    """The formset for a budget table (rows in the order shown: costs, then funding)."""
    rows = table["costs"] + table["funding"]
    initial = [{"line": r["key"], "actual_dkk": r["actual_dkk"], "explanation": r["explanation"]}
               for r in rows]
    formset = CostLineFormSet(data=data, initial=initial, prefix="costs")
    for form, row in zip(formset.forms, rows, strict=False):
        form.row = row
        form.fields["actual_dkk"].label = _("Realiseret: %(label)s") % {"label": row["label"]}
        form.fields["explanation"].label = _("Forklaring: %(label)s") % {"label": row["label"]}
    formset.version = version
    return formset


def formset_lines(formset) -> list[dict]:
    return [{"line": f.cleaned_data["line"], "actual_dkk": f.cleaned_data.get("actual_dkk"),
             "explanation": f.cleaned_data.get("explanation", "")} for f in formset.forms]


def apply_line_errors(formset, error) -> None:
    """A service's "lines[i].field" errors onto row i; the rest as the formset's own errors."""
    rest = []
    for key, messages in error.message_dict.items():
        m = re.fullmatch(r"lines\[(\d+)\]\.(\w+)", key)
        if m and int(m.group(1)) < len(formset.forms) and m.group(2) in formset.forms[int(m.group(1))].fields:
            for message in messages:
                formset.forms[int(m.group(1))].add_error(m.group(2), message)
        else:
            rest.extend(messages)
    formset._non_form_errors = formset.error_class(list(formset.non_form_errors()) + rest)
