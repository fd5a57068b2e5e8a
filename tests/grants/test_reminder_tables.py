"""The notification table keeps no index another one covers (issue 19: the reminder tick writes
thousands of rows a run), and the lookups by each foreign key still use an index."""

import re

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def _indexes() -> dict[str, str]:
    with connection.cursor() as cur:
        cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'grants_notification'")
        return dict(cur.fetchall())


def _generic_plan(sql: str) -> str:
    with connection.cursor() as cur:
        cur.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        cur.execute("SET LOCAL enable_seqscan = off")
        cur.execute(f"PREPARE probe(bigint) AS {sql}")
        try:
            cur.execute("EXPLAIN EXECUTE probe(1)")
            return "\n".join(r[0] for r in cur.fetchall())
        finally:
            cur.execute("DEALLOCATE probe")


def test_no_single_column_index_on_the_foreign_keys():
    # (notification_unread on recipient_id is partial - the unread ones - and stays)
    single = [name for name, d in _indexes().items() if re.search(r"\((recipient_id|deadline_id)\)$", d)]
    assert single == []


@pytest.mark.parametrize(("sql", "index"), [
    # what the FK's ON DELETE CASCADE runs when a deadline or a user goes
    ("DELETE FROM grants_notification WHERE deadline_id = $1", "notification_once_per_deadline"),
    ("DELETE FROM grants_notification WHERE recipient_id = $1", "notification_inbox"),
])
def test_each_foreign_key_lookup_uses_a_covering_index(sql, index):
    # an index scan ("using <index>") or a bitmap scan ("on <index>"), as the planner's
    # statistics of the moment choose: either way the lookup reads the index
    assert re.search(rf"(index scan using|bitmap index scan on) {index}\b", _generic_plan(sql).lower())


def test_the_foreign_keys_stay():
    with connection.cursor() as cur:
        cur.execute(
            "SELECT a.attname FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid "
            "AND a.attnum = ANY(c.conkey) WHERE c.contype = 'f' "
            "AND c.conrelid = 'grants_notification'::regclass"
        )
        assert {r[0] for r in cur.fetchall()} == {"recipient_id", "deadline_id"}
