"""The programme's figures computed once, read many times.

``aggregates_refresh()`` runs the live query (``selectors.programme_statistics``) for every
period the public page offers (each pair of years from FIRST_YEAR to this year) and stores the
answer in ``StatisticsAggregate`` rows, replacing the period's rows in one transaction.
``aggregated_statistics()`` reads them back as the same ``Statistics`` the live query returns
(two queries: the rows, and the clusters they name), so the page and its exports cannot tell
the difference except by speed. The live query stays the oracle: the tests hold the two equal on
the demo data and on ten times the demo data.

When they are refreshed: after commit whenever a report is approved (or leaves approved) or
activities are written (``klyngeadmin.kernel.signals.figures_changed``; the receiver queues
``grants.tasks.refresh_statistics`` at most once per DEBOUNCE_SECONDS), and nightly on the beat.
A period never computed (e.g. on the first of January) is computed on its first read.

Adding a figure: add it to the live query's figure dicts (``selectors._figures``) and it is
stored and read here with no further code. Adding a section (another list on the page): one
entry in SECTIONS, how to take it from a ``Statistics`` and how to put it back."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from clusters.models import ClusterOrganisation
from clusters.stateaid.selectors import fee_level_by_sme_share
from grants.outcomes.selectors import outcome_statistics
from grants.statistics.models import AggregateSection, StatisticsAggregate
from grants.statistics.selectors import (
    FIRST_YEAR,
    Selection,
    Statistics,
    programme_statistics,
)

logger = logging.getLogger(__name__)

# A burst of writes (an import, a morning of approvals) queues one refresh.
DEBOUNCE_SECONDS = 60
_PENDING_KEY = "statistics-aggregates-refresh-pending"
_LOCK_ID = 0x57A7  # pg_advisory_xact_lock: one refresh at a time


def periods(*, today=None) -> list[tuple[int, int]]:
    """Every (from_year, to_year) the public page offers."""
    last = (today or timezone.localdate()).year
    return [(a, b) for a in range(FIRST_YEAR, last + 1) for b in range(a, last + 1)]


def _rows(stats: Statistics) -> Iterable[tuple[str, int | None, dict]]:
    period = {"from_year": stats.selection.from_year, "to_year": stats.selection.to_year}
    yield AggregateSection.TOTAL, None, stats.totals
    for year, figures in stats.by_year:
        yield AggregateSection.YEAR, year, figures
    for cluster, figures in stats.by_cluster:
        yield AggregateSection.CLUSTER, cluster.pk, figures
    for row in stats.competitive_by_funder:
        yield AggregateSection.FUNDER, None, row
    yield AggregateSection.OUTCOMES, None, outcome_statistics(**period)
    for row in fee_level_by_sme_share(**period):
        yield AggregateSection.FEE_BAND, None, row


def aggregates_refresh(*, period_list: Iterable[tuple[int, int]] | None = None) -> int:
    """Recompute the stored figures of the given periods (default: all); returns the rows
    written. Derived data only: nothing a person typed changes, so no audit event."""
    period_list = list(periods() if period_list is None else period_list)
    now = timezone.now()
    written = 0
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_ID])
        for from_year, to_year in period_list:
            stats = programme_statistics(from_year=from_year, to_year=to_year)
            rows = [
                StatisticsAggregate(from_year=from_year, to_year=to_year, section=section,
                                    position=position, key=key, figures=figures, computed_at=now)
                for position, (section, key, figures) in enumerate(_rows(stats))
            ]
            StatisticsAggregate.objects.filter(from_year=from_year, to_year=to_year).delete()
            StatisticsAggregate.objects.bulk_create(rows)
            written += len(rows)
        _stamps_after_commit(period_list, now)
    return written


# How long the cache may answer "when were the period's figures computed" (the public page's
# cache key) without asking the database: a refresh sets it after commit, this bounds the wait
# for one whose setting was lost (Redis down at the time).
STAMP_SECONDS = 60


def _stamp_key(from_year: int, to_year: int) -> str:
    return f"statistics-aggregates-stamp:{connection.settings_dict['NAME']}:{from_year}-{to_year}"


def _stamps_after_commit(period_list, now) -> None:
    def set_stamps():
        try:
            cache.set_many({_stamp_key(a, b): now for a, b in period_list}, timeout=STAMP_SECONDS)
        except Exception:  # noqa: BLE001 - the cache is an optimisation
            logger.warning("statistics refresh: the cache did not answer")

    transaction.on_commit(set_stamps)


def aggregates_computed_at(*, from_year: int, to_year: int):
    """When the period's stored figures were computed (None: never): from the cache, which a
    refresh sets after commit, else one query. Inside a transaction (which may have refreshed
    them itself) always the query."""
    key = _stamp_key(from_year, to_year)
    committed = not connection.in_atomic_block
    stamp = None
    if committed:
        try:
            stamp = cache.get(key)
        except Exception:  # noqa: BLE001
            logger.warning("statistics page: the cache did not answer")
    if stamp is not None:
        return stamp
    stamp = (
        StatisticsAggregate.objects.filter(from_year=from_year, to_year=to_year)
        .order_by().values_list("computed_at", flat=True).first()
    )
    if stamp is not None and committed:
        try:  # add, not set: never over a newer stamp a refresh has just set
            cache.add(key, stamp, timeout=STAMP_SECONDS)
        except Exception:  # noqa: BLE001
            logger.warning("statistics page: the cache did not answer")
    return stamp


def _stored(from_year: int, to_year: int) -> list[tuple]:
    return list(
        StatisticsAggregate.objects.filter(from_year=from_year, to_year=to_year)
        .order_by("position")
        .values_list("section", "key", "figures", "computed_at")
    )


def aggregated_statistics(*, from_year: int, to_year: int) -> Statistics:
    """The programme's figures for a period, read from the stored aggregates (computed first
    if the period has never been). Two queries."""
    rows = _stored(from_year, to_year)
    if not rows:
        aggregates_refresh(period_list=[(from_year, to_year)])
        rows = _stored(from_year, to_year)
    totals: dict = {}
    outcomes: dict = {}
    by_year, cluster_rows, funders, fee_levels = [], [], [], []
    for section, key, figures, _computed_at in rows:
        if section == AggregateSection.TOTAL:
            totals = figures
        elif section == AggregateSection.YEAR:
            by_year.append((key, figures))
        elif section == AggregateSection.CLUSTER:
            cluster_rows.append((key, figures))
        elif section == AggregateSection.FUNDER:
            funders.append(figures)
        elif section == AggregateSection.OUTCOMES:
            outcomes = figures
        else:
            fee_levels.append(figures)
    clusters = ClusterOrganisation.objects.select_related("strength_position").in_bulk(
        [key for key, _ in cluster_rows]
    )
    by_cluster = [(clusters[key], figures) for key, figures in cluster_rows if key in clusters]
    return Statistics(
        selection=Selection.build(from_year=from_year, to_year=to_year),
        totals=totals, by_year=by_year, by_cluster=by_cluster, competitive_by_funder=funders,
        computed_at=rows[0][3], outcomes=outcomes, fee_levels=fee_levels,
    )


def claim_refresh() -> bool:
    """True for the first change in a debounce window (the caller queues the refresh), False
    while one is already queued. Without the cache (Redis down) every change queues one."""
    try:
        return bool(cache.add(_PENDING_KEY, 1, timeout=DEBOUNCE_SECONDS * 10))
    except Exception:  # noqa: BLE001 - the cache is an optimisation; the beat refresh catches up
        logger.warning("statistics refresh: the cache did not answer; queueing anyway")
        return True


def release_refresh() -> None:
    """The queued refresh starts: changes from now on queue the next one."""
    try:
        cache.delete(_PENDING_KEY)
    except Exception:  # noqa: BLE001
        logger.warning("statistics refresh: the cache did not answer")
