"""Every write to grants goes through a function here: one transaction, one audit row."""

from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from clusters.models import ClusterOrganisation
from klyngeadmin.workflow import SYSTEM

from .constants import (
    PROGRAMME_MIDWAY_YEAR,
    DeadlineKind,
    Funder,
    GrantType,
    ReportStatus,
)
from .models import AnnualReport, Application, Deadline, Grant, ReportEvent, Tranche
from .workflows import REPORT_WORKFLOW

CPH = ZoneInfo("Europe/Copenhagen")


def local_deadline(year: int, month: int, day: int, at: time = time(23, 59)) -> datetime:
    """A due time on a Danish calendar day (Europe/Copenhagen), stored as an aware datetime."""
    return datetime(year, month, day, at.hour, at.minute, tzinfo=CPH)


def report_due_at(report_year: int) -> datetime:
    """The annual report for a year is due on 31 March the following year."""
    return local_deadline(report_year + 1, 3, 31)


@dataclass(frozen=True)
class MidwaySchedule:
    year: int
    self_assessment_due_at: datetime
    scoring_due_at: datetime
    decision_effective_year: int


def midway_schedule(*, start_year: int, midway_year: int) -> MidwaySchedule:
    """Year 5 of a grant from 2025 is 2029: self-assessment by 1 September, scoring by
    1 November, and the decision takes effect from year 6 (2030)."""
    year = start_year + midway_year - 1
    return MidwaySchedule(
        year=year,
        self_assessment_due_at=local_deadline(year, 9, 1),
        scoring_due_at=local_deadline(year, 11, 1),
        decision_effective_year=year + 1,
    )


def _deadline(*, kind, subject, cluster, due_at) -> Deadline:
    return Deadline(kind=kind, subject=subject, cluster=cluster, due_at=due_at, original_due_at=due_at)


@transaction.atomic
def grant_create(
    *,
    cluster: ClusterOrganisation,
    reference: str,
    start_year: int,
    horizon_years: int,
    annual_amount_dkk: int,
    funder: str = Funder.ERST,
    grant_type: str = GrantType.CLUSTER_PROGRAMME,
    midway_year: int | None = PROGRAMME_MIDWAY_YEAR,
    application: Application | None = None,
) -> Grant:
    """Create a grant and lay out its whole life as rows: one tranche and one annual-report
    obligation (with its deadline) per grant year and, where the grant has a midway year, the
    midway evaluation with its deadlines."""
    from evaluations.models import MidwayEvaluation

    grant = Grant.objects.create(
        cluster=cluster,
        reference=reference,
        funder=funder,
        grant_type=grant_type,
        start_year=start_year,
        horizon_years=horizon_years,
        midway_year=midway_year,
        annual_amount_dkk=annual_amount_dkk,
        application=application,
    )
    years = range(1, horizon_years + 1)
    Tranche.objects.bulk_create(
        Tranche(grant=grant, year_number=n, year=grant.calendar_year(n), amount_dkk=annual_amount_dkk)
        for n in years
    )
    deadlines = Deadline.objects.bulk_create(
        _deadline(
            kind=DeadlineKind.ANNUAL_REPORT,
            subject=f"Årsrapport {grant.calendar_year(n)} – {cluster.name}",
            cluster=cluster,
            due_at=report_due_at(grant.calendar_year(n)),
        )
        for n in years
    )
    AnnualReport.objects.bulk_create(
        AnnualReport(grant=grant, year_number=n, year=grant.calendar_year(n), deadline=d)
        for n, d in zip(years, deadlines, strict=True)
    )
    if midway_year:
        plan = midway_schedule(start_year=start_year, midway_year=midway_year)
        self_assessment, scoring = Deadline.objects.bulk_create(
            [
                _deadline(
                    kind=DeadlineKind.SELF_ASSESSMENT,
                    subject=f"Selvevaluering {plan.year} – {cluster.name}",
                    cluster=cluster,
                    due_at=plan.self_assessment_due_at,
                ),
                _deadline(
                    kind=DeadlineKind.SCORING,
                    subject=f"Bedømmelse af midtvejsevaluering {plan.year} – {cluster.name}",
                    cluster=cluster,
                    due_at=plan.scoring_due_at,
                ),
            ]
        )
        MidwayEvaluation.objects.create(
            grant=grant,
            year=plan.year,
            self_assessment_deadline=self_assessment,
            scoring_deadline=scoring,
            decision_effective_year=plan.decision_effective_year,
        )
    return grant


def actor_role(actor) -> str:
    return SYSTEM if actor is None else actor.role


@transaction.atomic
def report_transition(
    *, report: AnnualReport, to: str, actor=None, comment: str = "", at: datetime | None = None
) -> AnnualReport:
    """Move a report along its workflow (REPORT_WORKFLOW), under a row lock, writing the event.

    Raises TransitionNotAllowed when the step is not in the table for the actor's role.
    `at` backdates the step (imports of historical data and the demo data only)."""
    locked = AnnualReport.objects.select_for_update().select_related("deadline").get(pk=report.pk)
    source = locked.status
    REPORT_WORKFLOW.check(source, to, actor_role(actor))
    now = at or timezone.now()
    locked.status = to
    locked.version += 1
    fields = ["status", "version", "updated_at"]
    if to == ReportStatus.SUBMITTED:
        locked.submitted_at = now
        fields.append("submitted_at")
        if locked.deadline.completed_at is None:
            Deadline.objects.filter(pk=locked.deadline_id).update(completed_at=now)
    elif to == ReportStatus.APPROVED:
        locked.approved_at = now
        fields.append("approved_at")
    elif to == ReportStatus.CANCELLED:
        Deadline.objects.filter(pk=locked.deadline_id).update(cancelled_at=now)
    locked.save(update_fields=fields)
    ReportEvent.objects.create(
        report=locked, actor=actor, from_status=source, to_status=to, comment=comment, created_at=now
    )
    report.__dict__.update({f: getattr(locked, f) for f in fields})
    return locked
