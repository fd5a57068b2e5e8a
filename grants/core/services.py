from dataclasses import dataclass
from datetime import datetime, time

from grants.deadlines.models import Deadline
from klyngeadmin.kernel.localtime import COPENHAGEN as CPH


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

