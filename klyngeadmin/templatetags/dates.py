"""The one date filter (a template builtin, see settings.TEMPLATES): {{ value|dato }},
{{ value|dato:"tid" }}, {{ value|dato:"kl" }}, {{ value|dato:"iso" }}. See klyngeadmin/dates.py."""

from django import template

from klyngeadmin.kernel.dates import format_date

register = template.Library()


@register.filter
def dato(value, style: str = "") -> str:
    return format_date(value, style)
