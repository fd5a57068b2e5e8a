"""The figures cache (clusters.figures_cache): committed data only, computed once per change of
a cluster's data, computed afresh after a write announces changed figures."""

from datetime import date

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from clusters import figures
from clusters.companies.services import companies_refresh
from clusters.constants import SizeClass
from clusters.cvr.records import CvrRecord
from clusters.models import CompanyParticipation
from clusters.services import CompanyRef, activity_create
from tests.factories import ActivityFactory, CompanyFactory, next_cvr


def _new_company() -> CompanyRef:
    return CompanyRef(cvr=next_cvr(), name="Ny ApS", employees=5)


def _queries(fn):
    with CaptureQueriesContext(connection) as ctx:
        value = fn()
    return value, len(ctx.captured_queries)


@pytest.mark.django_db
def test_inside_a_transaction_every_read_computes(cluster):
    """A test (like any transaction) may hold uncommitted writes no version names."""
    act = ActivityFactory(cluster=cluster, start_date=date(2025, 3, 1), end_date=date(2025, 3, 1))
    CompanyParticipation.objects.create(activity=act, company=CompanyFactory())
    first, n = _queries(lambda: figures.cluster_year_companies([cluster.pk], [2025]))
    assert n == 1 and first[(cluster.pk, 2025)]["companies"] == 1
    CompanyParticipation.objects.create(activity=act, company=CompanyFactory())
    second, n = _queries(lambda: figures.cluster_year_companies([cluster.pk], [2025]))
    assert n == 1 and second[(cluster.pk, 2025)]["companies"] == 2


@pytest.mark.django_db(transaction=True)
def test_committed_figures_are_read_once_until_a_write_announces_a_change(cluster, director):
    def read():
        return figures.cluster_year_companies([cluster.pk], [2024, 2025])

    with transaction.atomic():
        activity_create(cluster=cluster, actor=director, external_id="a-1", title="Første",
                        activity_type="matchmaking", start_date=date(2025, 3, 1),
                        end_date=date(2025, 3, 1), companies=[_new_company()])
    found, n = _queries(read)
    assert n >= 1 and found[(cluster.pk, 2025)]["companies"] == 1
    assert (cluster.pk, 2024) not in found  # no activity that year: remembered as none
    again, n = _queries(read)
    assert n == 0 and again == found
    # a cluster-year not read before is computed alone; the others still come from the cache
    _, n = _queries(lambda: figures.cluster_year_companies([cluster.pk], [2023, 2025]))
    assert n == 1

    with transaction.atomic():  # a write through the service: announced after commit
        activity_create(cluster=cluster, actor=director, external_id="a-2", title="Anden",
                        activity_type="matchmaking", start_date=date(2025, 4, 1),
                        end_date=date(2025, 4, 1), companies=[_new_company()])
    fresh, n = _queries(read)
    assert n >= 1 and fresh[(cluster.pk, 2025)]["companies"] == 2


class _Register:
    configured = True

    def __init__(self, records):
        self.records = records

    def lookup_many(self, cvrs):
        return {c: self.records[c] for c in cvrs if c in self.records}


@pytest.mark.django_db(transaction=True)
def test_a_changed_company_record_announces_changed_figures(cluster, director):
    """The CVR refresh changes size classes and industries the figures count."""
    with transaction.atomic():
        activity_create(cluster=cluster, actor=director, external_id="a-1", title="Første",
                        activity_type="matchmaking", start_date=date(2025, 3, 1),
                        end_date=date(2025, 3, 1), companies=[_new_company()])
    before = figures.cluster_year_companies([cluster.pk], [2025])[(cluster.pk, 2025)]
    company = cluster.activities.get().companies.get()
    assert company.size_class != SizeClass.LARGE
    record = CvrRecord(cvr=company.cvr, name=company.name, employees=400)
    result = companies_refresh(cvrs=[company.cvr], register=_Register({company.cvr: record}))
    assert result.changed
    after = figures.cluster_year_companies([cluster.pk], [2025])[(cluster.pk, 2025)]
    assert before["smes"] == 1 and after["smes"] == 0


@pytest.mark.django_db(transaction=True)
def test_the_report_page_shows_a_new_activity_after_commit(client, cluster, director, grant):
    """The report page's key figures and their rendered section come from the cache until the
    cluster's data changes (announced after commit), then are computed afresh."""
    report = grant.reports.get(year=2025)
    client.force_login(director)

    def create(external_id):
        with transaction.atomic():
            activity_create(cluster=cluster, actor=director, external_id=external_id,
                            title=f"Aktivitet {external_id}", activity_type="matchmaking",
                            start_date=date(2025, 3, 1), end_date=date(2025, 3, 1),
                            companies=[_new_company()])

    def page():
        """The key-figures section of the page, and the page's queries."""
        with CaptureQueriesContext(connection) as ctx:
            html = client.get(f"/rapporter/{report.pk}/").content.decode()
        section = html.split('aria-labelledby="kf-heading"', 1)[1].split("</section>", 1)[0]
        return section, len(ctx.captured_queries)

    create("a-1")
    first, computed = page()
    assert "Aktivitet a-1" in first
    again, cached = page()
    assert again == first and cached < computed  # the key figures are not queried again
    create("a-2")
    fresh, n = page()
    assert "Aktivitet a-2" in fresh and n == computed
