"""Append-only audit tables: a PostgreSQL trigger refuses UPDATE and DELETE on every event table
(every model whose class name ends in "Event"), whatever the database role. TRUNCATE is not a row
operation and stays possible for the table owner (test flushes); production's application role
should not own the tables (docs/operations.md)."""

from __future__ import annotations

from django.apps import apps

FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION klyngeadmin_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit table % is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
"""


def trigger_sql(table: str) -> str:
    return (
        f'CREATE OR REPLACE TRIGGER "{table}_append_only" BEFORE UPDATE OR DELETE ON "{table}" '
        f"FOR EACH ROW EXECUTE FUNCTION klyngeadmin_append_only();"
    )


def event_tables() -> list[str]:
    return sorted(
        model._meta.db_table
        for model in apps.get_models()
        if model.__name__.endswith("Event") and not model._meta.proxy and model._meta.managed
    )


def install_append_only_triggers(using="default", **kwargs) -> None:
    """post_migrate receiver: every *Event table has the trigger, also ones added later."""
    from django.db import connections

    connection = connections[using]
    existing = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        cursor.execute(FUNCTION_SQL)
        for table in event_tables():
            if table in existing:
                cursor.execute(trigger_sql(table))
