"""Forms for the director's activity and project pages: parse and check input, nothing more.
The services re-check every rule; these give the errors next to the right field."""

from __future__ import annotations

import re
import uuid
from datetime import date

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clusters.constants import ActivityType, FacilitatedProjectStatus, FunderKind, InstitutionKind
from clusters.cvr import normalise_cvr
from clusters.models import Company
from clusters.selectors import institution_list
from clusters.services import MAX_EMPLOYEES, CompanyRef, cvr_error, unknown_company_error
from klyngeadmin.kernel.dates import DateField
from klyngeadmin.kernel.forms import AccessibleFormMixin

IMPORT_MAX_BYTES = 5 * 1024 * 1024


def new_external_id() -> str:
    return f"web-{uuid.uuid4().hex[:12]}"


class KronerField(forms.IntegerField):
    """Whole kroner; accepts Danish formatting such as "1.234.567 kr."."""

    widget = forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"})
    default_error_messages = {"invalid": gettext_lazy("Angiv beløbet i hele kroner, fx 1.250.000.")}

    def to_python(self, value):
        if isinstance(value, str):
            value = re.sub(r"(?i)\s|kr\.?|\.", "", value)
        return super().to_python(value)


def parse_company_lines(text: str) -> tuple[list[CompanyRef], list[str]]:
    """Lines of "CVR;navn;ansatte" (name and employees only needed for a new CVR).
    Returns the refs and one Danish error per bad line, naming the line."""
    refs: list[CompanyRef] = []
    errors: list[str] = []
    parsed: list[tuple[int, CompanyRef]] = []
    seen: set[str] = set()
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        parts = [p.strip() for p in line.split(";")]
        cvr = normalise_cvr(parts[0])  # DK12345674, 12 34 56 74 and 1234 5674 as well
        name = parts[1] if len(parts) > 1 else ""
        employees_text = parts[2] if len(parts) > 2 else ""
        if len(parts) > 3:
            errors.append(_("Linje %(n)s: for mange felter; brug formatet CVR;navn;ansatte.") % {"n": number})
            continue
        if message := cvr_error(cvr):
            errors.append(_("Linje %(n)s: %(msg)s") % {"n": number, "msg": message})
            continue
        employees = None
        if employees_text:
            if not employees_text.isdigit() or int(employees_text) > MAX_EMPLOYEES:
                errors.append(_("Linje %(n)s: antal ansatte skal være et helt tal, ikke »%(v)s«.")
                              % {"n": number, "v": employees_text})
                continue
            employees = int(employees_text)
        if cvr in seen:
            continue
        seen.add(cvr)
        parsed.append((number, CompanyRef(cvr=cvr, name=name, employees=employees)))
    known = set(Company.objects.filter(cvr__in=[r.cvr for _, r in parsed]).values_list("cvr", flat=True))
    for number, ref in parsed:
        if ref.cvr not in known and (message := unknown_company_error(ref)):
            errors.append(_("Linje %(n)s: %(msg)s") % {"n": number, "msg": message})
        else:
            refs.append(ref)
    return refs, errors


def company_lines(companies) -> str:
    return "\n".join(f"{c.cvr};{c.name};{c.employees}" for c in companies)


class ParticipantsMixin:
    """A textarea of company lines and checkboxes of knowledge institutions, grouped by kind."""

    companies_field = "companies"
    institutions_field = "institutions"

    def _setup_institutions(self):
        insts = list(institution_list())
        labels = dict(InstitutionKind.choices)
        groups: dict[str, list] = {}
        for inst in insts:
            groups.setdefault(inst.kind, []).append((str(inst.pk), inst.name))
        self.fields[self.institutions_field].choices = [
            (labels.get(kind, kind), items) for kind, items in groups.items()
        ]

    def institution_groups(self):
        selected = {str(v) for v in (self[self.institutions_field].value() or [])}
        name = self.add_prefix(self.institutions_field)
        out = []
        for g, (label, items) in enumerate(self.fields[self.institutions_field].choices):
            out.append({
                "label": label,
                "id": f"id_{name}_group{g}",
                "items": [
                    {"value": v, "label": text, "id": f"id_{name}_{v}", "checked": v in selected}
                    for v, text in items
                ],
            })
        return out

    def clean_companies_text(self, text: str) -> list[CompanyRef]:
        refs, errors = parse_company_lines(text or "")
        if errors:
            raise forms.ValidationError(errors)
        return refs


COMPANIES_HELP = gettext_lazy(
    "Én virksomhed pr. linje: CVR;navn;ansatte – fx 12345674;Fjordtek ApS;25. "
    "For en virksomhed, der allerede er registreret, er CVR-nummeret nok. "
    "Et nyt CVR-nummer opretter virksomheden med navn og antal ansatte (størrelsen beregnes)."
)


class ActivityForm(AccessibleFormMixin, ParticipantsMixin, forms.Form):
    external_id = forms.CharField(
        label=gettext_lazy("Eksternt id"), max_length=100, required=False,
        help_text=gettext_lazy("Jeres eget id for aktiviteten (fx fra CRM). Udfyldes automatisk, hvis tomt."),
    )
    title = forms.CharField(label=gettext_lazy("Titel"), max_length=300)
    activity_type = forms.ChoiceField(label=gettext_lazy("Aktivitetstype"), choices=ActivityType.choices)
    start_date = DateField(label=gettext_lazy("Startdato"))
    end_date = DateField(label=gettext_lazy("Slutdato"))
    international = forms.BooleanField(label=gettext_lazy("International aktivitet"), required=False)
    eu_funded = forms.BooleanField(label=gettext_lazy("EU-finansieret"), required=False)
    companies = forms.CharField(
        label=gettext_lazy("Deltagende virksomheder"), required=False, help_text=COMPANIES_HELP,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
    )
    institutions = forms.MultipleChoiceField(
        label=gettext_lazy("Deltagende videninstitutioner"), required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._setup_institutions()

    def clean_external_id(self):
        return self.cleaned_data["external_id"].strip() or new_external_id()

    def clean_companies(self):
        return self.clean_companies_text(self.cleaned_data["companies"])

    def clean_institutions(self):
        return [int(v) for v in self.cleaned_data["institutions"]]

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if isinstance(start, date) and isinstance(end, date) and end < start:
            self.add_error("end_date", _("Slutdatoen ligger før startdatoen."))
        return data

    @staticmethod
    def initial_for(activity) -> dict:
        return {
            "external_id": activity.external_id, "title": activity.title,
            "activity_type": activity.activity_type, "start_date": activity.start_date,
            "end_date": activity.end_date, "international": activity.international,
            "eu_funded": activity.eu_funded, "version": activity.version,
            "companies": company_lines(p.company for p in activity.company_participations.all()),
            "institutions": [str(p.institution_id) for p in activity.institution_participations.all()],
        }

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        return {
            "external_id": d["external_id"], "title": d["title"], "activity_type": d["activity_type"],
            "start_date": d["start_date"], "end_date": d["end_date"],
            "international": d["international"], "eu_funded": d["eu_funded"],
            "companies": d["companies"], "institution_ids": d["institutions"],
        }


class ActivityFilterForm(AccessibleFormMixin, forms.Form):
    """The list's search and filters (GET). Invalid values are ignored, never an error page."""

    q = forms.CharField(label=gettext_lazy("Søg i titel eller eksternt id"), required=False, max_length=100)
    year = forms.TypedChoiceField(label=gettext_lazy("År"), required=False, coerce=int, empty_value=None)
    activity_type = forms.ChoiceField(
        label=gettext_lazy("Aktivitetstype"), required=False,
        choices=[("", gettext_lazy("Alle typer"))] + list(ActivityType.choices),
    )
    international = forms.ChoiceField(
        label=gettext_lazy("International"), required=False,
        choices=[("", gettext_lazy("Alle")), ("ja", gettext_lazy("Ja")), ("nej", gettext_lazy("Nej"))],
    )
    eu_funded = forms.ChoiceField(
        label=gettext_lazy("EU-finansieret"), required=False,
        choices=[("", gettext_lazy("Alle")), ("ja", gettext_lazy("Ja")), ("nej", gettext_lazy("Nej"))],
    )

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("Alle år"))] + [(str(y), str(y)) for y in years]

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        d = self.cleaned_data
        yes_no = {"ja": True, "nej": False}
        return {
            "search": d["q"].strip(), "year": d["year"], "activity_type": d["activity_type"],
            "international": yes_no.get(d["international"]), "eu_funded": yes_no.get(d["eu_funded"]),
        }


class ActivityDeleteForm(AccessibleFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class ImportUploadForm(AccessibleFormMixin, forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Fil med aktiviteter (CSV eller XLSX)"),
        help_text=gettext_lazy("Højst 5 MB. Første række er kolonneoverskrifterne."),
    )

    def clean_file(self):
        f = self.cleaned_data["file"]
        if f.size > IMPORT_MAX_BYTES:
            raise forms.ValidationError(_("Filen er for stor (højst 5 MB)."))
        return f


class FacilitatedProjectForm(AccessibleFormMixin, ParticipantsMixin, forms.Form):
    companies_field = "partner_companies"
    institutions_field = "partner_institutions"

    external_id = forms.CharField(
        label=gettext_lazy("Eksternt id"), max_length=100, required=False,
        help_text=gettext_lazy("Jeres eget id for projektet. Udfyldes automatisk, hvis tomt."),
    )
    title = forms.CharField(label=gettext_lazy("Titel"), max_length=300)
    funder = forms.CharField(label=gettext_lazy("Bevillingsgiver"), max_length=200,
                             help_text=gettext_lazy("Fx Innovationsfonden eller Horizon Europe."))
    funder_kind = forms.ChoiceField(label=gettext_lazy("Type af bevillingsgiver"), choices=FunderKind.choices)
    year = forms.IntegerField(label=gettext_lazy("År"), min_value=2000, max_value=2100)
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=FacilitatedProjectStatus.choices)
    amount_applied_dkk = KronerField(label=gettext_lazy("Ansøgt beløb (kr.)"), min_value=0)
    amount_granted_dkk = KronerField(
        label=gettext_lazy("Bevilget beløb (kr.)"), min_value=0, required=False,
        help_text=gettext_lazy("Kun når status er »Bevilget«; højst det ansøgte beløb."),
    )
    cluster_share_dkk = KronerField(
        label=gettext_lazy("Klyngens andel (kr.)"), min_value=0, required=False,
        help_text=gettext_lazy("Den del af midlerne, der går til klyngeorganisationen."),
    )
    partner_companies = forms.CharField(
        label=gettext_lazy("Partnervirksomheder"), required=False, help_text=COMPANIES_HELP,
        widget=forms.Textarea(attrs={"rows": 5, "spellcheck": "false"}),
    )
    partner_institutions = forms.MultipleChoiceField(
        label=gettext_lazy("Partnervideninstitutioner"), required=False, widget=forms.CheckboxSelectMultiple,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._setup_institutions()

    def clean_external_id(self):
        return self.cleaned_data["external_id"].strip() or new_external_id()

    def clean_partner_companies(self):
        return self.clean_companies_text(self.cleaned_data["partner_companies"])

    def clean_partner_institutions(self):
        return [int(v) for v in self.cleaned_data["partner_institutions"]]

    def clean_amount_granted_dkk(self):
        return self.cleaned_data["amount_granted_dkk"] or 0

    def clean_cluster_share_dkk(self):
        return self.cleaned_data["cluster_share_dkk"] or 0

    @staticmethod
    def initial_for(project) -> dict:
        return {
            "external_id": project.external_id, "title": project.title, "funder": project.funder,
            "funder_kind": project.funder_kind, "year": project.year, "status": project.status,
            "amount_applied_dkk": project.amount_applied_dkk,
            "amount_granted_dkk": project.amount_granted_dkk,
            "cluster_share_dkk": project.cluster_share_dkk, "version": project.version,
            "partner_companies": company_lines(project.partner_companies.all()),
            "partner_institutions": [str(i.pk) for i in project.partner_institutions.all()],
        }

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        keys = ("external_id", "title", "funder", "funder_kind", "year", "status",
                "amount_applied_dkk", "amount_granted_dkk", "cluster_share_dkk")
        return {k: d[k] for k in keys} | {
            "partner_companies": d["partner_companies"],
            "partner_institution_ids": d["partner_institutions"],
        }
