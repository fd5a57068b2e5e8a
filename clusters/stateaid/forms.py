"""Forms of the fee and state-aid pages. Thin: parse and show errors; the rules are in
clusters.stateaid.services."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from clusters.constants import AidLegalBasis, FeeBasis
from clusters.forms import KronerField
from klyngeadmin.kernel.dates import DateField
from klyngeadmin.kernel.forms import AccessibleFormMixin


class FeeForm(AccessibleFormMixin, forms.Form):
    fee_basis = forms.ChoiceField(label=_("Grundlag for deltagerbetalingen"), choices=FeeBasis.choices,
                                  widget=forms.RadioSelect)
    fee_per_participant_dkk = KronerField(label=_("Deltagerbetaling pr. deltager (kr.)"), min_value=0,
                                          help_text=_("0 for en gratis aktivitet."))
    individual_service = forms.BooleanField(label=_("Individuel ydelse til én virksomhed"), required=False)


class AidForm(AccessibleFormMixin, forms.Form):
    company = forms.ChoiceField(label=_("Virksomhed"))
    legal_basis = forms.ChoiceField(label=_("Retsgrundlag"), choices=AidLegalBasis.choices,
                                    widget=forms.RadioSelect)
    amount_dkk = KronerField(label=_("Støttens værdi (kr.)"), min_value=1,
                             help_text=_("Værdien af den gratis eller nedsatte ydelse: markedsprisen "
                                         "fratrukket det, virksomheden har betalt."))
    granted_on = DateField(label=_("Tildelt den"), required=False,
                           help_text=_("Tom: aktivitetens startdato."))

    def __init__(self, *args, companies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["company"].choices = [("", _("Vælg virksomhed"))] + [
            (str(c.pk), f"{c.name} ({c.cvr})") for c in companies]
        self._style_widgets()


class DeclarationForm(AccessibleFormMixin, forms.Form):
    cvr = forms.CharField(label=_("Virksomhedens CVR-nummer"), max_length=8)
    declared_on = DateField(label=_("Erklæret den"))
    other_aid_dkk = KronerField(label=_("Anden de minimis-støtte de seneste tre år (kr.)"), min_value=0,
                                initial=0)
    linked_cvrs = forms.CharField(
        label=_("Andre CVR-numre i samme enkelte virksomhed"), required=False,
        help_text=_("Koncernforbundne virksomheder, hvis støtte tæller med; adskil med komma eller mellemrum."),
    )

    def clean_linked_cvrs(self):
        return [c for c in re.split(r"[\s,;]+", self.cleaned_data["linked_cvrs"]) if c]


class RegisterPeriodForm(AccessibleFormMixin, forms.Form):
    from_date = DateField(label=_("Fra og med"))
    to_date = DateField(label=_("Til og med"))

    def clean(self):
        data = super().clean()
        if data.get("from_date") and data.get("to_date") and data["to_date"] < data["from_date"]:
            self.add_error("to_date", _("Slutdatoen skal ligge på eller efter startdatoen."))
        return data
