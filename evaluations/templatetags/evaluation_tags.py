"""Danish number formatting for scores, key figures and amounts (1.234.567 kr.; 2,50)."""

from decimal import ROUND_HALF_UP, Decimal

from django import template

register = template.Library()


def _group(digits: str) -> str:
    out = []
    while len(digits) > 3:
        out.insert(0, digits[-3:])
        digits = digits[:-3]
    out.insert(0, digits)
    return ".".join(out)


def da_decimal(value, places: int = 2) -> str:
    if value is None or value == "":
        return "–"
    d = Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    sign = "-" if d < 0 else ""
    whole, _, frac = f"{abs(d):f}".partition(".")
    return sign + _group(whole) + ("," + frac if frac else "")


@register.filter
def score(value):
    """2.5 -> '2,50'; None -> '–'."""
    return da_decimal(value, 2)


@register.filter
def kr(value):
    """1234567 -> '1.234.567 kr.'"""
    if value is None or value == "":
        return "–"
    return f"{da_decimal(value, 0)} kr."


@register.filter
def pct(value):
    """0.2512 -> '25,1 %'"""
    if value is None or value == "":
        return "–"
    return f"{da_decimal(Decimal(value) * 100, 1)} %"


@register.filter
def figure(value, metric=""):
    """A key figure: a share as a percentage, a ratio with two decimals, a count whole."""
    if value is None:
        return "–"
    if metric == "outside_share":
        return pct(value)
    if metric == "cofinancing_per_grant_krone":
        return da_decimal(value, 2)
    return da_decimal(value, 0)


@register.filter
def get_item(mapping, key):
    if mapping is None:
        return None
    return mapping.get(key)
