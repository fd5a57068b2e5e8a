"""Form helpers shared by the apps."""

from collections.abc import Callable

from django import forms
from django.core.exceptions import ValidationError


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
