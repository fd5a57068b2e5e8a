"""scripts/restore_test.sh really dumps, restores into a scratch database and compares counts."""

import os
import re
import subprocess
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db(transaction=True)
def test_restore_script_round_trips_the_test_database(director):
    s = connection.settings_dict
    url = f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    env = {**os.environ, "DATABASE_URL": url}
    if s.get("PASSWORD"):
        env["PGPASSWORD"] = s["PASSWORD"]
    connection.close()  # pg_dump needs no lock, but the scratch database must not be ours
    result = subprocess.run(
        ["bash", str(ROOT / "scripts" / "restore_test.sh")],
        env=env, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "all counts match" in result.stdout
    counts = re.search(r"restore test OK: (\d+) tables, (\d+) rows", result.stdout)
    assert counts and int(counts.group(1)) > 20 and int(counts.group(2)) >= 1
