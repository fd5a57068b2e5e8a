"""One definition per figure: the report's key figures, the statistics, the midway metrics
and the API count the same companies the same way. A company without a DB07 code is
"unknown": neither inside nor outside the strength position, and left out of the share."""

from datetime import date
from decimal import Decimal

import pytest

from evaluations.constants import Metric
from evaluations.midway.metrics import key_figures
from grants.reports.selectors import report_key_figures
from grants.statistics.selectors import headline_figures, programme_statistics
from tests.grants.report_helpers import build_activity_data, report_for

pytestmark = pytest.mark.django_db

YEAR = 2025


@pytest.fixture
def data(grant):
    # inside (10), outside (62), inside (11), unknown (no DB07): 1 outside of 3 known
    return build_activity_data(grant.cluster, YEAR)


def test_unknown_industry_is_neither_inside_nor_outside_in_report_statistics_and_midway(grant, data):
    cluster = grant.cluster
    kf = report_key_figures(report=report_for(grant, YEAR))
    stats = headline_figures(from_year=YEAR, to_year=YEAR, clusters=[cluster])
    midway = key_figures([Metric.OUTSIDE_SHARE], [cluster.pk], [YEAR])[Metric.OUTSIDE_SHARE]

    assert kf["key_figures"]["companies_outside_strength_position"] == 1
    assert kf["key_figures"]["companies_unknown_industry"] == 1
    assert kf["key_figures"]["share_outside_strength_position"] == "0.3333"
    assert stats["companies_outside_strength_position"] == 1
    assert stats["companies_unknown_industry"] == 1
    assert stats["share_outside_strength_position"] == "0.3333"
    assert stats["share_companies_outside_strength_position"] == 0.3333
    assert midway[(cluster.pk, YEAR)] == Decimal("0.3333")


def test_report_statistics_midway_agree_for_one_cluster_year(grant, data):
    cluster = grant.cluster
    kf = report_key_figures(report=report_for(grant, YEAR))["key_figures"]
    stats = headline_figures(from_year=YEAR, to_year=YEAR, clusters=[cluster])
    per_cluster = dict(
        (c.pk, f) for c, f in programme_statistics(from_year=YEAR, to_year=YEAR).by_cluster
    )[cluster.pk]
    midway = key_figures([Metric.SME_REACH, Metric.SMALL_COMPANY_REACH, Metric.OUTSIDE_SHARE],
                         [cluster.pk], [YEAR])
    for figures in (stats, per_cluster):
        assert {k: figures[k] for k in kf} == kf
    assert midway[Metric.SME_REACH][(cluster.pk, YEAR)] == kf["smes"]
    assert midway[Metric.SMALL_COMPANY_REACH][(cluster.pk, YEAR)] == 1
    assert str(midway[Metric.OUTSIDE_SHARE][(cluster.pk, YEAR)]) == kf["share_outside_strength_position"]


def test_all_unknown_gives_no_share(cluster):
    from clusters.models import CompanyParticipation
    from tests.factories import ActivityFactory, CompanyFactory

    a = ActivityFactory(cluster=cluster, start_date=date(YEAR, 2, 1), end_date=date(YEAR, 2, 1))
    CompanyParticipation.objects.create(activity=a, company=CompanyFactory(db07_code=""))
    stats = headline_figures(from_year=YEAR, to_year=YEAR)
    assert (stats["companies"], stats["companies_unknown_industry"]) == (1, 1)
    assert stats["companies_outside_strength_position"] == 0
    assert stats["share_outside_strength_position"] is None
