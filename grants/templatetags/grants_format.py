"""Report page helpers: the drill-down table bodies. The formatting filters (kr, number,
permille_pct, lookup, ...) are klyngeadmin.kernel.formatting's, registered here too."""

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from grants.reports.key_figures import PREVIEW_ROWS
from klyngeadmin.kernel.formatting import isodate, number
from klyngeadmin.templatetags.klynge_format import SHARED

register = template.Library()


@register.filter
def preview(rows):
    """The first rows of a key-figure list, as many as the report page shows (the rest are on
    the paginated sub-pages)."""
    return [] if rows is None else rows[:PREVIEW_ROWS]
register.filters.update(SHARED.filters)


# -- drill-down table bodies -------------------------------------------------------------------
# One f-string a row with every value escaped (django.utils.html.escape), joined and marked
# safe once: format_html_join's per-row format_html cost ~22 µs a row. The report page shows
# only the first rows of each list (grants.reports.key_figures); the sub-pages 100 at a time.


def _empty_row(cols: int, text: str):
    return format_html('<tr><td colspan="{}">{}</td></tr>', cols, text)


@register.simple_tag
def activity_tbody(rows):
    if not rows:
        return _empty_row(7, gettext("Ingen aktiviteter."))
    yes, no = escape(gettext("Ja")), escape(gettext("Nej"))
    return mark_safe("".join(
        f'<tr><td>{escape(a["title"])}</td><td>{escape(a["type_label"])}</td>'
        f'<td>{escape(isodate(a["start_date"]))}</td><td>{yes if a["international"] else no}</td>'
        f'<td>{yes if a["eu_funded"] else no}</td><td class="numeric">{int(a["companies"])}</td>'
        f'<td class="numeric">{int(a["institutions"])}</td></tr>'
        for a in rows
    ))


@register.simple_tag
def company_tbody(rows):
    if not rows:
        return _empty_row(6, gettext("Ingen virksomheder."))
    outside = format_html(' <span class="sr-only">({})</span>', gettext("uden for styrkepositionen"))
    return mark_safe("".join(
        f'<tr><td>{escape(c["name"])}</td><td>{escape(c["cvr"])}</td>'
        f'<td>{escape(c["size_label"])}</td><td class="numeric">{escape(number(c["employees"]))}</td>'
        f'<td>{escape(c["db07_code"] or "–")}{outside if c["outside"] else ""}</td>'
        f'<td class="numeric">{int(c["activities"])}</td></tr>'
        for c in rows
    ))


@register.simple_tag
def institution_tbody(rows):
    if not rows:
        return _empty_row(4, gettext("Ingen deltagelser."))
    return mark_safe("".join(
        f'<tr><td>{escape(p["institution"])}</td><td>{escape(p["kind_label"])}</td>'
        f'<td>{escape(p["activity"])}</td><td>{escape(isodate(p["start_date"]))}</td></tr>'
        for p in rows
    ))
