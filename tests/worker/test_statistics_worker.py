"""The stored statistics are refreshed by a real Celery worker (private Redis) after a write
commits: the write queues the debounced task, the worker recomputes every period (issue 19)."""

from datetime import date

import pytest

from clusters.services import CompanyRef, activity_create
from grants.statistics import aggregates
from grants.statistics.models import StatisticsAggregate
from grants.statistics.selectors import programme_statistics
from tests.factories import CompanyFactory
from tests.worker.conftest import wait_until

pytestmark = [pytest.mark.worker]


def _stored_companies(year):
    row = StatisticsAggregate.objects.filter(from_year=year, to_year=year,
                                             section="total").first()
    return None if row is None else row.figures["companies"]


def test_an_activity_write_is_counted_by_the_worker_after_commit(
    worker, cluster, director, monkeypatch
):
    monkeypatch.setattr(aggregates, "DEBOUNCE_SECONDS", 1)  # the publisher's countdown
    aggregates.release_refresh()
    aggregates.aggregates_refresh(period_list=[(2025, 2025)])
    assert _stored_companies(2025) == 0
    worker.start()
    refs = [CompanyRef(cvr=CompanyFactory().cvr) for _ in range(3)]
    activity_create(cluster=cluster, actor=director, external_id="w-1", title="Temadag",
                    activity_type="matchmaking", start_date=date(2025, 4, 1),
                    end_date=date(2025, 4, 1), companies=refs)  # commits: on_commit queues
    assert wait_until(lambda: _stored_companies(2025) == 3, timeout=60,
                      what="the worker's refresh")
    stored = aggregates.aggregated_statistics(from_year=2025, to_year=2025)
    assert stored.totals == programme_statistics(from_year=2025, to_year=2025).totals
    # every period was refreshed, not just the one read
    assert StatisticsAggregate.objects.filter(from_year=2021, to_year=2025).exists()
    aggregates.release_refresh()
