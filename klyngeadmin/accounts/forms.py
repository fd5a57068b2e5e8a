from datetime import datetime, time

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from klyngeadmin.kernel.dates import DateField
from klyngeadmin.kernel.forms import AccessibleFormMixin


class ApiKeyForm(AccessibleFormMixin, forms.Form):
    name = forms.CharField(
        label=_("Navn"), max_length=100,
        help_text=_("Hvad nøglen bruges til, fx navnet på jeres CRM-system."),
    )
    expires_on = DateField(
        label=_("Udløber (valgfrit)"), required=False,
        help_text=_("Nøglen virker til og med denne dag."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style_widgets()

    def clean_expires_on(self):
        value = self.cleaned_data.get("expires_on")
        if value is not None and value < timezone.localdate():
            raise forms.ValidationError(_("Udløbsdatoen må ikke ligge i fortiden."))
        return value

    def expires_at(self):
        value = self.cleaned_data.get("expires_on")
        if value is None:
            return None
        return timezone.make_aware(datetime.combine(value, time(23, 59, 59)))
