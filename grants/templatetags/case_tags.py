"""Template helpers for the case pages: the formatting filters (kr, get_item, choice_label for
a workflow label) are klyngeadmin.kernel.formatting's, registered here too."""

from django import template

from klyngeadmin.templatetags.klynge_format import SHARED

register = template.Library()
register.filters.update(SHARED.filters)
