"""Emptying the test database after a transactional or browser test, as `manage.py flush`
leaves it, in a fraction of its time.

Django's flush truncates every one of the ~90 tables, which PostgreSQL pays for per table (a
new file for each), and then sends post_migrate, whose receivers recreate every content type
and permission and (tests/seeds.py) the rows the data migrations loaded. After a typical test a
dozen tables hold rows. So this empties only the tables that hold rows (found in one query),
keeps the content types and permissions (no test writes them; their ids then stay stable), and
writes back only the seeded rows a test changed (fingerprinted in one query). What is left is
what flush leaves: the same tables empty, the same rows in the rest. tests/test_dbreset.py
holds the two side by side."""

from __future__ import annotations

import functools

from django.db import connection, transaction

from klyngeadmin.kernel.signals import figures_changed
from tests.seeds import Seeds

KEPT = {"django_content_type", "auth_permission"}


def tables_with_rows(tables) -> list[str]:
    if not tables:
        return []
    qn = connection.ops.quote_name
    sql = " UNION ALL ".join(
        f"SELECT %s WHERE EXISTS (SELECT 1 FROM {qn(table)})" for table in tables)
    with connection.cursor() as cursor:
        cursor.execute(sql, list(tables))
        return [row[0] for row in cursor.fetchall()]


@functools.cache
def _may_skip_triggers() -> bool:
    """session_replication_role is a superuser's setting (the test database's owner here and in
    CI; not necessarily where DATABASE_URL names another role)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        return bool(cursor.fetchone()[0])


def empty_database(seeds: Seeds, *, large: bool = False) -> None:
    """Every table empty but the content types, the permissions and the seeded rows as the
    migrations loaded them.
    A test leaves a few rows in a few tables: they are DELETEd with triggers off (the audit
    tables' append-only triggers refuse row deletes, and with every table holding rows emptied
    no foreign key is left dangling), which costs milliseconds where TRUNCATE, which makes new
    files for the tables and every table referencing them, costs a second. A `large` amount of
    rows (the demo data) is TRUNCATEd: deleted rows stay behind as dead tuples until a VACUUM."""
    tables = sorted(set(connection.introspection.django_table_names(
        only_existing=True, include_views=False)) - KEPT)
    seeded = {m._meta.db_table for m in seeds.models}
    qn = connection.ops.quote_name
    with transaction.atomic():
        changed = seeds.changed_tables()
        to_empty = [t for t in tables_with_rows(tables) if t not in seeded or t in changed]
        if to_empty and not large and _may_skip_triggers():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = replica")
                for table in to_empty:
                    cursor.execute(f"DELETE FROM {qn(table)}")
                cursor.execute("SET LOCAL session_replication_role = origin")
        elif to_empty:
            with connection.cursor() as cursor:
                # CASCADE: a table left out because it is empty may still reference one emptied
                # (which may also empty an unchanged seeded table: the fingerprint then differs)
                cursor.execute(f"TRUNCATE {', '.join(qn(t) for t in to_empty)} CASCADE")
            changed = seeds.changed_tables()
        if changed:
            seeds.restore_models([m for m in seeds.models if m._meta.db_table in changed])
    # a flush reuses ids: what was cached of any cluster's figures is not read again
    # (as the figures cache's post_migrate receiver does after Django's flush)
    figures_changed.send(sender=empty_database, cluster_id=None)
