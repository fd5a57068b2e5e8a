"""The demo data's budgets and accounts agree with the reports the statistics read."""

import pytest
from django.db.models import Count

from grants.budgets.models import BudgetLine
from grants.budgets.selectors import budget_table, grant_aid_position
from grants.constants import ReportStatus
from grants.core.models import Grant
from grants.reports.models import AnnualReport

pytestmark = pytest.mark.django_db


def test_every_grant_year_has_a_balanced_budget(demo_data):
    for grant in Grant.objects.annotate(years=Count("budget_lines__year_number", distinct=True)):
        assert grant.years == grant.horizon_years, grant.reference
    for grant_id, year in BudgetLine.objects.values_list("grant_id", "year_number").distinct():
        table = budget_table(grant_id=grant_id, year_number=year)
        assert table["cost_totals"]["budget_dkk"] == table["funding_totals"]["budget_dkk"]


def test_every_reported_year_has_accounts_matching_the_report(demo_data):
    reported = AnnualReport.objects.exclude(status=ReportStatus.CANCELLED).filter(
        grant_spent_dkk__isnull=False, cofinancing_foundation_dkk__isnull=False)
    assert reported.count() > 40
    for report in reported:
        table = budget_table(grant_id=report.grant_id, year_number=report.year_number)
        funding = {row["key"]: row["actual_dkk"] for row in table["funding"]}
        assert funding["funding:grant"] == report.grant_spent_dkk
        assert funding["funding:private_cash"] == sum(getattr(report, f) for f in (
            "cofinancing_membership_dkk", "cofinancing_sponsorship_dkk",
            "cofinancing_foundation_dkk", "cofinancing_project_dkk"))
        assert table["cost_totals"]["actual_dkk"] == table["funding_totals"]["actual_dkk"]
        assert all(row["explanation"] for row in table["costs"] + table["funding"]
                   if row["needs_explanation"])
    for report in AnnualReport.objects.filter(status=ReportStatus.CANCELLED):
        assert not BudgetLine.objects.filter(grant_id=report.grant_id, year_number=report.year_number,
                                             actual_dkk__isnull=False).exists()


def test_aid_intensity_below_the_ceiling_one_cluster_close(demo_data):
    shares = [grant_aid_position(grant=g).pct for g in Grant.objects.all()]
    assert all(s is not None and s <= 50 for s in shares)
    assert any(49 <= s <= 50 for s in shares)
