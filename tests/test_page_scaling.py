"""The key pages at the demo data and at ten times its activity data: the same number of queries,
and at most 150 KB of HTML, at both sizes and for the smallest and the largest cluster (issue 19).

The tenfold data is made inside the test's transaction (klyngeadmin.demo.scale) and rolled back
with it; the stored statistics are refreshed at each size, as the after-commit task does."""

import pytest
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext

from clusters.models import ClusterOrganisation
from grants.cases.models import Case
from grants.reports.models import AnnualReport
from grants.statistics.aggregates import aggregates_refresh
from klyngeadmin.accounts.models import User
from klyngeadmin.kernel.roles import Role

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

SIZE_LIMIT = 150_000


def _clusters():
    ordered = list(ClusterOrganisation.objects.filter(status="active")
                   .annotate(n=Count("activities")).order_by("n", "pk"))
    return ordered[0], ordered[-1]  # the smallest and the largest


def _pages(cluster):
    report = AnnualReport.objects.get(grant__cluster=cluster, year=2025)
    case = Case.objects.filter(report=report).order_by("-created_at").first()
    pages = [
        ("director", f"/rapporter/{report.pk}/"),
        ("director", f"/rapporter/{report.pk}/noegletal/virksomheder/"),
        ("director", "/oversigt/"),
        ("director", "/aktiviteter/"),
        ("caseworker", "/midtvejsevaluering/aargang/2029/"),
        ("caseworker", "/sager/?q=rsrapport&type=annual_report"),
        (None, "/statistik/?from_year=2021&to_year=2023"),
    ]
    if case is not None:
        pages.append(("caseworker", f"/sager/{case.journal_number}/"))
    return pages


def _measure(cluster, settings) -> dict[str, tuple[int, int]]:
    settings.REQUIRE_2FA = False
    clients = {None: Client(), "director": Client(), "caseworker": Client()}
    clients["director"].force_login(User.objects.get(role=Role.DIRECTOR, cluster=cluster))
    clients["caseworker"].force_login(User.objects.get(username="caseworker1"))
    out = {}
    for who, path in _pages(cluster):
        clients[who].get(path)  # warm the session
        with CaptureQueriesContext(connection) as ctx:
            response = clients[who].get(path)
        assert response.status_code == 200, path
        out[path] = (len(ctx), len(response.content))
    return out


def _by_kind(measured: dict) -> dict:
    """Page path -> queries, with the report's pk taken out (the two clusters' reports differ)."""
    import re

    return {re.sub(r"/rapporter/\d+/", "/rapporter/<r>/", re.sub(r"/sager/\d{4}-\d+/", "/sager/<j>/", p)):
            q for p, (q, _size) in measured.items()}


def test_page_queries_are_flat_and_html_small_from_1x_to_10x(demo_data, settings):
    from klyngeadmin.demo.scale import scale_activity_data

    smallest, largest = _clusters()
    aggregates_refresh(period_list=[(2021, 2023)])
    one_small = _measure(smallest, settings)
    one_large = _measure(largest, settings)
    scale_activity_data(9)
    aggregates_refresh(period_list=[(2021, 2023)])
    ten_large = _measure(largest, settings)

    for label, measured in (("1x smallest", one_small), ("1x largest", one_large),
                            ("10x largest", ten_large)):
        for path, (_queries, size) in measured.items():
            assert size <= SIZE_LIMIT, (label, path, size)
    assert _by_kind(one_large) == _by_kind(one_small)  # smallest to largest cluster
    assert _by_kind(ten_large) == _by_kind(one_large)  # 1x to 10x
    # the demo data is flushed (TRUNCATE) as the last demo test ends, inside its transaction:
    # the foreign-key checks of what this test wrote run now, or TRUNCATE refuses
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

