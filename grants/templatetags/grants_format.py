"""Danish-style formatting for the report pages: amounts, ISO dates from snapshots, shares."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext

from grants.forms import format_kr
from klyngeadmin.dates import format_date

register = template.Library()


@register.filter
def kr(value) -> str:
    """1234567 -> '1.234.567 kr.'; None -> '–'."""
    if value is None or value == "":
        return "–"
    return f"{format_kr(value)} kr."


@register.filter
def number(value) -> str:
    """1234 -> '1.234'."""
    if value is None or value == "":
        return "–"
    return format_kr(value)


def isodate(value) -> str:
    """'2026-03-01' (as stored in a snapshot) -> '1. mar. 2026' (klyngeadmin.dates); for the
    table bodies below. Templates use the one date filter, {{ value|dato }}."""
    if not value:
        return ""
    return format_date(str(value)[:10])


@register.filter
def permille_pct(value) -> str:
    """503 (per mille) -> '50,3 %'."""
    if value is None:
        return "–"
    n = int(value)
    return f"{n // 10},{n % 10} %"


@register.filter
def lookup(mapping, key):
    try:
        return mapping.get(key)
    except AttributeError:
        return None


# -- drill-down table bodies -------------------------------------------------------------------
# The drill-down lists can hold hundreds of rows; rendering them with format_html_join instead
# of a template loop keeps the report page fast (every value is still escaped).


def _empty_row(cols: int, text: str):
    return format_html('<tr><td colspan="{}">{}</td></tr>', cols, text)


@register.simple_tag
def activity_tbody(rows):
    if not rows:
        return _empty_row(7, gettext("Ingen aktiviteter."))
    yes, no = gettext("Ja"), gettext("Nej")
    return format_html_join(
        "", '<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>'
        '<td class="numeric">{}</td><td class="numeric">{}</td></tr>',
        ((a["title"], a["type_label"], isodate(a["start_date"]),
          yes if a["international"] else no, yes if a["eu_funded"] else no,
          a["companies"], a["institutions"]) for a in rows),
    )


@register.simple_tag
def company_tbody(rows):
    if not rows:
        return _empty_row(6, gettext("Ingen virksomheder."))
    outside = gettext("uden for styrkepositionen")
    return format_html_join(
        "", '<tr><td>{}</td><td>{}</td><td>{}</td><td class="numeric">{}</td><td>{}{}</td>'
        '<td class="numeric">{}</td></tr>',
        ((c["name"], c["cvr"], c["size_label"], number(c["employees"]), c["db07_code"] or "–",
          format_html(' <span class="sr-only">({})</span>', outside) if c["outside"] else "",
          c["activities"]) for c in rows),
    )


@register.simple_tag
def institution_tbody(rows):
    if not rows:
        return _empty_row(4, gettext("Ingen deltagelser."))
    return format_html_join(
        "", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        ((p["institution"], p["kind_label"], p["activity"], isodate(p["start_date"]))
         for p in rows),
    )
