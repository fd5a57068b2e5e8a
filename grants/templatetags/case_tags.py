"""Template helpers for the case pages: workflow labels; the formatting filters (kr, get_item)
are klyngeadmin.kernel.formatting's, registered here too."""

from django import template

from grants.constants import CaseStatus, CaseType
from klyngeadmin.templatetags.klynge_format import SHARED

register = template.Library()
register.filters.update(SHARED.filters)


@register.filter
def case_status_label(value):
    """'in_progress' -> 'Under behandling' (the Danish label of a case status); cheaper than
    get_status_display, see case_type_label."""

    try:
        return CaseStatus(value).label
    except ValueError:
        return value or "–"


@register.filter
def case_type_label(value):
    """'annual_report' -> 'Årsrapport' (the Danish label of a case type). What
    case.get_case_type_display gives, without translating every label of the choices on each
    call (Django's get_FOO_display hashes them all): the queue shows it on every row."""

    try:
        return CaseType(value).label
    except ValueError:
        return value or "–"
