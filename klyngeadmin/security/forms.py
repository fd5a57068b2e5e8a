from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class SignInForm(AuthenticationForm):
    """Password sign-in. In production, once MitID Erhverv is configured, cluster people sign
    in with MitID Erhverv only (settings.CLUSTER_PASSWORD_LOGIN): local accounts remain for
    development and for the authority's own staff."""

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if user.is_cluster_user and not settings.CLUSTER_PASSWORD_LOGIN:
            raise forms.ValidationError(
                _("Medarbejdere i en klyngeorganisation logger ind med MitID Erhverv. Brug "
                  "knappen »Log ind med MitID Erhverv«."),
                code="mitid_required",
            )


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Kode fra din autentificeringsapp"),
        min_length=6,
        max_length=8,
        help_text=_("Seks cifre, som din app viser lige nu."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]*"}
        ),
        error_messages={
            "required": _("Skriv koden fra din autentificeringsapp."),
            "min_length": _("Koden har seks cifre."),
            "max_length": _("Koden har seks cifre."),
        },
    )

    def clean_token(self):
        token = self.cleaned_data["token"].strip().replace(" ", "")
        if not token.isdigit():
            raise forms.ValidationError(_("Koden må kun indeholde cifre."))
        return token
