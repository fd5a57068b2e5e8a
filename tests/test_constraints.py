"""PostgreSQL is the last line of defence: every constraint holds with the ORM's validation
bypassed (raw updates and bulk inserts, no full_clean, no services)."""

from datetime import date, timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models.deletion import ProtectedError
from django.utils import timezone

from clusters.models import (
    Activity,
    ClusterOrganisation,
    Company,
    CompanyParticipation,
    FacilitatedProject,
    InstitutionParticipation,
)
from grants.cases.models import Case
from grants.core.models import Grant, Tranche
from grants.deadlines.models import DeadlineExtension
from grants.notifications.models import Notification
from grants.reports.models import AnnualReport
from klyngeadmin.accounts.models import User
from tests.factories import ActivityFactory, CompanyFactory, InstitutionFactory, UserFactory

pytestmark = pytest.mark.django_db


def violates(fn):
    with pytest.raises(IntegrityError), transaction.atomic():
        fn()
    return True


def test_state_columns_only_hold_workflow_states(grant):
    report = grant.reports.first()
    assert violates(lambda: AnnualReport.objects.filter(pk=report.pk).update(status="lost"))
    assert violates(lambda: Tranche.objects.filter(grant=grant).update(status="spent"))
    assert violates(lambda: Grant.objects.filter(pk=grant.pk).update(status="paused"))
    assert violates(lambda: ClusterOrganisation.objects.filter(pk=grant.cluster_id).update(status="x"))


def test_grant_horizon_and_midway_year(grant):
    assert violates(lambda: Grant.objects.filter(pk=grant.pk).update(horizon_years=11))
    assert violates(lambda: Grant.objects.filter(pk=grant.pk).update(horizon_years=0))
    assert violates(lambda: Grant.objects.filter(pk=grant.pk).update(midway_year=10))
    Grant.objects.filter(pk=grant.pk).update(midway_year=None)  # allowed: no midway evaluation


def test_report_unique_per_year_and_submitted_needs_time(grant):
    report = grant.reports.order_by("year").first()
    assert violates(lambda: AnnualReport.objects.filter(pk=report.pk).update(status="submitted"))
    assert violates(lambda: AnnualReport.objects.filter(pk=report.pk).update(year=report.year + 1))
    assert violates(lambda: AnnualReport.objects.filter(pk=report.pk).update(grant_spent_dkk=-1))


def test_tranche_released_needs_a_date_and_years_are_unique(grant):
    t = grant.tranches.order_by("year_number").first()
    assert violates(lambda: Tranche.objects.filter(pk=t.pk).update(status="released"))
    assert violates(lambda: Tranche.objects.filter(pk=t.pk).update(year_number=2))
    Tranche.objects.filter(pk=t.pk).update(status="released", released_on=date(2025, 3, 1))


def test_cvr_format_and_size_class(db):
    c = CompanyFactory()
    assert violates(lambda: Company.objects.filter(pk=c.pk).update(cvr="0123"))
    assert violates(lambda: Company.objects.filter(pk=c.pk).update(size_class="huge"))
    assert violates(lambda: Company.objects.filter(pk=c.pk).update(db07_code="12"))
    assert violates(lambda: Company.objects.bulk_create([Company(cvr=c.cvr, name="x", employees=1, size_class="micro")]))


def test_activity_dates_external_id_and_participations(cluster):
    a = ActivityFactory(cluster=cluster)
    assert violates(lambda: Activity.objects.filter(pk=a.pk).update(end_date=a.start_date - timedelta(days=1)))
    assert violates(lambda: Activity.objects.filter(pk=a.pk).update(activity_type="party"))
    assert violates(lambda: ActivityFactory(cluster=cluster, external_id=a.external_id))
    company, inst = CompanyFactory(), InstitutionFactory()
    CompanyParticipation.objects.create(activity=a, company=company)
    InstitutionParticipation.objects.create(activity=a, institution=inst)
    assert violates(lambda: CompanyParticipation.objects.bulk_create([CompanyParticipation(activity=a, company=company)]))
    assert violates(lambda: InstitutionParticipation.objects.bulk_create(
        [InstitutionParticipation(activity=a, institution=inst)]))
    # A company that took part cannot be deleted (PROTECT) — history is kept.
    with pytest.raises(ProtectedError), transaction.atomic():
        company.delete()


def test_facilitated_project_amounts(cluster):
    fp = FacilitatedProject.objects.create(
        cluster=cluster, external_id="fp-1", title="P", funder="EUDP", funder_kind="national_public",
        year=2025, amount_applied_dkk=1_000_000)
    assert violates(lambda: FacilitatedProject.objects.filter(pk=fp.pk).update(amount_granted_dkk=5))
    assert violates(lambda: FacilitatedProject.objects.filter(pk=fp.pk).update(amount_applied_dkk=-5))
    FacilitatedProject.objects.filter(pk=fp.pk).update(status="granted", amount_granted_dkk=5)


def test_user_role_must_match_cluster_binding(cluster):
    u = UserFactory(role="caseworker")
    assert violates(lambda: User.objects.filter(pk=u.pk).update(cluster=cluster))
    assert violates(lambda: User.objects.filter(pk=u.pk).update(role="director"))
    assert violates(lambda: User.objects.filter(pk=u.pk).update(role="superhero"))
    User.objects.filter(pk=u.pk).update(role="director", cluster=cluster)


def test_case_journal_number_subject_and_assignee(grant):
    from grants.cases.services import case_open

    report = grant.reports.first()
    case = case_open(case_type="annual_report", subject="x", cluster=grant.cluster, report=report)
    assert violates(lambda: Case.objects.filter(pk=case.pk).update(journal_number="26-1"))
    assert violates(lambda: Case.objects.filter(pk=case.pk).update(report=None))
    assert violates(lambda: Case.objects.filter(pk=case.pk).update(status="assigned"))  # no assignee
    assert violates(lambda: Case.objects.filter(pk=case.pk).update(case_type="application"))


def test_extension_approved_needs_new_due_date(grant, director):
    report = grant.reports.first()
    ext = DeadlineExtension.objects.create(
        deadline=report.deadline, requested_by=director, reason="r",
        requested_due_at=timezone.now(), previous_due_at=timezone.now())
    assert violates(lambda: DeadlineExtension.objects.filter(pk=ext.pk).update(status="approved"))


def test_reminder_is_unique_per_deadline_recipient_and_kind(grant, director):
    deadline = grant.reports.first().deadline
    Notification.objects.create(recipient=director, kind="reminder:-7d", deadline=deadline, subject="s")
    assert violates(lambda: Notification.objects.create(
        recipient=director, kind="reminder:-7d", deadline=deadline, subject="s"))
    # Without a deadline (receipts, messages) there is no such limit.
    Notification.objects.create(recipient=director, kind="receipt", subject="a")
    Notification.objects.create(recipient=director, kind="receipt", subject="b")


def test_cluster_with_grants_cannot_be_deleted(grant):
    with pytest.raises(ProtectedError), transaction.atomic():
        grant.cluster.delete()


def test_activity_year_is_generated_by_the_database(cluster):
    a = ActivityFactory(cluster=cluster, start_date=date(2023, 5, 1), end_date=date(2023, 5, 2))
    a.refresh_from_db()
    assert a.year == 2023
    with connection.cursor() as cur:
        cur.execute("UPDATE clusters_activity SET start_date='2021-02-03', end_date='2021-02-03' WHERE id=%s", [a.pk])
    a.refresh_from_db()
    assert a.year == 2021
