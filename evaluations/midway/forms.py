"""Forms: parse and validate input, nothing else. The services hold the rules; their
ValidationErrors are mapped back onto the fields (criterion_<id> -> the score field)."""

from pathlib import Path

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from clusters.constants import Region
from evaluations.constants import (
    SCORE_MAX,
    SCORE_MIN,
    ApplicationOutcome,
    Outcome,
)
from evaluations.midway.panel_services import ScoreInput
from evaluations.models import Criterion
from klyngeadmin.kernel.dates import DateField, DateTimeField
from klyngeadmin.kernel.forms import AccessibleFormMixin
from klyngeadmin.kernel.forms import apply_service_errors as shared_apply_service_errors

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
# The name's extension is a first check; the service checks the content (grants/attachments.py).
ATTACHMENT_TYPES = {".pdf", ".docx", ".xlsx", ".png", ".jpg", ".jpeg"}
NA = "na"


def apply_service_errors(form: forms.Form, error: ValidationError, field_map=None) -> None:
    """The shared mapping, with the key `criterion_<id>` sent to `field_map(criterion id)`."""

    def rename(key: str) -> str:
        if key.startswith("criterion_") and field_map:
            return field_map(int(key.removeprefix("criterion_")))
        return key

    shared_apply_service_errors(form, error, rename)


class VersionedForm(AccessibleFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class SelfAssessmentForm(VersionedForm):
    summary = forms.CharField(
        label=_("Samlet vurdering"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Klyngens egen samlede vurdering af de første fem år."),
    )

    def __init__(self, *args, criteria: list[Criterion], **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for c in criteria:
            self.fields[f"answer_{c.pk}"] = forms.CharField(
                label=c.title, required=False, help_text=c.guidance,
                widget=forms.Textarea(attrs={"rows": 5}),
            )

    def answers(self) -> dict[int, str]:
        return {c.pk: self.cleaned_data.get(f"answer_{c.pk}", "") for c in self.criteria}


class AttachmentForm(AccessibleFormMixin, forms.Form):
    title = forms.CharField(label=_("Bilagets titel"), max_length=200, required=False)
    file = forms.FileField(label=_("Fil"), help_text=_("PDF, Word (DOCX), Excel (XLSX) eller billede (PNG, JPEG); højst 10 MB."))

    def __init__(self, *args, form_id: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if form_id:  # the fields belong to that form (the answers: their typed text comes along)
            for field in self.fields.values():
                field.widget.attrs["form"] = form_id

    def clean_file(self):
        f = self.cleaned_data["file"]
        if f.size > MAX_ATTACHMENT_BYTES:
            raise ValidationError(_("Filen er for stor: højst 10 MB."))
        if Path(f.name).suffix.lower() not in ATTACHMENT_TYPES:
            raise ValidationError(_("Filtypen er ikke tilladt. Brug PDF, Word (DOCX), Excel (XLSX) eller billede (PNG, JPEG)."))
        return f


class PanelJoinForm(AccessibleFormMixin, forms.Form):
    no_conflict = forms.BooleanField(
        label=_("Jeg erklærer, at jeg ikke er inhabil i forhold til klyngen"),
        required=False,
        help_text=_("Du er inhabil, hvis du eller dine nærmeste har interesser i klyngen eller dens "
                    "medlemmer (forvaltningslovens § 3)."),
    )
    declaration = forms.CharField(
        label=_("Bemærkninger til habilitetserklæringen"), required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_no_conflict(self):
        if not self.cleaned_data.get("no_conflict"):
            raise ValidationError(
                _("Du skal erklære, at du ikke er inhabil, før du kan bedømme. Er du inhabil, skal "
                  "en anden sagsbehandler bedømme.")
            )
        return True


SCORE_CHOICES = [("", _("Vælg point"))] + [(str(i), str(i)) for i in range(SCORE_MIN, SCORE_MAX + 1)] + [
    (NA, _("Ikke relevant"))
]


class ScoreForm(AccessibleFormMixin, forms.Form):
    """One score (0-5 or n/a) and a reason per criterion."""

    def __init__(self, *args, criteria: list[Criterion], required: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for c in criteria:
            self.fields[f"score_{c.pk}"] = forms.ChoiceField(
                label=_("Point for %(criterion)s") % {"criterion": c.title}, choices=SCORE_CHOICES,
                required=required,
            )
            self.fields[f"reason_{c.pk}"] = forms.CharField(
                label=_("Begrundelse for %(criterion)s") % {"criterion": c.title}, required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def score_inputs(self):

        out = {}
        for c in self.criteria:
            raw = self.cleaned_data.get(f"score_{c.pk}") or ""
            reason = self.cleaned_data.get(f"reason_{c.pk}") or ""
            if raw == "":
                continue
            if raw == NA:
                out[c.pk] = ScoreInput(value=None, not_applicable=True, reason=reason)
            else:
                out[c.pk] = ScoreInput(value=int(raw), reason=reason)
        return out

    @staticmethod
    def field_for(criterion_id: int) -> str:
        return f"score_{criterion_id}"

    @staticmethod
    def initial_from(criteria, saved: dict) -> dict:
        """Initial values from saved scores ({criterion id: Score or ConsensusScore})."""
        initial = {}
        for c in criteria:
            score = saved.get(c.pk)
            if score is not None:
                initial[f"score_{c.pk}"] = NA if score.not_applicable else str(score.value)
                initial[f"reason_{c.pk}"] = score.reason
        return initial


class ConsensusForm(ScoreForm):
    outcome = forms.ChoiceField(label=_("Panelets anbefaling"), choices=Outcome.choices)
    text = forms.CharField(label=_("Begrundelse for anbefalingen"), widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, outcomes=Outcome.choices, **kwargs):
        super().__init__(*args, required=True, **kwargs)
        self.fields["outcome"].choices = outcomes
        # keep outcome and text last
        for name in ("outcome", "text"):
            self.fields[name] = self.fields.pop(name)


class ProposeForm(VersionedForm):
    outcome = forms.ChoiceField(label=_("Afgørelse"), choices=Outcome.choices, widget=forms.RadioSelect)
    reasons = forms.CharField(label=_("Begrundelse"), widget=forms.Textarea(attrs={"rows": 5}))
    conditions = forms.CharField(
        label=_("Vilkår"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kun ved fortsættelse med vilkår."),
    )
    follow_up_due = DateField(
        label=_("Opfølgningsfrist"), required=False,
        help_text=_("Kun ved fortsættelse med vilkår."),
    )


class ReturnForm(AccessibleFormMixin, forms.Form):
    comment = forms.CharField(label=_("Hvorfor sendes indstillingen tilbage?"), widget=forms.Textarea(attrs={"rows": 3}))


class ApproveForm(VersionedForm):
    pass


APPLICATION_OUTCOMES = ApplicationOutcome.choices


# -- the open call ----------------------------------------------------------------------------


class CallForm(AccessibleFormMixin, forms.Form):
    title = forms.CharField(label=_("Titel"), max_length=300)
    description = forms.CharField(label=_("Beskrivelse"), widget=forms.Textarea(attrs={"rows": 5}))
    opens_at = DateTimeField(label=_("Åbner"))
    closes_at = DateTimeField(label=_("Ansøgningsfrist"))
    budget_dkk = forms.IntegerField(label=_("Ramme pr. år (kr.)"), min_value=0)


class RegistrationForm(AccessibleFormMixin, forms.Form):
    organisation_name = forms.CharField(label=_("Organisationens navn"), max_length=200)
    cvr = forms.CharField(label=_("CVR-nummer"), max_length=8, min_length=8)
    city = forms.CharField(label=_("By"), max_length=100)
    region = forms.ChoiceField(label=_("Region"), choices=[("", _("Vælg region"))])
    first_name = forms.CharField(label=_("Dit fornavn"), max_length=150)
    last_name = forms.CharField(label=_("Dit efternavn"), max_length=150)
    email = forms.EmailField(label=_("Din e-mail"))
    username = forms.CharField(label=_("Brugernavn"), max_length=150)
    password1 = forms.CharField(label=_("Adgangskode"), widget=forms.PasswordInput)
    password2 = forms.CharField(label=_("Gentag adgangskoden"), widget=forms.PasswordInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)

        self.fields["region"].choices = [("", _("Vælg region"))] + list(Region.choices)

    def clean(self):
        from django.contrib.auth.password_validation import validate_password

        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("De to adgangskoder er ikke ens."))
        elif p1:
            try:
                validate_password(p1)
            except ValidationError as e:
                self.add_error("password1", e)
        return data


class ApplicationForm(VersionedForm):
    proposed_area = forms.CharField(label=_("Det spirende område"), max_length=300,
                                    help_text=_("Fx 'Kvanteteknologi' eller 'Grøn brint'."))
    description = forms.CharField(label=_("Beskrivelse af området og klyngens formål"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 6}))
    budget_dkk = forms.IntegerField(label=_("Samlet årligt budget (kr.)"), min_value=0)
    requested_annual_dkk = forms.IntegerField(label=_("Ansøgt beløb pr. år (kr.)"), min_value=1)
    cofinancing_dkk = forms.IntegerField(label=_("Privat medfinansiering pr. år (kr.)"), min_value=0)
    companies = forms.CharField(
        label=_("Virksomheder i konsortiet"), required=False, widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Én virksomhed pr. linje: CVR-nummer;navn, fx 12345674;Eksempel ApS"),
    )
    institutions = forms.MultipleChoiceField(
        label=_("Videninstitutioner i konsortiet"), required=False, widget=forms.CheckboxSelectMultiple,
    )

    target_companies = forms.IntegerField(
        label=_("Måltal pr. år: deltagende virksomheder"), required=False, min_value=0,
        max_value=10**6, help_text=_("Bliver bevillingens måltal, hvis ansøgningen imødekommes."))
    target_smes = forms.IntegerField(label=_("Måltal pr. år: deltagende SMV'er"), required=False,
                                     min_value=0, max_value=10**6)
    target_rd_applications = forms.IntegerField(label=_("Måltal pr. år: fælles FoU-ansøgninger"),
                                                required=False, min_value=0, max_value=10**6)

    TARGET_FIELDS = {"target_companies": "companies", "target_smes": "smes",
                     "target_rd_applications": "rd_applications"}

    def proposed_targets(self) -> list[dict]:
        return [{"indicator": code, "target": self.cleaned_data[name]}
                for name, code in self.TARGET_FIELDS.items()
                if self.cleaned_data.get(name) is not None]

    @classmethod
    def target_initial(cls, proposed: list) -> dict:
        by_code = {t.get("indicator"): t.get("target") for t in proposed or []}
        return {name: by_code.get(code) for name, code in cls.TARGET_FIELDS.items()}

    def __init__(self, *args, institutions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institutions"].choices = [(str(i.pk), f"{i.name} ({i.get_kind_display()})")
                                               for i in institutions]
        self.fields["institutions"].widget.attrs["class"] = "form-checkbox"


class ApplicationProposeForm(AccessibleFormMixin, forms.Form):
    outcome = forms.ChoiceField(label=_("Indstilling"), choices=ApplicationOutcome.choices, widget=forms.RadioSelect)
    reasons = forms.CharField(label=_("Begrundelse"), widget=forms.Textarea(attrs={"rows": 4}))
