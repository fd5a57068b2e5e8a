"""Permissions for evaluations and the open call. Object-level rules take the evaluation (or
the panel member / application) as the object; views fetch through the scoped selectors first,
so another cluster's evaluation answers 404 before any of these is asked."""

import rules

from evaluations.constants import EvaluationStatus as S
from evaluations.midway.workflows import APPLICATION_WORKFLOW, MIDWAY_WORKFLOW
from grants.constants import ApplicationStatus
from klyngeadmin.kernel.predicates import (
    is_admin,
    is_applicant,
    is_authority,
    is_caseworker,
    is_cluster_user,
    is_own_cluster,
)


def _status_in(*states):
    @rules.predicate
    def check(user, evaluation) -> bool:
        return evaluation is not None and evaluation.status in states

    return check


@rules.predicate
def is_panel_member(user, evaluation) -> bool:
    panel = getattr(evaluation, "panel", None)
    return panel is not None and panel.members.filter(user_id=user.pk).exists()


@rules.predicate
def is_not_proposer(user, evaluation) -> bool:
    decision = getattr(evaluation, "decision", None)
    return decision is not None and decision.proposed_by_id != user.pk


can_view = is_authority | (is_cluster_user & is_own_cluster)

rules.add_perm("evaluations.list_midwayevaluations", is_authority | is_cluster_user)
rules.add_perm("evaluations.view_midwayevaluation", can_view)
# The workflow steps a page offers are the table's own guards (MIDWAY_WORKFLOW.step): the page
# and the service ask the same question. The system (None) is never a signed-in user.
rules.add_perm("evaluations.open_evaluation", MIDWAY_WORKFLOW.step(S.SCHEDULED, S.SELF_ASSESSMENT))
rules.add_perm(
    "evaluations.change_selfassessment", is_cluster_user & is_own_cluster & _status_in(S.SELF_ASSESSMENT)
)
rules.add_perm(
    "evaluations.view_selfassessment",
    is_authority | (is_cluster_user & is_own_cluster),
)
rules.add_perm(
    "evaluations.join_panel", is_caseworker & _status_in(S.SELF_ASSESSMENT, S.SCORING) & ~is_panel_member
)
rules.add_perm("evaluations.score", is_caseworker & is_panel_member & _status_in(S.SCORING))
rules.add_perm("evaluations.set_consensus", is_caseworker & is_panel_member & _status_in(S.CONSENSUS))
rules.add_perm("evaluations.propose_decision", MIDWAY_WORKFLOW.step(S.CONSENSUS, S.PROPOSED))
rules.add_perm(
    "evaluations.approve_decision", MIDWAY_WORKFLOW.step(S.PROPOSED, S.DECIDED) & is_not_proposer
)
rules.add_perm("evaluations.view_letter", can_view & _status_in(S.DECIDED))
rules.add_perm("evaluations.view_cohort", is_authority)
rules.add_perm("evaluations.manage_rubrics", is_admin)
rules.add_perm("evaluations.view_panel", is_authority)


# -- the open call --------------------------------------------------------------------------------


@rules.predicate
def owns_application(user, application) -> bool:
    proposal = getattr(application, "proposal", None)
    return proposal is not None and proposal.applicant.user_id == user.pk


@rules.predicate
def application_in_scoring(user, application) -> bool:
    return application is not None and application.status == ApplicationStatus.SCORING


@rules.predicate
def application_panel_member(user, application) -> bool:
    panel = getattr(application, "panel", None)
    return panel is not None and panel.members.filter(user_id=user.pk).exists()


rules.add_perm("evaluations.manage_calls", is_admin)
rules.add_perm("evaluations.apply", is_applicant)
rules.add_rule("evaluations.apply", is_applicant)  # for {% test_rule %} on the call page
rules.add_perm("evaluations.view_application", is_authority | owns_application)
rules.add_perm("evaluations.list_applications", is_authority)
# the applicant answers the hearing before a rejection (the service asks grants.cases.party too)
rules.add_perm("evaluations.answer_application_hearing", is_applicant & owns_application)
rules.add_perm("evaluations.join_application_panel",
               is_caseworker & application_in_scoring & ~application_panel_member)
rules.add_perm("evaluations.score_application", is_caseworker & application_panel_member & application_in_scoring)
# Proposing is not a state step (the application stays in scoring): a plain caseworker, as in
# MIDWAY_WORKFLOW's consensus -> proposed. Deciding is APPLICATION_WORKFLOW's scoring -> approved.
rules.add_perm("evaluations.propose_application",
               MIDWAY_WORKFLOW.guard(S.CONSENSUS, S.PROPOSED) & application_in_scoring)
rules.add_perm("evaluations.decide_application",
               APPLICATION_WORKFLOW.step(ApplicationStatus.SCORING, ApplicationStatus.APPROVED))
