"""The midway cohort reads what each cluster's starting points are computed from (key figures,
co-financing from the reports, target attainment) through the figures cache
(evaluations.midway.selectors.cohort_inputs): the same as the live definition, read once per
change of the cluster's data, and computed afresh after every write that changes it - an activity,
a report entering or leaving the reported states (submit, changes requested, approval), its
competitive funding, the grant's targets, a hand-reported indicator value."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from clusters.services import CompanyRef, activity_create
from evaluations.midway.cohort_views import cohort_rows
from evaluations.midway.schedule import grant_create
from grants.constants import ReportStatus
from grants.reports.services import report_save_draft, report_transition
from grants.reports.target_section import report_targets_save
from grants.targets.services import targets_change, targets_set_at_award
from tests.factories import ClusterFactory, next_cvr
from tests.grants.report_helpers import COMPLETE_CONTENT

pytestmark = pytest.mark.django_db(transaction=True)

YEAR = 2029  # the midway year of the test grant (2025-2034)


@pytest.fixture
def cohort(evaluation, caseworker):
    """cohort_rows of 2029 as the caseworker reads it: (criterion key -> StartingPoint,
    attainment) of the test grant's evaluation, and the number of queries it took."""

    def read():
        with CaptureQueriesContext(connection) as ctx:
            _criteria, rows = cohort_rows(user=caseworker, year=YEAR)
        row = next(r for r in rows if r["evaluation"].pk == evaluation.pk)
        points = {c["criterion"].key: c["point"] for c in row["cells"]}
        return points, row["attainment"], ctx.captured_queries

    return read


def _data_queries(queries) -> list[str]:
    """The queries of the figures' sources (activities, reports, targets, reported values)."""
    tables = ("clusters_activity", "clusters_companyparticipation", "grants_annualreport",
              "grants_competitivefunding", "grants_granttarget", "grants_reportedindicatorvalue")
    return [q["sql"] for q in queries if any(f'"{t}"' in q["sql"] for t in tables)]


def _submit(report, director, *, competitive=None, **content):
    """Save the report's content as the cluster does, then submit it (one transaction each,
    as the pages do)."""
    report.refresh_from_db()
    with transaction.atomic():
        report_save_draft(report=report, actor=director, expected_version=report.version,
                          data={**COMPLETE_CONTENT, **content},
                          competitive_funding=competitive)
    with transaction.atomic():
        report_transition(report=report, to=ReportStatus.SUBMITTED, actor=director)


def test_the_cohort_reads_its_figures_once_and_equals_the_live_definition(cohort, grant, director):
    with transaction.atomic():
        activity_create(cluster=grant.cluster, actor=director, external_id="a-1", title="Første",
                        activity_type="matchmaking", international=True,
                        start_date=date(2025, 3, 1), end_date=date(2025, 3, 1),
                        companies=[CompanyRef(cvr=next_cvr(), name="Ny ApS", employees=5)])
    first, attainment, computed = cohort()
    assert _data_queries(computed)
    again, again_attainment, cached = cohort()
    assert _data_queries(cached) == [] and len(cached) < len(computed)
    assert (again, again_attainment) == (first, attainment)
    with transaction.atomic():  # inside a transaction every read computes: the live definition
        live, live_attainment, queries = cohort()
        assert _data_queries(queries)
    assert (live, live_attainment) == (first, attainment)
    assert first["internationalisation"].values[1] == 1


def test_a_read_from_the_cache_costs_the_same_queries_for_any_cohort(cohort, grant, caseworker):
    """Read from the cache, the cohort's queries are the evaluations, the rubric, its criteria
    and the panels (four): as many for four clusters as for one."""
    cohort()
    _, _, one = cohort()
    assert len(one) == 4, [q["sql"][:80] for q in one]
    for i in range(3):
        with transaction.atomic():
            grant_create(cluster=ClusterFactory(), reference=f"KP-Q-{i}", start_year=2025,
                         horizon_years=10, annual_amount_dkk=1_000_000)
    _, _, computed = cohort()
    _, _, four = cohort()
    assert len(four) == len(one) and _data_queries(four) == []
    assert len(computed) > len(four)
    assert len(cohort_rows(user=caseworker, year=YEAR)[1]) == 4


def _review(report, caseworker, outcome):
    """The caseworker takes the submitted report into review, then decides it (each step its
    own transaction, as two requests would be)."""
    for status in (ReportStatus.IN_REVIEW, outcome):
        with transaction.atomic():
            report_transition(report=report, to=status, actor=caseworker)


def test_a_submitted_report_shows_and_a_reopened_one_leaves(cohort, grant, director, caseworker):
    report = grant.reports.get(year=2025)
    points, _, _ = cohort()
    assert points["cofinancing"].values[1] is None  # a draft is not counted
    _submit(report, director)
    points, _, _ = cohort()
    assert points["cofinancing"].values[1] == Decimal("0.2438")  # 1.95 mio. / 8 mio.
    _review(report, caseworker, ReportStatus.CHANGES_REQUESTED)
    points, _, _ = cohort()
    assert points["cofinancing"].values[1] is None  # reopened: not counted until resubmitted
    # resubmitted with competitive funds brought home: counted with them
    _submit(report, director, competitive=[
        {"funder": "Horizon Europe", "funder_kind": "eu", "amount_dkk": 2_000_000}])
    points, _, _ = cohort()
    assert points["cofinancing"].values[1] == Decimal("0.4938")  # 3.95 mio. / 8 mio.
    _review(report, caseworker, ReportStatus.APPROVED)
    points, _, _ = cohort()
    assert points["cofinancing"].values[1] == Decimal("0.4938")


def test_changed_targets_and_reported_values_show(cohort, grant, director, caseworker):
    _, attainment, _ = cohort()
    assert attainment is None  # no targets: not applicable
    with transaction.atomic():
        targets_set_at_award(grant=grant, actor=caseworker, rows=[
            {"year_number": 1, "indicator": "international_activities", "target": 2},
            {"year_number": 1, "indicator": "new_products", "target": 10}])
    _, attainment, _ = cohort()
    assert attainment == Decimal(0)  # no international activity; new products not reported yet
    report = grant.reports.get(year=2025)
    with transaction.atomic():
        report_targets_save(report=report, actor=director, values={"new_products": 5})
    _, attainment, _ = cohort()
    assert attainment == Decimal("0.25")  # the mean of 0 % and 50 %
    with transaction.atomic():  # an amendment changes the target
        targets_change(grant=grant, actor=caseworker, basis="ændringssag", rows=[
            {"year_number": 1, "indicator": "new_products", "target": 5}])
    _, attainment, _ = cohort()
    assert attainment == Decimal("0.5")


def test_without_the_cache_the_cohort_is_computed(cohort, grant):
    """Redis down: every read computes; slower, never wrong or failing."""
    first, attainment, _ = cohort()
    down_cache = {"default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:9/0",  # nothing listens there
        "OPTIONS": {"socket_timeout": 0.2, "socket_connect_timeout": 0.2},
    }}
    with override_settings(CACHES=down_cache):
        down, down_attainment, queries = cohort()
    assert _data_queries(queries)
    assert (down, down_attainment) == (first, attainment)
