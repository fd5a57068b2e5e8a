"""Danish number formatting for scores, key figures and amounts (1.234.567 kr.; 2,50): the
filters of klyngeadmin.kernel.formatting, registered under this library's name too."""

from django import template

from klyngeadmin.templatetags.klynge_format import SHARED

register = template.Library()
register.filters.update(SHARED.filters)
