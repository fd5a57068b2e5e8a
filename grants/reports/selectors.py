"""Reads for the director's pages, scoped to the person asking (klyngeadmin.kernel.scoping).

The annual report's key figures are computed in SQL from the registered activities,
participations and facilitated projects, in a fixed number of queries whatever the amount of
data. `report_key_figures()` returns plain JSON-ready data (figures and their drill-down rows),
so the same structure is shown on the report page and frozen in a ReportVersion."""

from __future__ import annotations

from django.db.models import (
    Exists,
    OuterRef,
    Prefetch,
    QuerySet,
)
from django.utils import timezone

from grants.constants import (
    DeadlineKind,
    ExtensionStatus,
    ReportStatus,
)
from grants.core.models import Grant
from grants.deadlines.models import Deadline, DeadlineExtension
from grants.reports import dashboard
from grants.reports.key_figures import (  # noqa: F401 - the report page reads them here
    HIGHLIGHTED_INSTITUTION_KINDS,
    PREVIEW_ROWS,
    report_key_figures,
    report_page_key_figures,
)
from grants.reports.models import AnnualReport, ReportAttachment, ReportVersion
from grants.reports.services import attachment_ids_in_versions
from klyngeadmin.kernel.predicates import is_cluster_user
from klyngeadmin.kernel.scoping import scope_to_user

# Deadlines the cluster itself has to meet (case handling is the authority's).
CLUSTER_DEADLINE_KINDS = (
    DeadlineKind.ANNUAL_REPORT,
    DeadlineKind.SELF_ASSESSMENT,
    DeadlineKind.CHANGES_REQUESTED,
)
UPCOMING_DEADLINES = 6


# -- reports ---------------------------------------------------------------------------------


def report_list(*, user) -> QuerySet[AnnualReport]:
    return scope_to_user(
        AnnualReport.objects.select_related(
            "grant__cluster__strength_position", "deadline"
        ),
        user,
        cluster_path="grant__cluster",
    )


def report_get(*, user, pk: int) -> AnnualReport | None:
    """The report if the user may see it (404 for another cluster's report), else None."""
    return report_list(user=user).filter(pk=pk).first()


def report_version_get(*, user, report_pk: int, number: int) -> ReportVersion | None:
    return (
        scope_to_user(
            ReportVersion.objects.select_related("report__grant__cluster", "submitted_by"),
            user,
            cluster_path="report__grant__cluster",
        )
        .filter(report_id=report_pk, number=number)
        .first()
    )


def report_attachment_get(*, user, report_pk: int, pk: int) -> ReportAttachment | None:
    return (
        scope_to_user(
            ReportAttachment.objects.select_related("report__grant__cluster"),
            user,
            cluster_path="report__grant__cluster",
        )
        .filter(report_id=report_pk, pk=pk)
        .first()
    )


def report_page_data(*, report: AnnualReport) -> dict:
    """Everything the report page shows besides the report row itself, in fixed queries.
    Each attachment says whether it may be deleted (`deletable`): not once a submitted version
    lists it (the rule of services.report_attachment_delete; the report must be editable too)."""

    attachments = list(report.attachments.select_related("uploaded_by"))
    versions = list(report.versions.select_related("submitted_by").order_by("-number"))
    submitted = attachment_ids_in_versions(versions)
    for a in attachments:
        a.deletable = a.pk not in submitted
    return {
        "competitive_funding": list(report.competitive_funding.order_by("funder")),
        "attachments": attachments,
        "versions": versions,
        # the figures and the first rows of each list; the rest on the drill-down sub-pages
        # (computed once per change of the cluster's data)
        "key_figures": report_page_key_figures(report=report),
    }


# -- dashboard -------------------------------------------------------------------------------


def dashboard_data(*, user) -> dict:
    """The director's overview of their own cluster: grants with their years, tranches and
    midway evaluation, upcoming deadlines, reports by year, open requests. Fixed queries."""
    if not is_cluster_user(user) or not user.cluster_id:
        return {"grants": [], "deadlines": [], "reports": [], "requests": [], "extensions": [],
                "next_step": None}
    reports_qs = AnnualReport.objects.select_related("deadline").order_by("year")
    grants = list(
        scope_to_user(Grant.objects.all(), user)
        .select_related("midway_evaluation__self_assessment_deadline")
        .prefetch_related("tranches", Prefetch("reports", queryset=reports_qs))
        .order_by("-start_year")
    )
    now = timezone.now()
    pending_extension = DeadlineExtension.objects.filter(
        deadline=OuterRef("pk"), status=ExtensionStatus.REQUESTED
    )
    deadlines = list(
        scope_to_user(Deadline.objects.all(), user)
        .filter(kind__in=CLUSTER_DEADLINE_KINDS, completed_at__isnull=True,
                cancelled_at__isnull=True)
        .annotate(extension_pending=Exists(pending_extension))
        .select_related("annual_report")
        .order_by("due_at")[:UPCOMING_DEADLINES]
    )
    for d in deadlines:
        d.days_left = (timezone.localdate(d.due_at) - timezone.localdate(now)).days
        d.days_overdue = max(0, -d.days_left)
    extensions = list(
        scope_to_user(DeadlineExtension.objects.all(), user, cluster_path="deadline__cluster")
        .select_related("deadline")
        .order_by("-created_at")[:10]
    )
    reports = [r for g in grants for r in g.reports.all()]
    requests = [r for r in reports if r.status == ReportStatus.CHANGES_REQUESTED]
    for g in grants:
        g.timeline = _timeline(g)

    next_step = dashboard.annotate(grants=grants, deadlines=deadlines, reports=reports,
                                   today=timezone.localdate(now))
    return {
        "grants": grants,
        "deadlines": deadlines,
        "reports": sorted(reports, key=lambda r: r.year, reverse=True),
        "requests": requests,
        "extensions": extensions,
        "next_step": next_step,
    }


def _timeline(grant: Grant) -> list[dict]:
    reports = {r.year_number: r for r in grant.reports.all()}
    evaluation = getattr(grant, "midway_evaluation", None) if grant.midway_year else None
    today = timezone.localdate()
    out = []
    for t in sorted(grant.tranches.all(), key=lambda t: t.year_number):
        out.append({
            "year_number": t.year_number,
            "year": t.year,
            "tranche": t,
            "report": reports.get(t.year_number),
            "midway": evaluation if grant.midway_year == t.year_number else None,
            "current": t.year == today.year,
            "after_midway": bool(grant.midway_year and t.year_number > grant.midway_year),
        })
    return out


def extension_deadline_get(*, user, pk: int) -> Deadline | None:
    """A deadline the cluster user may ask to have extended (their own cluster, still open)."""
    return (
        scope_to_user(Deadline.objects.all(), user)
        .filter(pk=pk, kind__in=CLUSTER_DEADLINE_KINDS)
        .first()
    )
