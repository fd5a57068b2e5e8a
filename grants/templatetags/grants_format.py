"""Danish-style formatting for the report pages: amounts, ISO dates from snapshots, shares."""

from datetime import date

from django import template

from grants.forms import format_kr

register = template.Library()


@register.filter
def kr(value) -> str:
    """1234567 -> '1.234.567 kr.'; None -> '–'."""
    if value is None or value == "":
        return "–"
    return f"{format_kr(value)} kr."


@register.filter
def number(value) -> str:
    """1234 -> '1.234'."""
    if value is None or value == "":
        return "–"
    return format_kr(value)


@register.filter
def isodate(value) -> str:
    """'2026-03-01' (as stored in a snapshot) -> '01.03.2026'."""
    if not value:
        return ""
    try:
        return date.fromisoformat(str(value)[:10]).strftime("%d.%m.%Y")
    except ValueError:
        return str(value)


@register.filter
def permille_pct(value) -> str:
    """503 (per mille) -> '50,3 %'."""
    if value is None:
        return "–"
    n = int(value)
    return f"{n // 10},{n % 10} %"


@register.filter
def lookup(mapping, key):
    try:
        return mapping.get(key)
    except AttributeError:
        return None
