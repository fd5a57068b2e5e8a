"""The statistics selectors: the demo's reference figures, and small data sets with obvious answers."""

from datetime import date

import pytest

from clusters.constants import ActivityType, FunderKind, InstitutionKind, Region
from clusters.models import CompanyParticipation, InstitutionParticipation
from evaluations.midway.schedule import grant_create
from grants.constants import ReportStatus
from grants.reports.models import CompetitiveFunding
from grants.reports.services import report_transition
from grants.statistics.selectors import headline_figures, programme_statistics
from klyngeadmin.kernel.roles import Role
from tests.factories import (
    ActivityFactory,
    ClusterFactory,
    CompanyFactory,
    InstitutionFactory,
    StrengthPositionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def activity(cluster, year=2022, **kwargs):
    start = date(year, 3, 1)
    return ActivityFactory(cluster=cluster, start_date=start, end_date=start, **kwargs)


def take_part(act, *companies):
    CompanyParticipation.objects.bulk_create(
        CompanyParticipation(activity=act, company=c) for c in companies
    )


# -- hand-built data sets ----------------------------------------------------------------------


def test_a_company_in_two_clusters_counts_once_nationally():
    a, b = ClusterFactory(), ClusterFactory()
    company = CompanyFactory()
    take_part(activity(a), company)
    take_part(activity(b), company)
    figures = headline_figures(from_year=2022, to_year=2022)
    assert figures["companies"] == 1
    assert figures["company_participations"] == 2
    assert figures["activities"] == 2
    stats = programme_statistics(from_year=2022, to_year=2022)
    assert [f["companies"] for _, f in stats.by_cluster] == [1, 1]
    assert headline_figures(from_year=2022, to_year=2022, clusters=[a])["companies"] == 1


def test_a_company_in_two_activities_counts_once():
    cluster = ClusterFactory()
    company = CompanyFactory()
    take_part(activity(cluster), company)
    take_part(activity(cluster), company)
    figures = headline_figures(from_year=2022, to_year=2022)
    assert (figures["companies"], figures["company_participations"]) == (1, 2)


def test_a_year_with_no_activity_gives_zeros_and_no_share():
    cluster = ClusterFactory()
    take_part(activity(cluster, 2021), CompanyFactory())
    take_part(activity(cluster, 2023), CompanyFactory())
    empty = headline_figures(from_year=2022, to_year=2022)
    assert empty["companies"] == 0
    assert empty["activities"] == 0
    assert empty["grant_spent_dkk"] == 0
    assert empty["share_companies_outside_strength_position"] is None
    assert empty["leverage"] is None
    stats = programme_statistics(from_year=2021, to_year=2023)
    assert [(y, f["activities"], f["companies"]) for y, f in stats.by_year] == [
        (2021, 1, 1), (2022, 0, 0), (2023, 1, 1)
    ]


def test_an_institution_in_two_activities():
    cluster = ClusterFactory()
    university = InstitutionFactory(kind=InstitutionKind.UNIVERSITY)
    academy = InstitutionFactory(kind=InstitutionKind.ACADEMY)
    first, second, _without = activity(cluster), activity(cluster), activity(cluster)
    InstitutionParticipation.objects.create(activity=first, institution=university)
    InstitutionParticipation.objects.create(activity=second, institution=university)
    InstitutionParticipation.objects.create(activity=first, institution=academy)
    figures = headline_figures(from_year=2022, to_year=2022)
    assert figures["institution_participations"] == 3
    assert figures["institution_activities"] == 2
    assert figures["institutions"] == 2
    assert figures["institution_participations_university"] == 2
    assert figures["institution_activities_university"] == 2
    assert figures["institution_participations_academy"] == 1
    assert figures["institution_participations_gts"] == 0


def test_inside_one_clusters_position_and_outside_anothers_is_inside_nationally():
    food = ClusterFactory(strength_position=StrengthPositionFactory(db07_divisions=["10"]))
    energy = ClusterFactory(strength_position=StrengthPositionFactory(db07_divisions=["35"]))
    baker = CompanyFactory(db07_code="107100")  # division 10: inside food, outside energy
    shop = CompanyFactory(db07_code="471100")  # division 47: inside neither
    take_part(activity(food), baker, shop)
    take_part(activity(energy), baker)
    figures = headline_figures(from_year=2022, to_year=2022)
    assert figures["companies"] == 2
    assert figures["companies_outside_strength_position"] == 1
    assert figures["share_companies_outside_strength_position"] == 0.5
    by_cluster = {c.pk: f for c, f in programme_statistics(from_year=2022, to_year=2022).by_cluster}
    assert by_cluster[food.pk]["companies_outside_strength_position"] == 1  # the shop
    assert by_cluster[energy.pk]["companies_outside_strength_position"] == 1  # the baker
    assert by_cluster[energy.pk]["share_companies_outside_strength_position"] == 1.0
    only_energy = headline_figures(from_year=2022, to_year=2022, clusters=[energy.pk])
    assert only_energy["companies_outside_strength_position"] == 1


def test_company_without_db07_code_is_unknown_not_outside():
    cluster = ClusterFactory()
    take_part(activity(cluster), CompanyFactory(db07_code=""), CompanyFactory(db07_code="620100"))
    figures = headline_figures(from_year=2022, to_year=2022)
    assert figures["companies_outside_strength_position"] == 1
    assert figures["companies_unknown_industry"] == 1
    assert figures["share_companies_outside_strength_position"] == 1.0  # 1 of 1 known


def test_size_classes_and_sme_share():
    cluster = ClusterFactory()
    take_part(activity(cluster), CompanyFactory(employees=3), CompanyFactory(employees=20),
              CompanyFactory(employees=100), CompanyFactory(employees=900))
    figures = headline_figures(from_year=2022, to_year=2022)
    assert (figures["micro_companies"], figures["small_companies"], figures["medium_companies"],
            figures["large_companies"]) == (1, 1, 1, 1)
    assert figures["sme_companies"] == 3
    assert figures["sme_share"] == 0.75


def test_activity_kinds_international_and_eu():
    cluster = ClusterFactory()
    activity(cluster, activity_type=ActivityType.RD_APPLICATION)
    activity(cluster, activity_type=ActivityType.INNOVATION_PROJECT, international=True,
             eu_funded=True)
    activity(cluster, activity_type=ActivityType.INTERNATIONALISATION, international=True)
    figures = headline_figures(from_year=2022, to_year=2022)
    assert figures["activities"] == 3
    assert figures["rd_applications"] == 1
    assert figures["innovation_projects"] == 1
    assert figures["international_activities"] == 2
    assert figures["eu_funded_activities"] == 1


def _approve(report, caseworker):
    director = UserFactory(role=Role.DIRECTOR, cluster=report.grant.cluster)
    report_transition(report=report, to=ReportStatus.SUBMITTED, actor=director)
    report_transition(report=report, to=ReportStatus.IN_REVIEW, actor=caseworker)
    report_transition(report=report, to=ReportStatus.APPROVED, actor=caseworker)


def _fill(report, spent, membership=0, sponsorship=0, foundation=0, project=0):
    report.grant_spent_dkk = spent
    report.cofinancing_membership_dkk = membership
    report.cofinancing_sponsorship_dkk = sponsorship
    report.cofinancing_foundation_dkk = foundation
    report.cofinancing_project_dkk = project
    report.save()


def test_money_comes_from_approved_reports_of_the_period_only(caseworker):
    cluster = ClusterFactory()
    grant = grant_create(cluster=cluster, reference="KP-STAT-1", start_year=2025,
                         horizon_years=10, annual_amount_dkk=10_000_000)
    r2025, r2026, r2027 = (grant.reports.get(year=y) for y in (2025, 2026, 2027))
    _fill(r2025, 8_000_000, membership=1_000_000, sponsorship=500_000, foundation=250_000,
          project=250_000)
    CompetitiveFunding.objects.create(report=r2025, funder="Horizon Europe",
                                      funder_kind=FunderKind.EU, amount_dkk=4_000_000)
    CompetitiveFunding.objects.create(report=r2025, funder="Innovationsfonden",
                                      funder_kind=FunderKind.NATIONAL_PUBLIC, amount_dkk=2_000_000)
    _approve(r2025, caseworker)
    _fill(r2026, 9_000_000, membership=9_000_000)  # submitted, not approved: not counted
    report_transition(report=r2026, to=ReportStatus.SUBMITTED,
                      actor=UserFactory(role=Role.DIRECTOR, cluster=cluster))
    _fill(r2027, 7_000_000, membership=7_000_000)
    _approve(r2027, caseworker)  # approved but outside the period

    figures = headline_figures(from_year=2025, to_year=2026)
    assert figures["grant_spent_dkk"] == 8_000_000
    assert figures["cofinancing_dkk"] == 2_000_000
    assert figures["cofinancing_membership_dkk"] == 1_000_000
    assert figures["competitive_funding_dkk"] == 6_000_000
    assert figures["competitive_funding_eu_dkk"] == 4_000_000
    assert figures["competitive_funding_national_public_dkk"] == 2_000_000
    assert figures["external_funding_dkk"] == 8_000_000
    assert figures["leverage"] == 1.0
    stats = programme_statistics(from_year=2025, to_year=2027)
    assert [f["external_funding_dkk"] for _, f in stats.by_year] == [8_000_000, 0, 7_000_000]
    assert [f["grant_spent_dkk"] for _, f in stats.by_cluster] == [15_000_000]
    assert [(r["funder"], r["amount_dkk"]) for r in stats.competitive_by_funder] == [
        ("Horizon Europe", 4_000_000), ("Innovationsfonden", 2_000_000)
    ]


def test_filters_by_cluster_region_and_strength_position():
    position = StrengthPositionFactory(slug="energi-test")
    north = ClusterFactory(region=Region.NORDJYLLAND, strength_position=position)
    south = ClusterFactory(region=Region.SYDDANMARK)
    take_part(activity(north), CompanyFactory(), CompanyFactory())
    take_part(activity(south), CompanyFactory())

    def companies(**kwargs):
        return headline_figures(from_year=2022, to_year=2022, **kwargs)["companies"]

    assert companies() == 3
    assert companies(clusters=[north]) == 2
    assert companies(clusters=[north.pk, south.pk]) == 3
    assert companies(clusters=[]) == 0
    assert companies(region=Region.SYDDANMARK) == 1
    assert companies(region=Region.HOVEDSTADEN) == 0
    assert companies(strength_position=position) == 2
    assert companies(strength_position=position.pk) == 2
    assert companies(strength_position="energi-test") == 2
    assert companies(region=Region.SYDDANMARK, strength_position=position) == 0


def test_period_must_run_forwards():
    with pytest.raises(ValueError):
        headline_figures(from_year=2023, to_year=2021)


@pytest.mark.parametrize("size", [1, 8])
def test_query_count_is_constant(size, django_assert_num_queries):
    for _ in range(size):
        cluster = ClusterFactory()
        for year in (2021, 2022):
            take_part(activity(cluster, year), *(CompanyFactory() for _ in range(size)))
    with django_assert_num_queries(6):
        headline_figures(from_year=2021, to_year=2023)
    with django_assert_num_queries(18):
        programme_statistics(from_year=2021, to_year=2023)
