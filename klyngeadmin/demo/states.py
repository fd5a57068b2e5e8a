"""Which demo cluster is in which state, read from the data (for the `make run` banner through
`manage.py demo_states`): who has a draft ready to submit, which cases wait for a caseworker or
for the cluster, which tranches wait to be released, which evaluations are open or being scored.
Nothing here is hard-coded to the demo: it describes whatever the database holds."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils import timezone

from evaluations.constants import EvaluationStatus
from evaluations.models import MidwayEvaluation
from grants.cases.models import Case, TrancheProposal
from grants.constants import CaseStatus, CaseType, ProposalKind, ProposalStatus, ReportStatus
from grants.core.models import Grant
from grants.reports.models import AnnualReport
from grants.reports.services import report_missing
from klyngeadmin.kernel.roles import Role

SHOWN = 3  # names per line; the rest are counted


def _login_of(cluster_id: int, directors: dict[int, str]) -> str:
    login = directors.get(cluster_id)
    return f" ({login})" if login else ""


def _line(label: str, items: list[str]) -> str:
    more = f" and {len(items) - SHOWN} more" if len(items) > SHOWN else ""
    return f"{label}: {', '.join(items[:SHOWN])}{more}"


def demo_states() -> list[str]:
    """One line per state that some cluster or case is in; empty when nothing is."""

    directors = dict(
        get_user_model().objects.filter(role=Role.DIRECTOR, is_active=True)
        .order_by("cluster_id", "username").values_list("cluster_id", "username")
    )
    today = timezone.localdate()
    lines = []

    open_reports = (
        AnnualReport.objects.filter(status__in=[ReportStatus.DRAFT, ReportStatus.CHANGES_REQUESTED],
                                    year__lte=today.year)
        .select_related("grant__cluster").order_by("grant__cluster__name", "year")
    )
    ready = [f"{r.grant.cluster.name} {r.year}{_login_of(r.grant.cluster_id, directors)}"
             for r in open_reports if not report_missing(report=r)]
    if ready:
        lines.append(_line("draft ready to submit", ready))

    cases = Case.objects.select_related("cluster", "assignee").order_by("journal_number")
    waiting = [f"{c.journal_number} {c.cluster.name if c.cluster else c.subject}"
               f" ({c.assignee.username if c.assignee else 'not assigned'})"
               for c in cases.filter(status__in=[CaseStatus.NEW, CaseStatus.ASSIGNED,
                                                 CaseStatus.IN_PROGRESS])]
    if waiting:
        lines.append(_line("case waiting for a caseworker", waiting))
    answering = [f"{c.journal_number} {c.cluster.name}{_login_of(c.cluster_id, directors)}"
                 for c in cases.filter(status=CaseStatus.AWAITING_CLUSTER, cluster__isnull=False)]
    if answering:
        lines.append(_line("case waiting for the cluster's answer", answering))

    proposals = (
        TrancheProposal.objects.filter(status=ProposalStatus.PROPOSED, kind=ProposalKind.RELEASE)
        .select_related("tranche__grant__cluster").order_by("proposed_at")
    )
    releases = [f"{p.tranche.grant.cluster.name} {p.tranche.year}" for p in proposals]
    if releases:
        approver = (get_user_model().objects.filter(role=Role.HEAD_OF_OFFICE, is_active=True)
                    .order_by("username").values_list("username", flat=True).first())
        lines.append(_line(f"tranche to release ({approver or 'a head of office'} approves)",
                           releases))

    awards = (Grant.objects.filter(award_accepted_at__isnull=True, cases__case_type=CaseType.AWARD)
              .select_related("cluster").distinct().order_by("reference"))
    pending = [f"{g.reference} {g.cluster.name}{_login_of(g.cluster_id, directors)}" for g in awards]
    if pending:
        lines.append(_line("award letter to accept (/tilsagn/)", pending))

    evaluations = MidwayEvaluation.objects.select_related("grant__cluster").order_by(
        "grant__cluster__name")
    scoring = [e.grant.cluster.name for e in evaluations.filter(status=EvaluationStatus.SCORING)]
    if scoring:
        lines.append(_line("evaluation to score (the panel's caseworkers)", scoring))
    assessing = [f"{e.grant.cluster.name}{_login_of(e.grant.cluster_id, directors)}"
                 for e in evaluations.filter(status=EvaluationStatus.SELF_ASSESSMENT)]
    if assessing:
        lines.append(_line("self-assessment open", assessing))
    return lines
