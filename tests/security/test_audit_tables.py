"""The event tables are append-only: UPDATE and DELETE are refused by a trigger, tested with raw
SQL so no application code is in the way."""

import pytest
from django.db import DatabaseError, connection, transaction

from grants.cases import case_open
from grants.constants import CaseType
from grants.models import CaseEvent, ReportEvent
from klyngeadmin.security.audit import event_tables

pytestmark = pytest.mark.django_db


def _refused(sql, params):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_every_event_model_is_covered():
    tables = event_tables()
    assert {"grants_reportevent", "grants_caseevent"} <= set(tables)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname = c.relname || '_append_only' AND NOT t.tgisinternal"
        )
        protected = {row[0] for row in cursor.fetchall()}
    assert set(tables) <= protected, set(tables) - protected


def test_report_events_cannot_be_updated_or_deleted(grant, director):
    report = grant.reports.order_by("year").first()
    event = ReportEvent.objects.create(report=report, actor=director, from_status="", to_status="draft")
    _refused("UPDATE grants_reportevent SET comment = 'rewritten' WHERE id = %s", [event.pk])
    _refused("DELETE FROM grants_reportevent WHERE id = %s", [event.pk])
    assert ReportEvent.objects.filter(pk=event.pk, comment="").exists()
    # Inserting more is fine: append-only, not read-only.
    ReportEvent.objects.create(report=report, actor=director, from_status="draft", to_status="draft")


def test_case_events_cannot_be_updated_or_deleted(grant, caseworker):
    report = grant.reports.order_by("year").first()
    case = case_open(
        case_type=CaseType.ANNUAL_REPORT, subject="Årsrapport", cluster=grant.cluster,
        actor=caseworker, report=report,
    )
    event = CaseEvent.objects.get(case=case)
    _refused("UPDATE grants_caseevent SET actor_id = NULL WHERE id = %s", [event.pk])
    _refused("UPDATE grants_caseevent SET text = 'x'", [])
    _refused("DELETE FROM grants_caseevent WHERE id = %s", [event.pk])
    assert CaseEvent.objects.filter(pk=event.pk, actor=caseworker).exists()


def test_each_event_table_has_an_enabled_trigger():
    with connection.cursor() as cursor:
        for table in event_tables():
            cursor.execute(
                "SELECT tgenabled FROM pg_trigger WHERE tgname = %s", [f"{table}_append_only"]
            )
            assert cursor.fetchone() == ("O",), table
