"""Director-side forms: the annual report, its competitive funding rows, attachments and the
deadline extension request. Thin: they parse and validate input; services do the writing."""

import re
from datetime import datetime, time

from django import forms
from django.forms import formset_factory
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from clusters.constants import FunderKind
from grants.constants import AttachmentKind
from grants.reports.models import AnnualReport
from grants.reports.services import (
    REPORT_CONTENT_FIELDS,
    REPORT_FINANCE_FIELDS,
    REPORT_NARRATIVE_FIELDS,
)
from klyngeadmin.kernel.dates import DateField, format_date
from klyngeadmin.kernel.formatting import number
from klyngeadmin.kernel.forms import AccessibleFormMixin


def format_kr(value) -> str:
    """1234567 -> '1.234.567' (an amount field's value; empty stays empty)."""
    return number(value, empty="")


class AmountInput(forms.TextInput):
    input_type = "text"

    def format_value(self, value):
        if isinstance(value, int):
            return format_kr(value)
        return super().format_value(value)


class AmountField(forms.Field):
    """Whole kroner, written as 1234567, 1.234.567 or 1 234 567; never negative."""

    widget = AmountInput
    default_error_messages = {
        "invalid": _("Skriv et beløb i hele kroner, fx 1.234.567."),
        "negative": _("Beløbet kan ikke være negativt."),
        "too_large": _("Beløbet er for stort."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.widget.attrs.setdefault("inputmode", "numeric")
        self.widget.attrs.setdefault("autocomplete", "off")

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, int):
            n = value
        else:
            text = re.sub(r"[\s\u00a0]", "", str(value)).removesuffix("kr.").removesuffix("kr")
            if text.startswith("-") and re.fullmatch(r"-\d[\d.]*", text):
                raise forms.ValidationError(self.error_messages["negative"], code="negative")
            if not re.fullmatch(r"\d{1,3}(\.\d{3})+|\d+", text):
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
            n = int(text.replace(".", ""))
        if n < 0:
            raise forms.ValidationError(self.error_messages["negative"], code="negative")
        if n > 10**15:
            raise forms.ValidationError(self.error_messages["too_large"], code="too_large")
        return n


class ReportForm(AccessibleFormMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = AnnualReport
        fields = list(REPORT_CONTENT_FIELDS)
        widgets = {name: forms.Textarea(attrs={"rows": 5}) for name in REPORT_NARRATIVE_FIELDS}
        help_texts = {
            "grant_spent_dkk": _("Den del af klyngebevillingen, klyngen har brugt i året."),
            "cofinancing_membership_dkk": _("Medlemmernes kontingenter."),
            "cofinancing_sponsorship_dkk": _("Virksomhedernes sponsorater."),
            "cofinancing_foundation_dkk": _("Midler fra private fonde."),
            "cofinancing_project_dkk": _("Andre projektmidler som medfinansiering."),
            "value_created": _("Hvilken værdi har klyngens aktiviteter skabt i virksomhederne?"),
            "knowledge_collaboration": _(
                "Samarbejdet med universiteter, erhvervsakademier, professionshøjskoler og de "
                "kunstneriske uddannelsesinstitutioner."),
            "internationalisation": _("Internationale aktiviteter og EU-finansieret samarbejde."),
            "platform_role": _("Klyngen som platform for nye innovationspolitiske initiativer."),
            "local_collaboration": _("Samarbejde med erhvervshuse, kommuner og lokale initiativer."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in REPORT_FINANCE_FIELDS:
            model_field = AnnualReport._meta.get_field(name)
            self.fields[name] = AmountField(
                label=capfirst(model_field.verbose_name), required=False,
                help_text=self._meta.help_texts.get(name, ""),
            )
        for name in REPORT_NARRATIVE_FIELDS:
            self.fields[name].required = False
            self.fields[name].max_length = 20_000
        if self.instance and self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version
        self._style_widgets()

    def content(self) -> dict:
        return {name: self.cleaned_data[name] for name in REPORT_CONTENT_FIELDS}


class CompetitiveFundingForm(AccessibleFormMixin, forms.Form):
    funder = forms.CharField(label=_("Bevillingsgiver"), max_length=200)
    funder_kind = forms.ChoiceField(label=_("Type"), choices=FunderKind.choices)
    amount_dkk = AmountField(label=_("Beløb (kr.)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["funder_kind"].choices = [("", _("Vælg type"))] + list(FunderKind.choices)
        self._style_widgets()


class BaseFundingFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        seen = set()
        for form in self.forms:
            if not form.has_changed() or self._should_delete_form(form):
                continue
            key = form.cleaned_data.get("funder", "").strip().casefold()
            if key in seen:
                form.add_error("funder", _("Samme bevillingsgiver står flere gange: læg beløbene sammen."))
            seen.add(key)

    def rows(self) -> list[dict]:
        return [
            {k: f.cleaned_data[k] for k in ("funder", "funder_kind", "amount_dkk")}
            for f in self.forms
            if f.has_changed() and f.cleaned_data and not self._should_delete_form(f)
        ]


FundingFormSet = formset_factory(
    CompetitiveFundingForm, formset=BaseFundingFormSet, extra=2, can_delete=True, max_num=50,
    validate_max=True,
)


def funding_formset(report, data=None, rows=None) -> BaseFundingFormSet:
    """The competitive-funding rows as a formset; `rows` (already fetched) saves a query."""
    if data is None:
        rows = report.competitive_funding.all() if rows is None else rows
        initial = [
            {"funder": f.funder, "funder_kind": f.funder_kind, "amount_dkk": f.amount_dkk}
            for f in rows
        ]
    else:
        initial = None
    return FundingFormSet(data=data, initial=initial, prefix="funding")


class AttachmentForm(AccessibleFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Bilagstype"), choices=AttachmentKind.choices)
    file = forms.FileField(
        label=_("Fil"),
        help_text=_("PDF, XLSX, DOCX, PNG eller JPEG. Typen kontrolleres ud fra filens indhold."),
    )

    def __init__(self, *args, form_id: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self._style_widgets()
        if form_id:  # the fields belong to that form (the report's: its typed text comes along)
            for field in self.fields.values():
                field.widget.attrs["form"] = form_id


class SubmitForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    confirm = forms.BooleanField(
        label=_("Jeg bekræfter, at oplysningerne i årsrapporten er korrekte."),
        error_messages={"required": _("Sæt kryds for at bekræfte, før du indsender.")},
    )


class ExtensionForm(AccessibleFormMixin, forms.Form):
    requested_due_date = DateField(
        label=_("Ny frist"),
        error_messages={"invalid": _("Skriv en gyldig dato, fx 30.06.2027.")},
    )
    reason = forms.CharField(
        label=_("Begrundelse"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000,
        error_messages={"required": _("Skriv en begrundelse for anmodningen.")},
    )

    def __init__(self, *args, deadline=None, **kwargs):
        self.deadline = deadline
        super().__init__(*args, **kwargs)
        self._style_widgets()

    def clean_requested_due_date(self):
        d = self.cleaned_data["requested_due_date"]
        if self.deadline is not None and d <= timezone.localdate(self.deadline.due_at):
            raise forms.ValidationError(
                _("Den nye frist skal ligge efter den nuværende frist (%(due)s).")
                % {"due": format_date(self.deadline.due_at)}
            )
        return d

    def requested_due_at(self):
        d = self.cleaned_data["requested_due_date"]
        due = timezone.localtime(self.deadline.due_at) if self.deadline else None
        at = due.timetz().replace(tzinfo=None) if due else time(23, 59)
        return timezone.make_aware(datetime.combine(d, at))
