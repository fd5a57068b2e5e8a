"""The case pages: permissions both ways, the queue (filters, counts, fixed query count with
5,000 cases), the case view, actions from the browser, and decision letters."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from grants.cases import proposals
from grants.cases import services as svc
from grants.cases.models import Case
from grants.cases.selectors import QueueParams, case_queue, report_comparison
from grants.constants import CaseStatus, CaseType, DeadlineKind, ReportStatus, TrancheStatus
from grants.deadlines.models import Deadline
from klyngeadmin.kernel.roles import Role
from tests.factories import UserFactory
from tests.grants.case_fixtures import (
    make_application_case,
    make_extension_case,
    make_report_case,
    submit_report,
)

QUEUE = reverse("cases:queue")


def detail(case):
    return reverse("cases:detail", args=[case.journal_number])


def action(case, name):
    return reverse("cases:action", args=[case.journal_number, name])


def _start(case, user):
    svc.case_take(case=case, actor=user)
    svc.case_transition(case=case, to=CaseStatus.IN_PROGRESS, actor=user)
    case.refresh_from_db()
    return case


@pytest.fixture
def decided_case(report_case, caseworker, head_of_office, media_root):
    _start(report_case, caseworker)
    svc.case_approve_report(case=report_case, actor=caseworker)
    svc.case_note(case=report_case, actor=caseworker, text="HEMMELIG NOTE")
    svc.case_message(case=report_case, actor=caseworker, text="Synlig besked")
    proposal = proposals.tranche_propose_release(case=report_case, actor=caseworker, amount_dkk=1000,
                                           pay_on=date.today())
    proposals.tranche_proposal_approve(proposal=proposal, actor=head_of_office)
    report_case.refresh_from_db()
    return report_case


# -- permissions: anonymous, wrong role, other cluster --------------------------------------------


def test_anonymous_is_sent_to_login(client, report_case):
    for url in (QUEUE, detail(report_case), reverse("cases:cluster_cases")):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]
    response = client.post(action(report_case, "tag"), {"tag-version": 1})
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("role", [Role.DIRECTOR, Role.CLUSTER_STAFF, Role.ADMIN])
def test_case_pages_do_not_exist_for_other_roles(client, report_case, cluster, role):
    user = UserFactory(role=role, cluster=cluster if role in (Role.DIRECTOR, Role.CLUSTER_STAFF) else None)
    client.force_login(user)
    assert client.get(QUEUE).status_code == 404
    assert client.get(detail(report_case)).status_code == 404
    response = client.post(action(report_case, "tag"), {"tag-version": report_case.version})
    assert response.status_code == 404
    report_case.refresh_from_db()
    assert report_case.assignee is None


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.HEAD_OF_OFFICE])
def test_caseworkers_see_queue_and_case(client, report_case, role):
    client.force_login(UserFactory(role=role))
    response = client.get(QUEUE)
    assert response.status_code == 200
    assert report_case.journal_number in response.content.decode()
    response = client.get(detail(report_case))
    assert response.status_code == 200
    assert report_case.subject in response.content.decode()


def test_unknown_case_is_404(client, caseworker):
    client.force_login(caseworker)
    assert client.get(reverse("cases:detail", args=["2026-999999"])).status_code == 404


def test_home_sends_caseworkers_and_head_of_office_to_the_queue(
    client, caseworker, head_of_office, director
):
    for user in (caseworker, head_of_office):
        client.force_login(user)
        assert client.get("/")["Location"] == QUEUE
    client.force_login(director)
    assert client.get("/")["Location"] != QUEUE


# -- the queue ---------------------------------------------------------------------------------------


def test_queue_tabs_filters_and_search(client, grant, director, caseworker, cluster, other_cluster):
    mine = make_report_case(grant, director, year=2025)
    svc.case_take(case=mine, actor=caseworker)
    unassigned = make_application_case(other_cluster)
    client.force_login(caseworker)

    def journals(**params):
        response = client.get(QUEUE, params)
        assert response.status_code == 200
        return {c.journal_number for c in response.context["cases"]}

    assert journals() == {mine.journal_number, unassigned.journal_number}
    assert journals(fane="mine") == {mine.journal_number}
    assert journals(fane="unassigned") == {unassigned.journal_number}
    assert journals(type=CaseType.APPLICATION) == {unassigned.journal_number}
    assert journals(status=CaseStatus.ASSIGNED) == {mine.journal_number}
    assert journals(klynge=other_cluster.pk) == {unassigned.journal_number}
    assert journals(q=cluster.name) == {mine.journal_number}
    assert journals(q=unassigned.journal_number) == {unassigned.journal_number}
    assert journals(aar=timezone.localdate().year) == {mine.journal_number, unassigned.journal_number}
    assert journals(aar=1990) == set()
    assert journals(overskredet="1") == set()
    Deadline.objects.filter(pk=mine.deadline_id).update(due_at=timezone.now() - timedelta(days=1))
    assert journals(overskredet="1") == {mine.journal_number}
    # garbage parameters are ignored, not errors
    assert journals(status="bogus", type="x", klynge="abc", sorter="x", side="999") != set()

    counts = client.get(QUEUE, {"type": CaseType.APPLICATION}).context["counts"]
    assert counts["tab"] == {"mine": 0, "unassigned": 1, "all": 1, "svar": 0, "godkendelse": 0}
    assert counts["type"][CaseType.ANNUAL_REPORT] == 1  # facet: own filter not applied
    assert counts["overdue"]["1"] == 0
    body = client.get(QUEUE).content.decode()
    assert "Overskredet" in body
    # each row's type and status by their labels (choice_label, one label translated a row)
    assert "<td>Årsrapport</td>" in body and "<td>Tildelt</td>" in body
    assert "<td>Ansøgning</td>" in body and "<td>Ny</td>" in body


def test_queue_counts_say_what_a_click_would_give(grant, director, caseworker, caseworker2,
                                                  cluster, other_cluster):
    """Every count beside a tab or a filter option equals the rows that option shows with the
    other filters kept (the facet rule), for a mix of tabs, types, statuses, deadlines, replies
    from the cluster, proposals awaiting approval and searches."""
    from dataclasses import replace

    from grants.cases.models import CaseEvent
    from grants.cases.selectors import TABS, case_queue_counts
    from grants.constants import CaseEventKind
    from tests.builders import release_proposal, report_case_in_progress

    replied = report_case_in_progress(grant, director, caseworker, 2025)
    svc.case_cluster_message(case=replied, actor=director, text="Spørgsmål om revisorerklæringen")
    release_proposal(grant, director, caseworker, 2026)  # awaits the head of office
    make_application_case(other_cluster)  # new, unassigned
    _bulk_cases(grant.reports.get(year=2027), 24, caseworker)
    Case.objects.filter(journal_number__endswith="3").update(assignee=caseworker2)
    CaseEvent.objects.create(case=Case.objects.get(journal_number="2019-000004"),
                             kind=CaseEventKind.NOTE, text="notat om revisorerklæringen")
    assert Deadline.objects.filter(due_at__lt=timezone.now()).exists()

    base = [QueueParams(), QueueParams(tab="mine"), QueueParams(tab="svar"),
            QueueParams(tab="godkendelse"), QueueParams(tab="unassigned", overdue=True),
            QueueParams(case_type=CaseType.APPLICATION), QueueParams(status=CaseStatus.IN_PROGRESS),
            QueueParams(q="revisorerklæringen"), QueueParams(q=cluster.name, status=CaseStatus.NEW),
            QueueParams(cluster=other_cluster.pk), QueueParams(year=timezone.localdate().year),
            QueueParams(tab="mine", case_type=CaseType.ANNUAL_REPORT, status=CaseStatus.ASSIGNED,
                        overdue=True)]
    for params in base:
        def shown(params=params, **change):
            return case_queue(user=caseworker, params=replace(params, **change)).count()

        counts = case_queue_counts(user=caseworker, params=params)
        assert counts["tab"] == {tab: shown(tab=tab) for tab in TABS}, params
        assert counts["type"] == {v: shown(case_type=v) for v in CaseType.values}, params
        assert counts["status"] == {v: shown(status=v) for v in CaseStatus.values}, params
        assert counts["overdue"] == {"1": shown(overdue=True)}, params
        assert counts["total"] == {"all": shown()}, params
    every = case_queue_counts(user=caseworker, params=QueueParams())
    assert every["tab"]["svar"] == 1 and every["tab"]["godkendelse"] == 1
    assert every["total"]["all"] == Case.objects.count() == 27
    assert case_queue_counts(user=caseworker, params=QueueParams(q="revisorerklæringen"))["total"] == {
        "all": 2}


def test_queue_sorts_by_deadline(client, caseworker, cluster):
    a, b = make_application_case(cluster), make_application_case(cluster)
    Deadline.objects.filter(pk=a.deadline_id).update(due_at=timezone.now() + timedelta(days=9))
    Deadline.objects.filter(pk=b.deadline_id).update(due_at=timezone.now() + timedelta(days=1))
    client.force_login(caseworker)
    rows = [c.journal_number for c in client.get(QUEUE).context["cases"]]
    assert rows == [b.journal_number, a.journal_number]
    rows = [c.journal_number for c in client.get(QUEUE, {"sorter": "-deadline"}).context["cases"]]
    assert rows == [a.journal_number, b.journal_number]


def _bulk_cases(report, n, caseworker):
    now = timezone.now()
    deadlines = Deadline.objects.bulk_create(
        Deadline(kind=DeadlineKind.CASE_HANDLING, subject=f"Sag {i}", cluster=report.grant.cluster,
                 due_at=now + timedelta(days=i % 60 - 10), original_due_at=now)
        for i in range(n)
    )
    statuses = CaseStatus.values
    Case.objects.bulk_create(
        (Case(journal_number=f"2019-{i + 1:06d}", case_type=CaseType.ANNUAL_REPORT,
              cluster=report.grant.cluster, subject=f"Årsrapport {i}", report=report,
              status=statuses[i % len(statuses)], deadline=d,
              assignee=None if statuses[i % len(statuses)] == CaseStatus.NEW else caseworker)
         for i, d in enumerate(deadlines)),
        batch_size=1000,
    )


def _queue_queries(client, params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(QUEUE, params)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


@pytest.mark.parametrize("params", [{}, {"fane": "mine", "overskredet": "1"},
                                    {"q": "Testklynge", "status": "in_progress", "side": "3"}])
def test_queue_uses_a_fixed_number_of_queries_with_5000_cases(
    client, grant, caseworker, django_assert_max_num_queries, params
):
    report = grant.reports.get(year=2025)
    _bulk_cases(report, 5, caseworker)
    client.force_login(caseworker)
    small, _r = _queue_queries(client, params)
    _bulk_cases_more(report, caseworker)
    assert Case.objects.count() == 5005
    with django_assert_max_num_queries(small):
        response = client.get(QUEUE, params)
    assert response.status_code == 200
    # the facet counts' grouped query also counts the rows: the paginator runs no COUNT of its own
    shown = case_queue(user=caseworker, params=QueueParams.from_query(params))
    assert response.context["page"].paginator.count == shown.count() > 0
    assert small <= 7


def _bulk_cases_more(report, caseworker):
    now = timezone.now()
    deadlines = Deadline.objects.bulk_create(
        Deadline(kind=DeadlineKind.CASE_HANDLING, subject=f"Sag {i}", cluster=report.grant.cluster,
                 due_at=now + timedelta(days=i % 60 - 10), original_due_at=now)
        for i in range(5000)
    )
    statuses = CaseStatus.values
    Case.objects.bulk_create(
        (Case(journal_number=f"2020-{i + 1:06d}", case_type=CaseType.ANNUAL_REPORT,
              cluster=report.grant.cluster, subject=f"Årsrapport {i}", report=report,
              status=statuses[i % len(statuses)], deadline=d,
              assignee=None if statuses[i % len(statuses)] == CaseStatus.NEW else caseworker)
         for i, d in enumerate(deadlines)),
        batch_size=1000,
    )


# -- the case view -----------------------------------------------------------------------------------


def test_case_view_shows_report_side_by_side_with_previous_year_and_trend(
    client, grant, director, caseworker
):
    from tests.grants.case_fixtures import fill_report

    first = make_report_case(grant, director, year=2025)
    _start(first, caseworker)
    svc.case_approve_report(case=first, actor=caseworker)
    report_2026 = fill_report(grant.reports.get(year=2026), spent=9_123_456)
    case = submit_report(report_2026, director)
    client.force_login(caseworker)
    body = client.get(detail(case)).content.decode()
    assert "9.123.456 kr." in body and "8.000.000 kr." in body  # this year and last year
    assert "Udvikling i nøgletal" in body
    comparison = report_comparison(case.report)
    assert comparison["previous"].year == 2025
    assert [row["year"] for row in comparison["trend"]] == [2025, 2026]


def test_the_comparison_reads_the_key_figure_totals_not_the_whole_snapshot(
    client, grant, director, caseworker
):
    """A version's snapshot holds the key figures' full first-rows lists (~100 KB a year): the
    comparison reads the totals it shows and the report's fields, the rest stays in the
    database (issue 19)."""
    from grants.cases.selectors import KEY_FIGURES
    from grants.reports.models import ReportVersion
    from tests.grants.case_fixtures import fill_report

    case = submit_report(fill_report(grant.reports.get(year=2025), spent=9_123_456), director)
    stored = ReportVersion.objects.get(report=case.report).snapshot
    client.force_login(caseworker)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(detail(case))
    current = response.context["comparison"]["current"]
    assert current.field("grant_spent_dkk") == 9_123_456
    for (group, name), _label in KEY_FIGURES:
        assert current.figure((group, name)) == (stored["key_figures"].get(group) or {}).get(name)
    shown = {(group, name) for (group, name), _label in KEY_FIGURES}
    assert {(g, n) for g, figures in current.key_figures.items() for n in figures} <= shown
    version_reads = [q["sql"] for q in queries.captured_queries
                     if 'FROM "grants_reportversion"' in q["sql"] and "DISTINCT ON" in q["sql"]]
    assert version_reads and '"grants_reportversion"."snapshot" AS' not in version_reads[0]
    assert '"grants_reportversion"."snapshot" FROM' not in version_reads[0]


def test_case_view_offers_actions_by_state_and_role(client, report_case, caseworker, head_of_office):
    client.force_login(caseworker)
    body = client.get(detail(report_case)).content.decode()
    assert "Tag sagen" in body and "Anmod om ændringer" not in body
    _start(report_case, caseworker)
    body = client.get(detail(report_case)).content.decode()
    assert "Anmod om ændringer" in body and "Godkend årsrapporten" in body
    assert "Indstil raten til udbetaling" not in body  # report not approved yet
    svc.case_approve_report(case=report_case, actor=caseworker)
    body = client.get(detail(report_case)).content.decode()
    assert "Indstil raten til udbetaling" in body
    proposals.tranche_propose_release(case=report_case, actor=caseworker, amount_dkk=10,
                                pay_on=date.today())
    body = client.get(detail(report_case)).content.decode()
    assert "Godkend indstillingen" not in body and "Afventer kontorchefens godkendelse" in body
    client.force_login(head_of_office)
    body = client.get(detail(report_case)).content.decode()
    assert "Godkend indstillingen" in body


def test_case_view_query_count_is_bounded(client, decided_case, caseworker, django_assert_max_num_queries):
    client.force_login(caseworker)
    with django_assert_max_num_queries(20):
        assert client.get(detail(decided_case)).status_code == 200


def _reads(queries, table):
    """The captured queries that read `table` itself (not in a subquery of another's)."""
    return [q["sql"] for q in queries if q["sql"].startswith(f'SELECT "{table}".')]


def test_case_page_reads_only_the_lists_the_case_has(client, report_case, caseworker,
                                                     django_assert_num_queries):
    """A list the case lacks (hearings, proposals, letters) costs no query; one it has is
    read once and shown (issue 19)."""
    from grants.cases.selectors import case_detail

    _start(report_case, caseworker)
    with CaptureQueriesContext(connection) as captured:
        case = case_detail(user=caseworker, journal_number=report_case.journal_number)
    for table in ("grants_hearing", "grants_trancheproposal", "grants_decisionletter",
                  "grants_deadlineextension", "grants_grant"):
        assert not _reads(captured.captured_queries, table), table
    with django_assert_num_queries(0):
        assert (list(case.hearings.all()), list(case.proposals.all()), list(case.letters.all()),
                case.extension, case.grant) == ([], [], [], None, None)
        assert case.report.grant.cluster.pk == report_case.cluster_id

    svc.case_approve_report(case=report_case, actor=caseworker)
    proposals.tranche_propose_release(case=report_case, actor=caseworker, amount_dkk=10,
                                      pay_on=date.today())
    with CaptureQueriesContext(connection) as captured:
        case = case_detail(user=caseworker, journal_number=report_case.journal_number)
    assert len(_reads(captured.captured_queries, "grants_trancheproposal")) == 1
    with django_assert_num_queries(0):
        assert [p.amount_dkk for p in case.proposals.all()] == [10]
        assert case.proposals.all()[0].proposed_by == caseworker
    client.force_login(caseworker)
    assert "Afventer kontorchefens godkendelse" in client.get(detail(report_case)).content.decode()


def test_case_page_reads_no_attachments_or_version_list_of_its_own(client, report_case, caseworker,
                                                                   director, media_root):
    """The report's version numbers and whether the report and the case's events have
    attachments come with the case and report queries: no query for what is not there, one
    for what is, and the page shows it (issue 19)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from grants.reports.models import ReportAttachment

    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    _start(report_case, caseworker)
    client.force_login(caseworker)
    with CaptureQueriesContext(connection) as captured:
        body = client.get(detail(report_case)).content.decode()
    for table in ("grants_caseattachment", "grants_reportattachment", "grants_reportversion"):
        assert not _reads(captured.captured_queries, table), table
    version = reverse("grants:report_version", args=[report_case.report_id, 1])
    assert f'href="{version}"' in body and "Ingen bilag." in body

    svc.case_message(case=report_case, actor=caseworker, text="Se bilaget",
                     files=[SimpleUploadedFile("svar.pdf", pdf, content_type="application/pdf")])
    ReportAttachment.objects.create(  # as if added before submission (the report is in review)
        report=report_case.report, kind="other", file=SimpleUploadedFile("regnskab.pdf", pdf),
        original_name="regnskab.pdf", content_type="application/pdf", size_bytes=len(pdf),
        uploaded_by=director)
    with CaptureQueriesContext(connection) as captured:
        body = client.get(detail(report_case)).content.decode()
    for table in ("grants_caseattachment", "grants_reportattachment"):
        assert len(_reads(captured.captured_queries, table)) == 1, table
    assert not _reads(captured.captured_queries, "grants_reportversion")
    assert "svar.pdf" in body and "regnskab.pdf" in body and f'href="{version}"' in body


def test_case_page_reads_the_years_tranche_once(client, report_case, caseworker):
    """An approved report's case asks two questions of the year's tranche (what may be
    proposed, and whether the work is done): one read answers both (issue 19)."""
    _start(report_case, caseworker)
    svc.case_approve_report(case=report_case, actor=caseworker)
    client.force_login(caseworker)
    with CaptureQueriesContext(connection) as captured:
        body = client.get(detail(report_case)).content.decode()
    reads = [q["sql"] for q in captured.captured_queries  # the rows (the aid position's sums aside)
             if q["sql"].startswith('SELECT "grants_tranche"."id"')]
    assert len(reads) == 1 and " JOIN " not in reads[0]
    assert "Indstil raten til udbetaling" in body or "Indstil raten til annullering" in body


# -- actions from the browser ------------------------------------------------------------------------


def test_take_request_changes_and_approve_through_the_browser(client, report_case, caseworker, director):
    client.force_login(caseworker)
    r = client.post(action(report_case, "tag"), {"tag-version": report_case.version})
    assert r.status_code == 302
    report_case.refresh_from_db()
    assert report_case.assignee == caseworker
    client.post(action(report_case, "status"), {"status-version": report_case.version,
                                                "status-to": CaseStatus.IN_PROGRESS})
    report_case.refresh_from_db()
    assert report_case.status == CaseStatus.IN_PROGRESS
    r = client.post(action(report_case, "anmod-om-aendringer"),
                    {"anmod-om-aendringer-version": report_case.version,
                     "anmod-om-aendringer-text": "Udfyld kontingenter"}, follow=True)
    assert "Klyngen er bedt om ændringer" in r.content.decode()
    report_case.refresh_from_db()
    assert report_case.status == CaseStatus.AWAITING_CLUSTER
    report_case.report.refresh_from_db()
    assert report_case.report.status == ReportStatus.CHANGES_REQUESTED


def test_form_error_is_shown_next_to_the_field_and_nothing_saved(client, report_case, caseworker):
    _start(report_case, caseworker)
    client.force_login(caseworker)
    r = client.post(action(report_case, "anmod-om-aendringer"),
                    {"anmod-om-aendringer-version": report_case.version,
                     "anmod-om-aendringer-text": ""})
    assert r.status_code == 400
    body = r.content.decode()
    assert "Skriv, hvad klyngen skal ændre." in body
    assert 'aria-describedby="id_anmod-om-aendringer-text_error"' in body
    assert 'id="id_anmod-om-aendringer-text_error"' in body
    report_case.refresh_from_db()
    assert report_case.status == CaseStatus.IN_PROGRESS


def test_propose_release_validates_amount_in_danish(client, report_case, caseworker):
    _start(report_case, caseworker)
    svc.case_approve_report(case=report_case, actor=caseworker)
    report_case.refresh_from_db()
    client.force_login(caseworker)
    r = client.post(action(report_case, "indstil-udbetaling"), {
        "indstil-udbetaling-version": report_case.version,
        "indstil-udbetaling-amount_dkk": "99999999999",
        "indstil-udbetaling-pay_on": date.today().isoformat()})
    assert r.status_code == 400
    assert "Beløbet må højst være årets rate på 10.000.000 kr." in r.content.decode()
    assert not report_case.proposals.exists()


def test_stale_form_is_refused_with_a_clear_message(client, report_case, caseworker, caseworker2):
    stale = report_case.version
    svc.case_take(case=report_case, actor=caseworker2)
    client.force_login(caseworker)
    r = client.post(action(report_case, "tag"), {"tag-version": stale}, follow=True)
    assert "ændret af en anden" in r.content.decode()
    report_case.refresh_from_db()
    assert report_case.assignee == caseworker2


def test_forbidden_transition_is_impossible_from_the_browser(client, report_case, caseworker):
    _start(report_case, caseworker)
    client.force_login(caseworker)
    for target in (CaseStatus.DECIDED, CaseStatus.CLOSED, CaseStatus.NEW, "bogus"):
        r = client.post(action(report_case, "status"),
                        {"status-version": report_case.version, "status-to": target})
        assert r.status_code in (302, 400)
        report_case.refresh_from_db()
        assert report_case.status == CaseStatus.IN_PROGRESS


def test_only_head_of_office_approves_and_never_their_own(client, report_case, caseworker,
                                                         head_of_office, media_root):
    _start(report_case, caseworker)
    svc.case_approve_report(case=report_case, actor=caseworker)
    proposals.tranche_propose_release(case=report_case, actor=caseworker, amount_dkk=10,
                                pay_on=date.today())
    report_case.refresh_from_db()
    client.force_login(caseworker)
    r = client.post(action(report_case, "godkend-indstilling"),
                    {"godkend-indstilling-version": report_case.version})
    assert r.status_code == 403
    client.force_login(head_of_office)
    r = client.post(action(report_case, "godkend-indstilling"),
                    {"godkend-indstilling-version": report_case.version, "bekraeftet": "1"},
                    follow=True)
    assert "afgørelsesbrevet er dannet" in r.content.decode()
    report_case.refresh_from_db()
    assert report_case.status == CaseStatus.DECIDED
    tranche = proposals.case_tranche(report_case)
    assert tranche.status == TrancheStatus.RELEASED


def test_extension_decision_through_the_browser(client, grant, director, caseworker, media_root):
    case = _start(make_extension_case(grant, director), caseworker)
    client.force_login(caseworker)
    r = client.post(action(case, "fristforlaengelse"), {
        "fristforlaengelse-version": case.version, "fristforlaengelse-decision": "approve"})
    assert r.status_code == 400 and "Angiv den nye frist." in r.content.decode()
    new_date = timezone.localtime(case.extension.deadline.due_at).date() + timedelta(days=14)
    r = client.post(action(case, "fristforlaengelse"), {
        "fristforlaengelse-version": case.version, "fristforlaengelse-decision": "approve",
        "fristforlaengelse-new_due_date": new_date.isoformat()})
    assert r.status_code == 302
    case.extension.deadline.refresh_from_db()
    assert timezone.localtime(case.extension.deadline.due_at).date() == new_date


# -- the cluster's side and letters ------------------------------------------------------------------


def test_director_sees_messages_and_letter_but_never_notes(client, decided_case, director):
    client.force_login(director)
    response = client.get(reverse("cases:cluster_cases"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Synlig besked" in body and "HEMMELIG NOTE" not in body
    letter = decided_case.letters.get()
    assert reverse("cases:letter", args=[letter.pk]) in body
    r = client.get(reverse("cases:letter", args=[letter.pk]))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert b"".join(r.streaming_content).startswith(b"%PDF-")
    assert client.get(detail(decided_case)).status_code == 404


def test_other_cluster_cannot_see_letters_or_messages(client, decided_case, other_director):
    client.force_login(other_director)
    letter = decided_case.letters.get()
    assert client.get(reverse("cases:letter", args=[letter.pk])).status_code == 404
    body = client.get(reverse("cases:cluster_cases")).content.decode()
    assert "Synlig besked" not in body


def test_caseworker_downloads_letters_but_has_no_cluster_page(client, decided_case, caseworker):
    client.force_login(caseworker)
    letter = decided_case.letters.get()
    assert client.get(reverse("cases:letter", args=[letter.pk])).status_code == 200
    assert client.get(reverse("cases:cluster_cases")).status_code == 404


def test_anonymous_cannot_download_letters(client, decided_case):
    letter = decided_case.letters.get()
    r = client.get(reverse("cases:letter", args=[letter.pk]))
    assert r.status_code == 302 and "/login/" in r["Location"]


def test_superuser_administrator_does_not_see_cases(client, report_case, administrator):
    """Only caseworkers and the head of office see cases, even for a Django superuser."""
    client.force_login(administrator)
    assert client.get(QUEUE).status_code == 404
    assert client.get(detail(report_case)).status_code == 404


def test_the_case_page_reads_the_case_without_joining_every_case_types_tables(
        client, decided_case, caseworker):
    """A case has a report, an extension or a grant, not all: those are prefetched (one query
    for the one it has), not joined - thirteen joined tables took PostgreSQL longer to plan
    than the page's queries take to run (issue 19)."""
    client.force_login(caseworker)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(detail(decided_case)).status_code == 200
    case_query = next(q["sql"] for q in queries.captured_queries
                      if q["sql"].startswith('SELECT "grants_case"."id"'))
    joined = case_query.split(' FROM "grants_case" ', 1)[1]  # not the EXISTS subqueries' own
    assert joined.count(" JOIN ") <= 3  # cluster, assignee, deadline


def test_the_assign_forms_caseworkers_are_read_without_a_server_side_cursor(
        client, report_case, caseworker):
    """ModelChoiceField reads its choices with .iterator(): a server-side cursor, three round
    trips (DECLARE, FETCH, CLOSE) for a short list (klyngeadmin.kernel.forms)."""
    client.force_login(caseworker)
    with CaptureQueriesContext(connection) as queries:
        html = client.get(detail(report_case)).content.decode()
    assert 'name="tildel-assignee"' in html
    assert not [q for q in queries.captured_queries if q["sql"].startswith("DECLARE")]


def test_case_page_builds_only_the_forms_of_the_actions_it_offers(client, report_case, caseworker):
    """A case page shows the forms of the actions open to the user now, and builds no other
    (issue 19): a submitted report's case, and the same case in progress."""
    client.force_login(caseworker)
    forms = client.get(detail(report_case)).context["forms"]
    assert set(forms) == {"tildel", "besked", "note"}
    _start(report_case, caseworker)
    response = client.get(detail(report_case))
    forms, actions = response.context["forms"], response.context["actions"]
    assert {"anmod_om_aendringer", "godkend_rapport"} <= set(forms)
    assert "afgoer" not in forms and not actions.get("decide")
    assert 'name="anmod-om-aendringer-text"' in response.content.decode()
