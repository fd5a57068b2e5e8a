"""Template helpers for the case pages: workflow labels; the formatting filters (kr, get_item)
are klyngeadmin.kernel.formatting's, registered here too."""

from django import template

from grants.constants import CaseStatus
from klyngeadmin.templatetags.klynge_format import SHARED

register = template.Library()
register.filters.update(SHARED.filters)


@register.filter
def case_status_label(value):
    """'in_progress' -> 'Under behandling' (the Danish label of a case status)."""

    try:
        return CaseStatus(value).label
    except ValueError:
        return value or "–"
