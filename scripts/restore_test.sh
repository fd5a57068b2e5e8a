#!/usr/bin/env bash
# Restore test: dump the database with pg_dump, restore the dump into a scratch database, and
# check that every table has the same number of rows in both. Exit 0 when they all match.
#
#   scripts/restore_test.sh                       # DATABASE_URL, default postgres://postgres@127.0.0.1:5432/klyngeadmin
#   DATABASE_URL=postgres://u:p@host:5432/db scripts/restore_test.sh
#   KEEP_DUMP=/backups/klyngeadmin.dump scripts/restore_test.sh   # keep the dump file
#
# Run it against a copy or a replica in production (it reads the whole database), and after
# every restore drill from the real backups (docs/operations.md).
set -euo pipefail

URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/klyngeadmin}"
read -r PGHOST PGPORT PGUSER PGPASSWORD SOURCE_DB < <(python3 - "$URL" <<'PY'
import sys
from urllib.parse import unquote, urlsplit
u = urlsplit(sys.argv[1])
print(u.hostname or "127.0.0.1", u.port or 5432, unquote(u.username or "postgres"),
      unquote(u.password or "-"), u.path.lstrip("/"))
PY
)
export PGHOST PGPORT PGUSER
if [ "$PGPASSWORD" = "-" ]; then unset PGPASSWORD; else export PGPASSWORD; fi

SCRATCH="${SOURCE_DB}_restore_test_$$"
WORK="$(mktemp -d)"
DUMP="${KEEP_DUMP:-$WORK/${SOURCE_DB}.dump}"
cleanup() {
    dropdb --if-exists "$SCRATCH" >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT

COUNT_SQL="SELECT table_name || ' ' || (xpath('/row/c/text()', query_to_xml(
  format('SELECT count(*) AS c FROM %I.%I', table_schema, table_name), false, true, '')))[1]::text
  FROM information_schema.tables
  WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name"

echo "==> counting rows in $SOURCE_DB"
psql -X -q -At -d "$SOURCE_DB" -c "$COUNT_SQL" >"$WORK/source.txt"

echo "==> pg_dump $SOURCE_DB -> $DUMP"
started=$(date +%s)
pg_dump --format=custom --no-owner --no-privileges --file="$DUMP" "$SOURCE_DB"
echo "    $(du -h "$DUMP" | cut -f1) in $(( $(date +%s) - started )) s"

echo "==> restoring into scratch database $SCRATCH"
started=$(date +%s)
createdb "$SCRATCH"
pg_restore --exit-on-error --no-owner --no-privileges --dbname="$SCRATCH" "$DUMP"
echo "    restored in $(( $(date +%s) - started )) s"

echo "==> comparing row counts"
psql -X -q -At -d "$SCRATCH" -c "$COUNT_SQL" >"$WORK/restored.txt"
tables=$(wc -l <"$WORK/source.txt")
rows=$(awk '{s += $2} END {print s + 0}' "$WORK/source.txt")
if diff -u "$WORK/source.txt" "$WORK/restored.txt"; then
    echo "restore test OK: $tables tables, $rows rows, all counts match"
else
    echo "restore test FAILED: row counts differ (above)" >&2
    exit 1
fi
