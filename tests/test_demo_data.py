"""The demo programme reproduces klyngestatistik 2021-2023, checked with SQL aggregates."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings

from clusters.cvr import is_valid_cvr
from clusters.models import Company
from evaluations.models import MidwayEvaluation
from grants.constants import ReportStatus
from grants.core.models import Grant
from grants.reports.models import AnnualReport
from klyngeadmin.accounts.models import User
from klyngeadmin.demo.plan import CLUSTERS

pytestmark = pytest.mark.django_db


def one(sql, params=()):
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchone()


PERIOD = "a.year BETWEEN 2021 AND 2023"


def test_activity_and_participation_figures(demo_data):
    companies, activities = one(
        f"SELECT count(DISTINCT cp.company_id), count(DISTINCT a.id) FROM clusters_activity a "
        f"JOIN clusters_companyparticipation cp ON cp.activity_id = a.id WHERE {PERIOD}")
    assert (companies, activities) == (11_050, 3_083)
    assert one(f"SELECT count(*) FROM clusters_activity a WHERE {PERIOD}") == (3_083,)
    participations, inst_activities = one(
        f"SELECT count(*), count(DISTINCT ip.activity_id) FROM clusters_institutionparticipation ip "
        f"JOIN clusters_activity a ON a.id = ip.activity_id WHERE {PERIOD}")
    assert (participations, inst_activities) == (5_784, 2_284)


def test_financial_figures(demo_data):
    (spent,) = one("SELECT sum(grant_spent_dkk) FROM grants_annualreport "
                   "WHERE year BETWEEN 2021 AND 2023 AND status = 'approved'")
    (cofinancing,) = one(
        "SELECT sum(coalesce(cofinancing_membership_dkk,0) + coalesce(cofinancing_sponsorship_dkk,0)"
        " + coalesce(cofinancing_foundation_dkk,0) + coalesce(cofinancing_project_dkk,0))"
        " FROM grants_annualreport WHERE year BETWEEN 2021 AND 2023 AND status = 'approved'")
    (competitive,) = one(
        "SELECT sum(f.amount_dkk) FROM grants_competitivefunding f JOIN grants_annualreport r"
        " ON r.id = f.report_id WHERE r.year BETWEEN 2021 AND 2023 AND r.status = 'approved'")
    assert spent == 365_000_000
    assert cofinancing + competitive == 850_000_000
    assert competitive > 0 and cofinancing > 0  # split by source, not one lump


def test_half_of_the_companies_are_outside_their_clusters_strength_position(demo_data):
    outside, total = one(f"""
        SELECT count(*) FILTER (WHERE NOT EXISTS (
                 SELECT 1 FROM clusters_companyparticipation cp
                 JOIN clusters_activity a ON a.id = cp.activity_id
                 JOIN clusters_clusterorganisation c ON c.id = a.cluster_id
                 JOIN clusters_strengthposition sp ON sp.id = c.strength_position_id
                 WHERE cp.company_id = co.id AND {PERIOD}
                   AND substr(co.db07_code, 1, 2) = ANY(sp.db07_divisions))),
               count(*)
        FROM clusters_company co
        WHERE EXISTS (SELECT 1 FROM clusters_companyparticipation cp
                      JOIN clusters_activity a ON a.id = cp.activity_id
                      WHERE cp.company_id = co.id AND {PERIOD})""")
    assert total == 11_050
    assert abs(outside / total - 0.5) <= 0.01


@pytest.mark.parametrize("selection", [
    {"from_year": 2021, "to_year": 2023},
    {"from_year": 2022, "to_year": 2022, "region": "DK-84"},
])
def test_company_figures_in_one_grouping_sets_query_equal_one_query_per_key(demo_data, selection):
    """programme_statistics counts companies for the total, per year and per cluster in one
    GROUPING SETS query; on the demo data it gives what one query per key gives."""
    from grants.statistics.selectors import Selection, _company_figures, _company_figures_by

    sel = Selection.build(**selection)
    together = _company_figures_by(sel, (None, "year", "cluster"))
    assert together == {
        None: _company_figures(sel, None),
        "year": _company_figures(sel, "activity__year"),
        "cluster": _company_figures(sel, "activity__cluster"),
    }
    assert together[None][None]["companies"] > 1000 and len(together["cluster"]) >= 3


def test_every_cvr_passes_modulus_11(demo_data):
    cvrs = list(Company.objects.values_list("cvr", flat=True))
    assert len(cvrs) == 11_050
    assert all(is_valid_cvr(c) for c in cvrs)


def test_the_new_programme(demo_data):
    new_grants = Grant.objects.filter(start_year=2025)
    assert new_grants.count() == sum(1 for p in CLUSTERS if p.new_programme)
    for g in new_grants:
        assert g.horizon_years == 10
        assert g.tranches.count() == 10
        statuses = dict(g.reports.values_list("year", "status"))
        assert statuses[2025] == ReportStatus.APPROVED
        # drafts, except the clusters whose 2026 report the demo cases have submitted
        assert statuses[2026] in (ReportStatus.DRAFT, ReportStatus.SUBMITTED,
                                  ReportStatus.IN_REVIEW, ReportStatus.CHANGES_REQUESTED,
                                  ReportStatus.APPROVED)
    assert AnnualReport.objects.filter(year=2026, grant__start_year=2025,
                                       status=ReportStatus.DRAFT).count() >= 5
    assert set(MidwayEvaluation.objects.filter(grant__start_year=2025).values_list(
        "year", flat=True)) == {2029}
    drafts = AnnualReport.objects.filter(year=2026, grant__start_year=2025)
    assert drafts.filter(platform_role="").exists() and drafts.exclude(platform_role="").exists()


def test_demo_accounts(demo_data):
    names = set(User.objects.values_list("username", flat=True))
    assert {"admin", "caseworker1", "caseworker2", "headofoffice"} <= names
    assert {f"director-{p.slug}" for p in CLUSTERS} <= names
    assert User.objects.get(username="caseworker1").check_password("klyngedemo")


def test_a_second_run_changes_nothing(demo_data):
    counts = (Company.objects.count(), AnnualReport.objects.count(), User.objects.count())
    out = io.StringIO()
    call_command("seed_demo", "--allow-demo-passwords", stdout=out)
    assert "intet ændret" in out.getvalue()
    assert (Company.objects.count(), AnnualReport.objects.count(), User.objects.count()) == counts


@override_settings(DEBUG=False)
def test_demo_passwords_refused_without_debug_or_flag(demo_data):
    users = User.objects.count()
    with pytest.raises(CommandError, match="allow-demo-passwords"):
        call_command("seed_demo", "--reset", stdout=io.StringIO())
    assert User.objects.count() == users  # refused before anything was touched


def test_demo_cases_in_every_state(demo_data):
    from grants.cases.models import Case, DecisionLetter, TrancheProposal
    from grants.constants import CaseStatus

    assert set(Case.objects.values_list("status", flat=True)) == set(CaseStatus.values)
    assert Case.objects.filter(assignee__isnull=True).exists()
    assert Case.objects.filter(assignee__username="caseworker1").count() >= 3
    assert TrancheProposal.objects.filter(status="proposed").exists()
    assert DecisionLetter.objects.exists()


def test_fees_state_aid_and_outcomes(demo_data):
    """Issue 15: fees on a share of the new activities, aid records with declarations, one
    company near the de minimis ceiling, outcomes and answered surveys; and the public
    outcome table publishes only what rests on at least 5 companies."""
    from datetime import date

    from clusters.models import Activity, Company, DeMinimisDeclaration, StateAidRecord
    from clusters.stateaid.deminimis import OVER, WARN
    from clusters.stateaid.selectors import standings
    from grants.outcomes.models import CompanyOutcome, SurveyInvitation
    from grants.statistics.outcome_tables import outcome_table

    new = Activity.objects.filter(start_date__year__gte=2024)
    paid = new.exclude(fee_basis="free").count()
    assert 0.25 < paid / new.count() < 0.6
    assert not Activity.objects.filter(start_date__year__lt=2024).exclude(fee_basis="free").exists()
    assert StateAidRecord.objects.filter(legal_basis="de_minimis").exists()
    assert StateAidRecord.objects.filter(legal_basis="cluster_access").exists()
    # every de minimis aid has its prior declaration
    for r in StateAidRecord.objects.filter(legal_basis="de_minimis"):
        assert DeMinimisDeclaration.objects.filter(cluster=r.cluster, company=r.company,
                                                   declared_on__lte=r.granted_on).exists()
    companies = list(Company.objects.filter(aid_records__legal_basis="de_minimis").distinct())
    levels = [s.level for s in standings(companies=companies, on=date(2026, 12, 1)).values()]
    assert levels.count(WARN) == 1 and OVER not in levels
    assert CompanyOutcome.objects.filter(source="cluster").count() > 50
    assert CompanyOutcome.objects.filter(source="survey").exists()
    assert SurveyInvitation.objects.filter(answered_at__isnull=True).exists()
    table = outcome_table(from_year=2025, to_year=2026, public=True)
    assert any(not row[1].suppressed for row in table.rows[:-1])


def test_demo_award_letters(demo_data):
    """Every grant with a paid or proposed tranche has its award accepted (who and when); one
    award letter waits for its director (the database would refuse a payment otherwise)."""
    from grants.constants import TrancheStatus

    paid = Grant.objects.filter(tranches__status__in=[TrancheStatus.RELEASED,
                                                      TrancheStatus.PROPOSED]).distinct()
    assert paid.exists()
    assert not paid.filter(award_accepted_at__isnull=True).exists()
    assert all(g.award_accepted_by.cluster_id == g.cluster_id for g in paid)
    pending = Grant.objects.get(award_accepted_at__isnull=True)
    assert pending.reference == "KP-2027-001"
    assert pending.cases.get(case_type="award").letters.get().kind == "award"
