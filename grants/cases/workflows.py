"""The case workflow as one table: (from, to) -> roles allowed to take the step.

    new -> assigned -> in_progress <-> awaiting_cluster
                       in_progress -> decided -> closed

Caseworkers and the head of office handle cases (`is_caseworker`). The cluster (or the system, on its behalf)
moves a case back from awaiting_cluster to in_progress when it answers (resubmits the report).
Who may *approve* a proposal (head of office only, never the proposer) is checked by the
services in grants.cases.services, not by this table: approving is not a state step of the case itself.
"""

from grants.constants import CaseStatus as S
from klyngeadmin.kernel.predicates import (
    APPROVER_ROLES,
    CASEWORKER_ROLES,
    is_caseworker,
    is_cluster_user,
    is_system,
)
from klyngeadmin.kernel.workflow import Workflow

# The role sets of the predicates, for queries ("every active caseworker").
CASE_HANDLERS = CASEWORKER_ROLES
APPROVERS = APPROVER_ROLES
OPEN_STATES = (S.NEW, S.ASSIGNED, S.IN_PROGRESS, S.AWAITING_CLUSTER)
ACTIVE_STATES = (S.ASSIGNED, S.IN_PROGRESS, S.AWAITING_CLUSTER)

CASE_WORKFLOW = Workflow(
    name="case",
    states=tuple(S.values),
    transitions={
        (S.NEW, S.ASSIGNED): is_caseworker,
        (S.ASSIGNED, S.IN_PROGRESS): is_caseworker,
        (S.IN_PROGRESS, S.AWAITING_CLUSTER): is_caseworker,
        (S.AWAITING_CLUSTER, S.IN_PROGRESS): is_caseworker | is_cluster_user | is_system,
        (S.IN_PROGRESS, S.DECIDED): is_caseworker,
        (S.DECIDED, S.CLOSED): is_caseworker | is_system,
        # A case whose work is done without a decision of its own (a report approved when the
        # year's tranche was already released): grants.cases.services.case_close checks that.
        (S.IN_PROGRESS, S.CLOSED): is_caseworker,
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
