"""Dates in klyngeadmin: one way in, one way out.

In: `DateField` with `DateInput`, the one date field and widget of every form. The widget is an
`<input type="date">` and always renders its value as ISO 8601 (YYYY-MM-DD), which is the only
value format the browser accepts; a Danish format in it (Django's Danish DATE_INPUT_FORMATS
start with dd.mm.yyyy) empties the field. The field takes ISO as well as Danish input
(31.12.2026, 31-12-2026, 31/12-2026, 31/12/2026, 31.12.26), for browsers without a date picker
and for people who paste.

Out: `format_date`, behind the template filter `dato` (klyngeadmin/templatetags/dates.py,
a template builtin): "31. dec. 2026" in Danish, "31 Dec 2026" in English; with style "tid"
"31. dec. 2026 kl. 14.32" / "31 Dec 2026, 14:32". Python-rendered texts use `format_date` too.
"""

from __future__ import annotations

from datetime import date, datetime

from django import forms
from django.utils import timezone, translation

# Danish abbreviations with their full stop (Retskrivningsordbogen); "maj" is not shortened.
MONTHS = {
    "da": ("jan.", "feb.", "mar.", "apr.", "maj", "jun.", "jul.", "aug.", "sep.", "okt.",
           "nov.", "dec."),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}

INPUT_FORMATS = [
    "%Y-%m-%d",  # ISO: what a browser's date picker sends
    "%d.%m.%Y", "%d-%m-%Y", "%d/%m-%Y", "%d/%m/%Y", "%d.%m.%y", "%d/%m-%y",
]


def _as_local(value):
    """A date or an aware/naive datetime from `value` (a date, a datetime or an ISO string)."""
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            value = datetime.fromisoformat(text) if len(text) > 10 else date.fromisoformat(text)
        except ValueError:
            return None
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value
    if isinstance(value, date):
        return value
    return None


def format_date(value, style: str = "", language: str | None = None) -> str:
    """The one human date format. style: "" (date), "tid" (date and time), "kl" (time only),
    "iso" (machine-readable, for <time datetime>). `language` defaults to the active one."""
    local = _as_local(value)
    if local is None:
        return "" if value in (None, "") else str(value)
    if style == "iso":
        return local.isoformat()
    lang = (language or translation.get_language() or "da")[:2]
    lang = lang if lang in MONTHS else "da"
    has_time = isinstance(local, datetime)
    if style == "kl":
        if not has_time:
            return ""
        return f"{local:%H.%M}" if lang == "da" else f"{local:%H:%M}"
    month = MONTHS[lang][local.month - 1]
    text = f"{local.day}. {month} {local.year}" if lang == "da" else f"{local.day} {month} {local.year}"
    if style == "tid" and has_time:
        text += f" kl. {local:%H.%M}" if lang == "da" else f", {local:%H:%M}"
    return text


def parse_date(value) -> date | None:
    """A date from ISO or Danish text; None when it is none of them."""
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    for fmt in INPUT_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


class DateInput(forms.DateInput):
    """<input type="date"> whose value is always ISO, whatever the language."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")

    def format_value(self, value):
        if isinstance(value, str):
            parsed = parse_date(value)
            return parsed.isoformat() if parsed else value
        return super().format_value(value)


class DateField(forms.DateField):
    """A date typed or picked: ISO or Danish (dd.mm.yyyy, d/m-yyyy, ...)."""

    widget = DateInput
    input_formats = INPUT_FORMATS

    def __init__(self, *, input_formats=None, **kwargs):
        kwargs.setdefault("error_messages", {})
        kwargs["error_messages"].setdefault(
            "invalid", translation.gettext_lazy("Skriv en gyldig dato, fx 31.12.2026."))
        super().__init__(input_formats=input_formats or INPUT_FORMATS, **kwargs)


DATETIME_INPUT_FORMATS = [
    "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M",  # what datetime-local sends
    "%d.%m.%Y %H.%M", "%d.%m.%Y %H:%M", "%d.%m.%Y kl. %H.%M", "%d-%m-%Y %H:%M",
]


class DateTimeInput(forms.DateTimeInput):
    """<input type="datetime-local"> whose value is always ISO (YYYY-MM-DDTHH:MM), local time."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")

    def format_value(self, value):
        if isinstance(value, str):
            for fmt in DATETIME_INPUT_FORMATS:
                try:
                    return datetime.strptime(value.strip(), fmt).strftime("%Y-%m-%dT%H:%M")
                except ValueError:
                    continue
            return value
        if isinstance(value, datetime) and timezone.is_aware(value):
            value = timezone.localtime(value)
        return super().format_value(value)


class DateTimeField(forms.DateTimeField):
    """A date and time picked (ISO, datetime-local) or typed the Danish way (31.12.2026 14.30)."""

    widget = DateTimeInput
    input_formats = DATETIME_INPUT_FORMATS
