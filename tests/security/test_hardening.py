"""Hardened settings, headers, error pages, request caps and /healthz."""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client, RequestFactory
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


def _os_env():
    """The environment without what the browser tests' conftest sets for Playwright."""
    return {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}


def test_check_deploy_passes_with_the_production_environment():
    env = {
        **_os_env(),
        "DEBUG": "False",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "example.dk",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_fails_with_development_settings():
    """The check above can fail: with DEBUG on and the dev key it reports warnings."""
    env = {k: v for k, v in _os_env().items() if k not in ("SECRET_KEY", "ALLOWED_HOSTS")}
    env["DEBUG"] = "True"
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode != 0
    assert "security.W018" in result.stderr + result.stdout  # DEBUG on


def test_production_settings_turn_on_transport_security():
    code = (
        "from django.conf import settings as s;"
        "print(s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE,"
        " s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_INCLUDE_SUBDOMAINS)"
    )
    env = {**_os_env(), "DEBUG": "False", "SECRET_KEY": secrets.token_urlsafe(64),
           "ALLOWED_HOSTS": "example.dk", "DJANGO_SETTINGS_MODULE": "klyngeadmin.settings"}
    out = subprocess.run(
        [sys.executable, "-c", "import django; django.setup();" + code],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True,
    ).stdout.split()
    assert int(out[0]) >= 31536000
    assert out[1:] == ["True", "True", "True", "True"]


def test_security_headers_on_every_page(client):
    response = client.get(reverse("login"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def _template_files():
    dirs = [ROOT / "templates"] + [p for p in ROOT.glob("*/templates") if p.parent.name != ".venv"]
    for d in dirs:
        for path in sorted(d.rglob("*.html")):
            # Mail and PDF templates never reach a browser: no CSP applies, and mail clients
            # need inline styles.
            relative = path.relative_to(d)
            if not NOT_SERVED & set(relative.parts[:-1]) and str(relative) not in PDF_TEMPLATES:
                yield path


NOT_SERVED = {"emails", "email", "mail", "pdf"}
PDF_TEMPLATES = {"evaluations/letter.html"}  # rendered to PDF by WeasyPrint, never to a browser


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"\son[a-z]+=", re.IGNORECASE)


def test_no_template_needs_inline_script_or_style():
    """The Content-Security-Policy allows only 'self' scripts and styles: any inline <script>,
    <style>, style= attribute or on*= handler in our templates would be blocked."""
    offenders = []
    for path in _template_files():
        text = path.read_text()
        for name, pattern in [("script", INLINE_SCRIPT), ("style", INLINE_STYLE),
                              ("handler", INLINE_HANDLER)]:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                offenders.append(f"{path.relative_to(ROOT)}:{line}: inline {name}")
    assert not offenders, "\n".join(offenders)


@pytest.mark.parametrize(
    ("status", "text"),
    [(400, "kunne ikke behandles"), (403, "ikke adgang"), (404, "Siden findes ikke"),
     (500, "noget gik galt")],
)
def test_friendly_danish_error_pages_without_details(status, text):
    from django.views import defaults

    request = RequestFactory().get("/x")
    view = {400: defaults.bad_request, 403: defaults.permission_denied,
            404: defaults.page_not_found, 500: defaults.server_error}[status]
    response = view(request) if status == 500 else view(request, Exception("SECRET detail"))
    body = response.content.decode()
    assert response.status_code == status
    assert text in body and 'lang="da"' in body
    assert "SECRET detail" not in body and "Traceback" not in body


def test_unknown_url_answers_the_danish_404(client):
    response = client.get("/findes-ikke/")
    assert response.status_code == 404
    assert "Siden findes ikke" in response.content.decode()


def test_csrf_failure_page_is_danish(director):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "Formularen er udløbet" in response.content.decode()


def test_request_body_over_the_cap_is_refused(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client.post(reverse("login"), {"username": "x" * 2000, "password": "y"})
    assert response.status_code == 400
    assert django_settings.FILE_UPLOAD_MAX_MEMORY_SIZE <= 5 * 1024 * 1024


def test_healthz_reports_database_and_broker(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert json.loads(response.content) == {"database": "ok", "broker": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_answers_503_when_the_broker_is_down(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    settings.HEALTHZ_TIMEOUT_SECONDS = 0.5
    response = client.get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.content) == {"database": "ok", "broker": "error"}


def test_healthz_checks_redis_when_configured(client, settings):
    settings.CELERY_BROKER_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    response = client.get("/healthz")
    assert response.status_code == 200, response.content
