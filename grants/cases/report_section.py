"""The annual report's figures on its case page, rendered once per change of the rows they show.

The case page of an annual report shows the submitted version beside the year before with the
trend since the grant started (selectors.report_comparison), and the accounts section (budget
against actual, aid intensity, the auditor's statement: grants.reports.costs). Computing and
rendering them took a third of the page (~10 ms of four queries and the templates, issue 19),
and the page is opened again after every step of the case (a note, a message, an assignment),
none of which changes them.

They are kept in the cache under a *digest of the rows they are computed from*, which
PostgreSQL computes in one query: the reports of the comparison (this grant's up to the year,
the cluster's for the year before) with their competitive funding, the number of each one's
newest version (versions are never changed, only added: grants.cases.flows), the grants of
those reports with the call of this one (the auditor threshold), the budget lines and the
disbursed tranches up to the report's year. Any write to any of those rows - through a
service, the admin or a manual SQL fix, committed or not yet - gives another digest, so a page
never shows figures other than the database's: nothing has to remember to invalidate. The
digest also names the settings the figures use, the language, and the text of the templates
and modules that compute and format them (a deployment renders afresh).
Without a cache (Redis down) the section is computed on every request."""

from __future__ import annotations

import hashlib
import importlib
import logging
from functools import cache as memoize
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.template.loader import get_template, render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from grants.budgets.models import BudgetLine
from grants.calls.models import Application, Call
from grants.cases.models import Disbursement
from grants.cases.selectors import report_comparison
from grants.core.models import Grant, Tranche
from grants.reports.costs import report_costs_context
from grants.reports.models import AnnualReport, CompetitiveFunding, ReportVersion

logger = logging.getLogger(__name__)

CACHE_SECONDS = 24 * 3600  # content-addressed: the timeout only frees the memory
TEMPLATES = ("cases/_report_comparison.html", "grants/_report_costs.html",
             "grants/_aid_intensity.html", "grants/_cost_row.html")
# The code the section is computed and formatted by, and the settings it reads: part of the key.
MODULES = ("grants.cases.report_section", "grants.cases.selectors", "grants.reports.costs",
           "grants.budgets.selectors", "grants.budgets.maths", "klyngeadmin.kernel.formatting",
           "grants.templatetags.case_tags", "grants.templatetags.grants_format")
SETTINGS = ("AID_INTENSITY_CEILING_PCT", "AUDITOR_STATEMENT_THRESHOLD_DKK",
            "BUDGET_DEVIATION_THRESHOLD_PCT", "BUDGET_DEVIATION_MIN_DKK")


@memoize
def _digest_sql() -> str:
    t = {m.__name__: m._meta.db_table for m in (AnnualReport, CompetitiveFunding, ReportVersion,
                                                Grant, Application, Call, BudgetLine, Tranche,
                                                Disbursement)}
    return f"""
        WITH r AS (
            SELECT r.* FROM {t['AnnualReport']} r JOIN {t['Grant']} g ON g.id = r.grant_id
            WHERE (r.grant_id = %(grant)s AND r.year <= %(year)s)
               OR (g.cluster_id = %(cluster)s AND r.year = %(year)s - 1)
        )
        SELECT md5(concat_ws('|',
            (SELECT string_agg(r::text, ',' ORDER BY r.id) FROM r),
            (SELECT string_agg(f::text, ',' ORDER BY f.id) FROM {t['CompetitiveFunding']} f
              WHERE f.report_id IN (SELECT id FROM r)),
            (SELECT string_agg(v.report_id || ':' || v.number, ',' ORDER BY v.report_id)
               FROM (SELECT report_id, max(number) AS number FROM {t['ReportVersion']}
                     WHERE report_id IN (SELECT id FROM r) GROUP BY report_id) v),
            (SELECT string_agg(g::text || ':' || coalesce(c.auditor_statement_threshold_dkk::text, ''),
                               ',' ORDER BY g.id)
               FROM {t['Grant']} g
               LEFT JOIN {t['Application']} a ON a.id = g.application_id
               LEFT JOIN {t['Call']} c ON c.id = a.call_id
              WHERE g.id = %(grant)s OR g.id IN (SELECT grant_id FROM r)),
            (SELECT string_agg(b::text, ',' ORDER BY b.id) FROM {t['BudgetLine']} b
              WHERE b.grant_id = %(grant)s AND b.year_number <= %(year_number)s),
            (SELECT string_agg(tr.id || ':' || tr.year_number || ':' || d::text, ','
                               ORDER BY tr.id, d.id)
               FROM {t['Tranche']} tr JOIN {t['Disbursement']} d ON d.tranche_id = tr.id
              WHERE tr.grant_id = %(grant)s AND tr.year_number <= %(year_number)s)
        ))"""



@memoize
def _code_digest() -> str:
    """The templates' and the modules' text: a deployment that changes either renders afresh."""
    digest = hashlib.sha256()
    for name in TEMPLATES:
        digest.update(get_template(name).template.source.encode())
    for module in MODULES:
        digest.update(Path(importlib.import_module(module).__file__).read_bytes())
    return digest.hexdigest()[:16]


def rows_digest(report: AnnualReport) -> str:
    """The digest of the rows the report's case-page figures are computed from (one query)."""
    with connection.cursor() as cursor:
        cursor.execute(_digest_sql(), {"grant": report.grant_id, "year": report.year,
                                       "cluster": report.grant.cluster_id,
                                       "year_number": report.year_number})
        return cursor.fetchone()[0]


def _key(report: AnnualReport) -> str:
    knobs = ":".join(str(getattr(settings, name)) for name in SETTINGS)
    return (f"case-report-section:{connection.settings_dict['NAME']}:{report.pk}:{get_language()}:"
            f"{_code_digest()}:{hashlib.sha256(knobs.encode()).hexdigest()[:12]}:"
            f"{rows_digest(report)}")


def _render(report: AnnualReport) -> tuple[str, str]:
    comparison = render_to_string("cases/_report_comparison.html",
                                  {"report": report, "comparison": report_comparison(report)})
    costs = render_to_string("grants/_report_costs.html",
                             {"report": report, **report_costs_context(report=report)})
    return comparison, costs


def report_section(report: AnnualReport) -> tuple[SafeString, SafeString]:
    """The comparison (the two tables) and the accounts section of the report's case page, as
    HTML: from the cache while the rows they show are unchanged, else computed and kept."""
    key = _key(report)  # a database error is no cache miss: it is raised
    try:
        found = cache.get(key)
    except Exception:  # noqa: BLE001 - the cache is an optimisation
        logger.warning("case report section: the cache did not answer; computing")
        key = found = None
    if found is None:
        found = _render(report)
        if key is not None:
            try:
                cache.set(key, found, timeout=CACHE_SECONDS)
            except Exception:  # noqa: BLE001
                logger.warning("case report section: the cache did not answer")
    # rendered by our own templates, autoescaped
    return mark_safe(found[0]), mark_safe(found[1])  # noqa: S308
