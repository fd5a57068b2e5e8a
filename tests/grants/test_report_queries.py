"""The report page and the dashboard use a fixed number of queries whatever the amount of data,
checked on the demo data's largest cluster against an empty report year."""

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from clusters.models import ClusterOrganisation
from grants.constants import ReportStatus
from grants.reports.models import AnnualReport
from klyngeadmin.accounts.models import User
from klyngeadmin.kernel.roles import Role

pytestmark = pytest.mark.django_db

REPORT_PAGE_MAX_QUERIES = 24  # incl. the person's draft of the page (klyngeadmin/drafts.py)
# and the key figures (grants.reports.key_figures: four counts, seven first-rows lists); 21: the
# outcome section (templates/outcomes/_report_section.html); +3: the accounts section (budget
# lines, the aid position's lines and disbursements)
# +2: the year's targets and the hand-reported values (the target section reuses the key figures)
# Was 26: -1 the header's cluster read with the user (klyngeadmin.accounts.backends), -1 the
# budget lines read once for the budget table and the aid position (report_costs_context).


@pytest.fixture
def largest(demo_data):
    cluster = (
        ClusterOrganisation.objects.annotate(n=Count("activities"))
        .filter(status="active").order_by("-n").first()
    )
    director = User.objects.get(role=Role.DIRECTOR, cluster=cluster)
    reports = AnnualReport.objects.filter(grant__cluster=cluster)
    # the year with the most registered data, and a year with none
    busiest = max(reports.filter(year__lte=2026),
                  key=lambda r: cluster.activities.filter(year=r.year).count())
    empty = reports.get(year=2030)
    return cluster, director, busiest, empty


def count_queries(client, path) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200
    return len(ctx.captured_queries), len(response.content)


def test_report_page_query_count_is_fixed_on_the_largest_cluster(
    client, largest, django_assert_max_num_queries
):
    cluster, director, busiest, empty = largest
    assert cluster.activities.filter(year=busiest.year).count() > 100
    client.force_login(director)
    client.get("/oversigt/")  # warm the session
    with django_assert_max_num_queries(REPORT_PAGE_MAX_QUERIES):
        big_queries, big_size = count_queries(client, f"/rapporter/{busiest.pk}/")
    small_queries, small_size = count_queries(client, f"/rapporter/{empty.pk}/")
    # the first rows of each list, the rest on sub-pages; the empty report is a draft, so it
    # also carries the target section's input form (issue 15), about 2 kB
    assert small_size < big_size + 2_500 and big_size <= 150_000
    # approved (read-only) and draft (form) pages differ by the formset's absence only
    assert big_queries <= small_queries


def test_draft_report_page_query_count_is_fixed(client, largest, django_assert_max_num_queries):
    cluster, director, _busiest, empty = largest
    draft = AnnualReport.objects.get(grant__cluster=cluster, year=2026)
    assert draft.status == ReportStatus.DRAFT
    client.force_login(director)
    client.get("/oversigt/")
    with django_assert_max_num_queries(REPORT_PAGE_MAX_QUERIES):
        busy_queries, _ = count_queries(client, f"/rapporter/{draft.pk}/")
    empty_queries, _ = count_queries(client, f"/rapporter/{empty.pk}/")
    assert busy_queries == empty_queries


def test_dashboard_query_count_on_the_largest_cluster(
    client, largest, django_assert_max_num_queries
):
    _cluster, director, _busiest, _empty = largest
    client.force_login(director)
    # 12, + this year's targets (issue 15): whether any are set, the targets, three figure
    # queries, the reported values and two money queries -- whatever the number of grants
    with django_assert_max_num_queries(20):
        assert client.get("/oversigt/").status_code == 200
