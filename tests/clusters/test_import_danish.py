"""The import reads a Danish cluster's spreadsheet as it is: Danish headers, CVR numbers as
DK12345674 / 12 34 56 74 / 1234 5674, employees with thousands separators (1.200),
institutions by name, Ja/Nej; the preview lists the new companies with what the register
says (tests/cvr_server.py)."""

import io
from datetime import datetime

import openpyxl
import pytest

from clusters.constants import InstitutionKind
from clusters.cvr import normalise_cvr
from clusters.imports.cells import employees_cell, header_code
from clusters.imports.services import check_file, import_job_create, import_job_preview
from tests.cvr_server import CvrServer
from tests.factories import CompanyFactory, InstitutionFactory, UserFactory, next_cvr

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("written", ["DK12345674", "dk 12345674", "12 34 56 74", "1234 5674",
                                     "12.34.56.74", " 12345674 ", "DK-12345674"])
def test_cvr_as_people_write_it(written):
    assert normalise_cvr(written) == "12345674"


def test_headers_and_employees():
    assert [header_code(h) for h in ("Eksternt id", "Startdato", "EU-finansieret", "Virksomheder",
                                     "start_date", "Ukendt")] == [
        "external_id", "start_date", "eu_funded", "companies", "start_date", "ukendt"]
    assert [employees_cell(v) for v in ("25", "1.200", "12.500", "1 200", "1,5", "x")] == [
        25, 1200, 12500, 1200, None, None]


def _danish_workbook(cvrs) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Eksternt id", "Titel", "Aktivitetstype", "Startdato", "Slutdato", "International",
               "EU-finansieret", "Virksomheder", "Videninstitutioner"])
    ws.append(["k-1", "Temadag", "Videnspredning", datetime(2025, 3, 4), datetime(2025, 3, 4), "Ja",
               "Nej", f"DK{cvrs[0]}:Fjordtek ApS:1.200|{cvrs[1][:2]} {cvrs[1][2:4]} {cvrs[1][4:6]} "
               f"{cvrs[1][6:]}:Bakkedata A/S:25", "Universitetet i Nordby"])
    ws.append(["k-2", "Netværk", "matchmaking", "04-03-2025", "2025-03-05", "nej", "ja",
               f"{cvrs[2][:4]} {cvrs[2][4:]}", "gts-02"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.fixture
def institutions(db):
    InstitutionFactory(code="univ-01", name="Universitetet i Nordby", kind=InstitutionKind.UNIVERSITY)
    InstitutionFactory(code="gts-02", name="Teknologisk Test", kind=InstitutionKind.GTS)


def test_a_danish_spreadsheet_imports_as_it_is(cluster, institutions):
    known = CompanyFactory()
    cvrs = [next_cvr(), next_cvr(), known.cvr]
    rows, errors = check_file(_danish_workbook(cvrs), cluster)
    assert errors == []
    (_, first), (_, second) = rows
    assert first.international is True and first.eu_funded is False
    assert first.activity_type == "knowledge_sharing"
    assert [(c.cvr, c.employees) for c in first.companies] == [(cvrs[0], 1200), (cvrs[1], 25)]
    assert first.institutions == ("univ-01",)
    assert second.companies[0].cvr == known.cvr and second.eu_funded is True


def test_preview_lists_the_new_companies_with_what_the_register_says(cluster, institutions, settings):
    server = CvrServer().start()
    try:
        settings.CVR_URL = server.url
        settings.CVR_USERNAME, settings.CVR_PASSWORD = server.username, server.password
        # A healthy register answers in milliseconds; 0.5 s failed a lookup on a loaded machine.
        settings.CVR_TIMEOUT, settings.CVR_RETRIES, settings.CVR_CIRCUIT_RESET_SECONDS = 5.0, 0, 0.0
        known = CompanyFactory()
        cvrs = [next_cvr(), next_cvr(), known.cvr]
        server.add(cvrs[0], name="Fjordtek Holding ApS", industry="Computerprogrammering")
        job = import_job_create(cluster=cluster, actor=UserFactory(role="director", cluster=cluster),
                                file_name="klynge.xlsx", data=_danish_workbook(cvrs))
        preview = import_job_preview(job)
        assert preview["new_companies_count"] == 2  # the known one is not new
        by_cvr = {c["cvr"]: c for c in preview["new_companies"]}
        assert by_cvr[cvrs[0]]["register"].name == "Fjordtek Holding ApS"
        assert by_cvr[cvrs[1]]["register"] is None and by_cvr[cvrs[1]]["checked"]
        server.mode = "500"
        assert "svarer ikke" in import_job_preview(job)["register_note"]
    finally:
        server.stop()
