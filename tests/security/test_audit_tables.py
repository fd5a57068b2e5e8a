"""The event tables are append-only: UPDATE and DELETE are refused by a trigger, tested with raw
SQL so no application code is in the way."""

import pytest
from django.db import DatabaseError, connection, transaction

from grants.cases.models import CaseEvent
from grants.cases.services import case_open
from grants.constants import CaseType
from grants.reports.models import ReportEvent
from klyngeadmin.accounts.security.audit import event_tables

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


def _documented_role_sql() -> list[str]:
    """The SQL in docs/operations.md, "Database roles", for a role of this test's own."""
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "operations.md").read_text()
    section = text.split("### Database roles", 1)[1].split("Independently", 1)[0]
    sql = "\n".join(line[4:] for line in section.splitlines() if line.startswith("    "))
    sql = "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))
    sql = (sql.replace("klyngeadmin_app", "klyngeadmin_app_test")
              .replace("PASSWORD '…'", "PASSWORD 'x'")
              .replace("ON DATABASE klyngeadmin", f"ON DATABASE {connection.settings_dict['NAME']}"))
    return [s.strip() for s in sql.split(";") if s.strip()]


def test_the_documented_application_role_cannot_change_event_tables(grant, caseworker):
    """docs/operations.md's grants, run here: the application's role may append events and
    change ordinary tables, but UPDATE and DELETE on an event table are refused by the role
    itself, before the trigger. (Roles and grants are transactional: the test leaves none.)"""
    case = case_open(case_type=CaseType.ANNUAL_REPORT, subject="Rolle", cluster=grant.cluster,
                     report=grant.reports.order_by("year").first())
    statements = _documented_role_sql()
    assert any(s.startswith("REVOKE UPDATE, DELETE") for s in statements)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
        cursor.execute("SET LOCAL ROLE klyngeadmin_app_test")
        try:
            for sql in ("UPDATE grants_caseevent SET text = 'x' WHERE case_id = %s",
                        "DELETE FROM grants_caseevent WHERE case_id = %s"):
                with pytest.raises(DatabaseError, match="permission denied"), transaction.atomic():
                    cursor.execute(sql, [case.pk])
            cursor.execute("INSERT INTO grants_caseevent (case_id, kind, text, from_status, "
                           "to_status, internal, created_at) "
                           "VALUES (%s, 'note', 'ok', '', '', true, now())", [case.pk])
            cursor.execute("UPDATE grants_case SET subject = 'Rolle 2' WHERE id = %s", [case.pk])
        finally:
            cursor.execute("RESET ROLE")
    assert CaseEvent.objects.filter(case=case, text="ok").exists()
