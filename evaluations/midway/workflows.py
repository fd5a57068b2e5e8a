"""The midway evaluation's workflow as one table: (from, to) -> the guard (who may take the step).

scheduled -> self_assessment -> scoring -> consensus -> proposed -> decided, and a head of
office may send a proposal back to consensus (proposed -> consensus)."""

from evaluations.constants import EvaluationStatus as S
from grants.constants import ApplicationStatus as A
from klyngeadmin.kernel.predicates import (
    is_admin,
    is_applicant,
    is_caseworker,
    is_cluster_user,
    is_head_of_office,
    is_plain_caseworker,
    is_system,
)
from klyngeadmin.kernel.workflow import Workflow

MIDWAY_WORKFLOW = Workflow(
    name="midway_evaluation",
    states=tuple(S.values),
    transitions={
        # The authority opens the evaluation (the rubric is fixed and the panel set up).
        (S.SCHEDULED, S.SELF_ASSESSMENT): is_caseworker | is_admin | is_system,
        # The cluster submits its self-assessment; after the deadline the caseworker may move on.
        (S.SELF_ASSESSMENT, S.SCORING): is_cluster_user | is_caseworker | is_system,
        # When the last panel member has submitted (at least two): automatic.
        (S.SCORING, S.CONSENSUS): is_system,
        # A caseworker proposes the decision (after consensus on every criterion).
        (S.CONSENSUS, S.PROPOSED): is_plain_caseworker,
        # The head of office approves (never the proposer: checked in the service and the DB) …
        (S.PROPOSED, S.DECIDED): is_head_of_office,
        # … or sends the proposal back.
        (S.PROPOSED, S.CONSENSUS): is_head_of_office,
    },
)

# The open call: the applicant submits (draft -> scoring: the panel starts at once); the head of
# office decides on the caseworker's proposal (four eyes, checked in the service).
APPLICATION_WORKFLOW = Workflow(
    name="application",
    states=tuple(A),
    transitions={
        (A.DRAFT, A.SCORING): is_applicant,
        (A.SCORING, A.APPROVED): is_head_of_office,
        (A.SCORING, A.REJECTED): is_head_of_office,
    },
)
