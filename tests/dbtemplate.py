"""One migrated template database per schema, cloned for every test database.

Running the 70-odd migrations takes ~25 s of CPU (Django re-renders the model states at every
operation), and every xdist worker used to pay it for its own test database. Instead the schema
is migrated ONCE into a template database named after a hash of everything that decides the
schema, and pytest-django's test databases are created from it (Django's TEST["TEMPLATE"]
setting: CREATE DATABASE ... TEMPLATE). Django still runs `migrate` on the clone, which finds
nothing to apply, so a template that did not match the migrations would fail loudly.

The hash covers the migration files of our apps, the project modules those migrations import
(the audit trigger's SQL, the state-aid defaults, ...), the locked dependency versions (third
party apps' migrations) and INSTALLED_APPS. A change to any of them gives a new template; the
template is kept between runs (a checkout whose schema did not change starts at once) and
the oldest ones are dropped so at most KEEP remain. A PostgreSQL advisory lock makes parallel
processes and checkouts build a template once and never clone a half-built one."""

from __future__ import annotations

import ast
import hashlib
import importlib.util
import subprocess
from pathlib import Path

import psycopg
from django.conf import settings

from tests.subprocesses import PYTHON, ROOT, subprocess_env, url_for

PREFIX = "klyngeadmin_tpl_"
KEEP = 4
LOCK_KEY = 0x6B6C796E  # "klyn": one advisory lock for building and cloning templates
OUR_PACKAGES = ("klyngeadmin", "clusters", "grants", "evaluations")


def _migration_files() -> list[Path]:
    return sorted(
        p for pkg in OUR_PACKAGES for p in (ROOT / pkg).rglob("migrations/*.py")
        if ".venv" not in p.parts
    )


def _imported_project_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return {n for n in names if n.split(".")[0] in OUR_PACKAGES}


def schema_hash() -> str:
    digest = hashlib.sha256()
    files = _migration_files()
    modules = set().union(*(_imported_project_modules(p) for p in files))
    for module in sorted(modules):
        spec = importlib.util.find_spec(module)
        if spec and spec.origin:
            files.append(Path(spec.origin))
    for path in files + [ROOT / "requirements-dev.txt"]:
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    digest.update("\n".join(settings.INSTALLED_APPS).encode())
    return digest.hexdigest()[:16]


def _admin_connection(db: dict) -> psycopg.Connection:
    return psycopg.connect(
        dbname="postgres", user=db.get("USER") or None, password=db.get("PASSWORD") or None,
        host=db.get("HOST") or None, port=db.get("PORT") or None, autocommit=True,
    )


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def ensure_template(db: dict) -> str:
    """The name of a migrated template database for this schema, built if missing."""
    name = PREFIX + schema_hash()
    building = name + "_building"
    with _admin_connection(db) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", [LOCK_KEY])
        try:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not exists:
                conn.execute(f"DROP DATABASE IF EXISTS {_quote(building)}")
                conn.execute(f"CREATE DATABASE {_quote(building)}")
                url = url_for(db, building)
                subprocess.run(
                    [PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, check=True,
                    env=subprocess_env(DATABASE_URL=url),
                )
                conn.execute(f"ALTER DATABASE {_quote(building)} RENAME TO {_quote(name)}")
            _drop_old_templates(conn, keep=name)
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])
    return name


def _drop_old_templates(conn: psycopg.Connection, *, keep: str) -> None:
    rows = conn.execute(
        "SELECT datname FROM pg_database WHERE datname LIKE %s AND datname NOT LIKE %s "
        "ORDER BY oid DESC", [PREFIX + "%", "%_building"],
    ).fetchall()
    for (old,) in [r for r in rows if r[0] != keep][KEEP - 1:]:
        conn.execute(f"DROP DATABASE IF EXISTS {_quote(old)}")

