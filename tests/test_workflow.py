import pytest

from grants.constants import ReportStatus as S
from grants.reports.services import report_transition
from grants.reports.workflows import REPORT_WORKFLOW
from klyngeadmin.kernel.roles import Role
from klyngeadmin.kernel.workflow import SYSTEM, TransitionNotAllowed
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ALL_ROLES = [r.value for r in Role] + [SYSTEM]
ALL_PAIRS = [(a, b) for a in S.values for b in S.values if a != b]


def path_to(state):
    """The steps that bring a fresh draft to `state` (with roles allowed to take them)."""
    return {
        S.DRAFT: [],
        S.SUBMITTED: [(S.SUBMITTED, Role.DIRECTOR)],
        S.IN_REVIEW: [(S.SUBMITTED, Role.DIRECTOR), (S.IN_REVIEW, Role.CASEWORKER)],
        S.CHANGES_REQUESTED: [(S.SUBMITTED, Role.DIRECTOR), (S.IN_REVIEW, Role.CASEWORKER),
                              (S.CHANGES_REQUESTED, Role.CASEWORKER)],
        S.APPROVED: [(S.SUBMITTED, Role.DIRECTOR), (S.IN_REVIEW, Role.CASEWORKER),
                     (S.APPROVED, Role.CASEWORKER)],
        S.CANCELLED: [(S.CANCELLED, SYSTEM)],
    }[state]


def actor_for(role, cluster):
    if role == SYSTEM:
        return None
    if role in (Role.DIRECTOR, Role.CLUSTER_STAFF):
        return UserFactory(role=role, cluster=cluster)
    return UserFactory(role=role)


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize(("source", "target"), ALL_PAIRS)
def test_every_transition_for_every_role(grant, source, target, role):
    report = grant.reports.order_by("year").first()
    for step, step_role in path_to(source):
        report_transition(report=report, to=step, actor=actor_for(step_role, grant.cluster))
    report.refresh_from_db()
    assert report.status == source
    events_before = report.events.count()
    actor = actor_for(role, grant.cluster)
    if REPORT_WORKFLOW.is_allowed(source, target, role):
        report_transition(report=report, to=target, actor=actor, comment="ok")
        report.refresh_from_db()
        assert report.status == target
        event = report.events.order_by("-id").first()
        assert (event.from_status, event.to_status, event.actor) == (source, target, actor)
    else:
        with pytest.raises(TransitionNotAllowed):
            report_transition(report=report, to=target, actor=actor)
        report.refresh_from_db()
        assert report.status == source
        assert report.events.count() == events_before


def test_the_table_allows_exactly_the_designed_steps():
    assert REPORT_WORKFLOW.available(S.DRAFT, Role.DIRECTOR) == [S.SUBMITTED]
    assert REPORT_WORKFLOW.available(S.DRAFT, Role.CASEWORKER) == []
    assert set(REPORT_WORKFLOW.available(S.IN_REVIEW, Role.CASEWORKER)) == {S.CHANGES_REQUESTED, S.APPROVED}
    assert REPORT_WORKFLOW.available(S.APPROVED, Role.HEAD_OF_OFFICE) == []


def test_submit_completes_the_deadline(grant, director):
    report = grant.reports.order_by("year").first()
    report_transition(report=report, to=S.SUBMITTED, actor=director)
    report.deadline.refresh_from_db()
    assert report.deadline.completed_at is not None
    assert report.submitted_at is not None
