#!/usr/bin/env python3
"""Fail loudly, before any test runs, if PostgreSQL or Redis can't be reached.

PostgreSQL: DATABASE_URL (or .env), default postgres://postgres@127.0.0.1:5432/klyngeadmin.
Redis: REDIS_URL, default redis://127.0.0.1:6379/0.
Each failure names the service, the address tried and the command that starts it on a
development machine. Exit code 0 when both answer, 1 otherwise.
"""

from __future__ import annotations

import os
import re
import socket
import sys
from pathlib import Path
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/klyngeadmin"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"

PG_START = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
REDIS_START = (
    'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" '
    "--appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log"
)
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", ""}


def _env() -> dict[str, str]:
    """os.environ over the project's .env file, as the settings read them."""
    values: dict[str, str] = {}
    env_file = BASE_DIR / ".env"
    if env_file.exists():
        for line in env_file.read_text().splitlines():
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                key, _, value = line.partition("=")
                values[key.strip().removeprefix("export ").strip()] = value.strip().strip("'\"")
    values.update(os.environ)
    return values


def check_postgres(url: str) -> str | None:
    import environ
    import psycopg

    cfg = environ.Env.db_url_config(url)
    host, port = cfg.get("HOST") or "", cfg.get("PORT") or 5432
    where = f"{host or 'local socket'}:{port}" if not host.startswith("/") else host
    params = {
        "host": host or None,
        "port": port,
        "user": cfg.get("USER") or None,
        "password": cfg.get("PASSWORD") or None,
        # The maintenance database: pytest-django creates test_<name> through it.
        "dbname": "postgres",
        "connect_timeout": 3,
    }
    try:
        with psycopg.connect(**{k: v for k, v in params.items() if v is not None}) as conn:
            conn.execute("SELECT 1")
    except Exception as exc:  # noqa: BLE001 - any failure is reported the same way
        source = "DATABASE_URL" if "DATABASE_URL" in _env() else "the default DATABASE_URL"
        hint = (
            f"Start it with:\n    {PG_START}"
            if host in LOCAL_HOSTS or host.startswith("/")
            else "Check DATABASE_URL and that the server accepts connections."
        )
        return (
            f"PostgreSQL is not reachable at {where} ({source}: {_masked(url)}).\n"
            f"  {type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}\n"
            f"  {hint}"
        )
    return None


def check_redis(url: str) -> str | None:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 6379
    try:
        with socket.create_connection((host, port), timeout=3) as sock:
            if parts.password:
                user = parts.username or "default"
                sock.sendall(_resp("AUTH", user, parts.password))
                sock.recv(128)
            sock.sendall(_resp("PING"))
            answer = sock.recv(128)
        if not answer.startswith(b"+PONG"):
            raise ConnectionError(f"unexpected answer to PING: {answer[:60]!r}")
    except Exception as exc:  # noqa: BLE001
        hint = (
            f"Start it with:\n    {REDIS_START}"
            if host in LOCAL_HOSTS
            else "Check REDIS_URL and that the server accepts connections."
        )
        return (
            f"Redis is not reachable at {host}:{port} ({_masked(url)}).\n"
            f"  {type(exc).__name__}: {exc}\n"
            f"  {hint}"
        )
    return None


def _masked(url: str) -> str:
    """The URL with any password replaced, safe to print."""
    return re.sub(r"(//[^:/@]*:)[^@/]*@", r"\1***@", url)


def _resp(*args: str) -> bytes:
    out = [f"*{len(args)}\r\n".encode()]
    for arg in args:
        data = arg.encode()
        out.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(out)


def main() -> int:
    env = _env()
    database_url = env.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    redis_url = env.get("REDIS_URL") or DEFAULT_REDIS_URL
    problems = [p for p in (check_postgres(database_url), check_redis(redis_url)) if p]
    if problems:
        print("\n" + "=" * 78, file=sys.stderr)
        print("SERVICE CHECK FAILED - the tests need these services:\n", file=sys.stderr)
        for problem in problems:
            print(problem + "\n", file=sys.stderr)
        print("=" * 78, file=sys.stderr)
        return 1
    print(f"services ok: PostgreSQL ({_masked(database_url)}), Redis ({_masked(redis_url)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
