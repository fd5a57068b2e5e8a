"""A service locks the rows it changes, not the rows it only reads. A plain SELECT ... FOR UPDATE
locks every joined row: a join for the default order (test_default_order.py) or a
select_related for a name locked the grant's or the cluster organisation's row as well, and held
it for the rest of the transaction (issue 19)."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from grants.budgets.services import actuals_set
from grants.cases import services as cases
from grants.cases.amendments import amendment_propose
from grants.cases.award import award_letter_issue
from grants.constants import CaseStatus
from grants.targets.services import targets_set_at_award
from tests.budgets.helpers import actuals_as_budget, budget_grant
from tests.builders import release_proposal
from tests.grants.case_fixtures import make_extension_case

pytestmark = pytest.mark.django_db


def _locks(captured, table: str) -> list[str]:
    """The queries that lock rows of `table`, each of which must lock that table's rows only."""
    locks = [q["sql"] for q in captured.captured_queries
             if q["sql"].startswith(f'SELECT "{table}"') and "FOR UPDATE" in q["sql"]]
    assert locks, f"no lock of {table}"
    return [sql for sql in locks if " JOIN " in sql and f'FOR UPDATE OF "{table}"' not in sql]


def test_a_grant_years_budget_lines_are_locked_alone(grant, caseworker, director):
    budget_grant(grant, caseworker, years=(1,))
    with CaptureQueriesContext(connection) as captured, transaction.atomic():
        actuals_set(grant, 1, actuals_as_budget(), actor=director)
    assert _locks(captured, "grants_budgetline") == []


def test_issuing_the_award_letter_locks_the_grant_not_its_cluster(pending_grant, caseworker,
                                                                  media_root):
    """The letter names the cluster, and its PDF renders in the transaction."""
    with CaptureQueriesContext(connection) as captured:
        award_letter_issue(grant=pending_grant, actor=caseworker)
    assert _locks(captured, "grants_grant") == []


def test_proposing_an_amendment_locks_the_grant_not_its_cluster(grant, caseworker):
    targets_set_at_award(grant=grant, actor=caseworker, rows=[
        {"year_number": n, "indicator": "companies", "target": 100} for n in range(1, 11)])
    changes = {"targets": {"rows": [{"year_number": 3, "indicator": "companies", "target": "80"}]}}
    with CaptureQueriesContext(connection) as captured:
        amendment_propose(grant=grant, changes=changes, reason="Lavere tilgang", actor=caseworker)
    assert _locks(captured, "grants_grant") == []


def test_proposing_a_release_locks_the_tranche_and_then_the_grant_on_its_own(grant, director,
                                                                             caseworker):
    """tranche_transition locks the grant by itself when the step needs it active; the
    tranche's lock took the grant's row too (and for the steps that need no active grant)."""
    with CaptureQueriesContext(connection) as captured:
        release_proposal(grant, director, caseworker, 2025)
    assert _locks(captured, "grants_tranche") == []
    assert [q for q in captured.captured_queries
            if q["sql"].startswith('SELECT "grants_grant"') and "FOR UPDATE" in q["sql"]]


def test_deciding_an_extension_locks_the_extension_and_its_deadline_apart(grant, director,
                                                                           caseworker):
    case = make_extension_case(grant, director)
    cases.case_take(case=case, actor=caseworker)
    cases.case_transition(case=case, to=CaseStatus.IN_PROGRESS, actor=caseworker)
    case.refresh_from_db()
    with CaptureQueriesContext(connection) as captured:
        cases.extension_decide(case=case, actor=caseworker, approve=False, reason="For sent")
    assert _locks(captured, "grants_deadlineextension") == []
