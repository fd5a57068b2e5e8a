"""Two caseworkers acting on the same case at the same moment, on two database connections:
one wins, the other gets a clear Danish message, nothing is applied twice."""

import threading

import pytest
from django.db import connection

from grants.cases import services as svc
from grants.cases.models import Case, CaseEvent
from grants.constants import CaseEventKind, CaseStatus
from klyngeadmin.kernel.workflow import TransitionNotAllowed
from tests.grants.case_fixtures import make_report_case


def _race(*calls):
    """Run the calls in threads released together; return what each returned or raised."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, fn):
        try:
            barrier.wait(timeout=10)
            results[i] = fn()
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test checks
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(3))
def test_two_caseworkers_take_the_same_case(grant, director, caseworker, caseworker2, attempt):
    case = make_report_case(grant, director)
    version = case.version
    results = _race(
        lambda: svc.case_take(case=Case.objects.get(pk=case.pk), actor=caseworker,
                              expected_version=version),
        lambda: svc.case_take(case=Case.objects.get(pk=case.pk), actor=caseworker2,
                              expected_version=version),
    )
    errors = [r for r in results if isinstance(r, Exception)]
    wins = [r for r in results if isinstance(r, Case)]
    assert len(wins) == 1 and len(errors) == 1, results
    assert isinstance(errors[0], svc.StaleCase)
    assert "ændret af en anden" in str(errors[0])
    case.refresh_from_db()
    assert case.assignee == wins[0].assignee
    assert case.version == version + 1
    assert CaseEvent.objects.filter(case=case, kind=CaseEventKind.ASSIGNMENT).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_change_requests_without_versions_apply_once(grant, director, caseworker, caseworker2):
    """Even without a form version (e.g. a script), the row lock and the workflow table make
    the second request fail instead of applying twice."""
    case = make_report_case(grant, director)
    svc.case_take(case=case, actor=caseworker)
    svc.case_transition(case=case, to=CaseStatus.IN_PROGRESS, actor=caseworker)
    results = _race(
        lambda: svc.case_request_changes(case=Case.objects.get(pk=case.pk), actor=caseworker,
                                         text="Ret A"),
        lambda: svc.case_request_changes(case=Case.objects.get(pk=case.pk), actor=caseworker2,
                                         text="Ret B"),
    )
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1 and isinstance(errors[0], TransitionNotAllowed), results
    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_CLUSTER
    assert CaseEvent.objects.filter(case=case, kind=CaseEventKind.MESSAGE).count() == 1
    assert case.report.events.filter(to_status="changes_requested").count() == 1
