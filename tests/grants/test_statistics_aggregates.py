"""The stored programme figures (grants.statistics.aggregates): equal to the live query, read by
the public page, refreshed after commit when figures change (debounced), and on the beat."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clusters.models import CompanyParticipation
from clusters.stateaid.selectors import fee_level_by_sme_share
from grants import tasks
from grants.outcomes.selectors import outcome_statistics
from grants.statistics import aggregates
from grants.statistics.models import StatisticsAggregate
from grants.statistics.selectors import programme_statistics
from klyngeadmin.celery import app as celery_app
from tests.factories import ActivityFactory, CompanyFactory

pytestmark = pytest.mark.django_db

PUBLIC = "/statistik/"


def comparable(stats):
    return {
        "totals": stats.totals,
        "by_year": stats.by_year,
        "by_cluster": [(cluster.pk, figures) for cluster, figures in stats.by_cluster],
        "funders": stats.competitive_by_funder,
    }


def assert_equal_to_live(period_list):
    for from_year, to_year in period_list:
        stored = aggregates.aggregated_statistics(from_year=from_year, to_year=to_year)
        live = programme_statistics(from_year=from_year, to_year=to_year)
        assert comparable(stored) == comparable(live), (from_year, to_year)
        # issue 15's outcome and fee-level tables are stored with them, and equal live too
        period = {"from_year": from_year, "to_year": to_year}
        assert stored.outcomes == outcome_statistics(**period), (from_year, to_year)
        assert stored.fee_levels == fee_level_by_sme_share(**period), (from_year, to_year)


def companies_in(cluster, n, year=2022):
    start = date(year, 5, 1)
    act = ActivityFactory(cluster=cluster, start_date=start, end_date=start)
    CompanyParticipation.objects.bulk_create(
        CompanyParticipation(activity=act, company=CompanyFactory()) for _ in range(n)
    )
    return act


def headline_companies(response) -> int:
    return response.context["headline"].rows[0][1].value


# -- small data ------------------------------------------------------------------------------


def test_every_period_the_page_offers_is_stored(cluster):
    companies_in(cluster, 6, year=2022)
    companies_in(cluster, 3, year=2024)
    written = aggregates.aggregates_refresh()
    offered = aggregates.periods()
    assert (2021, 2021) in offered and (2021, date.today().year) in offered
    assert written == StatisticsAggregate.objects.count()
    stored = set(StatisticsAggregate.objects.values_list("from_year", "to_year").distinct())
    assert stored == set(offered)
    assert_equal_to_live(offered)


def test_public_page_reads_the_aggregates_not_the_live_tables(client, cluster):
    companies_in(cluster, 7)
    aggregates.aggregates_refresh(period_list=[(2022, 2022)])
    companies_in(cluster, 5)  # written without the services: nothing announces it
    response = client.get(PUBLIC + "?from_year=2022&to_year=2022")
    assert headline_companies(response) == 7  # the stored figures, not the live 12
    aggregates.aggregates_refresh(period_list=[(2022, 2022)])
    assert headline_companies(client.get(PUBLIC + "?from_year=2022&to_year=2022")) == 12
    export = client.get(PUBLIC + "eksport/noegletal.csv?from_year=2022&to_year=2022")
    assert export.status_code == 200


def test_a_period_never_computed_is_computed_on_first_read(client, cluster):
    companies_in(cluster, 6, year=2023)
    assert not StatisticsAggregate.objects.exists()
    response = client.get(PUBLIC + "?from_year=2023&to_year=2023")
    assert headline_companies(response) == 6
    assert set(StatisticsAggregate.objects.values_list("from_year", "to_year")) == {(2023, 2023)}


def test_public_page_queries_do_not_grow_with_the_data(client, cluster, other_cluster):
    companies_in(cluster, 6)
    aggregates.aggregates_refresh(period_list=[(2021, 2023)])
    with CaptureQueriesContext(connection) as small_cold:
        client.get(PUBLIC)  # after a refresh: the stamp, the stored rows, their clusters
    with CaptureQueriesContext(connection) as small:
        client.get(PUBLIC)  # then the rendered figures come from the cache: the stamp only
    for year in (2021, 2022, 2023):
        for c in (cluster, other_cluster):
            companies_in(c, 8, year=year)
    aggregates.aggregates_refresh(period_list=[(2021, 2023)])
    with CaptureQueriesContext(connection) as large_cold:
        response = client.get(PUBLIC)
    assert len(response.context["stats"].by_cluster) == 2
    assert headline_companies(response) == 6 + 48
    with CaptureQueriesContext(connection) as large:
        response = client.get(PUBLIC)
    assert headline_companies(response) == 6 + 48
    assert len(large_cold) == len(small_cold) <= 3
    assert len(large) == len(small) == 1
    sql = " ".join(q["sql"] for q in large_cold.captured_queries)
    assert "clusters_companyparticipation" not in sql  # nothing is computed from rows


def test_debounce_queues_one_refresh_per_window():
    aggregates.release_refresh()
    assert aggregates.claim_refresh() is True
    assert aggregates.claim_refresh() is False  # a refresh is already queued
    aggregates.release_refresh()  # the task started: the next change queues another
    assert aggregates.claim_refresh() is True
    aggregates.release_refresh()


@pytest.fixture
def eager_celery():
    """The queued task runs in the test process (the worker tests run a real worker)."""
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    aggregates.release_refresh()
    yield
    celery_app.conf.task_always_eager = before
    aggregates.release_refresh()


def test_an_activity_written_through_the_service_refreshes_after_commit(
    cluster, director, eager_celery, django_capture_on_commit_callbacks
):
    from clusters.services import CompanyRef, activity_create

    companies_in(cluster, 5)
    aggregates.aggregates_refresh(period_list=[(2022, 2022)])
    refs = [CompanyRef(cvr=CompanyFactory().cvr) for _ in range(2)]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        activity_create(cluster=cluster, actor=director, external_id="ny-1", title="Ny",
                        activity_type="matchmaking", start_date=date(2022, 6, 1),
                        end_date=date(2022, 6, 1), companies=refs)
    stored = aggregates.aggregated_statistics(from_year=2022, to_year=2022)
    assert stored.totals["companies"] == 5  # not before commit
    for callback in callbacks:
        callback()
    stored = aggregates.aggregated_statistics(from_year=2022, to_year=2022)
    assert stored.totals["companies"] == 7
    assert_equal_to_live([(2022, 2022), (2021, 2023)])


def test_approving_a_report_refreshes_the_money_figures(
    grant, director, caseworker, eager_celery, django_capture_on_commit_callbacks
):
    from grants.cases import services as cases
    from tests.builders import report_case_in_progress

    case = report_case_in_progress(grant, director, caseworker, 2025)
    aggregates.aggregates_refresh(period_list=[(2025, 2025)])
    before = aggregates.aggregated_statistics(from_year=2025, to_year=2025).totals
    assert before["grant_spent_dkk"] == 0
    with django_capture_on_commit_callbacks(execute=True):
        cases.case_approve_report(case=case, actor=caseworker)
    after = aggregates.aggregated_statistics(from_year=2025, to_year=2025).totals
    live = programme_statistics(from_year=2025, to_year=2025).totals
    assert after == live
    assert after["grant_spent_dkk"] > 0


def test_the_refresh_is_on_the_beat():
    schedule = celery_app.conf.beat_schedule
    assert any(e["task"] == "grants.tasks.refresh_statistics" for e in schedule.values())
    assert tasks.refresh_statistics.name == "grants.tasks.refresh_statistics"


# -- the demo data and ten times it (the live query is the oracle) ---------------------------


@pytest.mark.slow
def test_aggregates_equal_the_live_query_on_the_demo_data(demo_data):
    # seed_demo stored them; every period the page offers
    assert StatisticsAggregate.objects.exists()
    assert_equal_to_live(aggregates.periods())
    stored = aggregates.aggregated_statistics(from_year=2021, to_year=2023)
    assert stored.totals["companies"] == 11_050
    assert stored.totals["external_funding_dkk"] == 850_000_000


@pytest.mark.slow
def test_aggregates_equal_the_live_query_at_ten_times_the_demo_data(demo_data):
    from klyngeadmin.demo.scale import scale_activity_data

    scale_activity_data(9)  # rolled back with the test's transaction
    period_list = [(2021, 2023), (2022, 2022), (2025, 2026)]
    aggregates.aggregates_refresh(period_list=period_list)
    assert_equal_to_live(period_list)
    stored = aggregates.aggregated_statistics(from_year=2021, to_year=2023)
    assert stored.totals["companies"] == 110_500
    assert stored.totals["companies_outside_strength_position"] == 55_250
    with connection.cursor() as cursor:  # the FK checks now: the demo flush may follow in-transaction
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


@pytest.mark.django_db(transaction=True)
def test_the_public_page_reads_when_its_figures_were_computed_from_the_cache():
    """The public page's cache key (when the period's figures were computed) is set after a
    refresh commits, so the page asks the database nothing; a new refresh is seen at once."""
    aggregates.aggregates_refresh(period_list=[(2024, 2024)])
    with CaptureQueriesContext(connection) as ctx:
        first = aggregates.aggregates_computed_at(from_year=2024, to_year=2024)
    assert first is not None and len(ctx.captured_queries) == 0
    stored = StatisticsAggregate.objects.filter(from_year=2024, to_year=2024).first()
    assert first == stored.computed_at
    aggregates.aggregates_refresh(period_list=[(2024, 2024)])
    second = aggregates.aggregates_computed_at(from_year=2024, to_year=2024)
    assert second > first
    assert second == StatisticsAggregate.objects.filter(from_year=2024, to_year=2024).first().computed_at
