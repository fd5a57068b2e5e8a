import io
from datetime import datetime

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from clusters.constants import ImportJobStatus
from clusters.imports.services import (
    _ProgressWriter,
    check_file,
    import_job_create,
    import_job_run,
    template_csv,
    template_xlsx,
)
from clusters.models import Activity, ClusterDataEvent, Company, ImportJob
from clusters.tasks import run_activity_import
from tests.factories import ActivityFactory, CompanyFactory, InstitutionFactory

pytestmark = pytest.mark.django_db

HEADER = "external_id;title;activity_type;start_date;end_date;international;eu_funded;companies;institutions"
BAD_CVR = "12345678"
NEW_CVR = "12345674"


@pytest.fixture
def institutions(db):
    return [InstitutionFactory(code="univ-01"), InstitutionFactory(code="gts-02")]


def csv_bytes(*lines: str) -> bytes:
    return ("\n".join([HEADER, *lines]) + "\n").encode("utf-8")


CLEAN = csv_bytes(
    f"crm-1;Temadag om data;knowledge_sharing;2025-03-01;2025-03-01;nej;nej;{NEW_CVR}:Fjordtek ApS:25;univ-01",
    f"crm-2;Netværk;Internationalisering;01-04-2025;30-06-2025;ja;ja;{NEW_CVR};univ-01|gts-02",
)
BAD = csv_bytes(
    f"crm-1;Temadag;knowledge_sharing;2025-03-01;2025-03-01;nej;nej;{BAD_CVR}:X:3;",  # row 2
    "crm-2;Netværk;matchmaking;2025-03-01;2025-03-01;nej;nej;;ukendt-kode",  # row 3
    "crm-3;Forløb;incubation;2025-05-01;2025-04-01;nej;nej;;",  # row 4
    "crm-4;Picnic;picnic;2025-05-01;2025-05-01;nej;nej;;",  # row 5
    "crm-1;Dublet;matchmaking;2025-05-01;2025-05-01;nej;nej;;",  # row 6
    "crm-6;;matchmaking;2025-05-01;2025-05-01;nej;nej;;",  # row 7: title missing
    "crm-7;Fint;matchmaking;2025-05-01;2025-05-01;nej;nej;;univ-01",  # row 8: clean
    "crm-8;Dato;matchmaking;1. maj;2025-05-01;måske;nej;;",  # row 9
)


def test_check_file_lists_every_bad_row_with_reason(cluster, institutions):
    rows, errors = check_file(BAD, cluster)
    found = [(e.index, e.field) for e in errors]
    assert found == [
        (2, "companies"), (3, "institutions"), (4, "end_date"), (5, "activity_type"),
        (6, "external_id"), (7, "title"), (9, "start_date"), (9, "international"),
    ]
    text = {(e.index, e.field): e.message for e in errors}
    assert BAD_CVR in text[(2, "companies")] and "kontrolcifferet" in text[(2, "companies")]
    assert "ukendt-kode" in text[(3, "institutions")]
    assert "før startdatoen" in text[(4, "end_date")]
    assert "picnic" in text[(5, "activity_type")]
    assert "række 2" in text[(6, "external_id")]
    assert "mangler" in text[(7, "title")]


def test_clean_file_parses_danish_names_dates_and_booleans(cluster, institutions):
    rows, errors = check_file(CLEAN, cluster)
    assert errors == []
    (n1, r1), (n2, r2) = rows
    assert (n1, n2) == (2, 3)
    assert r2.activity_type == "internationalisation" and r2.start_date.isoformat() == "2025-04-01"
    assert r2.international and r2.eu_funded and r2.institutions == ("univ-01", "gts-02")
    assert r1.companies[0].name == "Fjordtek ApS" and r1.companies[0].employees == 25


def test_missing_column_and_unreadable_file(cluster):
    _, errors = check_file(b"external_id;title\nx;y\n", cluster)
    assert errors[0].index == 1 and "activity_type" in errors[0].message
    _, errors = check_file(b"PK\x03\x04garbage", cluster)
    assert "XLSX" in errors[0].message
    _, errors = check_file(b"", cluster)
    assert errors and errors[0].index == 1


def test_xlsx_with_real_dates_and_numbers(cluster, institutions):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER.split(";"))
    ws.append(["x-1", "Regneark", "matchmaking", datetime(2025, 2, 3), datetime(2025, 2, 4), 1, 0,
               f"{NEW_CVR}:Ark ApS:7", "univ-01"])
    ws.append(["x-2", "Regneark 2", "matchmaking", datetime(2025, 2, 3), datetime(2025, 2, 1), 0, 0,
               int(BAD_CVR), None])
    out = io.BytesIO()
    wb.save(out)
    rows, errors = check_file(out.getvalue(), cluster)
    assert rows[0][1].international is True and rows[0][1].start_date.isoformat() == "2025-02-03"
    assert [(e.index, e.field) for e in errors] == [(3, "end_date"), (3, "companies")]


@pytest.mark.parametrize("make", [template_csv, template_xlsx])
def test_template_files_import_cleanly(cluster, institutions, make):
    rows, errors = check_file(make(), cluster)
    assert errors == [] and len(rows) == 2


# -- pages --------------------------------------------------------------------------------------


def upload(client, data: bytes, name="aktiviteter.csv"):
    return client.post(reverse("clusters:activity_import"),
                       {"file": SimpleUploadedFile(name, data)})


def test_bad_file_is_refused_with_every_error_listed(client, cluster, director, institutions):
    client.force_login(director)
    response = upload(client, BAD)
    job = ImportJob.objects.get()
    assert response.url == reverse("clusters:import_job", args=[job.pk])
    assert job.status == ImportJobStatus.INVALID and len(job.errors) == 8
    page = client.get(response.url).content.decode()
    assert "Filen har 8 fejl, og intet er importeret" in page
    for row_no in ("2", "3", "4", "5", "6", "7", "9"):
        assert f"<td>{row_no}</td>" in page
    assert BAD_CVR in page
    # There is nothing to confirm: a POST imports nothing.
    client.post(response.url)
    assert not Activity.objects.exists() and not Company.objects.exists()
    assert ImportJob.objects.get().status == ImportJobStatus.INVALID


@override_settings(CLUSTERS_IMPORT_INLINE_MAX_ROWS=100)
def test_clean_file_previews_then_imports_on_confirm(client, cluster, director, institutions):
    ActivityFactory(cluster=cluster, external_id="crm-2", title="Gammel titel")
    client.force_login(director)
    response = upload(client, CLEAN)
    job = ImportJob.objects.get()
    assert job.status == ImportJobStatus.VALIDATED
    preview = client.get(response.url)
    assert preview.context["preview"]["new"] == 1 and preview.context["preview"]["existing"] == 1
    assert "Importér 2 aktiviteter" in preview.content.decode()
    assert Activity.objects.count() == 1  # nothing imported before the confirmation
    done = client.post(response.url, follow=True)
    job.refresh_from_db()
    assert job.status == ImportJobStatus.DONE
    assert (job.created, job.updated, job.unchanged, job.done_rows) == (1, 1, 0, 2)
    assert job.rows == []
    assert "Importen er gennemført" in done.content.decode()
    a2 = Activity.objects.get(cluster=cluster, external_id="crm-2")
    assert a2.title == "Netværk" and a2.version == 2 and a2.institutions.count() == 2
    assert Company.objects.get(cvr=NEW_CVR).name == "Fjordtek ApS"
    # A second confirmation (double click) imports nothing more.
    client.post(response.url)
    assert ClusterDataEvent.objects.filter(action="imported").count() == 1


@override_settings(CLUSTERS_IMPORT_INLINE_MAX_ROWS=1)
def test_large_file_is_queued_and_the_task_imports_it(client, cluster, director, institutions,
                                                      django_capture_on_commit_callbacks):
    client.force_login(director)
    response = upload(client, CLEAN)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(response.url)
    assert len(callbacks) == 1  # the task is sent to the broker after commit
    job = ImportJob.objects.get()
    assert job.status == ImportJobStatus.QUEUED and not Activity.objects.exists()
    page = client.get(response.url).content.decode()
    assert '<progress id="import-progress-bar" max="2" value="0"' in page
    assert '<script src="/static/js/import-progress.js" defer></script>' in page
    main = page[page.index("<main"):page.index("</main>")]
    assert "<script" not in main  # no inline script on the page's own part (CSP)
    status = client.get(reverse("clusters:import_job_status", args=[job.pk])).json()
    assert status == {"status": "queued", "status_label": "I kø", "total_rows": 2, "done_rows": 0,
                      "percent": 0, "url": response.url}
    # What the worker runs: the task body with the job id.
    assert run_activity_import.run(job.pk) == "done"
    job.refresh_from_db()
    assert job.status == ImportJobStatus.DONE and Activity.objects.count() == 2
    # Safe to run twice (a redelivered message): nothing changes.
    assert run_activity_import.run(job.pk) == "skipped"
    assert Activity.objects.count() == 2


def test_run_of_an_unconfirmed_job_does_nothing(cluster, director, institutions):
    job = import_job_create(cluster=cluster, actor=director, file_name="x.csv", data=CLEAN)
    assert import_job_run(job.pk) == "skipped"
    assert not Activity.objects.exists()


def test_data_changed_after_preview_fails_without_importing(cluster, director, institutions):
    job = import_job_create(cluster=cluster, actor=director, file_name="x.csv", data=CLEAN)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJobStatus.QUEUED)
    institutions[1].delete()  # the file's gts-02 no longer exists
    assert import_job_run(job.pk) == "failed"
    job.refresh_from_db()
    assert job.status == ImportJobStatus.FAILED and job.errors[0]["row"] == 2
    assert not Activity.objects.exists() and not Company.objects.exists()


def test_rerun_after_a_crash_mid_import_completes(cluster, director, institutions):
    """A worker lost mid-import leaves the job RUNNING (its transaction rolled back); the
    redelivered task runs it again from the start."""
    job = import_job_create(cluster=cluster, actor=director, file_name="x.csv", data=CLEAN)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJobStatus.RUNNING, done_rows=1)
    assert import_job_run(job.pk) == "done"
    assert Activity.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_progress_is_visible_outside_the_import_transaction(cluster, director):
    from django.db import transaction

    job = ImportJob.objects.create(cluster=cluster, created_by=director, file_name="x.csv",
                                   total_rows=10, status=ImportJobStatus.RUNNING)
    writer = _ProgressWriter(job.pk)
    try:
        with transaction.atomic():
            writer(4)  # written from inside an open transaction on the main connection...
            # ...and committed on the writer's own connection already.
            assert writer.conn.cursor().execute(
                "SELECT done_rows FROM clusters_importjob WHERE id = %s", [job.pk]
            ).fetchone()[0] == 4
    finally:
        writer.close()
    job.refresh_from_db()
    assert job.done_rows == 4 and job.percent == 40


def test_template_downloads(client, director, institutions):
    client.force_login(director)
    csv_response = client.get(reverse("clusters:activity_import_template", args=["csv"]))
    assert csv_response["Content-Type"].startswith("text/csv")
    assert "attachment" in csv_response["Content-Disposition"]
    assert csv_response.content.decode("utf-8-sig").startswith("Eksternt id;Titel;")
    xlsx = client.get(reverse("clusters:activity_import_template", args=["xlsx"]))
    assert xlsx.content[:2] == b"PK"
    assert client.get(reverse("clusters:activity_import_template", args=["pdf"])).status_code == 404


def test_upload_page_documents_the_columns(client, director, institutions):
    client.force_login(director)
    page = client.get(reverse("clusters:activity_import")).content.decode()
    for column in HEADER.split(";"):
        assert f"<code>{column}</code>" in page
    assert "univ-01" in page


def test_too_large_file_is_refused(client, director):
    client.force_login(director)
    response = upload(client, b"x" * (5 * 1024 * 1024 + 1))
    assert response.status_code == 200 and "for stor" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_existing_company_is_not_renamed_by_an_import(cluster, director, institutions):
    company = CompanyFactory(name="Rigtigt Navn A/S")
    data = csv_bytes(f"c-1;T;matchmaking;2025-01-01;2025-01-01;;;{company.cvr}:Forkert Navn:3;")
    job = import_job_create(cluster=cluster, actor=director, file_name="x.csv", data=data)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJobStatus.QUEUED)
    assert import_job_run(job.pk) == "done"
    company.refresh_from_db()
    assert company.name == "Rigtigt Navn A/S"
