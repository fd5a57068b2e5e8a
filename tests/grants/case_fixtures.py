"""Shared setup for the case tests (imported by tests/grants/test_case*.py)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from grants.calls.models import Application, Call
from grants.cases.flows import report_submit
from grants.cases.models import Case
from grants.cases.services import case_open
from grants.constants import CaseType
from grants.deadlines.models import DeadlineExtension


def fill_report(report, spent=8_000_000):
    report.grant_spent_dkk = spent
    report.cofinancing_membership_dkk = 500_000
    report.cofinancing_sponsorship_dkk = 250_000
    report.cofinancing_foundation_dkk = 1_000_000
    report.cofinancing_project_dkk = 0
    report.value_created = f"Værdi i {report.year}"
    report.knowledge_collaboration = "Samarbejde"
    report.internationalisation = "Internationalt"
    report.platform_role = "Platform"
    report.local_collaboration = "Lokalt"
    report.save()
    return report


def submit_report(report, director):
    """Submit through the reporting service (report_submit opens or continues the case)."""
    report_submit(report=report, actor=director)
    return Case.objects.filter(report=report).latest("created_at")


def make_report_case(grant, director, year=2025):
    report = fill_report(grant.reports.get(year=year))
    return submit_report(report, director)


def make_application_case(cluster=None):
    now = timezone.now()
    call = Call.objects.create(title="Opslag", kind="regular", opens_at=now - timedelta(days=30),
                               closes_at=now + timedelta(days=30))
    app = Application.objects.create(call=call, applicant_name="Ansøger", applicant_cvr="12345678",
                                     proposed_area="Område", cluster=cluster)
    return case_open(case_type=CaseType.APPLICATION, subject="Ansøgning", cluster=cluster,
                     application=app)


def make_extension_case(grant, director, days=30):
    report = grant.reports.get(year=2026)
    deadline = report.deadline
    ext = DeadlineExtension.objects.create(
        deadline=deadline, requested_by=director, reason="Sygdom i sekretariatet",
        requested_due_at=deadline.due_at + timedelta(days=days), previous_due_at=deadline.due_at,
    )
    return case_open(case_type=CaseType.DEADLINE_EXTENSION,
                     subject=f"Fristforlængelse – {grant.cluster.name}", cluster=grant.cluster,
                     extension=ext, actor=director)


@pytest.fixture
def report_case(grant, director):
    return make_report_case(grant, director)


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
