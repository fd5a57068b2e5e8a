"""The annual report's, the tranche's and the tranche proposal's workflows, one table each:
(from, to) -> the guard (who may take the step). Services check the table before they change a
state column (grants.services.report_transition, grants.cases.tranches); a CheckConstraint keeps each
state column to its states."""

from grants.constants import ProposalStatus as P
from grants.constants import ReportStatus as S
from grants.constants import TrancheStatus as T
from klyngeadmin.kernel.predicates import (
    is_caseworker,
    is_cluster_user,
    is_head_of_office,
    is_system,
)
from klyngeadmin.kernel.workflow import Workflow

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

# A tranche is paid once: released and cancelled are final. The head of office releases or
# cancels it by approving a proposal (four eyes, grants.cases.services); a withdrawal decided by the
# head of office cancels the tranches after the midway year.
TRANCHE_WORKFLOW = Workflow(
    name="tranche",
    states=tuple(T.values),
    transitions={
        (T.PLANNED, T.PROPOSED): is_caseworker,  # a release is proposed
        (T.PROPOSED, T.PLANNED): is_head_of_office | is_system,  # the proposal rejected or closed
        (T.PROPOSED, T.RELEASED): is_head_of_office,  # the release approved
        (T.PLANNED, T.CANCELLED): is_head_of_office | is_system,  # a cancellation approved; withdrawal
        (T.PROPOSED, T.CANCELLED): is_head_of_office | is_system,  # withdrawal
    },
)

# A proposal is decided once. A withdrawal closes the open ones (withdrawn), decided by nobody's
# four eyes: the grant itself is gone.
PROPOSAL_WORKFLOW = Workflow(
    name="tranche_proposal",
    states=tuple(P.values),
    transitions={
        (P.PROPOSED, P.APPROVED): is_head_of_office,
        (P.PROPOSED, P.REJECTED): is_head_of_office,
        (P.PROPOSED, P.WITHDRAWN): is_head_of_office | is_system,
    },
)
