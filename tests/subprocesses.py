"""Helpers for tests that run our code in other processes (manage.py commands, a Celery
worker): the environment that points them at the pytest test database."""

import os
import sys
from pathlib import Path
from urllib.parse import quote

from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def database_url() -> str:
    """The URL of the database this test runs against (pytest-django's test database)."""
    return url_for(connection.settings_dict)


def url_for(s: dict, name: str | None = None) -> str:
    """A postgres:// URL for the server in settings dict `s`, database `name` (default its NAME)."""
    auth = quote(s.get("USER") or "")
    if s.get("PASSWORD"):
        auth += ":" + quote(s["PASSWORD"])
    host = s.get("HOST") or "127.0.0.1"
    port = s.get("PORT") or "5432"
    return f"postgres://{auth}@{host}:{port}/{name or s['NAME']}"


def subprocess_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "CELERY_"))}
    env.update(
        DATABASE_URL=database_url(),
        DJANGO_SETTINGS_MODULE="klyngeadmin.settings",
        PYTHONPATH=str(ROOT),
        PYTHONUNBUFFERED="1",
        LOG_LEVEL="WARNING",
    )
    env.update(extra)
    return env
