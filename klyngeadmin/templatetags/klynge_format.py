"""The template filters of klyngeadmin.kernel.formatting (the one formatting library).

`{% load klynge_format %}`; the apps' older library names (grants_format, case_tags,
clusters_format, evaluation_tags) register these same filters, so their templates keep working."""

from functools import cache

from django import template

from klyngeadmin.kernel import formatting

register = template.Library()

register.filter("kr", formatting.kr)
register.filter("number", formatting.number)
register.filter("score", formatting.score)
register.filter("pct", formatting.pct)
register.filter("permille_pct", formatting.permille_pct)


@register.filter
def figure(value, metric=""):
    """A key figure: a share as a percentage, a ratio with two decimals, a count whole."""
    if metric == "outside_share":
        return formatting.pct(value)
    if metric == "cofinancing_per_grant_krone":
        return formatting.ratio(value)
    return formatting.number(value)


@register.filter
def get_item(mapping, key):
    """mapping[key] in a template, or None."""
    try:
        return mapping.get(key) if mapping else None
    except AttributeError:
        return None


@register.filter
def lookup(mapping, key):
    """mapping[key] in a template (a label by value, say), or "" when absent."""
    value = get_item(mapping, key)
    return "" if value is None else value


@cache
def _choice_labels(field) -> dict:
    """A field's {value: label}; the labels stay lazy (translated when shown, in the language
    of the request), so the mapping is built once per field."""
    return dict(field.flatchoices)


@register.filter
def choice_label(obj, field_name):
    """``{{ grant|choice_label:"status" }}``: what ``grant.get_status_display`` gives, without
    translating every label of the field's choices on each call (Django's get_FOO_display
    hashes them all): one label translated, for pages that show a label on every row."""
    if obj is None:
        return ""
    field = obj._meta.get_field(field_name)
    value = getattr(obj, field.attname)
    label = _choice_labels(field).get(value, value)
    return "" if label is None else label


SHARED = register
