"""The cluster pages' template library: the formatting filters of klyngeadmin.kernel.formatting (kr,
lookup, ...), registered here so `{% load clusters_format %}` keeps working. Form fields are
rendered by templates/_field.html (klyngeadmin.forms.AccessibleFormMixin)."""

from django import template

from klyngeadmin.templatetags.klynge_format import SHARED

register = template.Library()
register.filters.update(SHARED.filters)
