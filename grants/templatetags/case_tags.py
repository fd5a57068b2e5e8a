"""Template helpers for the case pages: Danish amounts and workflow labels."""

from django import template

register = template.Library()


@register.filter
def kr(value):
    """1234567 -> '1.234.567 kr.'; blank stays a dash."""
    if value is None or value == "":
        return "–"
    try:
        number = int(value)
    except (TypeError, ValueError):
        return value
    sign = "-" if number < 0 else ""
    return f"{sign}{abs(number):,} kr.".replace(",", ".")


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def case_status_label(value):
    """'in_progress' -> 'Under behandling' (the Danish label of a case status)."""
    from grants.constants import CaseStatus

    try:
        return CaseStatus(value).label
    except ValueError:
        return value or "–"
