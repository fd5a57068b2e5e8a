"""Form helpers shared by the apps."""

from collections.abc import Callable

from django import forms
from django.core.exceptions import ValidationError


class ListedModelChoiceIterator(forms.models.ModelChoiceIterator):
    """A ModelChoiceField's choices read in one plain query. Django's iterator reads them with
    ``.iterator()``, on PostgreSQL a server-side cursor: three round trips (DECLARE, FETCH,
    CLOSE) for a list of a few people. Set ``field.iterator = ListedModelChoiceIterator``
    before ``field.queryset`` (which hands the widget its choices)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


def apply_service_errors(
    form: forms.Form, error: ValidationError, rename: Callable[[str], str] | None = None
) -> None:
    """Put a service's ValidationError on the form: each field error next to its field (after
    `rename`, for services whose names differ from the form's), everything else at the top."""
    if not hasattr(error, "error_dict"):
        for message in error.messages:
            form.add_error(None, message)
        return
    for key, messages in error.message_dict.items():
        field = rename(key) if rename else key
        for message in messages:
            form.add_error(field if field in form.fields else None, message)


class AccessibleFormMixin:
    """The one accessible-form mixin (DKFDS), rendered by templates/_field.html: labels
    without Django's trailing colon and the DKFDS class on each widget (form-input,
    form-select, form-checkbox, form-radio, form-file-input).

    The error references are Django's own (5.2): when a field is rendered, an invalid widget
    gets aria-invalid and aria-describedby="<id>_helptext <id>_error" - also for errors a
    service added after validation - and _field.html gives the texts those ids."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self._style_widgets()

    def _style_widgets(self):
        """The DKFDS classes; a form that changes its fields after __init__ calls this again."""
        for field in self.fields.values():
            widget = field.widget
            if widget.is_hidden:
                continue
            if isinstance(widget, forms.RadioSelect):
                css = "form-radio"
            elif isinstance(widget, forms.CheckboxSelectMultiple):
                css = "form-checkbox"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            elif isinstance(widget, forms.CheckboxInput):
                css = "form-checkbox"
            elif isinstance(widget, forms.ClearableFileInput | forms.FileInput):
                css = "form-file-input"
            else:
                css = "form-input"
            widget.attrs.setdefault("class", css)



