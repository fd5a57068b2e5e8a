"""The annual report's workflow as one table: (from, to) -> the guard (who may take the step)."""

from klyngeadmin.predicates import is_caseworker, is_cluster_user, is_system
from klyngeadmin.workflow import Workflow

from .constants import ReportStatus as S

REPORT_WORKFLOW = Workflow(
    name="annual_report",
    states=tuple(S.values),
    transitions={
        (S.DRAFT, S.SUBMITTED): is_cluster_user,
        (S.SUBMITTED, S.IN_REVIEW): is_caseworker | is_system,
        (S.IN_REVIEW, S.CHANGES_REQUESTED): is_caseworker,
        (S.CHANGES_REQUESTED, S.SUBMITTED): is_cluster_user,
        (S.IN_REVIEW, S.APPROVED): is_caseworker,
        (S.DRAFT, S.CANCELLED): is_system,
        (S.CHANGES_REQUESTED, S.CANCELLED): is_system,
    },
)
