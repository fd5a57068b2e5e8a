from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from klyngeadmin.accounts.security.login_throttle import THROTTLED_ATTR


class SignInForm(AuthenticationForm):
    """Password sign-in. In production, once MitID Erhverv is configured, cluster people sign
    in with MitID Erhverv only (settings.CLUSTER_PASSWORD_LOGIN): local accounts remain for
    development and for the authority's own staff."""

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        # AuthenticationForm sets max_length after the field is made, so without this a
        # 256-character username reached authenticate() and django-axes' 255-character column
        # (a 500); now it is a form error and no sign-in is tried.
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length))
        field.error_messages["max_length"] = _("Brugernavnet er for langt.")

    def clean(self):
        if self.has_error("username", "max_length"):  # shown above the form, like the others
            raise forms.ValidationError(_("Brugernavnet er for langt."), code="max_length")
        try:
            return super().clean()
        except forms.ValidationError:
            if getattr(self.request, THROTTLED_ATTR, False):
                raise forms.ValidationError(
                    _("For mange mislykkede forsøg på at logge ind. Vent et kvarter, og prøv "
                      "igen."),
                    code="throttled",
                ) from None
            raise

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
