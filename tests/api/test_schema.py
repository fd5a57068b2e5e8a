import io
import re

import pytest
import yaml
from django.conf import settings
from django.core.management import call_command
from django.test import Client

pytestmark = pytest.mark.django_db

COMMITTED = settings.BASE_DIR / "docs" / "openapi.yaml"


def test_committed_schema_matches_the_code():
    out = io.StringIO()
    call_command("spectacular", stdout=out)
    assert out.getvalue() == COMMITTED.read_text(), (
        "docs/openapi.yaml is out of date: run `make schema` and commit it."
    )


def test_schema_documents_the_contract():
    schema = yaml.safe_load(COMMITTED.read_text())
    paths = schema["paths"]
    for path in [
        "/api/v1/clusters/", "/api/v1/institutions/", "/api/v1/activities/",
        "/api/v1/activities/{external_id}/", "/api/v1/activities/bulk/",
        "/api/v1/facilitated-projects/", "/api/v1/facilitated-projects/{external_id}/",
        "/api/v1/reports/", "/api/v1/reports/{id}/", "/api/v1/reports/{id}/submit/",
        "/api/v1/deadlines/", "/api/v1/statistics/", "/api/v1/cases/",
        "/api/v1/cases/{journal_number}/",
    ]:
        assert path in paths, path
    assert set(paths["/api/v1/activities/{external_id}/"]) >= {"get", "put", "delete"}
    bulk = paths["/api/v1/activities/bulk/"]["post"]
    assert {"200", "400", "401", "413", "415", "422", "429"} <= set(bulk["responses"])
    assert bulk["responses"]["400"]["content"]["application/problem+json"]
    patch = paths["/api/v1/reports/{id}/"]["patch"]
    assert {"200", "412", "428"} <= set(patch["responses"])
    assert schema["components"]["securitySchemes"]["ApiKey"]["scheme"] == "bearer"


def test_schema_and_swagger_ui_are_served_without_key():
    c = Client()
    r = c.get("/api/v1/schema/")
    assert r.status_code == 200
    assert b"openapi" in r.content
    r = c.get("/api/v1/docs/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "swagger-ui" in html
    assert "drf_spectacular_sidecar" in html  # self-hosted, no CDN
    assert "cdn.jsdelivr" not in html
    assert "<script>" not in html and "<style" not in html  # CSP: script-src/style-src 'self'
    assert "{#" not in html and "Swagger UI from" not in html  # no template comment on the page
    script = re.search(r'<script src="([^"]+\?script=[^"]*)"', html).group(1)
    r = c.get(script.replace("&amp;", "&"))
    assert r.status_code == 200 and b"SwaggerUIBundle" in r.content
    assert "javascript" in r["Content-Type"]
