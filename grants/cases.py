"""Case services: opening a case with its journal number and handling deadline."""

from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from clusters.models import ClusterOrganisation

from .constants import CaseEventKind, CaseStatus, CaseType, DeadlineKind
from .models import Case, CaseEvent, Deadline

CASE_HANDLING_DAYS = 30


def next_journal_number(year: int) -> str:
    """`YYYY-NNNNNN`, sequential per year. The counter row is updated under its row lock, so
    concurrent openings get distinct numbers; a rolled-back opening leaves no gap in use."""
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO grants_journalcounter (year, last) VALUES (%s, 1) "
            "ON CONFLICT (year) DO UPDATE SET last = grants_journalcounter.last + 1 "
            "RETURNING last",
            [year],
        )
        (number,) = cur.fetchone()
    return f"{year:04d}-{number:06d}"


@transaction.atomic
def case_open(
    *,
    case_type: str,
    subject: str,
    cluster: ClusterOrganisation | None,
    actor=None,
    handling_days: int = CASE_HANDLING_DAYS,
    **subject_objects,
) -> Case:
    """Open a case for a report, extension, application or evaluation (passed by keyword:
    report=, extension=, application=, evaluation=)."""
    assert case_type in CaseType.values
    now = timezone.now()
    due = now + timedelta(days=handling_days)
    deadline = Deadline.objects.create(
        kind=DeadlineKind.CASE_HANDLING, subject=f"Sagsbehandling: {subject}", cluster=cluster,
        due_at=due, original_due_at=due,
    )
    case = Case.objects.create(
        journal_number=next_journal_number(timezone.localdate(now).year),
        case_type=case_type, subject=subject, cluster=cluster, deadline=deadline,
        status=CaseStatus.NEW, **subject_objects,
    )
    CaseEvent.objects.create(
        case=case, actor=actor, kind=CaseEventKind.OPENED, to_status=CaseStatus.NEW, text=subject
    )
    return case
