"""A withdrawal after the midway evaluation goes through the grants rules (issue 13, finding
3): tranches after the midway year cancelled by their transition table, open proposals closed,
the grant and the cluster withdrawn, each step with its event naming who decided; and no
door pays a tranche twice or pays on a withdrawn grant."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from clusters.constants import ClusterStatus, DataEventAction
from clusters.models import ClusterDataEvent
from evaluations.midway.services import decision_approve
from grants.cases import proposals
from grants.cases import services as cases
from grants.cases.models import CaseEvent, Disbursement, TrancheProposal
from grants.constants import CaseEventKind, GrantStatus, ProposalStatus, ReportStatus, TrancheStatus
from grants.core.models import Tranche
from klyngeadmin.kernel.roles import Role
from klyngeadmin.kernel.workflow import SYSTEM, TransitionNotAllowed
from tests.builders import release_proposal
from tests.grants.case_fixtures import media_root  # noqa: F401 (decision letters are stored)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]


@pytest.fixture
def open_proposal(grant, director, caseworker):
    return release_proposal(grant, director, caseworker, year=2025)


def test_withdrawal_cascades_through_the_grants_services(proposed, open_proposal, head_of_office):
    from grants.core.models import GrantEvent  # new with the fix; imported here so the other tests
    # of this file run (and fail) on the code before it

    grant = proposed.grant
    decision_approve(evaluation=proposed, actor=head_of_office)
    grant.refresh_from_db()
    grant.cluster.refresh_from_db()
    assert grant.status == GrantStatus.WITHDRAWN and grant.cluster.status == ClusterStatus.WITHDRAWN

    # The open proposal is closed by its own transition, with an event in its case.
    open_proposal.refresh_from_db()
    assert open_proposal.status == ProposalStatus.WITHDRAWN
    assert open_proposal.decided_by == head_of_office and open_proposal.decided_at is not None
    assert CaseEvent.objects.filter(case=open_proposal.case, kind=CaseEventKind.PROPOSAL,
                                    actor=head_of_office, text__contains="tilbagekaldt").exists()
    year_1 = Tranche.objects.get(pk=open_proposal.tranche_id)
    assert year_1.status == TrancheStatus.PLANNED  # proposed -> planned: nothing is paid

    # Years 6-10 cancelled one by one through the tranche table, each with its event.
    cancelled = grant.tranches.filter(year_number__gt=5)
    assert set(cancelled.values_list("status", flat=True)) == {TrancheStatus.CANCELLED}
    events = GrantEvent.objects.filter(grant=grant, tranche__in=cancelled)
    assert sorted(e.tranche.year_number for e in events) == [6, 7, 8, 9, 10]
    assert {(e.from_status, e.to_status, e.actor) for e in events} == {
        (TrancheStatus.PLANNED, TrancheStatus.CANCELLED, head_of_office)}
    assert GrantEvent.objects.filter(grant=grant, tranche=year_1, from_status=TrancheStatus.PROPOSED,
                                     to_status=TrancheStatus.PLANNED, actor=head_of_office).exists()

    # The grant's and the cluster's status changes are recorded too.
    assert GrantEvent.objects.filter(grant=grant, tranche=None, from_status=GrantStatus.ACTIVE,
                                     to_status=GrantStatus.WITHDRAWN, actor=head_of_office).exists()
    assert ClusterDataEvent.objects.filter(
        cluster=grant.cluster, object_type="clusterorganisation", object_id=grant.cluster_id,
        action=DataEventAction.UPDATED, actor=head_of_office).exists()
    reports = {r.year_number: r.status for r in grant.reports.all()}
    assert all(reports[n] == ReportStatus.CANCELLED for n in range(6, 11))


def test_no_disbursement_on_a_withdrawn_grant(proposed, open_proposal, head_of_office, caseworker2):
    decision_approve(evaluation=proposed, actor=head_of_office)
    another_head = caseworker2
    another_head.role = Role.HEAD_OF_OFFICE
    another_head.save(update_fields=["role"])
    with pytest.raises((cases.CaseActionError, TransitionNotAllowed)):
        proposals.tranche_proposal_approve(proposal=open_proposal, actor=another_head)
    assert not Disbursement.objects.exists()
    assert not Tranche.objects.filter(grant=proposed.grant, status=TrancheStatus.RELEASED).exists()


def test_an_open_proposal_on_a_withdrawn_grant_cannot_be_approved(grant, open_proposal, head_of_office):
    """Another door to the withdrawal (the admin, a script) that left the proposal open: the
    approval itself refuses to pay on a withdrawn grant."""
    type(grant).objects.filter(pk=grant.pk).update(status=GrantStatus.WITHDRAWN)
    with pytest.raises((cases.CaseActionError, TransitionNotAllowed)):
        proposals.tranche_proposal_approve(proposal=open_proposal, actor=head_of_office)
    assert not Disbursement.objects.exists()


def test_a_released_tranche_cannot_be_released_again(grant, open_proposal, head_of_office):
    # The tranche was released by another door meanwhile (the admin's tranche inline, a script).
    Tranche.objects.filter(pk=open_proposal.tranche_id).update(
        status=TrancheStatus.RELEASED, released_on=open_proposal.pay_on)
    with pytest.raises((cases.CaseActionError, TransitionNotAllowed)):
        proposals.tranche_proposal_approve(proposal=open_proposal, actor=head_of_office)
    assert not Disbursement.objects.exists()
    open_proposal.refresh_from_db()
    assert open_proposal.status == ProposalStatus.PROPOSED


def test_the_tranche_and_proposal_tables():
    from grants.reports.workflows import PROPOSAL_WORKFLOW, TRANCHE_WORKFLOW

    assert not TRANCHE_WORKFLOW.is_allowed(TrancheStatus.RELEASED, TrancheStatus.RELEASED, Role.HEAD_OF_OFFICE)
    assert not TRANCHE_WORKFLOW.is_allowed(TrancheStatus.PLANNED, TrancheStatus.RELEASED, Role.HEAD_OF_OFFICE)
    assert not TRANCHE_WORKFLOW.is_allowed(TrancheStatus.PROPOSED, TrancheStatus.RELEASED, Role.CASEWORKER)
    assert TRANCHE_WORKFLOW.is_allowed(TrancheStatus.PROPOSED, TrancheStatus.RELEASED, Role.HEAD_OF_OFFICE)
    assert TRANCHE_WORKFLOW.available(TrancheStatus.RELEASED, SYSTEM) == []
    assert TRANCHE_WORKFLOW.available(TrancheStatus.CANCELLED, SYSTEM) == []
    for state in (ProposalStatus.APPROVED, ProposalStatus.REJECTED, ProposalStatus.WITHDRAWN):
        assert PROPOSAL_WORKFLOW.available(state, Role.HEAD_OF_OFFICE) == []
        assert PROPOSAL_WORKFLOW.available(state, SYSTEM) == []


def test_the_database_keeps_the_state_columns_valid(open_proposal):
    with pytest.raises(IntegrityError), transaction.atomic():
        Tranche.objects.filter(pk=open_proposal.tranche_id).update(status="paid_twice")
    with pytest.raises(IntegrityError), transaction.atomic():
        TrancheProposal.objects.filter(pk=open_proposal.pk).update(status="closed")


def test_the_case_page_refuses_payment_on_a_withdrawn_grant(client, proposed, open_proposal,
                                                            head_of_office, caseworker2):
    """The browser door: the head of office's "approve the proposal" button on the case page."""
    decision_approve(evaluation=proposed, actor=head_of_office)
    caseworker2.role = Role.HEAD_OF_OFFICE
    caseworker2.save(update_fields=["role"])
    case = open_proposal.case
    case.refresh_from_db()
    client.force_login(caseworker2)
    response = client.post(reverse("cases:action", args=[case.journal_number, "godkend-indstilling"]),
                           {"godkend-indstilling-version": case.version}, follow=True)
    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"]]
    assert any("ingen indstilling" in m or "tilbagekaldt" in m for m in shown), shown
    assert not Disbursement.objects.exists()
