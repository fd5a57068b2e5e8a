"""Service-based builders for grants, cases and their tranches: each step goes through the same
service a person's click would, so a test starts from a state the application can reach.
(The model factories for plain rows are in tests/factories.py; the evaluation steps are in
tests/evaluations/conftest.py.)"""

from datetime import date, timedelta

from django.utils import timezone

from grants.cases import proposals
from grants.cases import services as cases
from grants.cases.models import Case, TrancheProposal
from grants.constants import CaseStatus
from grants.core.models import Grant
from tests.grants.case_fixtures import make_report_case


def report_case_in_progress(grant, director, caseworker, year: int) -> Case:
    """The year's annual report submitted by the director, its case taken and started."""
    case = make_report_case(grant, director, year=year)
    cases.case_take(case=case, actor=caseworker)
    cases.case_transition(case=case, to=CaseStatus.IN_PROGRESS, actor=caseworker)
    case.refresh_from_db()
    return case


def approved_report_case(grant, director, caseworker, year: int) -> Case:
    case = report_case_in_progress(grant, director, caseworker, year)
    cases.case_approve_report(case=case, actor=caseworker)
    case.refresh_from_db()
    return case


def release_proposal(grant, director, caseworker, year: int, amount_dkk: int = 5_000_000
                     ) -> TrancheProposal:
    """An open proposal to release the year's tranche (the tranche is then proposed)."""
    case = approved_report_case(grant, director, caseworker, year)
    return proposals.tranche_propose_release(case=case, actor=caseworker, amount_dkk=amount_dkk,
                                         pay_on=date.today() + timedelta(days=10))


def running_grant(cluster, director):
    """A running 10-year grant of `cluster` whose award letter `director` has accepted (the
    `grant` and `other_grant` fixtures, and the permission matrix's world)."""
    from evaluations.midway.schedule import grant_create

    return award_accepted(grant_create(
        cluster=cluster, reference=f"KP-TEST-{cluster.pk}", start_year=2025, horizon_years=10,
        annual_amount_dkk=10_000_000,
    ), director)


def award_accepted(grant, director):
    """A test precondition: the grant's award letter counts as accepted by `director` (without
    rendering the letter; tests/grants/test_award.py tests the real acceptance)."""
    Grant.objects.filter(pk=grant.pk).update(award_accepted_at=timezone.now(),
                                             award_accepted_by=director)
    grant.refresh_from_db()
    return grant
