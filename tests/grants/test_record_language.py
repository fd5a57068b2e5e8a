"""The language rule (issue 13, finding 5): the UI follows the reader, the record is Danish.

- A success message on the case page is in the language of the person who acted (translated
  per request, not once when the module was imported).
- Case events are the authority's record: Danish whoever acts and whatever language they use.
"""

from django.urls import reverse
from django.utils import translation

from grants.cases import services as svc
from grants.cases.flows import report_submit
from grants.cases.models import CaseEvent
from grants.constants import CaseEventKind, CaseStatus
from tests.grants.case_fixtures import fill_report


def _action(case, name):
    return reverse("cases:action", args=[case.journal_number, name])


def test_an_english_caseworker_sees_english_success_messages(client, report_case, caseworker):
    caseworker.language = "en"  # chose English (the UI is Danish unless the person chooses)
    caseworker.save(update_fields=["language"])
    client.force_login(caseworker)
    r = client.post(_action(report_case, "tag"), {"tag-version": report_case.version},
                    HTTP_ACCEPT_LANGUAGE="en", follow=True)
    body = r.content.decode()
    assert "You have taken the case." in body
    assert "Du har taget sagen." not in body


def test_a_danish_caseworker_sees_danish_success_messages(client, report_case, caseworker):
    client.force_login(caseworker)
    r = client.post(_action(report_case, "tag"), {"tag-version": report_case.version},
                    HTTP_ACCEPT_LANGUAGE="da", follow=True)
    assert "Du har taget sagen." in r.content.decode()


def test_an_english_caseworker_approving_a_report_writes_a_danish_case_event(
    report_case, caseworker
):
    svc.case_take(case=report_case, actor=caseworker)
    svc.case_transition(case=report_case, to=CaseStatus.IN_PROGRESS, actor=caseworker)
    with translation.override("en"):
        svc.case_approve_report(case=report_case, actor=caseworker)
    event = report_case.events.get(kind=CaseEventKind.DECISION)
    assert event.text == f"Årsrapporten for {report_case.report.year} er godkendt."


def test_an_english_director_answering_writes_a_danish_case_event(
    report_case, caseworker, director
):
    svc.case_take(case=report_case, actor=caseworker)
    svc.case_transition(case=report_case, to=CaseStatus.IN_PROGRESS, actor=caseworker)
    svc.case_request_changes(case=report_case, actor=caseworker, text="Ret kontingenter")
    report = report_case.report
    report.refresh_from_db()
    fill_report(report)
    with translation.override("en"):
        report_submit(report=report, actor=director)
    event = CaseEvent.objects.filter(case=report_case, kind=CaseEventKind.TRANSITION,
                                     to_status=CaseStatus.IN_PROGRESS).latest("pk")
    assert event.text == "Klyngen har indsendt en ny version af årsrapporten."
