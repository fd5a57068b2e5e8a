"""The midway evaluation's workflow as one table: (from, to) -> roles allowed to take the step.

scheduled -> self_assessment -> scoring -> consensus -> proposed -> decided, and a head of
office may send a proposal back to consensus (proposed -> consensus)."""

from grants.constants import ApplicationStatus as A
from klyngeadmin.constants import CLUSTER_ROLES, Role
from klyngeadmin.workflow import SYSTEM, Workflow, roles

from .constants import EvaluationStatus as S

CASEWORKERS = roles(Role.CASEWORKER, Role.HEAD_OF_OFFICE)

MIDWAY_WORKFLOW = Workflow(
    name="midway_evaluation",
    states=tuple(S.values),
    transitions={
        # The authority opens the evaluation (the rubric is fixed and the panel set up).
        (S.SCHEDULED, S.SELF_ASSESSMENT): roles(CASEWORKERS, Role.ADMIN, SYSTEM),
        # The cluster submits its self-assessment; after the deadline the caseworker may move on.
        (S.SELF_ASSESSMENT, S.SCORING): roles(CLUSTER_ROLES, CASEWORKERS, SYSTEM),
        # When the last panel member has submitted (at least two): automatic.
        (S.SCORING, S.CONSENSUS): roles(SYSTEM),
        # A caseworker proposes the decision (after consensus on every criterion).
        (S.CONSENSUS, S.PROPOSED): roles(Role.CASEWORKER),
        # The head of office approves (never the proposer: checked in the service and the DB) …
        (S.PROPOSED, S.DECIDED): roles(Role.HEAD_OF_OFFICE),
        # … or sends the proposal back.
        (S.PROPOSED, S.CONSENSUS): roles(Role.HEAD_OF_OFFICE),
    },
)

# The open call: the applicant submits (draft -> scoring: the panel starts at once); the head of
# office decides on the caseworker's proposal (four eyes, checked in the service).
APPLICATION_WORKFLOW = Workflow(
    name="application",
    states=tuple(A),
    transitions={
        (A.DRAFT, A.SCORING): roles(Role.APPLICANT),
        (A.SCORING, A.APPROVED): roles(Role.HEAD_OF_OFFICE),
        (A.SCORING, A.REJECTED): roles(Role.HEAD_OF_OFFICE),
    },
)
