"""Company records from the CVR register, in the test process against the register stand-in
(tests/cvr_server.py): the register wins over what a cluster typed (the cluster's number stays
beside it), the SME class says what it rests on, every change leaves an event, new CVRs are
queued for after commit, and a register outage during an API ingest loses nothing and is
caught up by `cvr_refresh`."""

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from clusters.companies.services import companies_due_for_refresh, companies_refresh
from clusters.constants import CompanySource, CompanyStatus, SizeBasis
from clusters.cvr.client import NoRegister
from clusters.models import Activity, Company, CompanyRecordEvent
from tests.api.test_activities import BULK, company, item
from tests.cvr_server import CvrServer
from tests.factories import CompanyFactory, next_cvr

pytestmark = pytest.mark.django_db


@pytest.fixture
def register(settings):
    server = CvrServer().start()
    settings.CVR_URL = server.url
    settings.CVR_USERNAME, settings.CVR_PASSWORD = server.username, server.password
    settings.CVR_TIMEOUT, settings.CVR_RETRIES = 5.0, 0  # a healthy register answers in milliseconds; 0.5 s failed a lookup on a loaded machine
    settings.CVR_CIRCUIT_RESET_SECONDS = 0.0
    yield server
    server.stop()


def test_register_wins_and_the_clusters_number_stays_beside(register, caseworker):
    c = CompanyFactory(name="Klyngens Navn", employees=8, db07_code="")
    register.add(c.cvr, name="Registrets Navn ApS", db07="620100", employees=120, protected=True)
    result = companies_refresh(cvrs=[c.cvr], actor=caseworker)
    c.refresh_from_db()
    assert (c.name, c.db07_code, c.industry) == ("Registrets Navn ApS", "620100", "Computerprogrammering")
    assert (c.municipality_code, c.municipality, c.region) == (751, "Aarhus", "DK-82")
    assert (c.employees, c.register_employees) == (8, 120)
    assert (c.size_class, c.size_basis) == ("medium", SizeBasis.REGISTER)
    assert (c.status, c.source, c.reklamebeskyttet) == (CompanyStatus.ACTIVE, CompanySource.CVR, True)
    assert c.fetched_at is not None
    event = CompanyRecordEvent.objects.get(company=c)
    assert event.actor == caseworker
    assert event.changes["size_class"] == ["micro", "medium"]
    assert result.changed[0][0] == c.cvr
    companies_refresh(cvrs=[c.cvr])  # nothing new: no second event
    assert CompanyRecordEvent.objects.filter(company=c).count() == 1


def test_sme_class_from_a_band_and_from_the_clusters_number(register):
    banded = CompanyFactory(employees=300)
    register.add(banded.cvr, band="ANTAL_20_49")
    numberless = CompanyFactory(employees=300)
    register.add(numberless.cvr)
    ceased = CompanyFactory()
    register.add(ceased.cvr, status="Ophørt", employees=2)
    companies_refresh(cvrs=[banded.cvr, numberless.cvr, ceased.cvr])
    for c in (banded, numberless, ceased):
        c.refresh_from_db()
    assert (banded.size_class, banded.size_basis, banded.employees_band) == (
        "small", SizeBasis.REGISTER_BAND, "ANTAL_20_49")
    assert (numberless.size_class, numberless.size_basis) == ("large", SizeBasis.CLUSTER)
    assert ceased.status == CompanyStatus.CEASED


def test_new_cvrs_are_looked_up_after_commit_not_inside(api, cluster, django_capture_on_commit_callbacks):
    new = company()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        r = api.post(BULK, {"activities": [item("a", companies=[new])]})
    assert r.status_code == 200, r.content
    # queued for after the commit, not run in the request (the figures' announcements queue
    # their own callbacks beside it)
    lookups = [c for c in callbacks if c.__qualname__.startswith("lookup_after_commit.")]
    assert len(lookups) == 1
    assert Company.objects.get(cvr=new["cvr"]).source == CompanySource.CLUSTER


def test_register_down_during_an_api_ingest_loses_nothing_and_is_caught_up(api, cluster, register):
    register.mode = "500"
    items = [item(f"i{i}", companies=[company(), company()]) for i in range(3)]
    r = api.post(BULK, {"activities": items})
    assert r.status_code == 200, r.content
    assert Activity.objects.filter(cluster=cluster).count() == 3
    cvrs = [c["cvr"] for i in items for c in i["companies"]]
    assert Company.objects.filter(cvr__in=cvrs, source=CompanySource.CLUSTER).count() == 6
    for cvr in cvrs:
        register.add(cvr, name=f"CVR {cvr}", employees=3)
    with pytest.raises(CommandError, match="unavailable"):
        call_command("cvr_refresh", stdout=io.StringIO())
    assert set(cvrs) <= set(companies_due_for_refresh().values_list("cvr", flat=True))
    register.mode = "ok"  # the register answers again
    out = io.StringIO()
    call_command("cvr_refresh", stdout=out)
    assert "changed=6" in out.getvalue()
    assert f"{cvrs[0]}: name: 'Virksomhed ApS' -> 'CVR {cvrs[0]}'" in out.getvalue()
    assert Company.objects.filter(cvr__in=cvrs, source=CompanySource.CVR).count() == 6
    assert not companies_due_for_refresh().filter(cvr__in=cvrs).exists()


def test_refresh_takes_records_older_than_30_days(register):
    fresh, stale = CompanyFactory(), CompanyFactory()
    Company.objects.filter(pk=fresh.pk).update(fetched_at=timezone.now() - timedelta(days=29))
    Company.objects.filter(pk=stale.pk).update(fetched_at=timezone.now() - timedelta(days=31))
    due = set(companies_due_for_refresh().values_list("pk", flat=True))
    assert stale.pk in due and fresh.pk not in due


def test_cvr_refresh_by_cvr_and_unconfigured(register, settings):
    c = CompanyFactory()
    out = io.StringIO()
    call_command("cvr_refresh", "--cvr", c.cvr, next_cvr(), stdout=out)
    assert f"{c.cvr}: not found in the register" in out.getvalue()
    assert "no such company registered here" in out.getvalue()
    with pytest.raises(CommandError, match="invalid CVR"):
        call_command("cvr_refresh", "--cvr", "12345678", stdout=io.StringIO())
    settings.CVR_URL, settings.CVR_LOCAL_REGISTER = "", ""
    out = io.StringIO()
    call_command("cvr_refresh", "--all", stdout=out)
    assert "ikke sat op" in out.getvalue()
    assert companies_refresh(cvrs=[c.cvr], register=NoRegister()).configured is False


# -- GET /api/v1/companies/{cvr}/ ------------------------------------------------------------


COMPANY_KEYS = {"cvr", "name", "db07_code", "industry", "municipality", "municipality_code",
                "region", "employees", "employees_band", "cluster_employees", "sme_class",
                "sme_basis", "status", "source", "fetched_at", "reklamebeskyttet"}


def test_company_endpoint_who_sees_what(api, other_api, caseworker_api, anonymous_api, cluster,
                                        register):
    from datetime import date

    from clusters.models import CompanyParticipation
    from tests.factories import ActivityFactory

    mine, elsewhere = CompanyFactory(employees=8), CompanyFactory()
    CompanyParticipation.objects.create(
        activity=ActivityFactory(cluster=cluster, start_date=date(2025, 1, 5), end_date=date(2025, 1, 5)),
        company=mine,
    )
    register.add(mine.cvr, name="Registret ApS", band="ANTAL_20_49")
    companies_refresh(cvrs=[mine.cvr])
    body = api.get(f"/api/v1/companies/{mine.cvr}/").json()
    assert set(body) == COMPANY_KEYS
    assert body["name"] == "Registret ApS" and body["source"] == "cvr"
    assert (body["employees"], body["employees_band"], body["cluster_employees"]) == (None, "20–49", 8)
    assert (body["sme_class"], body["sme_basis"]) == ("small", "register_band")
    assert (body["db07_code"], body["municipality"], body["region"]) == ("620100", "Aarhus", "DK-82")
    assert caseworker_api.get(f"/api/v1/companies/{elsewhere.cvr}/").json()["source"] == "cluster"
    # another cluster's key, and a company not in this cluster's data: 404, as if absent
    assert other_api.get(f"/api/v1/companies/{mine.cvr}/").status_code == 404
    assert api.get(f"/api/v1/companies/{elsewhere.cvr}/").status_code == 404
    assert api.get("/api/v1/companies/12345674/").status_code == 404
    assert anonymous_api.get(f"/api/v1/companies/{mine.cvr}/").status_code == 401
