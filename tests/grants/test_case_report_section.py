"""The report's figures on its case page, kept per digest of the rows they show
(grants.cases.report_section): read from the cache while nothing changed, and never other than
what computing them afresh gives - whatever wrote the rows, the services or a plain UPDATE."""

from datetime import date

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grants.budgets.models import BudgetLine
from grants.cases import proposals
from grants.cases import report_section as section
from grants.cases.models import Disbursement
from grants.cases.selectors import case_detail
from grants.reports.models import AnnualReport, ReportVersion
from tests.budgets.helpers import budget_grant
from tests.builders import approved_report_case
from tests.grants.case_fixtures import fill_report, submit_report


@pytest.fixture
def case_2026(grant, director, caseworker, head_of_office):
    """The 2026 report's case, the 2025 report approved before it, both years budgeted and the
    2025 tranche paid."""
    first = approved_report_case(grant, director, caseworker, 2025)
    proposal = proposals.tranche_propose_release(case=first, actor=caseworker,
                                                 amount_dkk=4_000_000, pay_on=date.today())
    proposals.tranche_proposal_approve(proposal=proposal, actor=head_of_office)
    assert Disbursement.objects.filter(tranche__grant=grant).exists()
    case = submit_report(fill_report(grant.reports.get(year=2026), spent=9_123_456), director)
    # the budgets and accounts, set after submission (with them the reports would also need
    # the auditor's statement): as historical data migrated in
    budget_grant(grant, caseworker, years=(1, 2))
    for line in BudgetLine.objects.filter(grant=grant):
        BudgetLine.objects.filter(pk=line.pk).update(actual_dkk=line.budget_dkk)
    return case


def _report(case, user):
    return case_detail(user=user, journal_number=case.journal_number).report


def _shown_and_fresh(case, user) -> tuple[tuple, tuple]:
    """What the page shows now (through the cache) and what computing afresh gives."""
    report = _report(case, user)
    return tuple(map(str, section.report_section(report))), section._render(report)


def _page(client, case) -> str:
    return client.get(reverse("cases:detail", args=[case.journal_number])).content.decode()


def test_the_second_view_reads_the_section_from_the_cache(client, case_2026, caseworker):
    client.force_login(caseworker)
    first = _page(client, case_2026)
    assert "9.123.456 kr." in first and "Budget og realiseret 2026" in first
    assert "revisorerklæringen kræves" in first and "kr.." not in first
    with CaptureQueriesContext(connection) as queries:
        second = _page(client, case_2026)
    read = " ".join(q["sql"] for q in queries.captured_queries)
    for table in ("grants_budgetline", "grants_disbursement", "grants_competitivefunding"):
        assert f'FROM "{table}"' not in read, table  # only inside the digest's one query
    assert "DISTINCT ON" not in read  # the comparison's newest versions
    assert "9.123.456 kr." in second and "Budget og realiseret 2026" in second


def _raise_budget(grant, **_):
    line = BudgetLine.objects.filter(grant=grant, year_number=2).order_by("id").first()
    BudgetLine.objects.filter(pk=line.pk).update(budget_dkk=line.budget_dkk + 1_234_567)


def _actual(grant, **_):
    BudgetLine.objects.filter(grant=grant, year_number=2).update(actual_dkk=777_777)


def _pay_more(grant, **_):
    Disbursement.objects.filter(tranche__grant=grant).update(amount_dkk=9_500_000)


def _reopen_last_year(grant, **_):
    AnnualReport.objects.filter(grant=grant, year=2025).update(status="in_review")


def _new_version_last_year(grant, **_):
    report = AnnualReport.objects.get(grant=grant, year=2025)
    latest = ReportVersion.objects.filter(report=report).order_by("-number").first()
    snapshot = {**latest.snapshot, "report": {**latest.snapshot["report"],
                                              "grant_spent_dkk": 6_543_210}}
    ReportVersion.objects.create(report=report, number=latest.number + 1, snapshot=snapshot,
                                 submitted_by=latest.submitted_by,
                                 submitted_at=latest.submitted_at)


def _threshold(grant, settings, **_):
    settings.AUDITOR_STATEMENT_THRESHOLD_DKK = 100_000_000


@pytest.mark.parametrize("write, shows, hides", [
    (_raise_budget, None, None),
    (_actual, "777.777 kr.", None),
    (_pay_more, None, None),
    (_reopen_last_year, "Under behandling", None),
    (_new_version_last_year, "6.543.210 kr.", None),
    (_threshold, None, "revisorerklæringen kræves"),
])
def test_any_write_to_the_rows_shows_at_once(client, case_2026, caseworker, grant, settings,
                                             write, shows, hides):
    """Each kind of row the section is computed from, changed without any service (so no
    signal or invalidation runs): the next view shows the change, and equals a fresh
    computation."""
    client.force_login(caseworker)
    before = _page(client, case_2026)
    old_shown, old_fresh = _shown_and_fresh(case_2026, caseworker)
    assert old_shown == old_fresh
    write(grant=grant, settings=settings)
    shown, fresh = _shown_and_fresh(case_2026, caseworker)
    assert shown == fresh
    assert shown != old_shown  # the change is one the section shows
    after = _page(client, case_2026)
    if shows:
        assert shows not in before and shows in after
    if hides:
        assert hides in before and hides not in after


def test_the_page_works_without_the_cache(client, case_2026, caseworker, log_output):
    client.force_login(caseworker)
    down = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                        "LOCATION": "redis://127.0.0.1:1/0",
                        "OPTIONS": {"socket_connect_timeout": 0.2}}}
    with override_settings(CACHES=down):
        body = _page(client, case_2026)
    assert "9.123.456 kr." in body and "Budget og realiseret 2026" in body
    assert "the cache did not answer" in log_output.getvalue()


def test_the_digest_query_runs_once_and_a_hit_renders_nothing(case_2026, caseworker,
                                                            django_assert_num_queries):
    report = _report(case_2026, caseworker)
    cache.clear()
    section.report_section(report)  # computed and kept
    with django_assert_num_queries(1):  # the digest only
        section.report_section(report)
