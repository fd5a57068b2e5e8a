"""The annual report's services: draft saving with optimistic locking, submission (version,
case, receipt), resubmission after changes are requested, deadline extensions."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction

from clusters.models import Activity
from grants.cases.flows import extension_request, report_submit
from grants.cases.models import Case, CaseEvent
from grants.constants import (
    CaseEventKind,
    CaseStatus,
    CaseType,
    ExtensionStatus,
    ReportStatus,
)
from grants.deadlines.models import DeadlineExtension
from grants.notifications.models import Notification
from grants.reports.models import AnnualReport, CompetitiveFunding, ReportEvent, ReportVersion
from grants.reports.services import (
    ReportIncomplete,
    ReportNotEditable,
    StaleVersion,
    report_save_draft,
    report_transition,
)
from klyngeadmin.kernel.workflow import TransitionNotAllowed
from tests.grants.report_helpers import (
    COMPLETE_CONTENT,
    build_activity_data,
    fill_report,
    report_for,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(grant):
    return report_for(grant)


# -- draft ------------------------------------------------------------------------------------


def test_save_draft_stores_content_bumps_version_and_writes_event(report, director):
    saved = report_save_draft(
        report=report, actor=director, expected_version=1,
        data={"grant_spent_dkk": 1_234_567, "value_created": "Meget"},
        competitive_funding=[{"funder": "Innovationsfonden", "funder_kind": "national_public",
                              "amount_dkk": 500_000}],
    )
    report.refresh_from_db()
    assert saved.version == report.version == 2
    assert report.grant_spent_dkk == 1_234_567 and report.value_created == "Meget"
    assert list(report.competitive_funding.values_list("funder", "amount_dkk")) == [
        ("Innovationsfonden", 500_000)
    ]
    assert ReportEvent.objects.filter(report=report, to_status=ReportStatus.DRAFT).count() == 1


def test_stale_draft_save_is_refused_and_keeps_the_other_persons_changes(
    report, director, staff_member
):
    report_save_draft(report=report, actor=staff_member, expected_version=1,
                      data={"value_created": "Medarbejderens tekst"})
    with pytest.raises(StaleVersion) as exc:
        report_save_draft(report=report_for(report.grant), actor=director, expected_version=1,
                          data={"value_created": "Direktørens tekst"})
    assert "ændret af en anden" in str(exc.value)
    report.refresh_from_db()
    assert report.value_created == "Medarbejderens tekst"
    assert report.version == 2


def test_competitive_funding_rows_are_replaced(report, director):
    report_save_draft(report=report, actor=director, expected_version=1, data={},
                      competitive_funding=[{"funder": "A", "funder_kind": "eu", "amount_dkk": 1},
                                           {"funder": "B", "funder_kind": "eu", "amount_dkk": 2}])
    report_save_draft(report=report, actor=director, expected_version=2, data={},
                      competitive_funding=[{"funder": "C", "funder_kind": "other",
                                            "amount_dkk": 3}])
    assert list(CompetitiveFunding.objects.filter(report=report).values_list("funder", flat=True)) == ["C"]


def test_draft_save_by_another_cluster_or_caseworker_is_refused(
    report, other_director, caseworker
):
    for actor in (other_director, caseworker):
        with pytest.raises(PermissionDenied):
            report_save_draft(report=report, actor=actor, expected_version=1,
                              data={"value_created": "x"})
    report.refresh_from_db()
    assert report.value_created == "" and report.version == 1


@pytest.mark.parametrize("status", [ReportStatus.SUBMITTED, ReportStatus.IN_REVIEW,
                                    ReportStatus.APPROVED])
def test_draft_save_refused_when_not_editable(report, director, caseworker, status):
    fill_report(report)
    report_submit(report=report, actor=director)
    if status in (ReportStatus.IN_REVIEW, ReportStatus.APPROVED):
        report_transition(report=report, to=ReportStatus.IN_REVIEW, actor=caseworker)
    if status == ReportStatus.APPROVED:
        report_transition(report=report, to=ReportStatus.APPROVED, actor=caseworker)
    report.refresh_from_db()
    with pytest.raises(ReportNotEditable):
        report_save_draft(report=report, actor=director, expected_version=report.version,
                          data={"value_created": "ændret"})
    report.refresh_from_db()
    assert report.value_created == COMPLETE_CONTENT["value_created"]


# -- submit -----------------------------------------------------------------------------------


def test_submit_creates_version_case_receipt_in_one_go(report, director):
    build_activity_data(report.grant.cluster, 2025)
    fill_report(report)
    CompetitiveFunding.objects.create(report=report, funder="Horizon Europe", funder_kind="eu",
                                      amount_dkk=2_000_000)
    version = report_submit(report=report, actor=director)

    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED and report.submitted_at is not None
    assert report.deadline.completed_at is not None
    assert version.number == 1 and version.submitted_by == director
    snap = version.snapshot
    assert snap["report"]["grant_spent_dkk"] == 8_000_000
    assert snap["competitive_funding"][0]["funder"] == "Horizon Europe"
    assert snap["key_figures"]["activities"]["total"] == 3
    assert snap["key_figures"]["outside"]["total"] == 1

    case = Case.objects.get(report=report)
    assert case.case_type == CaseType.ANNUAL_REPORT and case.status == CaseStatus.NEW
    assert case.cluster == report.grant.cluster
    receipt = Notification.objects.get(recipient=director, kind="report_submitted")
    assert "Kvittering" in receipt.subject and case.journal_number in receipt.body
    assert receipt.url == f"/rapporter/{report.pk}/versioner/1/"


def test_submit_refuses_an_incomplete_report_naming_the_fields(report, director):
    fill_report(report, grant_spent_dkk=None, platform_role="  ")
    with pytest.raises(ReportIncomplete) as exc:
        report_submit(report=report, actor=director)
    assert set(exc.value.message_dict) == {"grant_spent_dkk", "platform_role"}
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT
    assert not ReportVersion.objects.exists() and not Case.objects.exists()
    assert not Notification.objects.exists()


def test_submit_with_stale_version_is_refused(report, director):
    fill_report(report)
    with pytest.raises(StaleVersion):
        report_submit(report=report, actor=director, expected_version=report.version + 5)
    assert AnnualReport.objects.get(pk=report.pk).status == ReportStatus.DRAFT


def test_submit_twice_is_refused(report, director):
    fill_report(report)
    report_submit(report=report, actor=director)
    with pytest.raises(ReportNotEditable):
        report_submit(report=report, actor=director)
    assert ReportVersion.objects.filter(report=report).count() == 1


def test_other_cluster_and_caseworker_cannot_submit(report, other_director, caseworker):
    fill_report(report)
    for actor in (other_director, caseworker):
        with pytest.raises(PermissionDenied):
            report_submit(report=report, actor=actor)
    assert AnnualReport.objects.get(pk=report.pk).status == ReportStatus.DRAFT


def test_staff_member_can_submit(report, staff_member):
    fill_report(report)
    report_submit(report=report, actor=staff_member)
    assert AnnualReport.objects.get(pk=report.pk).status == ReportStatus.SUBMITTED


def test_resubmission_continues_the_open_case_and_keeps_versions(report, director, caseworker):
    fill_report(report)
    report_submit(report=report, actor=director)
    report_transition(report=report, to=ReportStatus.IN_REVIEW, actor=caseworker)
    report_transition(report=report, to=ReportStatus.CHANGES_REQUESTED, actor=caseworker,
                      comment="Uddyb internationaliseringen.")
    report.refresh_from_db()
    report_save_draft(report=report, actor=director, expected_version=report.version,
                      data={"internationalisation": "Uddybet tekst."})
    v2 = report_submit(report=report, actor=director)

    assert v2.number == 2
    assert Case.objects.filter(report=report).count() == 1
    case = Case.objects.get(report=report)
    assert CaseEvent.objects.filter(case=case, kind=CaseEventKind.NOTE,
                                    text__contains="version 2").exists()
    v1 = ReportVersion.objects.get(report=report, number=1)
    assert v1.snapshot["report"]["internationalisation"] == COMPLETE_CONTENT["internationalisation"]
    assert v2.snapshot["report"]["internationalisation"] == "Uddybet tekst."
    assert Notification.objects.filter(recipient=director, kind="report_submitted").count() == 2


def test_resubmission_after_case_closed_opens_a_new_case(report, director, caseworker):
    fill_report(report)
    report_submit(report=report, actor=director)
    Case.objects.filter(report=report).update(status=CaseStatus.CLOSED, assignee=caseworker)
    report_transition(report=report, to=ReportStatus.IN_REVIEW, actor=caseworker)
    report_transition(report=report, to=ReportStatus.CHANGES_REQUESTED, actor=caseworker)
    report.refresh_from_db()
    report_submit(report=report, actor=director)
    assert Case.objects.filter(report=report).count() == 2


def test_version_snapshot_is_frozen_when_activity_data_changes(report, director):
    build_activity_data(report.grant.cluster, 2025)
    fill_report(report)
    version = report_submit(report=report, actor=director)
    Activity.objects.filter(cluster=report.grant.cluster, year=2025).update(title="Omdøbt")
    version.refresh_from_db()
    assert all(r["title"] != "Omdøbt" for r in version.snapshot["key_figures"]["activities"]["rows"])


def test_report_versions_cannot_be_updated_or_deleted_even_bypassing_the_orm(report, director):
    fill_report(report)
    version = report_submit(report=report, actor=director)
    for sql in ("UPDATE grants_reportversion SET snapshot = '{}' WHERE id = %s",
                "DELETE FROM grants_reportversion WHERE id = %s"):
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql, [version.pk])
    version.refresh_from_db()
    assert version.snapshot["report"]["grant_spent_dkk"] == 8_000_000


def test_version_number_unique_per_report(report, director):
    fill_report(report)
    version = report_submit(report=report, actor=director)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportVersion.objects.create(report=report, number=version.number, snapshot={})


# -- deadline extension -----------------------------------------------------------------------


def test_extension_request_creates_extension_and_case(report, director):
    deadline = report.deadline
    new_due = deadline.due_at + timedelta(days=30)
    ext = extension_request(deadline=deadline, actor=director, requested_due_at=new_due,
                            reason="Revisor er syg.")
    assert ext.status == ExtensionStatus.REQUESTED and ext.previous_due_at == deadline.due_at
    case = Case.objects.get(extension=ext)
    assert case.case_type == CaseType.DEADLINE_EXTENSION and case.cluster == report.grant.cluster
    deadline.refresh_from_db()
    assert deadline.due_at == ext.previous_due_at  # moves only when a caseworker approves
    assert Notification.objects.filter(recipient=director, kind="extension_requested").exists()


@pytest.mark.parametrize(
    ("days", "reason", "field"),
    [(0, "Grund", "requested_due_at"), (-3, "Grund", "requested_due_at"), (10, "  ", "reason")],
)
def test_extension_request_validation(report, director, days, reason, field):
    with pytest.raises(ValidationError) as exc:
        extension_request(deadline=report.deadline, actor=director,
                          requested_due_at=report.deadline.due_at + timedelta(days=days),
                          reason=reason)
    assert field in exc.value.message_dict
    assert not DeadlineExtension.objects.exists() and not Case.objects.exists()


def test_second_pending_extension_request_is_refused(report, director):
    due = report.deadline.due_at + timedelta(days=10)
    extension_request(deadline=report.deadline, actor=director, requested_due_at=due, reason="a")
    with pytest.raises(ValidationError):
        extension_request(deadline=report.deadline, actor=director, requested_due_at=due,
                          reason="b")
    assert DeadlineExtension.objects.count() == 1


def test_extension_request_for_another_cluster_is_refused(report, other_director, caseworker):
    for actor in (other_director, caseworker):
        with pytest.raises(PermissionDenied):
            extension_request(deadline=report.deadline, actor=actor,
                              requested_due_at=report.deadline.due_at + timedelta(days=5),
                              reason="x")
    assert not DeadlineExtension.objects.exists()


def test_submitted_report_deadline_cannot_be_extended(report, director):
    fill_report(report)
    report_submit(report=report, actor=director)
    report.deadline.refresh_from_db()
    with pytest.raises(ValidationError):
        extension_request(deadline=report.deadline, actor=director,
                          requested_due_at=report.deadline.due_at + timedelta(days=5), reason="x")


def test_transition_table_still_guards_submit(report, director, caseworker):
    fill_report(report)
    report_submit(report=report, actor=director)
    with pytest.raises(TransitionNotAllowed):
        report_transition(report=report, to=ReportStatus.APPROVED, actor=caseworker)
