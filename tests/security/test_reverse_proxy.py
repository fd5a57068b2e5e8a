"""The production reverse proxy (deploy/Caddyfile) run for real: Caddy on loopback ports with
its own CA, in front of the app (pytest-django's live server). TLS, the body-size cap,
compression, static files with cache headers, no /media/."""

import http.client
import os
import shutil
import socket
import ssl
import subprocess
import time

import pytest

from tests.subprocesses import ROOT

CADDY = shutil.which("caddy") or "/usr/bin/caddy"
pytestmark = pytest.mark.django_db(transaction=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def proxy(live_server, tmp_path):
    if not os.path.exists(CADDY):
        pytest.fail("caddy is not installed (make test installs it: scripts/system_deps.sh)",
                    pytrace=False)
    static = tmp_path / "static"
    static.mkdir()
    (static / "app.css").write_text("body { color: black; }\n" * 200)
    https_port, http_port = _free_port(), _free_port()
    upstream = live_server.url.removeprefix("http://")
    env = {**os.environ, "SITE_DOMAIN": "localhost", "CADDY_TLS": "internal",
           "CADDY_HTTPS_PORT": str(https_port), "CADDY_HTTP_PORT": str(http_port),
           "STATIC_ROOT": str(static), "UPSTREAM": upstream, "HOME": str(tmp_path),
           "XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    log = open(tmp_path / "caddy.log", "w")  # noqa: SIM115 - open while caddy runs
    proc = subprocess.Popen([CADDY, "run", "--config", str(ROOT / "deploy" / "Caddyfile"),
                             "--adapter", "caddyfile"], env=env, stdout=log, stderr=log)
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # Caddy's own local CA

    def request(method, path, body=None, headers=None):
        conn = http.client.HTTPSConnection("127.0.0.1", https_port, context=context, timeout=30)
        conn.sock = context.wrap_socket(socket.create_connection(("127.0.0.1", https_port)),
                                        server_hostname="localhost")
        conn.request(method, path, body=body,
                     headers={"Host": f"localhost:{https_port}", **(headers or {})})
        response = conn.getresponse()
        data = response.read()
        conn.close()
        return response, data

    deadline = time.monotonic() + 30
    while True:
        try:
            request("GET", "/static/app.css")
            break
        except (OSError, ssl.SSLError):
            if proc.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail("caddy did not start:\n" + (tmp_path / "caddy.log").read_text()[-3000:])
            time.sleep(0.3)
    yield request
    proc.terminate()
    proc.wait(10)
    log.close()


def test_the_app_answers_through_the_proxy_over_tls(proxy):
    response, body = proxy("GET", "/login/", headers={"Accept-Encoding": "gzip"})
    assert response.status == 200
    assert response.getheader("Content-Encoding") == "gzip"
    assert response.getheader("Server") is None


def test_static_files_are_served_by_the_proxy_with_long_cache_headers(proxy):
    response, body = proxy("GET", "/static/app.css", headers={"Accept-Encoding": "gzip"})
    assert response.status == 200
    assert response.getheader("Cache-Control") == "public, max-age=31536000, immutable"
    assert response.getheader("Content-Encoding") == "gzip"


def test_media_is_never_served_by_the_proxy(proxy):
    response, _body = proxy("GET", "/media/bilag/x.pdf")
    assert response.status == 404


def test_a_body_over_33_mib_is_refused_by_the_proxy(proxy):
    response, _body = proxy("POST", "/api/v1/activities/bulk/", body=b"x" * (34 * 1024 * 1024),
                            headers={"Content-Type": "application/json"})
    assert response.status == 413
