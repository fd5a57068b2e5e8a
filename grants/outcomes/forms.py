"""The outcome section's forms (the report's "Resultater i virksomhederne"), the survey's form
and the effect-measurement upload. Thin: parse; the rules are in grants.outcomes.services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from clusters.forms import KronerField
from grants.outcomes.constants import OutcomeKind
from klyngeadmin.kernel.forms import AccessibleFormMixin


class SubjectMixin:
    def _subjects(self, subjects):
        self.fields["subject"].choices = [("", _("Vælg aktivitet eller projekt"))] + list(subjects)
        self._style_widgets()

    def subject_keys(self) -> dict:
        kind, _sep, external_id = self.cleaned_data["subject"].partition(":")
        return {"activity": external_id} if kind == "a" else {"project": external_id}


class OutcomeForm(SubjectMixin, AccessibleFormMixin, forms.Form):
    subject = forms.ChoiceField(label=_("Aktivitet eller faciliteret projekt"))
    cvr = forms.CharField(label=_("Virksomhedens CVR-nummer"), max_length=8)
    kind = forms.ChoiceField(label=_("Resultat"), choices=OutcomeKind.choices)
    investment_dkk = KronerField(label=_("Udløst investering (kr.)"), required=False, min_value=1,
                                 help_text=_("Kun for resultatet »Udløst investering«."))

    def __init__(self, *args, subjects=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._subjects(subjects)

    def item(self) -> dict:
        d = self.cleaned_data
        return {"cvr": d["cvr"].strip(), "kind": d["kind"], "investment_dkk": d["investment_dkk"],
                **self.subject_keys()}


class InviteForm(SubjectMixin, AccessibleFormMixin, forms.Form):
    subject = forms.ChoiceField(label=_("Aktivitet eller faciliteret projekt"))
    cvr = forms.CharField(label=_("Virksomhedens CVR-nummer"), max_length=8)
    contact_name = forms.CharField(label=_("Kontaktpersonens navn"), max_length=200, required=False)
    contact_email = forms.EmailField(label=_("Kontaktpersonens e-mail"))

    def __init__(self, *args, subjects=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subject"].label = _("Spørgeskemaet handler om")
        self._subjects(subjects)


class SurveyForm(AccessibleFormMixin, forms.Form):
    kinds = forms.MultipleChoiceField(
        label=_("Hvad fik virksomheden ud af det?"), choices=OutcomeKind.choices,
        widget=forms.CheckboxSelectMultiple, required=False,
        help_text=_("Sæt kryds ved alt, der passer. Intet kryds betyder: intet af det."),
    )
    investment_dkk = KronerField(label=_("Hvor stor en investering udløste det? (kr.)"), required=False,
                                 min_value=1, help_text=_("Kun hvis I har sat kryds ved »Udløst investering«."))


class EffectUploadForm(AccessibleFormMixin, forms.Form):
    file = forms.FileField(label=_("Effektmåling fra Danmarks Statistik (CSV)"),
                           help_text=_("Kolonnerne klynge_cvr, aar, indikator, deltagere, kontrolgruppe, "
                                       "antal_deltagere, antal_kontrol; semikolon og decimalkomma."))
