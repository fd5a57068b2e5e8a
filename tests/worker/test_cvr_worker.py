"""The after-commit CVR lookup in a real Celery worker (private Redis), against the register
stand-in (tests/cvr_server.py): a new company registered by a cluster gets the register's data
once the transaction commits; with the register down the write is kept and the task catches up
when it answers again."""

from datetime import date

import pytest

from clusters.constants import ActivityType, CompanySource, SizeBasis
from clusters.models import Activity, Company
from clusters.services import CompanyRef, activity_create
from tests.cvr_server import CvrServer
from tests.factories import next_cvr
from tests.worker.conftest import wait_until

pytestmark = [pytest.mark.worker]


@pytest.fixture
def register(monkeypatch):
    server = CvrServer().start()
    monkeypatch.setenv("CVR_URL", server.url)
    monkeypatch.setenv("CVR_USERNAME", server.username)
    monkeypatch.setenv("CVR_PASSWORD", server.password)
    monkeypatch.setenv("CVR_TIMEOUT", "5")  # the register is down by answering 500, at once
    monkeypatch.setenv("CVR_RETRY_SECONDS", "1")
    monkeypatch.setenv("CVR_CIRCUIT_RESET_SECONDS", "1")
    yield server
    server.stop()


def _register_activity(cluster, director, cvr, external_id="cvr-1"):
    return activity_create(
        cluster=cluster, actor=director, external_id=external_id, title="Netværksmøde",
        activity_type=ActivityType.KNOWLEDGE_SHARING, start_date=date(2025, 3, 1),
        end_date=date(2025, 3, 1),
        companies=[CompanyRef(cvr=cvr, name="Klyngens stavemåde ApS", employees=8)],
    )


def _filled(cvr):
    return Company.objects.filter(cvr=cvr, source=CompanySource.CVR).first()


def test_new_company_is_looked_up_after_commit(worker, register, cluster, director):
    cvr = next_cvr()
    register.add(cvr, name="Registrets Navn ApS", db07="620100", employees=60)
    worker.start()
    _register_activity(cluster, director, cvr)
    company = wait_until(lambda: _filled(cvr), timeout=60, what="the register's data")
    assert company.name == "Registrets Navn ApS"
    assert (company.db07_code, company.municipality, company.region) == ("620100", "Aarhus", "DK-82")
    assert (company.employees, company.register_employees) == (8, 60)  # the cluster's beside
    assert (company.size_class, company.size_basis) == ("medium", SizeBasis.REGISTER)
    assert company.record_events.get().changes["name"] == ["Klyngens stavemåde ApS", "Registrets Navn ApS"]


def test_register_down_during_ingest_loses_nothing_and_catches_up(worker, register, cluster, director):
    cvr = next_cvr()
    register.add(cvr, name="Senere Navn A/S", employees=3)
    register.mode = "500"
    worker.start()
    _register_activity(cluster, director, cvr)
    assert Activity.objects.filter(cluster=cluster, external_id="cvr-1").exists()  # the write stands
    company = Company.objects.get(cvr=cvr)
    assert (company.source, company.name) == (CompanySource.CLUSTER, "Klyngens stavemåde ApS")
    wait_until(lambda: len(register.requests) >= 2, timeout=60, what="the task to try and retry")
    assert _filled(cvr) is None
    register.mode = "ok"  # the register answers again
    company = wait_until(lambda: _filled(cvr), timeout=90, what="the retried lookup")
    assert company.name == "Senere Navn A/S"
