"""The annual report's, the tranche's and the tranche proposal's workflows, one table each:
(from, to) -> roles allowed to take the step. Services check the table before they change a
state column (grants.services.report_transition, grants.tranches); a CheckConstraint keeps each
state column to its states."""

from klyngeadmin.constants import CLUSTER_ROLES, Role
from klyngeadmin.workflow import SYSTEM, Workflow, roles

from .case_workflows import APPROVERS
from .constants import ProposalStatus as P
from .constants import ReportStatus as S
from .constants import TrancheStatus as T

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

# A tranche is paid once: released and cancelled are final. The head of office releases or
# cancels it by approving a proposal (four eyes, grants.cases); a withdrawal decided by the
# head of office cancels the tranches after the midway year.
TRANCHE_WORKFLOW = Workflow(
    name="tranche",
    states=tuple(T.values),
    transitions={
        (T.PLANNED, T.PROPOSED): CASEWORKERS,  # a release is proposed
        (T.PROPOSED, T.PLANNED): roles(APPROVERS, SYSTEM),  # the proposal rejected or closed
        (T.PROPOSED, T.RELEASED): APPROVERS,  # the release approved
        (T.PLANNED, T.CANCELLED): roles(APPROVERS, SYSTEM),  # a cancellation approved; withdrawal
        (T.PROPOSED, T.CANCELLED): roles(APPROVERS, SYSTEM),  # withdrawal
    },
)

# A proposal is decided once. A withdrawal closes the open ones (withdrawn), decided by nobody's
# four eyes: the grant itself is gone.
PROPOSAL_WORKFLOW = Workflow(
    name="tranche_proposal",
    states=tuple(P.values),
    transitions={
        (P.PROPOSED, P.APPROVED): APPROVERS,
        (P.PROPOSED, P.REJECTED): APPROVERS,
        (P.PROPOSED, P.WITHDRAWN): roles(APPROVERS, SYSTEM),
    },
)
