"""The statistics pages and exports: who may see what, suppression, filters, query counts."""

import csv
import io
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from clusters.constants import Region
from clusters.models import CompanyParticipation
from grants.statistics.aggregates import aggregates_refresh
from klyngeadmin.kernel.roles import Role
from tests.factories import ActivityFactory, ClusterFactory, CompanyFactory, UserFactory

pytestmark = pytest.mark.django_db

PUBLIC = "/statistik/"
CASEWORKER = "/statistik/sagsbehandler/"
CLUSTER = "/statistik/klynge/"
PARTICIPANTS = "/statistik/sagsbehandler/deltagere.csv"


def companies_in(cluster, n, year=2022, **company_kwargs):
    start = date(year, 5, 1)
    act = ActivityFactory(cluster=cluster, start_date=start, end_date=start)
    companies = [CompanyFactory(**company_kwargs) for _ in range(n)]
    CompanyParticipation.objects.bulk_create(
        CompanyParticipation(activity=act, company=c) for c in companies
    )
    return companies


def read_csv(response) -> list[list[str]]:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def years(a=2022, b=2022):
    return f"?from_year={a}&to_year={b}"


# -- the public page --------------------------------------------------------------------------


def test_public_page_needs_no_login_and_shows_figures(client, cluster):
    companies = companies_in(cluster, 7)
    response = client.get(PUBLIC + years())
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="da"' in html
    assert "Nøgletal 2022–2022" in html
    assert '<dd>7</dd>' in html
    assert cluster.name in html  # clusters are public bodies; their aggregates are shown
    for company in companies:  # but nothing about a single company
        assert company.cvr not in html
        assert company.name not in html
    companies_cell = response.context["headline"].rows[0][1]
    assert (companies_cell.value, companies_cell.suppressed) == (7, False)


def test_public_page_suppresses_figures_from_fewer_than_5_companies(client, cluster):
    companies_in(cluster, 4)
    response = client.get(PUBLIC + years())
    html = response.content.decode()
    assert '<dd><span class="suppressed">vises ikke</span></dd>' in html
    assert "<dd>4</dd>" not in html
    assert "færre end 5 virksomheder" in html


def test_public_page_suppresses_a_small_cluster_but_not_a_big_one(client):
    big, small = ClusterFactory(), ClusterFactory()
    companies_in(big, 9)
    companies_in(small, 2)
    response = client.get(PUBLIC + years())
    table = next(t for t in response.context["tables"] if t.key == "klynger")
    rows = {row[0].value: row for row in table.rows}
    assert rows[big.name][2].value == 9 and not rows[big.name][2].suppressed
    assert all(cell.suppressed for cell in rows[small.name][2:])
    assert response.context["totals"]["companies"] == 11


def test_public_page_default_period_is_2021_2023(client):
    response = client.get(PUBLIC)
    assert response.status_code == 200
    selection = response.context["stats"].selection
    assert (selection.from_year, selection.to_year) == (2021, 2023)


def test_public_page_bad_period_gives_a_danish_error(client):
    response = client.get(PUBLIC + "?from_year=2023&to_year=2021")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Til-året skal være samme år som fra-året eller senere." in html
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_to_year_error"' in html and 'id="id_to_year_error"' in html


def test_public_csv_export_withholds_small_figures(client, cluster):
    companies_in(cluster, 3)
    response = client.get("/statistik/eksport/noegletal.csv" + years())
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = read_csv(response)
    assert rows[0] == ["Nøgletal", "Værdi"]
    assert rows[1] == ["Virksomheder (forskellige)", ".."]
    assert "færre end 5 virksomheder" in rows[-1][0]


def test_public_xlsx_export_of_all_tables(client, cluster):
    companies_in(cluster, 6)
    response = client.get("/statistik/eksport/alle.xlsx" + years())
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == [
        "noegletal", "virksomhedsstoerrelse", "styrkeposition", "videninstitutioner", "aktiviteter",
        "finansiering", "hjemtag", "faciliterede", "aar", "klynger", "resultater", "deltagerbetaling",
    ]
    sheet = workbook["noegletal"]
    assert sheet.cell(row=3, column=1).value == "Virksomheder (forskellige)"
    assert sheet.cell(row=3, column=2).value == 6


@pytest.mark.parametrize("path", ["/statistik/eksport/ukendt.csv", "/statistik/eksport/alle.csv",
                                  "/statistik/eksport/aar.pdf"])
def test_unknown_exports_are_404(client, path):
    assert client.get(path).status_code == 404


# -- the caseworkers' page --------------------------------------------------------------------


def test_caseworker_page_anonymous_is_sent_to_login(client):
    response = client.get(CASEWORKER)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.parametrize("role", [Role.DIRECTOR, Role.CLUSTER_STAFF])
def test_caseworker_page_is_forbidden_for_cluster_people(client, cluster, role):
    client.force_login(UserFactory(role=role, cluster=cluster))
    assert client.get(CASEWORKER).status_code == 403
    assert client.get("/statistik/sagsbehandler/eksport/aar.csv").status_code == 403
    assert client.get(PARTICIPANTS).status_code == 403


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.HEAD_OF_OFFICE, Role.ADMIN])
def test_caseworker_page_for_the_authority_shows_small_figures(client, cluster, role):
    companies_in(cluster, 2)
    client.force_login(UserFactory(role=role))
    response = client.get(CASEWORKER + years())
    assert response.status_code == 200
    html = response.content.decode()
    assert "<dd>2</dd>" in html  # caseworkers see every figure
    assert ("deltagere.csv" in html) == (role != Role.ADMIN)


def test_caseworker_filters_by_cluster_and_region(client, caseworker):
    north = ClusterFactory(region=Region.NORDJYLLAND)
    south = ClusterFactory(region=Region.SYDDANMARK)
    companies_in(north, 3)
    companies_in(south, 5)
    client.force_login(caseworker)
    by_cluster = client.get(CASEWORKER + years() + f"&clusters={north.pk}")
    assert by_cluster.context["totals"]["companies"] == 3
    by_region = client.get(CASEWORKER + years() + f"&region={Region.SYDDANMARK.value}")
    assert by_region.context["totals"]["companies"] == 5
    both = client.get(CASEWORKER + years() + f"&clusters={north.pk}&clusters={south.pk}")
    assert both.context["totals"]["companies"] == 8


def test_caseworker_bad_filter_shows_the_error_and_the_default_figures(client, caseworker):
    client.force_login(caseworker)
    response = client.get(CASEWORKER + "?from_year=2022&to_year=2022&region=DK-99")
    assert response.status_code == 200
    assert response.context["form"].errors["region"]
    assert "Filtrene kunne ikke bruges" in response.content.decode()
    selection = response.context["stats"].selection
    assert (selection.from_year, selection.to_year, selection.region) == (2021, 2023, None)


def test_caseworker_csv_export_is_unsuppressed(client, cluster, caseworker):
    companies_in(cluster, 2)
    client.force_login(caseworker)
    rows = read_csv(client.get("/statistik/sagsbehandler/eksport/klynger.csv" + years()))
    assert rows[1][0] == cluster.name
    assert rows[1][2] == "2"


# -- participants by CVR ------------------------------------------------------------------------


def test_participant_export_one_row_per_company_year_and_cluster(client, caseworker):
    a, b = ClusterFactory(), ClusterFactory()
    company = CompanyFactory()
    for cluster in (a, b):
        start = date(2022, 2, 1)
        act = ActivityFactory(cluster=cluster, start_date=start, end_date=start)
        CompanyParticipation.objects.create(activity=act, company=company)
    client.force_login(caseworker)
    response = client.get(PARTICIPANTS + years())
    assert response.status_code == 200
    rows = read_csv(response)
    assert rows[0][:4] == ["cvr", "aar", "klynge", "aktiviteter"]
    assert sorted(r[2] for r in rows[1:]) == sorted([a.slug, b.slug])
    assert {r[0] for r in rows[1:]} == {company.cvr}


def test_participant_export_xlsx(client, cluster, head_of_office):
    (company,) = companies_in(cluster, 1)
    client.force_login(head_of_office)
    response = client.get("/statistik/sagsbehandler/deltagere.xlsx" + years())
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content))["deltagere"]
    assert sheet.cell(row=2, column=1).value == company.cvr


def test_participant_export_anonymous_and_non_caseworkers_denied(client):
    response = client.get(PARTICIPANTS)
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    client.force_login(UserFactory(role=Role.ADMIN))  # an IT administrator, not a superuser
    assert client.get(PARTICIPANTS).status_code == 403


# -- a cluster's own page ---------------------------------------------------------------------------


def test_cluster_page_shows_only_the_directors_own_cluster(client, cluster, other_cluster, director):
    companies_in(cluster, 2)
    companies_in(other_cluster, 6)
    client.force_login(director)
    response = client.get(CLUSTER + years())
    assert response.status_code == 200
    assert response.context["totals"]["companies"] == 2
    html = response.content.decode()
    assert cluster.name in html
    assert other_cluster.name not in html
    rows = read_csv(client.get("/statistik/klynge/eksport/noegletal.csv" + years()))
    assert rows[1] == ["Virksomheder (forskellige)", "2"]


def test_cluster_page_for_staff(client, cluster, staff_member):
    client.force_login(staff_member)
    assert client.get(CLUSTER).status_code == 200


def test_cluster_page_denied(client, caseworker):
    response = client.get(CLUSTER)
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    client.force_login(caseworker)
    assert client.get(CLUSTER).status_code == 403
    assert client.get("/statistik/klynge/eksport/aar.csv").status_code == 403


# -- query counts do not grow with the data -----------------------------------------------------------


def _query_counts(client, caseworker) -> dict[str, int]:
    counts = {}
    for name, url, user in [("public", PUBLIC, None), ("caseworker", CASEWORKER, caseworker),
                            ("export", "/statistik/sagsbehandler/eksport/alle.xlsx", caseworker)]:
        client.logout()
        if user:
            client.force_login(user)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts[name] = len(queries.captured_queries)
    return counts


def test_page_query_counts_do_not_grow_with_the_data(client, caseworker):
    def add(n):
        for _ in range(n):
            cluster = ClusterFactory()
            for year in (2021, 2022, 2023):
                companies_in(cluster, n, year)
        # the public page reads the stored aggregates (grants.statistics.aggregates)
        aggregates_refresh(period_list=[(2021, 2023)])

    add(1)
    small = _query_counts(client, caseworker)
    add(6)
    assert _query_counts(client, caseworker) == small
    # the stored aggregates and their clusters, nothing per row; issue 15's outcome and fee
    # tables are stored with them (grants/statistics/outcome_tables.py)
    assert small["public"] <= 4
    assert small["caseworker"] <= 27  # + session, user, notifications, form choices
