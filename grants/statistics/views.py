"""Klyngestatistik pages and exports: public, caseworker (with filters) and a cluster's own page.

Thin: parse the filter form, call the selectors, arrange the tables, render or export."""

from __future__ import annotations

import hashlib
import logging

from django.contrib.auth.decorators import login_required, permission_required
from django.core.cache import cache
from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from grants.statistics import exports
from grants.statistics.aggregates import aggregated_statistics, aggregates_computed_at
from grants.statistics.forms import PeriodForm, StatisticsFilterForm
from grants.statistics.outcome_tables import issue15_tables
from grants.statistics.selectors import (
    MIN_COMPANIES_SHOWN,
    PARTICIPANT_COLUMNS,
    own_cluster_for_statistics,
    participant_rows,
    programme_statistics,
)
from grants.statistics.tables import build_tables, table_by_key
from klyngeadmin.kernel.permissions import has_app_perm

ALL_TABLES = "alle"
FIGURES_CACHE_SECONDS = 24 * 3600  # a refresh changes the key; this only bounds the memory

logger = logging.getLogger(__name__)


def _cached_figures(request, context, stamp) -> str | None:
    """The public page's filters and figures as HTML, rendered once per period, language, query
    string (the bound filter form and its errors follow from it) and refresh of the stored
    aggregates (the key changes with ``computed_at``), then from the cache. None without a
    cache: the page renders them itself."""
    stamp = stamp or context["stats"].computed_at  # never computed: the read computes it
    if stamp is None:
        return None
    period = context["period"]
    digest = hashlib.sha256(context["query"].encode()).hexdigest()[:16]
    # "-page": the fragment holds the filters too (entries of the figures alone are not read)
    key = (f"statistics-public-page:{translation.get_language()}:{period['from_year']}-"
           f"{period['to_year']}:{stamp.timestamp()}:{digest}")
    try:
        html = cache.get(key)
        if html is None:
            html = render_to_string("statistics/_public_figures.html", context, request)
            cache.set(key, html, timeout=FIGURES_CACHE_SECONDS)
    except Exception:  # noqa: BLE001 - the cache is an optimisation
        logger.warning("statistics page: the cache did not answer")
        return None
    return mark_safe(html)  # noqa: S308 - rendered by our own template, autoescaped


def _page(request, *, template, form, selection, public, export_name, extra=None, stats=None,
          stamp=None, more_tables=False):
    """The page. With ``stamp`` (the public page: when its stored figures were computed) the
    figures and tables are built lazily: on a cache hit of the rendered figures nothing else
    needs them."""
    stats = stats if stats is not None else programme_statistics(**selection)
    query = request.GET.urlencode()
    suffix = f"?{query}" if query else ""

    def tables_with_links():
        tables = build_tables(stats, public=public)
        if more_tables:  # issue 15's outcome and fee tables (stored with the aggregates)
            tables += issue15_tables(**selection, public=public, stats=stats)
        for table in tables:
            table.csv_url = reverse(export_name, args=[table.key, "csv"]) + suffix
            table.xlsx_url = reverse(export_name, args=[table.key, "xlsx"]) + suffix
        return tables

    tables = SimpleLazyObject(tables_with_links)
    context = {
        "form": form,
        "period": selection,
        "stats": stats,
        "totals": SimpleLazyObject(lambda: stats.totals),
        "headline": SimpleLazyObject(lambda: tables[0]),
        "tables": tables,
        "public": public,
        "min_companies": MIN_COMPANIES_SHOWN,
        "all_xlsx_url": reverse(export_name, args=[ALL_TABLES, "xlsx"]) + suffix,
        "query": suffix,
        **(extra or {}),
    }
    if public:
        context["figures_html"] = _cached_figures(request, context, stamp)
    return render(request, template, context)


def _export(request, *, tables, table, fmt, prefix, title):
    if fmt == "xlsx" and table == ALL_TABLES:
        return exports.tables_xlsx_response(tables, f"{prefix}.xlsx", title=title)
    found = table_by_key(tables, table)
    if found is None:
        raise Http404
    if fmt == "csv":
        return exports.table_csv_response(found, f"{prefix}-{found.key}.csv")
    return exports.tables_xlsx_response([found], f"{prefix}-{found.key}.xlsx", title=title)


def _prefix(selection, name="klyngestatistik"):
    return f"{name}-{selection['from_year']}-{selection['to_year']}"


# -- the public page ---------------------------------------------------------------------------


# The public page and its exports read the stored aggregates only (grants.statistics.aggregates);
# the caseworkers' filters and a cluster's own page query live.


def public_statistics(request):
    form = PeriodForm(request.GET or None)
    selection = form.selection()
    return _page(request, template="statistics/public.html", form=form,
                 selection=selection, public=True,
                 stats=SimpleLazyObject(lambda: aggregated_statistics(**selection)),
                 stamp=aggregates_computed_at(**selection),
                 export_name="statistics:public_export", more_tables=True)


def public_export(request, table, fmt):
    form = PeriodForm(request.GET or None)
    selection = form.selection()
    stats = aggregated_statistics(**selection)
    tables = build_tables(stats, public=True) + issue15_tables(**selection, public=True, stats=stats)
    return _export(request, tables=tables, table=table, fmt=fmt, prefix=_prefix(selection),
                   title=_("Klyngestatistik"))


# -- caseworkers ---------------------------------------------------------------------------------


@login_required
@permission_required("clusters.view_national_statistics", raise_exception=True)
def caseworker_statistics(request):
    form = StatisticsFilterForm(request.GET or None)
    return _page(request, template="statistics/caseworker.html", form=form,
                 selection=form.selection(), public=False,
                 export_name="statistics:caseworker_export",
                 extra={"can_export_participants":
                        has_app_perm(request.user, "clusters.export_statistics_participants")})


@login_required
@permission_required("clusters.view_national_statistics", raise_exception=True)
def caseworker_export(request, table, fmt):
    form = StatisticsFilterForm(request.GET or None)
    selection = form.selection()
    tables = build_tables(programme_statistics(**selection), public=False)
    return _export(request, tables=tables, table=table, fmt=fmt, prefix=_prefix(selection),
                   title=_("Klyngestatistik"))


@login_required
@permission_required("clusters.export_statistics_participants", raise_exception=True)
def participant_export(request, fmt):
    form = StatisticsFilterForm(request.GET or None)
    selection = form.selection()
    rows = participant_rows(user=request.user, **selection)
    filename = f"{_prefix(selection, 'klyngedeltagere')}.{fmt}"
    if fmt == "csv":
        return exports.participants_csv_response(rows, PARTICIPANT_COLUMNS, filename)
    return exports.participants_xlsx_response(rows, PARTICIPANT_COLUMNS, filename)


# -- a cluster's own page --------------------------------------------------------------------------


def _own_cluster(request):
    cluster = own_cluster_for_statistics(user=request.user)
    if cluster is None:
        raise Http404
    return cluster


@login_required
@permission_required("clusters.view_cluster_statistics", raise_exception=True)
def cluster_statistics(request):
    cluster = _own_cluster(request)
    form = PeriodForm(request.GET or None)
    return _page(request, template="statistics/cluster.html", form=form,
                 selection={**form.selection(), "clusters": [cluster.pk]}, public=False,
                 export_name="statistics:cluster_export",
                 extra={"cluster": cluster})


@login_required
@permission_required("clusters.view_cluster_statistics", raise_exception=True)
def cluster_export(request, table, fmt):
    cluster = _own_cluster(request)
    form = PeriodForm(request.GET or None)
    selection = {**form.selection(), "clusters": [cluster.pk]}
    tables = build_tables(programme_statistics(**selection), public=False)
    return _export(request, tables=tables, table=table, fmt=fmt,
                   prefix=_prefix(selection, f"klyngestatistik-{cluster.slug}"),
                   title=cluster.name)
