"""Forms for the case actions. Thin: they parse and validate input; the services decide.

Every form carries the case `version` it was shown with (optimistic locking) and has its own
prefix, so several forms on one page never share an element id."""

from datetime import datetime, time

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grants.cases.selectors import case_handlers
from grants.constants import CaseStatus, ConditionOutcome, HearingSubject
from klyngeadmin.kernel.dates import DateField
from klyngeadmin.kernel.formatting import number
from klyngeadmin.kernel.forms import AccessibleFormMixin, ListedModelChoiceIterator


class CaseVersionForm(AccessibleFormMixin, forms.Form):
    """Every case form: the case version it was rendered with; DKFDS classes and the error
    references from the one AccessibleFormMixin (rendered by templates/_field.html)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class AssignForm(CaseVersionForm):
    assignee = forms.ModelChoiceField(
        label=_("Tildel sagen til"), queryset=None, empty_label=_("Vælg sagsbehandler"),
        error_messages={"required": _("Vælg den sagsbehandler, sagen skal tildeles."),
                        "invalid_choice": _("Vælg en sagsbehandler fra listen.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # before the queryset: setting it hands the widget its choices (no server-side cursor)
        self.fields["assignee"].iterator = ListedModelChoiceIterator
        self.fields["assignee"].queryset = case_handlers()
        self.fields["assignee"].label_from_instance = lambda u: u.get_full_name() or u.username


class TransitionForm(CaseVersionForm):
    to = forms.ChoiceField(choices=CaseStatus.choices, widget=forms.HiddenInput)
    comment = forms.CharField(label=_("Kommentar (valgfri)"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 2}))


class TextForm(CaseVersionForm):
    text = forms.CharField(label=_("Tekst"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, label=None, required_message=None, **kwargs):
        super().__init__(*args, **kwargs)
        if label:
            self.fields["text"].label = label
        if required_message:
            self.fields["text"].error_messages["required"] = required_message


def message_form(*args, **kwargs):
    return TextForm(*args, label=_("Besked til klyngen"),
                    required_message=_("Skriv en besked til klyngen."), **kwargs)


def note_form(*args, **kwargs):
    return TextForm(*args, label=_("Intern note (vises aldrig for klyngen)"),
                    required_message=_("Skriv en note."), **kwargs)


def request_changes_form(*args, **kwargs):
    return TextForm(*args, label=_("Hvad skal klyngen ændre?"),
                    required_message=_("Skriv, hvad klyngen skal ændre."), **kwargs)


def cancel_form(*args, **kwargs):
    return TextForm(*args, label=_("Begrundelse for annullering"),
                    required_message=_("Skriv en begrundelse for annulleringen."), **kwargs)


def reject_proposal_form(*args, **kwargs):
    return TextForm(*args, label=_("Begrundelse for afvisning"),
                    required_message=_("Skriv en begrundelse for afvisningen."), **kwargs)


def decide_form(*args, **kwargs):
    return TextForm(*args, label=_("Afgørelse"), required_message=_("Skriv afgørelsen."), **kwargs)


class ApproveReportForm(CaseVersionForm):
    text = forms.CharField(label=_("Bemærkning til klyngen (valgfri)"), required=False,
                           max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class ProposeReleaseForm(CaseVersionForm):
    amount_dkk = forms.IntegerField(
        label=_("Beløb (kr.)"), min_value=1,
        error_messages={"required": _("Angiv beløbet i hele kroner."),
                        "invalid": _("Angiv beløbet i hele kroner, fx 5000000."),
                        "min_value": _("Beløbet skal være større end 0 kr.")},
    )
    pay_on = DateField(
        label=_("Udbetalingsdato"),
        error_messages={"required": _("Angiv udbetalingsdatoen.")},
    )
    justification = forms.CharField(
        label=_("Begrundelse for at overskride støtteloftet"), required=False, max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kræves, hvis udbetalingen bringer den samlede offentlige støtteintensitet "
                    "over loftet. Kontorchefen godkender."),
    )

    def __init__(self, *args, max_amount=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_amount = max_amount

    def clean_amount_dkk(self):
        amount = self.cleaned_data["amount_dkk"]
        if self.max_amount is not None and amount > self.max_amount:
            raise forms.ValidationError(
                _("Beløbet må højst være årets rate på %(max)s kr.")
                % {"max": number(self.max_amount)}
            )
        return amount

    def clean_pay_on(self):
        pay_on = self.cleaned_data["pay_on"]
        if pay_on < timezone.localdate():
            raise forms.ValidationError(_("Udbetalingsdatoen kan ikke ligge i fortiden."))
        return pay_on


class ExtensionDecisionForm(CaseVersionForm):
    decision = forms.ChoiceField(
        label=_("Afgørelse"), widget=forms.RadioSelect,
        choices=[("approve", _("Godkend med ny frist")), ("reject", _("Afslå"))],
        error_messages={"required": _("Vælg, om anmodningen godkendes eller afslås.")},
    )
    new_due_date = DateField(
        label=_("Ny frist"), required=False,
    )
    reason = forms.CharField(label=_("Begrundelse"), required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, current_due_at=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.current_due_at = current_due_at

    def clean(self):
        data = super().clean()
        decision = data.get("decision")
        if decision == "approve":
            new_date = data.get("new_due_date")
            if not new_date:
                self.add_error("new_due_date", _("Angiv den nye frist."))
            elif self.current_due_at and new_date <= timezone.localtime(self.current_due_at).date():
                self.add_error("new_due_date", _("Den nye frist skal ligge efter den nuværende frist."))
            else:
                data["new_due_at"] = timezone.make_aware(
                    datetime.combine(new_date, time(23, 59)), timezone.get_default_timezone()
                )
        elif decision == "reject" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Skriv en begrundelse for afslaget."))
        return data


# -- messages both ways, hearing, conditions -------------------------------------------------------


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field; each is checked by the service (check_upload)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class MessageWithFilesForm(TextForm):
    files = MultipleFileField(
        label=_("Bilag (valgfrit)"),
        help_text=_("PDF, XLSX, DOCX, PNG eller JPEG. Højst 5 filer."),
    )


def cluster_message_form(*args, **kwargs):
    return MessageWithFilesForm(*args, label=_("Besked til Erhvervsstyrelsen"),
                                required_message=_("Skriv en besked."), **kwargs)


def authority_message_form(*args, **kwargs):
    return MessageWithFilesForm(*args, label=_("Besked til klyngen"),
                                required_message=_("Skriv en besked til klyngen."), **kwargs)


def hearing_answer_form(*args, **kwargs):
    return MessageWithFilesForm(*args, label=_("Jeres høringssvar"),
                                required_message=_("Skriv jeres høringssvar."), **kwargs)


def condition_report_form(*args, **kwargs):
    return MessageWithFilesForm(*args, label=_("Redegørelse for, hvordan vilkårene er opfyldt"),
                                required_message=_("Skriv jeres redegørelse for vilkårene."),
                                **kwargs)


class HearingStartForm(CaseVersionForm):
    subject_kind = forms.ChoiceField(
        label=_("Afgørelsen, parten høres om"), choices=(),
        error_messages={"required": _("Vælg, hvilken afgørelse høringen gælder.")},
    )
    proposed_decision = forms.CharField(
        label=_("Påtænkt afgørelse"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Skriv den påtænkte afgørelse.")},
    )
    grounds = forms.CharField(
        label=_("Begrundelse"), max_length=10000, widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Skriv begrundelsen for den påtænkte afgørelse.")},
    )
    days = forms.IntegerField(
        label=_("Høringsfrist (dage)"), initial=14, min_value=7, max_value=60,
        error_messages={"required": _("Angiv høringsfristen i dage."),
                        "invalid": _("Angiv høringsfristen som et helt antal dage."),
                        "min_value": _("Høringsfristen skal være mindst 7 dage."),
                        "max_value": _("Høringsfristen kan højst være 60 dage.")},
    )

    def __init__(self, *args, subjects=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(v, HearingSubject(v).label) for v in subjects] or list(HearingSubject.choices)
        self.fields["subject_kind"].choices = choices
        self._style_widgets()


class ConditionsCloseForm(CaseVersionForm):
    outcome = forms.ChoiceField(
        label=_("Er vilkårene opfyldt?"), widget=forms.RadioSelect, choices=(),
        error_messages={"required": _("Vælg, om vilkårene er opfyldt.")},
    )
    text = forms.CharField(
        label=_("Begrundelse for vurderingen"), max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Skriv begrundelsen for vurderingen.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = ConditionOutcome.choices
        self._style_widgets()


class ConfirmForm(CaseVersionForm):
    """The POST-confirm step of a money, withdrawal or cancellation decision."""

    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)


class CloseForm(CaseVersionForm):
    text = forms.CharField(label=_("Begrundelse (valgfri)"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))


def complaint_form(*args, **kwargs):
    return MessageWithFilesForm(*args, label=_("Jeres klage og begrundelsen for den"),
                                required_message=_("Skriv jeres klage og begrundelsen for den."),
                                **kwargs)
class AwardAcceptForm(AccessibleFormMixin, forms.Form):
    """The director's acceptance of an award letter: an explicit confirmation."""

    confirm = forms.BooleanField(
        label=_("Jeg har læst tilsagnsbrevet og accepterer tilsagnet og dets vilkår på klyngens vegne"),
        error_messages={"required": _("Sæt flueben for at bekræfte, at du accepterer tilsagnet.")},
    )
