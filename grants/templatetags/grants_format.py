"""Report page helpers: the drill-down table bodies. The formatting filters (kr, number,
permille_pct, lookup, ...) are klyngeadmin.kernel.formatting's, registered here too."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext

from klyngeadmin.kernel.formatting import isodate, kr, number, pct, ratio
from klyngeadmin.templatetags.klynge_format import SHARED

register = template.Library()
register.filters.update(SHARED.filters)


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


@register.filter
def indicator_value(value, unit):
    """A target, realised value or deviation in its indicator's unit (grants.targets)."""
    if value is None or value == "":
        return "–"
    if unit == "dkk":
        return kr(value)
    if unit == "ratio":
        return ratio(value)
    return number(value)


@register.filter
def attainment_pct(value):
    """An attainment (0..1.5) as a whole percentage, '–' for n/a."""
    return pct(value, 0)
