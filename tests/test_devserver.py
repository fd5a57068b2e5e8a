"""`make run` (scripts/devserver.py): the database DATABASE_URL names is created if it can be,
else one line says what to do; SITE_URL follows KLYNGE_PORT; the banner tells which demo
cluster is in which state, read from the data."""

import importlib.util
import subprocess
import uuid

import psycopg
import pytest

from grants.cases.flows import report_submit
from grants.constants import ReportStatus
from klyngeadmin.demo.states import demo_states
from tests.grants.report_helpers import fill_report, report_for
from tests.subprocesses import PYTHON, ROOT, database_url

spec = importlib.util.spec_from_file_location("devserver", ROOT / "scripts" / "devserver.py")
devserver = importlib.util.module_from_spec(spec)
spec.loader.exec_module(devserver)


def test_the_database_url_is_read_with_socket_hosts_and_passwords():
    conninfo, name = devserver.database_from_url("postgres://u:p%40ss@db.example:6543/klynge_x")
    assert name == "klynge_x"
    assert conninfo == {"host": "db.example", "port": 6543, "user": "u", "password": "p@ss"}
    conninfo, name = devserver.database_from_url("postgres://postgres@/k?host=/run/pg")
    assert conninfo["host"] == "/run/pg" and name == "k"
    assert devserver.database_from_url("sqlite:///x.db") is None


@pytest.mark.django_db
def test_a_missing_database_named_in_database_url_is_created():
    name = f"klyngeadmin_devserver_{uuid.uuid4().hex[:8]}"
    url = database_url().rsplit("/", 1)[0] + f"/{name}"
    params = {k: v for k, v in devserver.database_from_url(url)[0].items() if v}
    try:
        devserver.ensure_database_from_url(url)
        with psycopg.connect(**params, dbname=name, connect_timeout=5):
            pass  # it exists now
        devserver.ensure_database_from_url(url)  # and a second run changes nothing
    finally:
        with psycopg.connect(**params, dbname="postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def test_a_database_that_cannot_be_created_stops_with_one_line_saying_what_to_do():
    # Nothing listens on port 1: the real refusal psycopg reports, no traceback.
    script = ("import importlib.util, sys; "
              f"s = importlib.util.spec_from_file_location('d', {str(ROOT / 'scripts/devserver.py')!r}); "
              "d = importlib.util.module_from_spec(s); s.loader.exec_module(d); "
              "d.ensure_database_from_url('postgres://postgres@127.0.0.1:1/klyngeadmin_nowhere')")
    result = subprocess.run([PYTHON, "-c", script], capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    output = (result.stdout + result.stderr).strip()
    assert len(output.splitlines()) == 1, output
    assert "Traceback" not in output
    assert "createdb -h 127.0.0.1 -p 1 -U postgres klyngeadmin_nowhere" in output


def test_site_url_follows_klynge_port_unless_set():
    env = {}
    devserver.site_url_follows_port(env, 8105)
    assert env["SITE_URL"] == "http://127.0.0.1:8105"
    env = {"SITE_URL": "https://klynge.example"}
    devserver.site_url_follows_port(env, 8105)
    assert env["SITE_URL"] == "https://klynge.example"


@pytest.mark.django_db
def test_the_banner_tells_each_clusters_state_from_the_data(grant, director, other_grant):
    assert demo_states() == []  # nothing filled in, nothing waiting
    ready = fill_report(report_for(grant, 2026))
    submitted = fill_report(report_for(grant, 2025))
    report_submit(report=submitted, actor=director)
    submitted.refresh_from_db()
    assert submitted.status == ReportStatus.SUBMITTED
    lines = demo_states()
    cluster = grant.cluster.name
    assert f"draft ready to submit: {cluster} {ready.year} ({director.username})" in lines
    waiting = [line for line in lines if line.startswith("case waiting for a caseworker: ")]
    assert waiting and cluster in waiting[0] and "(not assigned)" in waiting[0], lines
    assert other_grant.cluster.name not in " ".join(lines)
