"""Shared helpers for the annual-report tests: a complete report, registered activity data."""

from datetime import date

from clusters.constants import ActivityType, FacilitatedProjectStatus, FunderKind, InstitutionKind
from clusters.models import CompanyParticipation, FacilitatedProject, InstitutionParticipation
from grants.reports.services import REPORT_NARRATIVE_FIELDS
from tests.factories import ActivityFactory, CompanyFactory, InstitutionFactory

COMPLETE_CONTENT = {
    "grant_spent_dkk": 8_000_000,
    "cofinancing_membership_dkk": 1_200_000,
    "cofinancing_sponsorship_dkk": 300_000,
    "cofinancing_foundation_dkk": 0,
    "cofinancing_project_dkk": 450_000,
    **{name: f"Tekst om {name}." for name in REPORT_NARRATIVE_FIELDS},
}


def report_for(grant, year=2025):
    return grant.reports.select_related("grant__cluster__strength_position", "deadline").get(
        year=year
    )


def fill_report(report, **overrides):
    for name, value in {**COMPLETE_CONTENT, **overrides}.items():
        setattr(report, name, value)
    report.save()
    return report


def build_activity_data(cluster, year=2025, *, n_activities=3):
    """Activities of every interesting kind with companies (in and outside the strength
    position, of every size) and institutions (of the highlighted kinds), plus facilitated
    projects. Returns a dict of what was made, for asserting the key figures."""
    inside = CompanyFactory(employees=5, db07_code="101000")  # division 10 (inside), micro
    small = CompanyFactory(employees=20, db07_code="620100")  # division 62 (outside), small
    medium = CompanyFactory(employees=120, db07_code="110000")  # inside, medium
    large = CompanyFactory(employees=900, db07_code="")  # unknown division: not counted outside
    academy = InstitutionFactory(kind=InstitutionKind.ACADEMY)
    college = InstitutionFactory(kind=InstitutionKind.UNIVERSITY_COLLEGE)
    artistic = InstitutionFactory(kind=InstitutionKind.ARTISTIC)
    university = InstitutionFactory(kind=InstitutionKind.UNIVERSITY)
    start = date(year, 4, 1)
    knowledge = ActivityFactory(cluster=cluster, start_date=start, end_date=start,
                                activity_type=ActivityType.KNOWLEDGE_SHARING)
    rd = ActivityFactory(cluster=cluster, start_date=start, end_date=start,
                         activity_type=ActivityType.RD_APPLICATION)
    intl = ActivityFactory(cluster=cluster, start_date=start, end_date=start,
                           activity_type=ActivityType.INTERNATIONALISATION,
                           international=True, eu_funded=True)
    extra = [
        ActivityFactory(cluster=cluster, start_date=start, end_date=start)
        for _ in range(max(0, n_activities - 3))
    ]
    # another year and another cluster: never counted
    ActivityFactory(cluster=cluster, start_date=date(year - 1, 5, 1), end_date=date(year - 1, 5, 1))
    CompanyParticipation.objects.bulk_create(
        [
            CompanyParticipation(activity=knowledge, company=inside),
            CompanyParticipation(activity=knowledge, company=small),
            CompanyParticipation(activity=rd, company=small),
            CompanyParticipation(activity=rd, company=medium),
            CompanyParticipation(activity=intl, company=large),
        ]
        + [CompanyParticipation(activity=a, company=inside) for a in extra]
    )
    InstitutionParticipation.objects.bulk_create(
        [
            InstitutionParticipation(activity=knowledge, institution=academy),
            InstitutionParticipation(activity=knowledge, institution=college),
            InstitutionParticipation(activity=rd, institution=artistic),
            InstitutionParticipation(activity=rd, institution=university),
        ]
    )
    granted = FacilitatedProject.objects.create(
        cluster=cluster, external_id=f"fp-{cluster.pk}-1", title="Grøn test", funder="EUDP",
        funder_kind=FunderKind.NATIONAL_PUBLIC, year=year, amount_applied_dkk=2_000_000,
        amount_granted_dkk=1_500_000, cluster_share_dkk=150_000,
        status=FacilitatedProjectStatus.GRANTED,
    )
    granted.partner_companies.add(inside, small)
    FacilitatedProject.objects.create(
        cluster=cluster, external_id=f"fp-{cluster.pk}-2", title="Ansøgt", funder="Horizon Europe",
        funder_kind=FunderKind.EU, year=year, amount_applied_dkk=3_000_000,
        status=FacilitatedProjectStatus.APPLIED,
    )
    return {
        "activities": 3 + len(extra),
        "companies": {inside, small, medium, large},
        "outside": {small},
    }
