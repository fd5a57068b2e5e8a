"""Withdrawing a grant (tilbagekaldelse): each step through its own service and with its
event. Called by the midway decision (evaluations.midway.services) and by a conditions case
whose conditions were found not met (grants.cases.conditions), each after its hearing."""

from __future__ import annotations

from django.db import transaction

from clusters.constants import ClusterStatus
from clusters.services import cluster_status_set
from grants.cases.models import TrancheProposal
from grants.cases.proposals import proposal_close
from grants.cases.tranches import grant_status_set, tranche_transition
from grants.constants import GrantStatus, ProposalStatus, ReportStatus, TrancheStatus
from grants.core.models import Grant, Tranche
from grants.reports.models import AnnualReport
from grants.reports.services import report_transition


@transaction.atomic
def grant_withdraw(*, grant: Grant, actor, after_year: int, reason: str) -> None:
    """Decided by `actor` (the head of office): every open tranche proposal of the grant is
    closed (no payment on a withdrawn grant; a proposed tranche returns to planned), the
    tranches after `after_year` are cancelled through the tranche table, the annual-report
    obligations after it through the report workflow (SYSTEM role), and the grant and the
    cluster are marked withdrawn."""
    for proposal in TrancheProposal.objects.filter(
        tranche__grant=grant, status=ProposalStatus.PROPOSED
    ).order_by("pk"):
        proposal_close(proposal=proposal, actor=actor, reason=reason)
    for tranche in Tranche.objects.filter(
        grant=grant, year_number__gt=after_year,
        status__in=[TrancheStatus.PLANNED, TrancheStatus.PROPOSED],
    ).order_by("year_number"):
        tranche_transition(tranche=tranche, to=TrancheStatus.CANCELLED, actor=actor, text=reason)
    reports = AnnualReport.objects.filter(grant=grant, year_number__gt=after_year).exclude(
        status__in=[ReportStatus.CANCELLED, ReportStatus.APPROVED]
    )
    for report in reports:
        report_transition(report=report, to=ReportStatus.CANCELLED, actor=None, comment=reason)
    grant_status_set(grant=grant, to=GrantStatus.WITHDRAWN, actor=actor, text=reason)
    cluster_status_set(cluster_id=grant.cluster_id, actor=actor, to=ClusterStatus.WITHDRAWN,
                       reason=reason)
