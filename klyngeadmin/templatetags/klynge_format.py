"""The template filters of klyngeadmin.kernel.formatting (the one formatting library).

`{% load klynge_format %}`; the apps' older library names (grants_format, case_tags,
clusters_format, evaluation_tags) register these same filters, so their templates keep working."""

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


register.filter("choice_label", formatting.choice_label)


SHARED = register
