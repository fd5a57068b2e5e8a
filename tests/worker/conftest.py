"""Real-process fixtures for the worker tests: a PRIVATE redis-server and a Celery worker on
spare ports, started as subprocesses by the test (never the machine's shared Redis on 6379).

The worker runs our code against the pytest test database (the tests use transactional_db, so
their rows are committed and visible to it) and writes mail with Django's file backend into a
directory the test reads."""

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
from kombu import pools as kombu_pools

from klyngeadmin.celery import app as celery_app
from tests.subprocesses import PYTHON, ROOT, subprocess_env

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(check, *, timeout: float, interval: float = 0.2, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


class RedisServer:
    def __init__(self, workdir: Path):
        if not Path(REDIS_SERVER).exists():
            pytest.fail(
                "redis-server is not installed: the worker tests need a private redis-server "
                "(apt-get install redis-server; .ci/run installs it).", pytrace=False,
            )
        self.port = free_port()
        self.workdir = workdir
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                return s.recv(64).startswith(b"+PONG")
        except OSError:
            return False

    def start(self):
        self.proc = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.workdir), "--protected-mode", "yes"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        wait_until(self.ping, timeout=10, what=f"redis-server on port {self.port}")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()  # stopped hard, as in an outage
            self.proc.wait(10)
        wait_until(lambda: not self.ping(), timeout=5, what="redis-server to stop")


class Worker:
    """`celery -A klyngeadmin worker` as a subprocess in its own process group."""

    def __init__(self, *, redis: RedisServer, mail_dir: Path, log_dir: Path, pool: str = "solo",
                 slow_mail_seconds: float = 0.0):
        self.redis, self.mail_dir, self.log_dir = redis, mail_dir, log_dir
        self.pool, self.slow_mail_seconds = pool, slow_mail_seconds
        self.proc: subprocess.Popen | None = None
        self.runs = 0

    def start(self, *, slow_mail_seconds: float | None = None, slow_once: bool = False,
              extra_env: dict[str, str] | None = None):
        if slow_mail_seconds is not None:
            self.slow_mail_seconds = slow_mail_seconds
        self.runs += 1
        self.log = self.log_dir / f"worker-{self.runs}.log"
        env = subprocess_env(
            REDIS_URL=self.redis.url,
            EMAIL_URL="consolemail://",
            EMAIL_FILE_PATH=str(self.mail_dir),
            EMAIL_BACKEND="tests.worker.slow_mail.SlowFileBackend",
            SLOW_MAIL_SECONDS=str(self.slow_mail_seconds),
            SLOW_MAIL_ONCE="1" if slow_once else "0",
            LOG_LEVEL="INFO",
            **(extra_env or {}),
        )
        cmd = [PYTHON, "-m", "celery", "-A", "klyngeadmin", "worker", "-P", self.pool,
               "-c", "1", "-l", "INFO", "-n", f"test{self.runs}@%h",
               "--without-gossip", "--without-mingle", "--without-heartbeat"]
        with open(self.log, "w") as log:
            self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=log,
                                         start_new_session=True)
        wait_until(lambda: self.proc.poll() is not None or " ready." in self.log.read_text(),
                   timeout=60, interval=0.3, what="the Celery worker to be ready")
        assert self.proc.poll() is None, self.log.read_text()

    def pids(self) -> list[int]:
        """The worker's processes (its own and, with prefork, the pool's child)."""
        out = subprocess.run(["pgrep", "-g", str(self.proc.pid)], capture_output=True, text=True)
        return [int(p) for p in out.stdout.split()]

    def kill(self):
        """SIGKILL the whole worker: no chance to ack, reject or clean up."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()

    def succeeded(self) -> int:
        """Tasks this worker run has finished (from its log)."""
        return self.log.read_text().count(" succeeded in ")

    def logs(self) -> str:
        return "\n".join(p.read_text() for p in sorted(self.log_dir.glob("worker-*.log")))


def sending_markers(mail_dir: Path) -> int:
    d = mail_dir.parent / "sending"
    return len(list(d.iterdir())) if d.exists() else 0


def mail_files(mail_dir: Path) -> list[Path]:
    return sorted(p for p in mail_dir.glob("*.log") if p.is_file())


def mails_for(mail_dir: Path, notification_id: int) -> int:
    """How many mails of one notification were written (by its Message-ID)."""
    needle = f"Message-ID: <notification-{notification_id}@"
    return sum(p.read_text(errors="replace").count(needle) for p in mail_files(mail_dir))


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def broker(redis_server):
    """Point this process's Celery app (the publisher: notify's on_commit kick) at the private
    Redis, with the production transport options; put it back afterwards."""
    conf = celery_app.conf
    saved = (conf.broker_url, conf.broker_transport_options, conf.task_always_eager)
    conf.broker_url = redis_server.url
    conf.broker_transport_options = {"visibility_timeout": 3600, "socket_timeout": 2,
                                     "socket_connect_timeout": 2}
    conf.task_always_eager = False
    _reset_pools()
    yield redis_server
    _reset_pools()
    conf.broker_url, conf.broker_transport_options, conf.task_always_eager = saved


def _reset_pools():
    """Forget every broker connection this process holds, the app's and kombu's process-wide
    registries alike: closing only the app's pool left kombu's registered producer pool
    pointing at it, and every later publish in this process (eager ones too, which still
    take a producer) failed with "Acquire on closed pool"."""
    if celery_app._pool is not None:
        celery_app._pool.force_close_all()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    kombu_pools.reset()


@pytest.fixture
def mail_dir(tmp_path) -> Path:
    d = tmp_path / "mail"
    d.mkdir()
    return d


@pytest.fixture
def worker(broker, mail_dir, tmp_path, transactional_db):
    logs = tmp_path / "logs"
    logs.mkdir()
    w = Worker(redis=broker, mail_dir=mail_dir, log_dir=logs)
    yield w
    w.stop()
    w.kill()
