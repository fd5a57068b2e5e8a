"""A director registers activities in a real browser: the form with a new company and an
institution, the list, the CSV import (a bad file refused, a clean one imported), the progress
page of a queued import, and axe on the form, the list and the import pages."""

import re

import pytest
from playwright.sync_api import expect

from clusters.constants import InstitutionKind
from clusters.models import Activity, Company, ImportJob
from clusters.tasks import run_activity_import
from klyngeadmin.kernel.roles import Role
from tests.e2e.conftest import screenshot
from tests.factories import ClusterFactory, InstitutionFactory, UserFactory

PASSWORD = "test-password-123"
NEW_CVR = "12345674"
BAD_CVR = "12345678"
HEADER = "external_id;title;activity_type;start_date;end_date;international;eu_funded;companies;institutions"


@pytest.fixture
def director(transactional_db):
    cluster = ClusterFactory(name="Fødevareklyngen Test")
    InstitutionFactory(code="univ-01", name="Universitetet i Nordby", kind=InstitutionKind.UNIVERSITY)
    InstitutionFactory(code="acad-02", name="Erhvervsakademi Søndervig", kind=InstitutionKind.ACADEMY)
    return UserFactory(username="direktoer", role=Role.DIRECTOR, cluster=cluster)


def shot(page, name: str) -> None:
    screenshot(page, f"activities_{name}")


def log_in(page, live_server, username="direktoer"):
    page.goto(live_server.url + "/login/")
    page.get_by_label("Brugernavn").fill(username)
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    expect(page.get_by_role("navigation", name="Hovedmenu")).to_be_visible()


def test_director_adds_an_activity_with_a_new_company_and_an_institution(page, live_server,
                                                                        director, axe):
    log_in(page, live_server)
    page.get_by_role("navigation", name="Hovedmenu").get_by_role("link", name="Aktiviteter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Aktiviteter")
    page.get_by_role("link", name="Tilføj aktivitet").click()
    axe(page)  # the empty form

    page.get_by_label("Titel").fill("Temadag om fermentering")
    page.get_by_label("Aktivitetstype").select_option(label="Videnspredning")
    page.get_by_label("Startdato").fill("2025-05-20")
    page.get_by_label("Slutdato").fill("2025-05-19")  # before the start: refused
    page.get_by_label("Deltagende virksomheder").fill(f"{BAD_CVR};Forkert ApS;5")
    page.get_by_label("Universitetet i Nordby").check()
    page.get_by_role("button", name="Gem aktivitet").click()

    expect(page.get_by_role("alert")).to_contain_text("Der er fejl i formularen")
    expect(page.locator("#id_companies_error")).to_contain_text(
        f"Linje 1: CVR-nummeret {BAD_CVR} er ugyldigt")
    expect(page.get_by_label("Deltagende virksomheder")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_end_date_error")).to_contain_text("før startdatoen")
    expect(page.get_by_label("Universitetet i Nordby")).to_be_checked()  # the input is kept
    axe(page)  # the form with errors
    shot(page, "form_errors")
    assert not Activity.objects.exists()

    page.get_by_label("Slutdato").fill("2025-05-20")
    page.get_by_label("Deltagende virksomheder").fill(f"{NEW_CVR};Fjordtek ApS;25")
    page.get_by_role("button", name="Gem aktivitet").click()

    expect(page.get_by_role("status")).to_contain_text("Aktiviteten »Temadag om fermentering« er oprettet")
    row = page.get_by_role("row", name=re.compile("Temadag om fermentering"))
    expect(row).to_contain_text("Videnspredning")
    expect(row.get_by_role("cell").nth(6)).to_have_text("1")  # companies
    expect(row.get_by_role("cell").nth(7)).to_have_text("1")  # institutions
    axe(page)  # the list
    shot(page, "list")
    company = Company.objects.get(cvr=NEW_CVR)
    assert (company.name, company.size_class) == ("Fjordtek ApS", "small")

    # Search and filter by keyboard.
    page.get_by_label("Søg i titel eller eksternt id").fill("ferment")
    page.get_by_label("Søg i titel eller eksternt id").press("Enter")
    expect(page.get_by_role("heading", name="1 aktivitet")).to_be_visible()


def upload(page, name: str, content: str):
    page.get_by_label("Fil med aktiviteter (CSV eller XLSX)").set_input_files(
        files=[{"name": name, "mimeType": "text/csv", "buffer": content.encode("utf-8")}]
    )
    page.get_by_role("button", name="Kontrollér filen").click()


def test_csv_import_refuses_a_bad_file_then_imports_a_clean_one(page, live_server, director, axe):
    log_in(page, live_server)
    page.goto(live_server.url + "/aktiviteter/import/")
    expect(page.get_by_role("link", name="CSV-skabelon")).to_be_visible()
    axe(page)

    bad = "\n".join([
        HEADER,
        f"crm-1;Temadag;knowledge_sharing;2025-03-01;2025-03-01;nej;nej;{BAD_CVR}:X ApS:3;univ-01",
        "crm-2;Netværk;matchmaking;2025-03-01;2025-02-01;nej;nej;;ukendt",
    ])
    upload(page, "bad.csv", bad)
    expect(page.get_by_role("alert")).to_contain_text("intet er importeret")
    errors = page.locator("#import-errors tbody tr")
    expect(errors).to_have_count(3)
    expect(errors.nth(0)).to_contain_text(BAD_CVR)
    expect(errors.nth(0).get_by_role("cell").first).to_have_text("2")
    expect(errors.nth(1)).to_contain_text("før startdatoen")
    expect(errors.nth(2)).to_contain_text("ukendt")
    expect(page.get_by_role("button", name=re.compile("Importér"))).to_have_count(0)
    axe(page)
    shot(page, "import_errors")
    assert not Activity.objects.exists()

    page.get_by_role("link", name="Upload en rettet fil").click()
    clean = "\n".join([
        HEADER,
        f"crm-1;Temadag;knowledge_sharing;2025-03-01;2025-03-01;nej;nej;{NEW_CVR}:Fjordtek ApS:3;univ-01",
        "crm-2;Netværk;matchmaking;2025-03-01;2025-04-01;ja;nej;;univ-01|acad-02",
    ])
    upload(page, "clean.csv", clean)
    expect(page.get_by_role("status")).to_contain_text("2 aktiviteter: 2 oprettes")
    axe(page)
    shot(page, "import_preview")
    assert not Activity.objects.exists()
    page.get_by_role("button", name="Importér 2 aktiviteter").click()
    expect(page.get_by_role("heading", name="Importen er gennemført")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("2 aktiviteter oprettet, 0 ændret og 0 uændrede")
    page.get_by_role("link", name="Se aktiviteterne").click()
    expect(page.get_by_role("heading", name="2 aktiviteter")).to_be_visible()
    assert Activity.objects.count() == 2


def test_xlsx_import_with_real_date_cells_and_numbers(page, live_server, director, axe):
    """Spreadsheets store dates as dates and numbers as numbers: the import reads both."""
    import io
    from datetime import date

    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(";"))
    sheet.append(["crm-x1", "Workshop i regneark", "knowledge_sharing", date(2025, 5, 6),
                  date(2025, 5, 6), "nej", "ja", f"{NEW_CVR}:Fjordtek ApS:12", "univ-01"])
    sheet.append(["crm-x2", "Matchmaking", "matchmaking", date(2025, 6, 1), date(2025, 6, 2),
                  "ja", "nej", "", "acad-02"])
    buffer = io.BytesIO()
    workbook.save(buffer)

    log_in(page, live_server)
    page.goto(live_server.url + "/aktiviteter/import/")
    page.get_by_label("Fil med aktiviteter (CSV eller XLSX)").set_input_files(files=[{
        "name": "aktiviteter.xlsx", "buffer": buffer.getvalue(),
        "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }])
    page.get_by_role("button", name="Kontrollér filen").click()
    expect(page.get_by_role("status")).to_contain_text("2 aktiviteter: 2 oprettes")
    axe(page)
    page.get_by_role("button", name="Importér 2 aktiviteter").click()
    expect(page.get_by_role("heading", name="Importen er gennemført")).to_be_visible()
    first = Activity.objects.get(external_id="crm-x1")
    assert (first.start_date, first.eu_funded, first.international) == (date(2025, 5, 6), True, False)
    assert first.companies.get().employees == 12
    assert Activity.objects.get(external_id="crm-x2").institutions.get().code == "acad-02"


def test_queued_import_shows_progress_until_the_worker_is_done(page, live_server, director, axe):
    """A confirmed file waiting for the Celery worker: the page shows a progress bar, its
    script polls the status, and the page moves on by itself when the worker is done. (The
    confirmation queuing the task after commit is tested in tests/clusters.)"""
    from clusters.constants import ImportJobStatus
    from clusters.imports.services import import_job_create

    rows = [f"q-{i};Aktivitet {i};matchmaking;2025-03-01;2025-03-01;nej;nej;;" for i in range(5)]
    job = import_job_create(cluster=director.cluster, actor=director, file_name="queued.csv",
                            data="\n".join([HEADER, *rows]).encode())
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJobStatus.QUEUED)
    log_in(page, live_server)
    page.goto(f"{live_server.url}/aktiviteter/import/{job.pk}/")
    bar = page.locator("progress#import-progress-bar")
    expect(bar).to_have_attribute("max", "5")
    expect(page.get_by_label("Importen kører")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("I kø: 0 af 5 rækker")
    axe(page)
    shot(page, "import_progress")
    # The worker's part, run here: the page's script polls the status and moves on by itself.
    assert run_activity_import.run(job.pk) == "done"
    expect(page.get_by_role("heading", name="Importen er gennemført")).to_be_visible(timeout=15_000)
    assert Activity.objects.count() == 5


def test_another_clusters_activity_answers_404(page, live_server, director):
    other = ClusterFactory()
    from tests.factories import ActivityFactory

    foreign = ActivityFactory(cluster=other)
    log_in(page, live_server)
    response = page.goto(f"{live_server.url}/aktiviteter/{foreign.pk}/rediger/")
    assert response is not None and response.status == 404


def test_director_registers_a_facilitated_project(page, live_server, director, axe):
    log_in(page, live_server)
    page.get_by_role("navigation", name="Hovedmenu").get_by_role(
        "link", name="Faciliterede projekter").click()
    page.get_by_role("link", name="Tilføj projekt").click()
    page.get_by_label("Titel").fill("Grøn proces i praksis")
    page.get_by_label("År").fill("2025")
    page.get_by_label("Bevillingsgiver", exact=True).fill("Innovationsfonden")
    page.get_by_label("Type af bevillingsgiver").select_option(label="Nationale offentlige projektmidler")
    page.get_by_label("Status").select_option(label="Bevilget")
    page.get_by_label("Ansøgt beløb (kr.)").fill("1.500.000")
    page.get_by_label("Bevilget beløb (kr.)").fill("2.000.000")  # more than applied for
    page.get_by_label("Partnervirksomheder").fill(f"{NEW_CVR};Partner ApS;8")
    page.get_by_label("Erhvervsakademi Søndervig").check()
    page.get_by_role("button", name="Gem projekt").click()
    expect(page.locator("#id_amount_granted_dkk_error")).to_contain_text(
        "kan ikke være større end det ansøgte beløb")
    axe(page)
    shot(page, "project_form_errors")
    page.get_by_label("Bevilget beløb (kr.)").fill("1.200.000")
    page.get_by_label("Klyngens andel (kr.)").fill("120.000")
    page.get_by_role("button", name="Gem projekt").click()
    row = page.get_by_role("row", name=re.compile("Grøn proces i praksis"))
    expect(row).to_contain_text("1.500.000 kr.")
    expect(row).to_contain_text("1.200.000 kr.")
    expect(row).to_contain_text("120.000 kr.")
    axe(page)
    shot(page, "project_list")
