import rules

from grants.constants import ReportStatus
from klyngeadmin.kernel.predicates import (
    is_authority,
    is_caseworker,
    is_cluster_user,
    is_director,
    is_head_of_office,
    is_own_cluster,
)

EDITABLE_REPORT_STATES = (ReportStatus.DRAFT, ReportStatus.CHANGES_REQUESTED)
# A submitted report's states: what the reported money figures count (the co-financing per grant
# krone, the midway evaluation's target attainment). A report enters or leaves them only through
# report_transition, which announces the change (figures_changed).
REPORTED_STATES = (ReportStatus.SUBMITTED, ReportStatus.IN_REVIEW, ReportStatus.APPROVED)


@rules.predicate
def report_is_editable(user, report) -> bool:
    return report is not None and report.status in EDITABLE_REPORT_STATES


@rules.predicate
def is_letter_applicant(user, letter) -> bool:
    """The letter is on the case of the user's own open-call application, whose party is the
    applicant (grants.cases.party; the rules sit below the cases package, so ask the ORM)."""
    case = getattr(letter, "case", None)
    application = case.application if case is not None and case.application_id else None
    proposal = getattr(application, "proposal", None)
    return proposal is not None and proposal.applicant.user_id == user.pk


@rules.predicate
def is_recipient(user, notification) -> bool:
    return notification is not None and notification.recipient_id == user.pk


rules.add_perm("grants.view_notification", rules.is_authenticated & is_recipient)
rules.add_perm("grants.change_notification", rules.is_authenticated & is_recipient)
rules.add_perm("grants.view_grant", is_authority | (is_cluster_user & is_own_cluster))
rules.add_perm("grants.view_annualreport", is_authority | (is_cluster_user & is_own_cluster))
rules.add_perm("grants.change_annualreport", is_cluster_user & is_own_cluster & report_is_editable)
rules.add_perm("grants.submit_annualreport", is_cluster_user & is_own_cluster & report_is_editable)
rules.add_perm("grants.review_annualreport", is_caseworker)
rules.add_perm("grants.request_extension", is_director & is_own_cluster)

# Cases: only caseworkers and the head of office see and handle cases; the head of office
# approves proposals (four eyes, checked again in the services); the cluster sees its own
# messages and decision letters, never internal notes.
rules.add_perm("grants.view_case", is_caseworker)
# Rules as well as permissions, for templates ({% test_rule %}): Django grants every permission
# to a superuser, so `{% has_perm %}` would show an administrator links that answer 404.
rules.add_rule("grants.view_case", is_caseworker)
rules.add_rule("grants.view_cluster_cases", is_cluster_user)
rules.add_rule("grants.request_extension", is_director & is_own_cluster)
rules.add_perm("grants.handle_case", is_caseworker)
rules.add_perm("grants.approve_proposal", is_head_of_office)
rules.add_perm("grants.view_cluster_cases", is_cluster_user)
rules.add_perm("grants.accept_award", is_director & is_own_cluster)
rules.add_perm("grants.view_decisionletter",
               is_caseworker | (is_cluster_user & is_own_cluster) | is_letter_applicant)
rules.add_perm("grants.view_grant_overview", is_caseworker)
rules.add_perm("grants.propose_amendment", is_caseworker)
rules.add_perm("grants.view_amendment", is_caseworker)

# Outcomes in companies (grants/outcomes/): Danmarks Statistik's effect measurement is loaded
# and read by caseworkers.
rules.add_perm("grants.load_effect_measurements", is_caseworker)
