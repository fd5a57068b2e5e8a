"""Finding 1 (the 5 KB XLSX that filled the server's memory) and the malformed import files of
finding 8: the reader stops at its caps while reading, and every bad file is a clean answer."""

import subprocess
import sys
import textwrap
import tracemalloc

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from clusters.constants import ImportJobStatus
from clusters.imports.services import MAX_COLUMNS, MAX_ROWS, FileUnreadable, check_file, read_table
from clusters.models import ImportJob
from tests.security.xlsx_bomb import claimed_dimension_bomb, far_cell_bomb
from tests.subprocesses import ROOT, subprocess_env

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The whole request, measured by tracemalloc: reading, checking and storing the refusal.
REQUEST_MEMORY_BOUND = 64 * 1024 * 1024  # the old reader: 3 GB and more


def test_the_bomb_is_small_and_claims_the_whole_grid():
    data = claimed_dimension_bomb()
    assert len(data) < 6 * 1024
    assert b"XFD1048576" not in data  # compressed; the claim is inside sheet1.xml
    import io
    import zipfile

    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    assert b'<dimension ref="A1:XFD1048576"/>' in sheet


def test_the_bomb_upload_is_refused_with_little_memory(client, director):
    client.force_login(director)
    upload = SimpleUploadedFile("bombe.xlsx", claimed_dimension_bomb(), content_type=XLSX)
    tracemalloc.start()
    try:
        response = client.post(reverse("clusters:activity_import"), {"file": upload}, follow=True)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    print(f"bomb request: tracemalloc peak {peak / 2**20:.1f} MiB")
    assert response.status_code == 200
    job = ImportJob.objects.get(cluster=director.cluster)
    assert job.status == ImportJobStatus.INVALID
    assert job.errors[0]["message"] == f"Filen har mere end {MAX_ROWS} rækker; del den op."
    assert peak < REQUEST_MEMORY_BOUND, f"{peak / 2**20:.0f} MiB"


@pytest.mark.parametrize("make", [claimed_dimension_bomb, far_cell_bomb])
def test_reading_a_bomb_stays_small_in_a_capped_process(make):
    """In a child process with 1 GiB of address space: the old reader died there with a
    MemoryError after ~10 s (it needs 3 GB and more); this one refuses the file at once."""
    script = textwrap.dedent(f"""
        import resource, sys
        import django
        django.setup()
        from tests.security.xlsx_bomb import {make.__name__} as make
        from clusters.imports.services import read_table, FileUnreadable
        data = make()
        limit = 1024 * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        try:
            read_table(data)
        except FileUnreadable as exc:
            print("refused:", exc)
        # VmHWM: this process's peak RSS since exec (ru_maxrss would include the parent's
        # RSS at fork, i.e. the whole pytest process).
        hwm = [line for line in open("/proc/self/status") if line.startswith("VmHWM:")][0]
        print("maxrss_kib", int(hwm.split()[1]))
    """)
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=subprocess_env(),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "refused: Filen har mere end 20000 rækker; del den op." in result.stdout
    maxrss_kib = int(result.stdout.split("maxrss_kib")[1])
    assert maxrss_kib < 400 * 1024, result.stdout


def test_a_claimed_dimension_over_the_column_cap_is_refused_before_reading():
    import io
    import re
    import zipfile

    data = claimed_dimension_bomb()
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            body = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:BZ3"/>', body)
                body = re.sub(rb'<row r="1048576">.*?</row>', b"", body)
            dst.writestr(item, body)
    with pytest.raises(FileUnreadable, match=f"mere end {MAX_COLUMNS} kolonner"):
        read_table(out.getvalue())


def test_a_real_cell_past_the_column_cap_is_refused():
    line = ";".join(["external_id", "title", "activity_type", "start_date", "end_date"]
                    + [""] * (MAX_COLUMNS - 5) + ["skjult"])
    with pytest.raises(FileUnreadable, match="kolonner"):
        read_table((line + "\n").encode())


def test_csv_stops_at_the_row_cap_while_reading():
    lines = ["external_id;title"] + [f"x{i};t" for i in range(MAX_ROWS + 5)]
    with pytest.raises(FileUnreadable, match="rækker"):
        read_table("\n".join(lines).encode())
    # ... while empty lines below the last row are tolerated
    ok = ["external_id;title"] + [f"x{i};t" for i in range(3)] + [";"] * 50
    assert len(read_table("\n".join(ok).encode())) == 54


def test_a_nul_byte_after_the_first_4_kib_of_a_csv_is_a_clean_refusal(client, director):
    header = "external_id;title;activity_type;start_date;end_date\n"
    body = header + "".join(f"x{i};Titel {i};matchmaking;2025-03-01;2025-03-01\n"
                            for i in range(200))
    data = body.encode() + b"x999;Tit\x00el;matchmaking;2025-03-01;2025-03-01\n"
    assert b"\x00" not in data[:4096]
    client.force_login(director)
    upload = SimpleUploadedFile("nul.csv", data, content_type="text/csv")
    response = client.post(reverse("clusters:activity_import"), {"file": upload}, follow=True)
    assert response.status_code == 200
    job = ImportJob.objects.get(cluster=director.cluster)
    assert job.status == ImportJobStatus.INVALID
    assert job.errors[0]["message"] == "Filen er hverken en CSV-fil eller et XLSX-regneark."


def test_a_csv_field_over_the_csv_modules_limit_is_a_clean_refusal(cluster):
    data = b'external_id;title\nx;"' + b"a" * (200 * 1024) + b'"\n'
    _rows, errors = check_file(data, cluster)
    assert [e.message for e in errors] == ["Filen kunne ikke læses som en CSV-fil."]


def test_an_xlsx_that_unpacks_too_large_is_refused():
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", b"<sst>" + b" " * (101 * 1024 * 1024) + b"</sst>")
    data = out.getvalue()
    assert len(data) < 200 * 1024
    with pytest.raises(FileUnreadable, match="pakkes ud"):
        read_table(data)
