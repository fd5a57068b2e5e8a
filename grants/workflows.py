"""The annual report's workflow as one table: (from, to) -> roles allowed to take the step."""

from klyngeadmin.constants import CLUSTER_ROLES, Role
from klyngeadmin.workflow import SYSTEM, Workflow, roles

from .constants import ReportStatus as S

CASEWORKERS = roles(Role.CASEWORKER, Role.HEAD_OF_OFFICE)

REPORT_WORKFLOW = Workflow(
    name="annual_report",
    states=tuple(S.values),
    transitions={
        (S.DRAFT, S.SUBMITTED): roles(CLUSTER_ROLES),
        (S.SUBMITTED, S.IN_REVIEW): roles(CASEWORKERS, SYSTEM),
        (S.IN_REVIEW, S.CHANGES_REQUESTED): CASEWORKERS,
        (S.CHANGES_REQUESTED, S.SUBMITTED): roles(CLUSTER_ROLES),
        (S.IN_REVIEW, S.APPROVED): CASEWORKERS,
        (S.DRAFT, S.CANCELLED): roles(SYSTEM),
        (S.CHANGES_REQUESTED, S.CANCELLED): roles(SYSTEM),
    },
)
