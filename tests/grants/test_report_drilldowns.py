"""The report page shows each key-figure list's first rows; the rest is on paginated sub-pages
(live, and as a submitted version froze them) that work without script, scoped to the cluster."""

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clusters.models import CompanyParticipation
from grants.cases.flows import report_submit
from grants.reports.key_figures import DRILLDOWN_PAGE_SIZE, DRILLDOWNS, PREVIEW_ROWS
from tests.factories import ActivityFactory, CompanyFactory
from tests.grants.report_helpers import fill_report

pytestmark = pytest.mark.django_db


def busy_year(cluster, *, activities, companies_each, year=2025):
    for i in range(activities):
        start = date(year, 1 + i % 12, 1 + i % 28)
        act = ActivityFactory(cluster=cluster, start_date=start, end_date=start,
                              international=i % 3 == 0)
        CompanyParticipation.objects.bulk_create(
            CompanyParticipation(activity=act, company=CompanyFactory(db07_code="990000"))
            for _ in range(companies_each)
        )


def rows_in(html: str, caption: str) -> int:
    table = html.split(f'<caption class="sr-only">{caption}</caption>', 1)[1].split("</table>", 1)[0]
    return table.count("<tr>") - 1  # the header row


def test_report_page_shows_the_first_rows_and_links_the_rest(client, director, grant):
    busy_year(grant.cluster, activities=30, companies_each=8)
    report = grant.reports.get(year=2025)
    client.force_login(director)
    html = client.get(f"/rapporter/{report.pk}/").content.decode()
    assert rows_in(html, "Årets aktiviteter") == PREVIEW_ROWS
    assert rows_in(html, "Deltagende virksomheder") == PREVIEW_ROWS
    assert f'href="/rapporter/{report.pk}/noegletal/aktiviteter/"' in html
    assert "Viser de første 10 af 30." in html
    assert "Se alle 240 på egne sider" in html  # the companies


def test_sub_pages_paginate_without_script(client, director, grant):
    busy_year(grant.cluster, activities=3, companies_each=90)  # 270 companies: three pages
    report = grant.reports.get(year=2025)
    client.force_login(director)
    url = f"/rapporter/{report.pk}/noegletal/virksomheder/"
    first = client.get(url)
    assert first.status_code == 200
    html = first.content.decode()
    assert rows_in(html, "Deltagende virksomheder") == DRILLDOWN_PAGE_SIZE
    assert "270 rækker; her række 1–100." in html
    assert 'href="?side=2"' in html
    last = client.get(url + "?side=3").content.decode()
    assert rows_in(last, "Deltagende virksomheder") == 70
    assert client.get(url + "?side=99").status_code == 200  # past the end: the last page
    seen = set()
    for side in (1, 2, 3):
        page = client.get(url + f"?side={side}").context["page"]
        seen |= {row["cvr"] for row in page.object_list}
    assert len(seen) == 270  # every company once, none lost between pages
    outside = client.get(f"/rapporter/{report.pk}/noegletal/uden-for-styrkepositionen/")
    assert outside.context["page"].paginator.count == 270  # DB07 99: outside every position


def test_every_list_has_its_sub_page(client, director, grant):
    busy_year(grant.cluster, activities=2, companies_each=2)
    report = grant.reports.get(year=2025)
    client.force_login(director)
    for drilldown in DRILLDOWNS:
        response = client.get(f"/rapporter/{report.pk}/noegletal/{drilldown.slug}/")
        assert response.status_code == 200, drilldown.slug
        assert str(drilldown.title) in response.content.decode()
    assert client.get(f"/rapporter/{report.pk}/noegletal/ukendt/").status_code == 404


def test_sub_pages_are_scoped_to_the_cluster(client, director, other_director, grant, caseworker):
    busy_year(grant.cluster, activities=2, companies_each=2)
    report = grant.reports.get(year=2025)
    url = f"/rapporter/{report.pk}/noegletal/aktiviteter/"
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    client.force_login(other_director)
    assert client.get(url).status_code == 404  # another cluster's report
    client.force_login(caseworker)
    assert client.get(url).status_code == 200  # the authority sees every cluster's
    client.force_login(director)
    assert client.get(url).status_code == 200


def test_a_submitted_version_keeps_its_rows_on_sub_pages(client, director, other_director, grant):
    busy_year(grant.cluster, activities=25, companies_each=1)
    report = fill_report(grant.reports.get(year=2025))
    report_submit(report=report, actor=director)
    busy_year(grant.cluster, activities=5, companies_each=1)  # after submission: not in it
    client.force_login(director)
    html = client.get(f"/rapporter/{report.pk}/versioner/1/").content.decode()
    assert rows_in(html, "Årets aktiviteter") == PREVIEW_ROWS
    assert f'href="/rapporter/{report.pk}/versioner/1/noegletal/aktiviteter/"' in html
    response = client.get(f"/rapporter/{report.pk}/versioner/1/noegletal/aktiviteter/")
    assert response.context["page"].paginator.count == 25
    assert "Som ved indsendelsen af version 1." in response.content.decode()
    live = client.get(f"/rapporter/{report.pk}/noegletal/aktiviteter/")
    assert live.context["page"].paginator.count == 30
    client.force_login(other_director)
    assert client.get(f"/rapporter/{report.pk}/versioner/1/noegletal/aktiviteter/").status_code == 404


def test_drilldown_rows_escape_what_was_typed(client, director, grant):
    start = date(2025, 3, 1)
    ActivityFactory(cluster=grant.cluster, start_date=start, end_date=start,
                    title='<script>alert("x")</script>')
    report = grant.reports.get(year=2025)
    client.force_login(director)
    for url in (f"/rapporter/{report.pk}/", f"/rapporter/{report.pk}/noegletal/aktiviteter/"):
        html = client.get(url).content.decode()
        assert '<script>alert("x")</script>' not in html
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_report_page_and_sub_page_queries_do_not_grow(client, director, grant):
    report = grant.reports.get(year=2025)
    client.force_login(director)
    client.get("/oversigt/")

    def counted(url):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200
        return len(ctx), len(response.content)

    busy_year(grant.cluster, activities=2, companies_each=2)
    page_small, size_small = counted(f"/rapporter/{report.pk}/")
    sub_small, _ = counted(f"/rapporter/{report.pk}/noegletal/virksomheder/")
    busy_year(grant.cluster, activities=40, companies_each=12)
    page_large, size_large = counted(f"/rapporter/{report.pk}/")
    sub_large, _ = counted(f"/rapporter/{report.pk}/noegletal/virksomheder/?side=3")
    assert page_large == page_small
    assert sub_large == sub_small
    # 484 companies, 42 activities: the page grows by its first rows only
    assert size_large - size_small < 12_000


# -- the demo data's busiest cluster ----------------------------------------------------------


@pytest.mark.slow
def test_busiest_report_page_stays_under_150_kb(client, demo_data):
    from django.db.models import Count

    from clusters.models import ClusterOrganisation
    from grants.reports.models import AnnualReport
    from klyngeadmin.accounts.models import User
    from klyngeadmin.kernel.roles import Role

    cluster = (ClusterOrganisation.objects.annotate(n=Count("activities"))
               .filter(status="active").order_by("-n").first())
    report = AnnualReport.objects.get(grant__cluster=cluster, year=2025)
    assert cluster.activities.filter(year=2025).count() > 100
    client.force_login(User.objects.get(role=Role.DIRECTOR, cluster=cluster))
    response = client.get(f"/rapporter/{report.pk}/")
    assert len(response.content) <= 150_000
    links = re.findall(rf'href="/rapporter/{report.pk}/noegletal/([a-z-]+)/"', response.content.decode())
    assert "aktiviteter" in links and "virksomheder" in links
    sub = client.get(f"/rapporter/{report.pk}/noegletal/virksomheder/?side=2")
    assert len(sub.content) <= 150_000


def test_row_counts_count_each_participation_once(client, director, grant):
    """The lists' per-row counts (correlated subqueries, evaluated for the page's rows only)
    count the year's participations of that row: not multiplied by the other participations of
    the activity, not counting other years or other clusters."""
    from clusters.models import InstitutionParticipation
    from tests.factories import ClusterFactory, InstitutionFactory

    shared = CompanyFactory(name="Aaa Fælles ApS", db07_code="990000")
    first = ActivityFactory(cluster=grant.cluster, start_date=date(2025, 1, 2),
                            end_date=date(2025, 1, 2))
    second = ActivityFactory(cluster=grant.cluster, start_date=date(2025, 2, 2),
                             end_date=date(2025, 2, 2))
    other_year = ActivityFactory(cluster=grant.cluster, start_date=date(2024, 3, 3),
                                 end_date=date(2024, 3, 3))
    other_cluster = ActivityFactory(cluster=ClusterFactory(), start_date=date(2025, 3, 3),
                                    end_date=date(2025, 3, 3))
    companies = [shared, CompanyFactory(db07_code="990000"), CompanyFactory(db07_code="")]
    CompanyParticipation.objects.bulk_create(
        [CompanyParticipation(activity=first, company=c) for c in companies]
        + [CompanyParticipation(activity=a, company=shared) for a in (second, other_year,
                                                                       other_cluster)])
    InstitutionParticipation.objects.bulk_create(
        InstitutionParticipation(activity=first, institution=InstitutionFactory())
        for _ in range(2))
    report = grant.reports.get(year=2025)
    client.force_login(director)
    activities = client.get(f"/rapporter/{report.pk}/noegletal/aktiviteter/").context["page"]
    by_id = {row["id"]: row for row in activities.object_list}
    assert set(by_id) == {first.pk, second.pk}
    assert (by_id[first.pk]["companies"], by_id[first.pk]["institutions"]) == (3, 2)
    assert (by_id[second.pk]["companies"], by_id[second.pk]["institutions"]) == (1, 0)
    listed = client.get(f"/rapporter/{report.pk}/noegletal/virksomheder/").context["page"]
    rows = listed.object_list
    assert [r["cvr"] for r in rows] == [c.cvr for c in sorted(companies,
                                                              key=lambda c: (c.name, c.cvr))]
    assert {r["cvr"]: r["activities"] for r in rows} == {shared.cvr: 2, companies[1].cvr: 1,
                                                         companies[2].cvr: 1}
    outside = client.get(f"/rapporter/{report.pk}/noegletal/uden-for-styrkepositionen/")
    assert {r["cvr"] for r in outside.context["page"].object_list} == {shared.cvr,
                                                                       companies[1].cvr}
