"""The one formatting library: Danish numbers, amounts, shares and dates.

1234567 -> "1.234.567"; kroner "1.234.567 kr."; 2.5 -> "2,50" (scores); 0.2512 -> "25,1 %";
an empty value (None or "") renders as EMPTY ("–") in pages and letters, or as `empty=""` where
a form widget or a record needs nothing at all. Used by the template filters
(klyngeadmin/templatetags/klynge_format.py, loaded by the apps' template libraries too), forms,
statistics tables and case records."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache

from klyngeadmin.kernel.dates import format_date

EMPTY = "–"


def _group(digits: str) -> str:
    out = []
    while len(digits) > 3:
        out.insert(0, digits[-3:])
        digits = digits[:-3]
    out.insert(0, digits)
    return ".".join(out)


def _is_empty(value) -> bool:
    return value is None or value == ""


def number(value, places: int = 0, *, empty: str = EMPTY) -> str:
    """Danish style: thousands with ".", decimals with ",", rounded half up. A value that is
    not a number is shown as it is."""
    if _is_empty(value):
        return empty
    try:
        d = Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    sign = "-" if d < 0 else ""
    whole, _, frac = f"{abs(d):f}".partition(".")
    return sign + _group(whole) + ("," + frac if frac else "")


def kr(value, *, empty: str = EMPTY) -> str:
    """Whole kroner: 1234567 -> "1.234.567 kr."."""
    if _is_empty(value):
        return empty
    text = number(value, 0)
    return f"{text} kr." if text[-1:].isdigit() else text


def score(value) -> str:
    """A score with two decimals: 2.5 -> "2,50"."""
    return number(value, 2)


def ratio(value) -> str:
    """A ratio with two decimals: 2.333 -> "2,33"."""
    return number(value, 2)


def pct(share, places: int = 1) -> str:
    """A share (0..1) as a percentage: 0.2512 -> "25,1 %"."""
    if _is_empty(share):
        return EMPTY
    return f"{number(Decimal(share) * 100, places)} %"


def permille_pct(value) -> str:
    """Per mille as a percentage: 503 -> "50,3 %"."""
    if _is_empty(value):
        return EMPTY
    return pct(Decimal(int(value)) / 1000)


def isodate(value) -> str:
    """"2026-03-01" (an ISO date as stored in a snapshot) -> the one human date format
    ("1. mar. 2026", klyngeadmin.kernel.dates)."""
    return format_date(str(value)[:10]) if value else ""


def da_date(value: date | None) -> str:
    """A date in the one human date format (klyngeadmin.kernel.dates)."""
    return format_date(value) if value else ""


@cache
def _choice_labels(field) -> dict:
    """A field's {value: label}; the labels stay lazy (translated when shown, in the language
    of the request), so the mapping is built once per field."""
    return dict(field.flatchoices)


def choice_label(obj, field_name: str):
    """``choice_label(grant, "status")``, ``{{ grant|choice_label:"status" }}``: what
    ``grant.get_status_display()`` gives, without translating every label of the field's
    choices on each call (Django's get_FOO_display hashes them all): one label translated,
    for pages that show a label on every row (issue 19)."""
    if obj is None:
        return ""
    field = obj._meta.get_field(field_name)
    value = getattr(obj, field.attname)
    label = _choice_labels(field).get(value, value)
    return "" if label is None else label
