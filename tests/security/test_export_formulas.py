"""Finding 2: text typed into the app never becomes a live formula in any CSV or XLSX export,
and numbers stay numbers (OWASP's CSV-injection rule, klyngeadmin/spreadsheets.py)."""

import csv
import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from clusters.constants import FunderKind
from clusters.models import CompanyParticipation
from evaluations.midway.schedule import grant_create
from grants.constants import ReportStatus
from grants.reports.models import CompetitiveFunding
from grants.reports.services import report_transition
from klyngeadmin.kernel.roles import Role
from klyngeadmin.kernel.spreadsheets import CsvWriter, csv_text, xlsx_cell, xlsx_row
from tests.evaluations.conftest import (  # noqa: F401 - fixtures
    evaluation,
    in_consensus,
    in_scoring,
    opened,
    rubrics,
    set_consensus,
)
from tests.factories import ActivityFactory, ClusterFactory, CompanyFactory, UserFactory

pytestmark = pytest.mark.django_db

EVIL = ["=HYPERLINK(\"https://evil.example\",\"Klik\")", "+1+2", "-2+3", "@SUM(A1:A2)",
        "\tTab", "\rCR"]


def read_csv(response) -> list[list[str]]:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def csv_cells(response) -> list[str]:
    return [cell for row in read_csv(response) for cell in row]


def xlsx_cells(response) -> list:
    workbook = load_workbook(io.BytesIO(response.content))
    return [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]


def assert_no_formula_in_xlsx(response, text):
    cells = xlsx_cells(response)
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    found = [c for c in cells if c.value == text]
    assert found, f"{text!r} not in the workbook"
    assert all(c.data_type == "s" and c.quotePrefix for c in found)


# -- the writer ---------------------------------------------------------------------------------


@pytest.mark.parametrize("text", EVIL)
def test_csv_text_neutralises_every_formula_lead(text):
    assert csv_text(text) == "'" + text


def test_csv_keeps_numbers_numbers_and_plain_text_as_it_is():
    assert csv_text(-3.5) == "-3,5"
    assert csv_text(-12) == "-12"
    assert csv_text(0.25) == "0,25"
    assert csv_text("Fjordtek ApS") == "Fjordtek ApS"
    assert csv_text(None) == ""
    out = io.StringIO()
    CsvWriter(out, delimiter=";").writerow(["=1+1", -7, "a;b"])
    assert out.getvalue() == "'=1+1;-7;\"a;b\"\r\n"


@pytest.mark.parametrize("write_only", [True, False])
def test_xlsx_text_is_never_a_formula_and_numbers_stay_numbers(write_only):
    workbook = Workbook(write_only=write_only)
    sheet = workbook.create_sheet("s") if write_only else workbook.active
    sheet.append(xlsx_row(sheet, [*EVIL, -3.5, -12, "tekst"]))
    sheet.append([xlsx_cell(sheet, -1500, number_format="#,##0")])
    out = io.BytesIO()
    workbook.save(out)
    ws = load_workbook(io.BytesIO(out.getvalue())).worksheets[0]
    row = [c for c in next(ws.iter_rows())]
    for cell, text in zip(row, EVIL, strict=False):
        assert cell.data_type == "s"
        assert cell.value.lstrip() == text.lstrip()  # XML may fold a leading CR or tab
        assert cell.quotePrefix
    assert [c.value for c in row[len(EVIL):]] == [-3.5, -12, "tekst"]
    assert [c.data_type for c in row[len(EVIL):]] == ["n", "n", "s"]
    assert not row[-1].quotePrefix
    assert ws["A2"].value == -1500 and ws["A2"].data_type == "n"


# -- every export -----------------------------------------------------------------------------


@pytest.fixture
def evil_funder(caseworker):
    """An approved 2022 report of a cluster with 7 companies (no suppression) whose funder
    name is a formula."""
    cluster = ClusterFactory(name="=HYPERLINK(\"https://evil.example\",\"Klynge\")")
    start = date(2022, 5, 1)
    act = ActivityFactory(cluster=cluster, start_date=start, end_date=start)
    CompanyParticipation.objects.bulk_create(
        CompanyParticipation(activity=act, company=CompanyFactory()) for _ in range(7))
    grant = grant_create(cluster=cluster, reference="KP-EVIL-1", start_year=2022,
                         horizon_years=10, annual_amount_dkk=1_000_000)
    report = grant.reports.get(year=2022)
    CompetitiveFunding.objects.create(report=report, funder=EVIL[0], funder_kind=FunderKind.EU,
                                      amount_dkk=400_000)
    director = UserFactory(role=Role.DIRECTOR, cluster=cluster)
    report_transition(report=report, to=ReportStatus.SUBMITTED, actor=director)
    report_transition(report=report, to=ReportStatus.IN_REVIEW, actor=caseworker)
    report_transition(report=report, to=ReportStatus.APPROVED, actor=caseworker)
    return cluster


YEARS = "?from_year=2022&to_year=2022"


def test_public_xlsx_export(client, evil_funder):
    response = client.get("/statistik/eksport/alle.xlsx" + YEARS)
    assert response.status_code == 200
    assert_no_formula_in_xlsx(response, EVIL[0])
    amounts = [c.value for c in xlsx_cells(response) if c.value == 400_000]
    assert amounts, "the amount is still a number"


def test_public_csv_export(client, evil_funder):
    response = client.get("/statistik/eksport/hjemtag.csv" + YEARS)
    assert response.status_code == 200
    cells = csv_cells(response)
    assert "'" + EVIL[0] in cells
    assert EVIL[0] not in cells
    assert "400000" in cells


def test_caseworker_csv_and_xlsx_exports(client, evil_funder, caseworker):
    client.force_login(caseworker)
    cells = csv_cells(client.get("/statistik/sagsbehandler/eksport/klynger.csv" + YEARS))
    assert "'" + evil_funder.name in cells and evil_funder.name not in cells
    response = client.get("/statistik/sagsbehandler/eksport/alle.xlsx" + YEARS)
    assert_no_formula_in_xlsx(response, evil_funder.name)


def test_cluster_page_exports(client, evil_funder):
    client.force_login(UserFactory(role=Role.DIRECTOR, cluster=evil_funder))
    cells = csv_cells(client.get("/statistik/klynge/eksport/hjemtag.csv" + YEARS))
    assert "'" + EVIL[0] in cells
    response = client.get("/statistik/klynge/eksport/alle.xlsx" + YEARS)
    assert_no_formula_in_xlsx(response, EVIL[0])


def test_participant_exports(client, evil_funder, caseworker):
    evil_funder.slug = "-evil+1"
    evil_funder.save(update_fields=["slug"])
    client.force_login(caseworker)
    cells = csv_cells(client.get("/statistik/sagsbehandler/deltagere.csv" + YEARS))
    assert "'-evil+1" in cells and "-evil+1" not in cells
    response = client.get("/statistik/sagsbehandler/deltagere.xlsx" + YEARS)
    assert_no_formula_in_xlsx(response, "-evil+1")


def test_cohort_xlsx_export(client, in_consensus, caseworker):  # noqa: F811 - the fixture
    cluster = in_consensus.grant.cluster
    cluster.name = "=1+1"
    cluster.save(update_fields=["name"])
    set_consensus(in_consensus, caseworker, 4, "continue")
    client.force_login(caseworker)
    response = client.get(reverse("evaluations:cohort_xlsx", args=[2029]))
    assert response.status_code == 200
    assert_no_formula_in_xlsx(response, "=1+1")
    assert 4.0 in [c.value for c in xlsx_cells(response)]  # the totals stay numbers


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_import_template_goes_through_the_writer(client, director, fmt):
    client.force_login(director)
    response = client.get(reverse("clusters:activity_import_template", args=[fmt]))
    assert response.status_code == 200
    if fmt == "xlsx":
        assert not [c for c in xlsx_cells(response) if c.data_type == "f"]
    else:
        assert read_csv(response)[0][0] == "Eksternt id"  # the Danish template header
