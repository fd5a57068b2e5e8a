"""The amendment proposal form and the decision form. Thin: they parse; grants.cases.amendments
validates against the grant and writes."""

from django import forms
from django.utils.translation import gettext_lazy as _

from grants.budgets.constants import AidCostType, CostCategory, FundingSource
from grants.budgets.lines import all_keys
from grants.constants import AmendmentKind
from grants.reports.forms import AmountField
from grants.targets.catalogue import Indicator
from klyngeadmin.accounts.models import User
from klyngeadmin.kernel.forms import AccessibleFormMixin
from klyngeadmin.kernel.roles import Role

YEAR_ERRORS = {"invalid": _("Skriv et bevillingsår som et helt tal."),
               "min_value": _("Bevillingsåret er mindst 1."),
               "max_value": _("Bevillingsåret er højst 10.")}


class AmendmentForm(AccessibleFormMixin, forms.Form):
    kinds = forms.MultipleChoiceField(
        label=_("Hvad ændres?"), choices=AmendmentKind.choices, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Vælg mindst én ændring.")})
    reason = forms.CharField(label=_("Begrundelse"), widget=forms.Textarea(attrs={"rows": 3}),
                             max_length=4000,
                             error_messages={"required": _("Skriv begrundelsen for ændringen.")})
    annual_amount_dkk = AmountField(label=_("Nyt årligt beløb (kr.)"), required=False)
    amount_from_year = forms.IntegerField(label=_("Gælder fra bevillingsår"), required=False,
                                          min_value=1, max_value=10, error_messages=YEAR_ERRORS)
    horizon_years = forms.IntegerField(
        label=_("Ny bevillingsperiode (år)"), required=False, min_value=1, max_value=10,
        error_messages={"invalid": _("Skriv perioden som et helt antal år."),
                        "min_value": _("Perioden er mindst 1 år."),
                        "max_value": _("Perioden er højst 10 år.")})
    target_indicator = forms.ChoiceField(label=_("Indikator"), required=False,
                                         choices=[("", "—"), *Indicator.choices])
    target_year_from = forms.IntegerField(label=_("Fra bevillingsår"), required=False,
                                          min_value=1, max_value=10, error_messages=YEAR_ERRORS)
    target_year_to = forms.IntegerField(label=_("Til og med bevillingsår"), required=False,
                                        min_value=1, max_value=10, error_messages=YEAR_ERRORS)
    target_value = forms.DecimalField(
        label=_("Nyt måltal"), required=False, min_value=0, max_digits=16, decimal_places=4,
        localize=True, error_messages={"invalid": _("Skriv måltallet som et tal, fx 120."),
                                       "min_value": _("Måltallet kan ikke være negativt.")})
    budget_year = forms.IntegerField(label=_("Budget for bevillingsår"), required=False,
                                     min_value=1, max_value=10, error_messages=YEAR_ERRORS)
    director = forms.ModelChoiceField(label=_("Ny klyngedirektør"), required=False,
                                      queryset=User.objects.none(),
                                      error_messages={"invalid_choice": _("Vælg en bruger i klyngen.")})

    def __init__(self, *args, grant, **kwargs):
        super().__init__(*args, **kwargs)
        self.grant = grant
        self.fields["director"].queryset = User.objects.filter(
            cluster_id=grant.cluster_id, is_active=True).exclude(role=Role.DIRECTOR).order_by(
            "first_name", "last_name", "username")
        self.fields["director"].label_from_instance = lambda u: u.get_full_name() or u.username
        for key in all_keys():  # the new budget, line by line (grants.budgets.lines)
            self.fields[budget_field(key)] = AmountField(label=budget_line_label(key), required=False)
        self._style_widgets()

    def budget_fields(self):
        return [self[budget_field(key)] for key in all_keys()]

    def clean(self):
        data = super().clean()
        kinds = data.get("kinds") or []
        required = {
            AmendmentKind.AMOUNT: ["annual_amount_dkk", "amount_from_year"],
            AmendmentKind.PERIOD: ["horizon_years"],
            AmendmentKind.TARGETS: ["target_indicator", "target_year_from", "target_year_to",
                                    "target_value"],
            AmendmentKind.DIRECTOR: ["director"],
            AmendmentKind.BUDGET: ["budget_year"],
        }
        for kind in kinds:
            for name in required[kind]:
                if data.get(name) in (None, "") and name not in self.errors:
                    self.add_error(name, _("Udfyld feltet, når %(kind)s ændres.") % {
                        "kind": str(AmendmentKind(kind).label).lower()})
        if AmendmentKind.TARGETS in kinds:
            a, b = data.get("target_year_from"), data.get("target_year_to")
            if a and b and b < a:
                self.add_error("target_year_to", _("»Til og med« kan ikke ligge før »fra«."))
        return data

    def changes(self) -> dict:
        d, out = self.cleaned_data, {}
        kinds = d["kinds"]
        if AmendmentKind.AMOUNT in kinds:
            out["amount"] = {"annual_amount_dkk": d["annual_amount_dkk"],
                             "from_year": d["amount_from_year"]}
        if AmendmentKind.PERIOD in kinds:
            out["period"] = {"horizon_years": d["horizon_years"]}
        if AmendmentKind.TARGETS in kinds:
            out["targets"] = {"rows": [
                {"year_number": n, "indicator": d["target_indicator"], "target": d["target_value"]}
                for n in range(d["target_year_from"], d["target_year_to"] + 1)]}
        if AmendmentKind.DIRECTOR in kinds:
            out["director"] = {"user_id": d["director"].pk}
        if AmendmentKind.BUDGET in kinds:
            out["budget"] = {"year_number": d["budget_year"], "lines": [
                {"line": key, "budget_dkk": d[budget_field(key)]} for key in all_keys()
                if d.get(budget_field(key)) is not None]}
        return out


def budget_field(key: str) -> str:
    return "budget__" + key.replace(":", "__")


def budget_line_label(key: str) -> str:
    parts = key.split(":")
    if parts[0] == "cost":
        return f"{CostCategory(parts[1]).label} – {AidCostType(parts[2]).label}"
    return str(FundingSource(parts[1]).label)


class AmendmentDecisionForm(AccessibleFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("Bemærkning til afgørelsen"), required=False, max_length=4000,
                           widget=forms.Textarea(attrs={"rows": 2}),
                           help_text=_("Skal udfyldes ved afslag."))
