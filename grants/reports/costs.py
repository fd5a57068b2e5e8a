"""The annual report's accounts section: actual costs and funding per budget line, budget vs
actual, and the auditor's statement. The report-side door (editable report, own cluster,
version, ReportEvent) in front of grants.budgets.services.actuals_set; the browser form
(grants.reports.cost_forms), the API (PUT /api/v1/reports/{id}/costs/) and the submission check
(grants.cases.flows.report_submit) use it."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from grants.budgets import selectors as budget_selectors
from grants.budgets.constants import FundingSource
from grants.budgets.services import actuals_set
from grants.constants import AttachmentKind
from grants.reports.models import AnnualReport, ReportEvent
from grants.reports.services import (
    REPORT_CHANGED,
    ReportNotEditable,
    _check_own_cluster,
    _lock_report,
)
from grants.rules import EDITABLE_REPORT_STATES
from klyngeadmin.kernel.errors import StaleVersion
from klyngeadmin.kernel.formatting import kr
from klyngeadmin.kernel.i18n import record_text


@transaction.atomic
def report_costs_save(*, report: AnnualReport, lines, actor,
                      expected_version: int | None = None) -> AnnualReport:
    """Save the report's actual costs and funding, all lines or none (ValidationError keyed
    "lines[i].<field>"). Refused when the report is not editable (ReportNotEditable) or changed
    since `expected_version` (StaleVersion). Bumps the report's version; writes a ReportEvent
    (and the BudgetEvent, in actuals_set)."""
    locked = _lock_report(report)
    _check_own_cluster(actor=actor, cluster_id=locked.grant.cluster_id)
    if locked.status not in EDITABLE_REPORT_STATES:
        raise ReportNotEditable(locked.status)
    if expected_version is not None and locked.version != expected_version:
        raise StaleVersion(REPORT_CHANGED, expected=expected_version, current=locked.version)
    actuals_set(locked.grant, locked.year_number, lines, actor=actor,
                text=record_text("Regnskab indberettet i årsrapport %(year)s.", {"year": locked.year}))
    locked.version += 1
    locked.save(update_fields=["version", "updated_at"])
    ReportEvent.objects.create(
        report=locked, actor=actor, from_status=locked.status, to_status=locked.status,
        comment=record_text("Regnskab gemt (version %(v)s)", {"v": locked.version}),
    )
    report.__dict__.update(version=locked.version, updated_at=locked.updated_at)
    return locked


def auditor_statement_required(*, report: AnnualReport, table: dict) -> bool:
    """The year's grant funding (actual, else the report's grant spent) above the threshold."""
    grant_actual = next((row["actual_dkk"] for row in table["funding"]
                         if row["key"] == f"funding:{FundingSource.GRANT}"), None)
    spent = grant_actual if grant_actual is not None else report.grant_spent_dkk
    return spent is not None and spent > budget_selectors.auditor_threshold_dkk(report.grant)


def report_costs_missing(*, report: AnnualReport, table: dict | None = None,
                         attachments: list | None = None) -> dict[str, str]:
    """What the accounts section lacks before submission: key -> Danish message. Nothing when
    the grant year has no budget (historical data). `table` and `attachments` (the report's, as
    the page already has them) save their queries."""
    table = table or budget_selectors.budget_table(grant_id=report.grant_id, year_number=report.year_number)
    if not table["has_budget"]:
        return {}
    missing: dict[str, str] = {}
    rows = table["costs"] + table["funding"]
    if any(row["actual_dkk"] is None for row in rows):
        missing["costs"] = str(_("Udfyld de realiserede omkostninger og finansieringen for alle budgetlinjer."))
        return missing
    unexplained = [row["label"] for row in rows if row["needs_explanation"] and not row["explanation"]]
    if unexplained:
        missing["costs"] = str(_("Forklar afvigelsen fra budgettet for: %(lines)s.")
                               % {"lines": "; ".join(unexplained)})
    costs, funding = table["cost_totals"]["actual_dkk"], table["funding_totals"]["actual_dkk"]
    if costs != funding:
        missing["costs_balance"] = str(_(
            "Regnskabet balancerer ikke: omkostninger %(c)s, finansiering %(f)s.")
            % {"c": kr(costs), "f": kr(funding)})
    grant_actual = next((row["actual_dkk"] for row in table["funding"]
                         if row["key"] == f"funding:{FundingSource.GRANT}"), None)
    if report.grant_spent_dkk is not None and grant_actual is not None \
            and grant_actual != report.grant_spent_dkk:
        missing["costs_grant"] = str(_(
            "Klyngebevillingen i regnskabet (%(a)s) skal svare til forbrugt bevilling (%(b)s).")
            % {"a": kr(grant_actual), "b": kr(report.grant_spent_dkk)})
    if attachments is None:
        has_statement = report.attachments.filter(kind=AttachmentKind.AUDITOR_STATEMENT).exists()
    else:
        has_statement = any(a.kind == AttachmentKind.AUDITOR_STATEMENT for a in attachments)
    if auditor_statement_required(report=report, table=table) and not has_statement:
        missing["auditor_statement"] = str(_(
            "Upload revisorerklæringen (kræves, når forbrugt bevilling er over %(t)s).")
            % {"t": kr(budget_selectors.auditor_threshold_dkk(report.grant))})
    return missing


def report_costs_context(*, report: AnnualReport) -> dict:
    """What the report page's accounts section shows: budget vs actual, the grant's cumulative
    aid intensity up to this report's year, and whether the auditor's statement is required.
    The case page keeps it per digest of the rows it reads (grants.cases.report_section): a
    change to what it reads changes the digest's query too."""
    n = report.year_number
    lines = budget_selectors.budget_lines_up_to(grant_id=report.grant_id, year_number=n)  # one read
    table = budget_selectors.budget_table(grant_id=report.grant_id, year_number=n,
                                          lines=[line for line in lines if line.year_number == n])
    return {
        "costs_table": table,
        "aid": budget_selectors.grant_aid_position(grant=report.grant, up_to_year=n, lines=lines),
        "auditor_required": auditor_statement_required(report=report, table=table),
        "auditor_threshold_dkk": budget_selectors.auditor_threshold_dkk(report.grant),
    }
