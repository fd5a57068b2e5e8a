from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from evaluations.midway.schedule import grant_create
from evaluations.models import MidwayEvaluation
from grants.constants import DeadlineKind, ReportStatus, TrancheStatus
from grants.core.models import Tranche
from grants.deadlines.models import Deadline
from grants.reports.models import AnnualReport

CPH = ZoneInfo("Europe/Copenhagen")
pytestmark = pytest.mark.django_db


def test_a_ten_year_grant_from_2025_lays_out_its_whole_life(cluster):
    grant = grant_create(cluster=cluster, reference="KP-1", start_year=2025, horizon_years=10,
                         annual_amount_dkk=12_000_000)
    tranches = list(Tranche.objects.filter(grant=grant).order_by("year_number"))
    assert [t.year for t in tranches] == list(range(2025, 2035))
    assert [t.year_number for t in tranches] == list(range(1, 11))
    assert {t.status for t in tranches} == {TrancheStatus.PLANNED}
    assert sum(t.amount_dkk for t in tranches) == 120_000_000

    reports = list(AnnualReport.objects.filter(grant=grant).select_related("deadline").order_by("year"))
    assert len(reports) == 10
    assert {r.status for r in reports} == {ReportStatus.DRAFT}
    assert reports[0].deadline.due_at == datetime(2026, 3, 31, 23, 59, tzinfo=CPH)
    assert reports[-1].year == 2034
    assert {r.deadline.kind for r in reports} == {DeadlineKind.ANNUAL_REPORT}

    evaluation = MidwayEvaluation.objects.select_related(
        "self_assessment_deadline", "scoring_deadline").get(grant=grant)
    assert evaluation.year == 2029
    assert evaluation.decision_effective_year == 2030  # year 6
    assert evaluation.self_assessment_deadline.due_at.year == 2029
    assert evaluation.self_assessment_deadline.kind == DeadlineKind.SELF_ASSESSMENT
    assert evaluation.scoring_deadline.due_at > evaluation.self_assessment_deadline.due_at


def test_a_historical_grant_has_four_years_and_no_midway_evaluation(cluster):
    grant = grant_create(cluster=cluster, reference="IK-1", start_year=2021, horizon_years=4,
                         midway_year=None, annual_amount_dkk=5_000_000)
    assert grant.tranches.count() == 4
    assert grant.reports.count() == 4
    assert grant.end_year == 2024
    assert not MidwayEvaluation.objects.filter(grant=grant).exists()
    assert Deadline.objects.filter(cluster=cluster).count() == 4


def test_grant_create_is_all_or_nothing(cluster):
    grant_create(cluster=cluster, reference="DUP", start_year=2025, horizon_years=10,
                 annual_amount_dkk=1)
    before = (Tranche.objects.count(), AnnualReport.objects.count(), Deadline.objects.count())
    with pytest.raises(Exception):  # noqa: B017 - the unique reference is violated
        grant_create(cluster=cluster, reference="DUP", start_year=2026, horizon_years=10,
                     annual_amount_dkk=1)
    assert (Tranche.objects.count(), AnnualReport.objects.count(), Deadline.objects.count()) == before
