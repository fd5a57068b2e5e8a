"""The award letter (tilsagnsbrev): issued with its case and PDF, accepted by the cluster's
director only (who and when, with the audit events), and no tranche proposed or released
before - in the services and, with the services bypassed, in the database."""

from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction

from grants.cases import proposals
from grants.cases.award import (
    AwardNotAcceptable,
    award_accept,
    award_letter,
    award_letter_context,
    award_letter_issue,
)
from grants.cases.models import Case, CaseEvent, LetterDelivery, RecordsFiling
from grants.cases.services import CaseActionError
from grants.cases.tranches import AwardNotAccepted, tranche_transition
from grants.constants import CaseStatus, CaseType, LetterKind, TrancheStatus
from grants.core.models import GrantEvent, Tranche
from klyngeadmin.kernel.roles import Role
from tests.builders import approved_report_case
from tests.factories import UserFactory


@pytest.fixture
def issued(pending_grant, caseworker, media_root):
    return award_letter_issue(grant=pending_grant, actor=caseworker)


def test_issue_opens_an_award_case_with_the_pdf_and_queues_it(issued, pending_grant, director):
    case = issued.case
    assert case.case_type == CaseType.AWARD and case.grant_id == pending_grant.pk
    assert case.status == CaseStatus.AWAITING_CLUSTER
    assert issued.kind == LetterKind.AWARD
    assert issued.file.read(5) == b"%PDF-"
    delivery = LetterDelivery.objects.get(letter=issued)
    assert delivery.recipient_cvr == pending_grant.cluster.cvr
    assert RecordsFiling.objects.filter(source_key=f"letter:{issued.pk}").exists()
    assert RecordsFiling.objects.filter(source_key=f"case:{case.pk}").exists()
    assert award_letter(pending_grant) == issued
    pending_grant.refresh_from_db()
    assert pending_grant.award_accepted_at is None


def test_the_letter_context_lists_every_year_and_the_reporting_duties(pending_grant):
    context = award_letter_context(pending_grant)
    assert [t["year"] for t in context["tranches"]] == list(range(2025, 2035))
    assert context["total_dkk"] == 10 * 10_000_000
    assert [r["year"] for r in context["reporting_duties"]] == list(range(2025, 2035))
    assert context["midway_calendar_year"] == 2029
    assert context["targets"] == [] and context["budget"] == []


def test_the_letter_states_the_targets_where_set(pending_grant, caseworker):
    from grants.targets.services import targets_set_at_award

    targets_set_at_award(grant=pending_grant, actor=caseworker, rows=[
        {"year_number": n, "indicator": "companies", "target": 100 + 10 * n} for n in (1, 2)]
        + [{"year_number": 1, "indicator": "leverage", "target": "1.5"}])
    assert award_letter_context(pending_grant)["targets"] == [
        "Deltagende virksomheder – år 1: 110, år 2: 120",
        "Gearing (ekstern finansiering pr. bevillingskrone) – år 1: 1,50",
    ]


def test_the_letter_states_the_budget_where_set(pending_grant, caseworker):
    from tests.budgets.helpers import budget_grant

    budget_grant(pending_grant, caseworker, years=(1, 2))
    budget = award_letter_context(pending_grant)["budget"]
    assert budget == [
        "2025 (år 1): budgetterede omkostninger 10.500.000 kr., heraf finansieret af bevillingen 4.500.000 kr.",
        "2026 (år 2): budgetterede omkostninger 10.500.000 kr., heraf finansieret af bevillingen 4.500.000 kr.",
    ]


def test_issue_twice_is_refused(issued, pending_grant, caseworker):
    with pytest.raises(CaseActionError, match="allerede udsendt"):
        award_letter_issue(grant=pending_grant, actor=caseworker)


def test_only_a_caseworker_issues(pending_grant, director):
    with pytest.raises(CaseActionError):
        award_letter_issue(grant=pending_grant, actor=director)
    assert not Case.objects.filter(case_type=CaseType.AWARD).exists()


def test_director_accepts_who_and_when_with_events(issued, pending_grant, director):
    award_accept(grant=pending_grant, actor=director)
    pending_grant.refresh_from_db()
    assert pending_grant.award_accepted_by == director
    assert pending_grant.award_accepted_at is not None
    assert GrantEvent.objects.filter(grant=pending_grant, actor=director,
                                     text__contains="accepteret").exists()
    case = Case.objects.get(pk=issued.case_id)
    assert case.status == CaseStatus.IN_PROGRESS
    assert CaseEvent.objects.filter(case=case, actor=director, kind="note", internal=False,
                                    text__contains="accepteret").exists()
    with pytest.raises(AwardNotAcceptable, match="allerede accepteret"):
        award_accept(grant=pending_grant, actor=director)


@pytest.mark.parametrize("role", [Role.CLUSTER_STAFF, Role.CASEWORKER, Role.HEAD_OF_OFFICE])
def test_nobody_but_the_director_accepts(issued, pending_grant, cluster, role):
    actor = UserFactory(role=role, cluster=cluster if role == Role.CLUSTER_STAFF else None)
    with pytest.raises(AwardNotAcceptable):
        award_accept(grant=pending_grant, actor=actor)
    pending_grant.refresh_from_db()
    assert pending_grant.award_accepted_at is None


def test_another_clusters_director_cannot_accept(issued, pending_grant, other_director):
    with pytest.raises(AwardNotAcceptable):
        award_accept(grant=pending_grant, actor=other_director)


def test_accept_needs_an_issued_letter(pending_grant, director):
    with pytest.raises(AwardNotAcceptable, match="endnu ikke sendt"):
        award_accept(grant=pending_grant, actor=director)


def test_no_release_proposal_before_acceptance(issued, pending_grant, director, caseworker):
    case = approved_report_case(pending_grant, director, caseworker, 2025)
    with pytest.raises(CaseActionError, match="ikke accepteret"):
        proposals.tranche_propose_release(case=case, actor=caseworker, amount_dkk=1_000_000,
                                          pay_on=date.today() + timedelta(days=5))
    assert Tranche.objects.get(grant=pending_grant, year=2025).status == TrancheStatus.PLANNED
    award_accept(grant=pending_grant, actor=director)
    proposal = proposals.tranche_propose_release(case=case, actor=caseworker, amount_dkk=1_000_000,
                                                 pay_on=date.today() + timedelta(days=5))
    assert proposal.tranche.status == TrancheStatus.PROPOSED


def test_a_cancellation_does_not_need_acceptance(pending_grant, director, caseworker):
    case = approved_report_case(pending_grant, director, caseworker, 2025)
    proposals.tranche_propose_cancellation(case=case, actor=caseworker, reason="Ophører")


def test_the_tranche_service_refuses_too(pending_grant, caseworker):
    tranche = pending_grant.tranches.get(year=2025)
    with pytest.raises(AwardNotAccepted):
        tranche_transition(tranche=tranche, to=TrancheStatus.PROPOSED, actor=caseworker)


@pytest.mark.parametrize("status", [TrancheStatus.PROPOSED, TrancheStatus.RELEASED])
def test_the_database_refuses_a_payment_before_acceptance(pending_grant, status):
    tranche = pending_grant.tranches.get(year=2025)
    with pytest.raises(IntegrityError, match="award letter"), transaction.atomic():
        Tranche.objects.filter(pk=tranche.pk).update(status=status, released_on=date(2025, 3, 1))


def test_the_database_allows_it_after_acceptance_and_keeps_who_with_when(grant):
    Tranche.objects.filter(grant=grant, year=2025).update(status=TrancheStatus.RELEASED,
                                                          released_on=date(2025, 3, 1))
    from grants.core.models import Grant

    with pytest.raises(IntegrityError), transaction.atomic():
        Grant.objects.filter(pk=grant.pk).update(award_accepted_by=None)


def test_the_command_issues_a_letter_as_the_named_caseworker(pending_grant, caseworker, director,
                                                              media_root):
    import io

    from django.core.management import CommandError, call_command

    out = io.StringIO()
    call_command("issue_award_letter", pending_grant.reference, "--actor", caseworker.username,
                 stdout=out)
    letter = award_letter(pending_grant)
    assert f"case={letter.case.journal_number}" in out.getvalue()
    assert letter.created_by == caseworker
    with pytest.raises(CommandError, match="allerede udsendt"):
        call_command("issue_award_letter", pending_grant.reference, "--actor", caseworker.username)
    with pytest.raises(CommandError, match="Kun sagsbehandlere"):
        call_command("issue_award_letter", pending_grant.reference, "--actor", director.username)
    with pytest.raises(CommandError, match="no grant"):
        call_command("issue_award_letter", "KP-NOPE", "--actor", caseworker.username)
