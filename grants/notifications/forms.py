from django import forms
from django.utils.translation import gettext_lazy as _

from grants.constants import NotificationCategory, NotificationDelivery
from grants.notifications.services import is_mandatory

HELP = {
    NotificationCategory.DEADLINES: _("Påmindelser før en frist og når den er overskredet."),
    NotificationCategory.REPORTS: _("Når en årsrapport indsendes, godkendes eller skal ændres."),
    NotificationCategory.CASES: _("Beskeder og afgørelser i sager."),
    NotificationCategory.EVALUATIONS: _("Midtvejsevalueringen: selvevaluering, bedømmelse og afgørelse."),
    NotificationCategory.OTHER: _("Alt andet."),
}
MANDATORY_HELP = _(
    "Fristpåmindelser til klyngedirektøren kan ikke slås fra. Vælg mellem straks og daglig samlet mail."
)


class NotificationPreferencesForm(forms.Form):
    """One radio group per category: immediately, daily digest, or off (where allowed)."""

    def __init__(self, *args, user, initial_choices: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        for value, label in NotificationCategory.choices:
            mandatory = is_mandatory(role=user.role, category=value)
            choices = [
                (d, dl) for d, dl in NotificationDelivery.choices
                if not (mandatory and d == NotificationDelivery.OFF)
            ]
            self.fields[value] = forms.ChoiceField(
                label=label, choices=choices, widget=forms.RadioSelect,
                initial=initial_choices.get(value, NotificationDelivery.IMMEDIATE),
                help_text=MANDATORY_HELP if mandatory else HELP[value],
                error_messages={
                    "required": _("Vælg hvordan du vil have %(category)s.") % {"category": label.lower()},
                    "invalid_choice": (
                        _("Fristpåmindelser kan ikke slås fra for klyngedirektøren.") if mandatory
                        else _("Vælg straks, daglig samlet mail eller fra.")
                    ),
                },
            )
