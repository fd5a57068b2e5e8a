"""Reads for the director's pages, scoped to the person asking (klyngeadmin.kernel.scoping).

The annual report's key figures are computed in SQL from the registered activities,
participations and facilitated projects, in a fixed number of queries whatever the amount of
data. `report_key_figures()` returns plain JSON-ready data (figures and their drill-down rows),
so the same structure is shown on the report page and frozen in a ReportVersion."""

from __future__ import annotations

from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from clusters import figures
from clusters.constants import (
    ActivityType,
    FacilitatedProjectStatus,
    InstitutionKind,
    SizeClass,
)
from clusters.models import Activity, Company, FacilitatedProject, InstitutionParticipation
from grants.constants import (
    DeadlineKind,
    ExtensionStatus,
    ReportStatus,
)
from grants.core.models import Grant
from grants.deadlines.models import Deadline, DeadlineExtension
from grants.reports import dashboard
from grants.reports.models import AnnualReport, ReportAttachment, ReportVersion
from grants.reports.services import attachment_ids_in_versions
from klyngeadmin.kernel.predicates import is_cluster_user
from klyngeadmin.kernel.scoping import scope_to_user

# Institution kinds the DFIR brief wants to see more of: shown on their own.
HIGHLIGHTED_INSTITUTION_KINDS = (
    InstitutionKind.ACADEMY,
    InstitutionKind.UNIVERSITY_COLLEGE,
    InstitutionKind.ARTISTIC,
)
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
        "key_figures": report_key_figures(report=report),
    }


# -- key figures -----------------------------------------------------------------------------


def _label(choices, code) -> str:
    try:
        return str(choices(code).label)
    except ValueError:
        return code


def report_key_figures(*, report: AnnualReport) -> dict:
    """The annual report's key figures for the report's cluster and calendar year, each with its
    drill-down rows. Eight queries, whatever the amount of data. JSON-ready (no dates, only
    ISO strings), so it can be frozen as is in a ReportVersion."""
    cluster = report.grant.cluster
    year = report.year
    divisions = list(cluster.strength_position.db07_divisions)

    activities = Activity.objects.filter(cluster_id=cluster.pk, year=year)
    # 1. activity counts
    agg = activities.aggregate(
        total=Count("id"),
        international=Count("id", filter=Q(international=True)),
        eu_funded=Count("id", filter=Q(eu_funded=True)),
        **{f"type_{t.value}": Count("id", filter=Q(activity_type=t.value)) for t in ActivityType},
    )
    # 2. activity rows
    activity_rows = [
        {
            "id": a["id"],
            "title": a["title"],
            "type": a["activity_type"],
            "type_label": _label(ActivityType, a["activity_type"]),
            "start_date": a["start_date"].isoformat(),
            "international": a["international"],
            "eu_funded": a["eu_funded"],
            "companies": a["n_companies"],
            "institutions": a["n_institutions"],
        }
        for a in activities.annotate(
            n_companies=Count("company_participations", distinct=True),
            n_institutions=Count("institution_participations", distinct=True),
        )
        .values(
            "id", "title", "activity_type", "start_date", "international", "eu_funded",
            "n_companies", "n_institutions",
        )
        .order_by("start_date", "id")
    ]

    # Companies that took part in the cluster's activities of the year, counted by the one
    # definition (clusters.figures): no DB07 code is "unknown", neither inside nor outside.
    companies = Company.objects.filter(
        participations__activity__cluster_id=cluster.pk, participations__activity__year=year
    )
    # 3. company counts (distinct companies)
    cagg = figures.cluster_year_companies([cluster.pk], [year]).get(
        (cluster.pk, year)
    ) or figures.empty_company_figures()
    # 4. company rows
    company_rows = []
    for c in (
        companies.annotate(n_activities=Count("participations"))
        .values("id", "cvr", "name", "employees", "size_class", "db07_code", "n_activities")
        .order_by("name", "cvr")
    ):
        position = figures.industry_position(c["db07_code"], divisions)
        company_rows.append({
            "id": c["id"],
            "cvr": c["cvr"],
            "name": c["name"],
            "employees": c["employees"],
            "size_class": c["size_class"],
            "size_label": _label(SizeClass, c["size_class"]),
            "db07_code": c["db07_code"],
            "outside": position == figures.OUTSIDE,
            "unknown_industry": position == figures.UNKNOWN,
            "activities": c["n_activities"],
        })

    participations = InstitutionParticipation.objects.filter(
        activity__cluster_id=cluster.pk, activity__year=year
    )
    # 5. institution participation counts
    iagg = participations.aggregate(
        total=Count("id"),
        activities=Count("activity_id", distinct=True),
        **{
            f"kind_{k.value}": Count("id", filter=Q(institution__kind=k.value))
            for k in InstitutionKind
        },
    )
    # 6. institution participation rows
    institution_rows = [
        {
            "activity_id": p["activity_id"],
            "activity": p["activity__title"],
            "start_date": p["activity__start_date"].isoformat(),
            "institution": p["institution__name"],
            "kind": p["institution__kind"],
            "kind_label": _label(InstitutionKind, p["institution__kind"]),
        }
        for p in participations.values(
            "activity_id", "activity__title", "activity__start_date", "institution__name",
            "institution__kind",
        ).order_by("institution__kind", "institution__name", "activity__start_date", "id")
    ]

    projects = FacilitatedProject.objects.filter(cluster_id=cluster.pk, year=year)
    # 7. facilitated project totals
    pagg = projects.aggregate(
        total=Count("id"),
        granted=Count("id", filter=Q(status=FacilitatedProjectStatus.GRANTED)),
        applied_dkk=Coalesce(Sum("amount_applied_dkk"), 0),
        granted_dkk=Coalesce(Sum("amount_granted_dkk"), 0),
        cluster_share_dkk=Coalesce(Sum("cluster_share_dkk"), 0),
    )
    # 8. facilitated project rows
    project_rows = [
        {
            "id": p["id"],
            "title": p["title"],
            "funder": p["funder"],
            "status": p["status"],
            "status_label": _label(FacilitatedProjectStatus, p["status"]),
            "applied_dkk": p["amount_applied_dkk"],
            "granted_dkk": p["amount_granted_dkk"],
            "cluster_share_dkk": p["cluster_share_dkk"],
            "partner_companies": p["n_companies"],
            "partner_institutions": p["n_institutions"],
        }
        for p in projects.annotate(
            n_companies=Count("partner_companies", distinct=True),
            n_institutions=Count("partner_institutions", distinct=True),
        )
        .values(
            "id", "title", "funder", "status", "amount_applied_dkk", "amount_granted_dkk",
            "cluster_share_dkk", "n_companies", "n_institutions",
        )
        .order_by("title", "id")
    ]

    total_companies = cagg["companies"]
    outside = cagg["companies_outside_strength_position"]
    known = total_companies - cagg["companies_unknown_industry"]
    return {
        "key_figures": figures.key_figures_of(cagg),
        "year": year,
        "strength_position": cluster.strength_position.name,
        "strength_divisions": divisions,
        "activities": {
            "total": agg["total"],
            "by_type": [
                {"code": t.value, "label": str(t.label), "count": agg[f"type_{t.value}"]}
                for t in ActivityType
            ],
            "rows": activity_rows,
        },
        "companies": {
            "total": total_companies,
            "sme": cagg["smes"],
            "small": cagg[f"{SizeClass.SMALL.value}_companies"],
            "by_size": [
                {"code": s.value, "label": str(s.label), "count": cagg[f"{s.value}_companies"]}
                for s in SizeClass
            ],
            "rows": company_rows,
        },
        "outside": {
            "total": outside,
            "share_permille": (outside * 1000 // known) if known > 0 else 0,
            "rows": [c for c in company_rows if c["outside"]],
        },
        "unknown_industry": {
            "total": cagg["companies_unknown_industry"],
            "rows": [c for c in company_rows if c["unknown_industry"]],
        },
        "institutions": {
            "participations": iagg["total"],
            "activities": iagg["activities"],
            "by_kind": [
                {
                    "code": k.value, "label": str(k.label), "count": iagg[f"kind_{k.value}"],
                    "highlighted": k in HIGHLIGHTED_INSTITUTION_KINDS,
                }
                for k in InstitutionKind
            ],
            "rows": institution_rows,
        },
        "international": {
            "international": agg["international"],
            "eu_funded": agg["eu_funded"],
            "rows": [a for a in activity_rows if a["international"] or a["eu_funded"]],
        },
        "rd_applications": {
            "total": agg[f"type_{ActivityType.RD_APPLICATION.value}"],
            "rows": [a for a in activity_rows if a["type"] == ActivityType.RD_APPLICATION],
        },
        "facilitated": {
            "total": pagg["total"],
            "granted": pagg["granted"],
            "applied_dkk": pagg["applied_dkk"],
            "granted_dkk": pagg["granted_dkk"],
            "cluster_share_dkk": pagg["cluster_share_dkk"],
            "rows": project_rows,
        },
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
