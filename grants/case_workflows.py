"""The case workflow as one table: (from, to) -> roles allowed to take the step.

    new -> assigned -> in_progress <-> awaiting_cluster
                       in_progress -> decided -> closed

Caseworkers and the head of office handle cases. The cluster (or the system, on its behalf)
moves a case back from awaiting_cluster to in_progress when it answers (resubmits the report).
Who may *approve* a proposal (head of office only, never the proposer) is checked by the
services in grants.cases, not by this table: approving is not a state step of the case itself.
"""

from klyngeadmin.constants import CLUSTER_ROLES, Role
from klyngeadmin.workflow import SYSTEM, Workflow, roles

from .constants import CaseStatus as S

CASE_HANDLERS = roles(Role.CASEWORKER, Role.HEAD_OF_OFFICE)
APPROVERS = roles(Role.HEAD_OF_OFFICE)
OPEN_STATES = (S.NEW, S.ASSIGNED, S.IN_PROGRESS, S.AWAITING_CLUSTER)
ACTIVE_STATES = (S.ASSIGNED, S.IN_PROGRESS, S.AWAITING_CLUSTER)

CASE_WORKFLOW = Workflow(
    name="case",
    states=tuple(S.values),
    transitions={
        (S.NEW, S.ASSIGNED): CASE_HANDLERS,
        (S.ASSIGNED, S.IN_PROGRESS): CASE_HANDLERS,
        (S.IN_PROGRESS, S.AWAITING_CLUSTER): CASE_HANDLERS,
        (S.AWAITING_CLUSTER, S.IN_PROGRESS): roles(CASE_HANDLERS, CLUSTER_ROLES, SYSTEM),
        (S.IN_PROGRESS, S.DECIDED): CASE_HANDLERS,
        (S.DECIDED, S.CLOSED): roles(CASE_HANDLERS, SYSTEM),
    },
)

# Steps a person starts with the generic "change status" form. The others happen inside a
# service that does more (taking a case assigns it; requesting changes reopens the report;
# a decision decides the case).
MANUAL_TRANSITIONS = {
    (S.ASSIGNED, S.IN_PROGRESS),
    (S.AWAITING_CLUSTER, S.IN_PROGRESS),
    (S.DECIDED, S.CLOSED),
}
