"""Finding 8 (malformed input answered with a 500) and finding 10 (caching, static files,
content checks for uploads): each a clean, named answer now."""

import json
import subprocess
import sys
import textwrap

import pytest
from django.contrib.staticfiles import finders
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from klyngeadmin.accounts.keys import api_key_create
from tests.evaluations.conftest import evaluation, opened, rubrics  # noqa: F401 - fixtures
from tests.subprocesses import ROOT, subprocess_env

pytestmark = pytest.mark.django_db
BULK = "/api/v1/activities/bulk/"


@pytest.fixture
def key(cluster, director):
    return api_key_create(name="CRM", cluster=cluster, created_by=director).plain


def post_raw(key, body: bytes):
    client = Client(raise_request_exception=False)
    return client.generic("POST", BULK, body, content_type="application/json",
                          headers={"Authorization": f"Bearer {key}"})


def test_json_nested_50000_deep_is_a_400_problem(key):
    response = post_raw(key, b"[" * 50_000 + b"]" * 50_000)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert "for dybt indlejret" in response.json()["detail"]


def test_json_nested_a_little_too_deep_is_refused_too(key):
    body = {"activities": [{"title": json.loads("[" * 70 + "]" * 70)}]}
    response = post_raw(key, json.dumps(body).encode())
    assert response.status_code == 400
    assert "for dybt indlejret" in response.json()["detail"]


def test_a_lone_surrogate_is_a_400_naming_the_field(key):
    body = b'{"activities": [{"external_id": "x", "title": "Tema\\ud800dag"}]}'
    response = post_raw(key, body)
    assert response.status_code == 400
    problem = response.json()
    assert problem["errors"][0]["field"] == "activities[0].title"
    assert problem["errors"][0]["code"] == "invalid_text"


def test_the_api_answers_problem_json_503_when_the_database_is_down(key):
    """A real PostgreSQL that does not answer: the API process points at a closed port."""
    script = textwrap.dedent("""
        import json, sys
        import django
        django.setup()
        from django.test import Client
        r = Client(raise_request_exception=False).get(
            "/api/v1/activities/", headers={"Authorization": "Bearer " + sys.argv[1]})
        print(json.dumps({"status": r.status_code, "type": r["Content-Type"],
                          "retry": r.get("Retry-After"), "body": r.content.decode()}))
    """)
    env = subprocess_env(DATABASE_URL="postgres://postgres@127.0.0.1:1/klyngeadmin",
                         DEBUG="False", SECRET_KEY="x" * 60, ALLOWED_HOSTS="testserver",
                         SECURE_SSL_REDIRECT="False")
    result = subprocess.run([sys.executable, "-c", script, key], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer["status"] == 503, answer
    assert answer["type"] == "application/problem+json"
    assert answer["retry"] == "30"
    assert json.loads(answer["body"])["detail"] == "Databasen svarer ikke lige nu. Prøv igen om lidt."


# -- finding 10 -----------------------------------------------------------------------------------


def test_signed_in_pages_api_answers_and_letters_are_not_stored(client, director, key):
    client.force_login(director)
    for path in ("/oversigt/", "/aktiviteter/", "/mine-sager/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "no-store" in response["Cache-Control"], path
    api = Client().get("/api/v1/activities/", headers={"Authorization": f"Bearer {key}"})
    assert "no-store" in api["Cache-Control"]
    public = Client().get("/statistik/")
    assert "no-store" not in public.get("Cache-Control", "")


def test_only_the_built_front_end_files_are_static():
    assert finders.find("dkfds/dist/js/dkfds.min.js")
    assert finders.find("dkfds/dist/css/dkfds-virkdk.min.css")
    assert finders.find("axe-core/axe.min.js") is None
    assert finders.find("dkfds/package.json") is None
    assert finders.find("dkfds/src/js/dkfds.js") is None


def test_self_assessment_attachments_are_checked_by_content(client, opened, director):  # noqa: F811
    client.force_login(director)
    url = reverse("evaluations:attach", args=[opened.pk])
    html = SimpleUploadedFile("strategi.pdf", b"<html><script>alert(1)</script></html>",
                              content_type="application/pdf")
    response = client.post(url, {"title": "Strategi", "file": html})
    assert response.status_code == 400
    assert "typen kontrolleres ud fra filens indhold" in response.content.decode()
    assert not opened.self_assessment.attachments.exists()
    pdf = SimpleUploadedFile("strategi.PDF", b"%PDF-1.4\n%%EOF\n")
    client.post(url, {"title": "Strategi", "file": pdf})
    attachment = opened.self_assessment.attachments.get()
    assert attachment.file.name.endswith(".pdf")


@pytest.mark.parametrize("path", ["/aktiviteter/import/", BULK])
def test_a_body_over_the_cap_is_refused_before_it_is_read(client, director, path, settings):
    """Content-Length says 150 MiB; only a few bytes follow. Reading the body would fail
    (Django's FakePayload refuses to read past what there is): the 413 comes first."""
    client.force_login(director)
    response = client.generic("POST", path, b"x" * 10, content_type="application/octet-stream",
                              CONTENT_LENGTH=str(150 * 1024 * 1024))
    assert response.status_code == 413
    assert "Forespørgslen er for stor" in response.content.decode()
    small = client.generic("POST", "/aktiviteter/import/", b"x" * 10,
                           content_type="application/octet-stream")
    assert small.status_code != 413
