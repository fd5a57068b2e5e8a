"""Property-based conformance of the running API with the COMMITTED schema (docs/openapi.yaml):
for every operation, schemathesis generates a bounded number of requests from the schema and
calls the WSGI app in-process; no answer may be a 500, every status code and content type must
be documented, and every body must match its schema."""

from datetime import date

import pytest
import schemathesis
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from clusters.models import CompanyParticipation, InstitutionParticipation
from grants.budgets.services import set_budget
from grants.cases.services import case_open
from grants.constants import CaseType
from klyngeadmin.accounts.keys import api_key_create
from klyngeadmin.wsgi import application
from tests.budgets.helpers import BUDGET
from tests.factories import ActivityFactory, CompanyFactory, InstitutionFactory

SCHEMA = schemathesis.openapi.from_path(settings.BASE_DIR / "docs" / "openapi.yaml")
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]
CASEWORKER_PATHS = ("/api/v1/cases", "/api/v1/statistics/", "/api/v1/evaluations/")
MAX_EXAMPLES = 10
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def in_process_wsgi():
    """Keep the test's DB connection open across WSGI calls (as django.test.Client does)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield application
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def seeded(cluster, grant, caseworker):
    inst = InstitutionFactory(code="au")
    for i in range(3):
        activity = ActivityFactory(
            cluster=cluster, external_id=f"crm-{i}", start_date=date(2023, 3, 1), end_date=date(2023, 3, 2)
        )
        CompanyParticipation.objects.create(activity=activity, company=CompanyFactory())
        InstitutionParticipation.objects.create(activity=activity, institution=inst)
    case_open(case_type=CaseType.ANNUAL_REPORT, subject="Årsrapport 2025", cluster=cluster,
              report=grant.reports.get(year=2025))
    set_budget(grant, 1, BUDGET, actor=None)  # PUT /reports/{id}/costs/ meets real lines
    return {
        "cluster": api_key_create(name="CRM", cluster=cluster).plain,
        "caseworker": api_key_create(name="BI", user=caseworker).plain,
    }


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.label)
@override_settings(API_THROTTLE_RATES={"api": "100000/min", "api_bulk": "100000/min"})
def test_api_conforms_to_committed_schema(operation, seeded, in_process_wsgi):
    kind = "caseworker" if operation.path.startswith(CASEWORKER_PATHS) else "cluster"
    headers = {"Authorization": f"Bearer {seeded[kind]}"}

    @given(case=operation.as_strategy())
    @hypothesis_settings(
        max_examples=MAX_EXAMPLES, deadline=None, database=None, derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def check(case):
        case.call_and_validate(app=in_process_wsgi, headers=headers, checks=CHECKS)

    check()


def test_every_operation_is_exercised():
    assert len(OPERATIONS) >= 17
