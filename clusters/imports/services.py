"""Import of activities and participants from a CSV or XLSX file.

One row per activity; row 1 holds the column names: the template's Danish headers ("Eksternt
id", "Titel", "Aktivitetstype", "Startdato", "Slutdato", "International", "EU-finansieret",
"Virksomheder", "Videninstitutioner") or the API's field names. How cells are read (CVR as
DK12345674 / 12 34 56 74 / 1234 5674, employees as 1.200, institutions by name or code, Ja/Nej)
is in clusters/import_cells.py:

    external_id   your id for the activity (unique in the file; an existing id is updated)
    title         the title
    activity_type knowledge_sharing | matchmaking | innovation_project | internationalisation |
                  incubation | rd_application (or the Danish name, e.g. "Videnspredning")
    start_date    2025-03-01 (or 01-03-2025)
    end_date      on or after start_date
    international ja/nej (also 1/0, true/false, x/empty)
    eu_funded     ja/nej
    companies     CVR numbers separated by "|"; a CVR not yet registered is written
                  CVR:name:employees, e.g. 12345674:Fjordtek ApS:25|23456788
    institutions  knowledge-institution codes separated by "|"

Flow: `import_job_create` parses and checks the whole file and stores the result as an
ImportJob (every bad row with its reason, or the clean rows awaiting confirmation);
`import_job_confirm` queues it; `import_job_run` (the Celery task's body, safe to run twice)
upserts every row in one transaction, reporting progress through a second database connection so
the progress page sees it while the transaction is still open."""

from __future__ import annotations

import csv
import io
import logging
import re
import zipfile
from datetime import date, datetime

from django.db import DEFAULT_DB_ALIAS, OperationalError, connection, connections, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from clusters.constants import ActivityType, ImportJobStatus
from clusters.cvr.client import RegisterUnavailable, get_register
from clusters.imports.cells import (
    TEMPLATE_HEADERS,
    InstitutionNames,
    cvr_cell,
    employees_cell,
    header_code,
)
from clusters.imports.sweep import Heartbeat
from clusters.models import Activity, Company, ImportJob, KnowledgeInstitution
from clusters.services import (
    ActivityRow,
    CompanyRef,
    RowError,
    RowsInvalid,
    activity_bulk_upsert,
    activity_rows_check,
)
from klyngeadmin.kernel.i18n import record_text
from klyngeadmin.kernel.spreadsheets import CsvWriter, new_workbook, xlsx_row

log = logging.getLogger(__name__)

COLUMNS = ("external_id", "title", "activity_type", "start_date", "end_date", "international",
           "eu_funded", "companies", "institutions")
REQUIRED = ("external_id", "title", "activity_type", "start_date", "end_date")
MAX_ROWS = 20_000
TRUE_WORDS = {"ja", "j", "yes", "y", "true", "sand", "1", "x"}
FALSE_WORDS = {"nej", "n", "no", "false", "falsk", "0", ""}
TYPE_BY_NAME = {str(label).lower(): value for value, label in ActivityType.choices}


class FileUnreadable(Exception):
    pass


# -- reading -------------------------------------------------------------------------------


# The reader stops at these caps while it reads (issue 18, finding 1): a sheet may claim any
# dimension and openpyxl pads every missing row and cell up to it, so a 5 KB file could
# otherwise fill the server's memory before the row count is ever checked.
MAX_COLUMNS = 50
# Empty rows tolerated after the last allowed row (formatting Excel leaves below the data).
TRAILING_EMPTY_ROWS = 1_000
# The XLSX file's parts unpacked, all together (a full 20,000-row sheet is about 10 MB):
# a zip member's declared size is enforced by zipfile, so this bounds what is ever unpacked.
MAX_XLSX_UNPACKED_BYTES = 100 * 1024 * 1024


def _too_many_rows() -> FileUnreadable:
    return FileUnreadable(_("Filen har mere end %(n)s rækker; del den op.") % {"n": MAX_ROWS})


def _too_many_columns() -> FileUnreadable:
    return FileUnreadable(_("Filen har mere end %(n)s kolonner.") % {"n": MAX_COLUMNS})


def _capped(rows) -> list[list]:
    """The header and at most MAX_ROWS rows of at most MAX_COLUMNS cells, read one row at a
    time; stops reading as soon as a cap is passed (a few empty rows below are tolerated)."""
    table: list[list] = []
    empty_after_cap = 0
    for row in rows:
        cells = list(row[:MAX_COLUMNS + 1])
        if len(cells) > MAX_COLUMNS and any(_text(c) for c in cells[MAX_COLUMNS:]):
            raise _too_many_columns()
        cells = cells[:MAX_COLUMNS]
        if len(table) > MAX_ROWS:
            if any(_text(c) for c in cells):
                raise _too_many_rows()
            empty_after_cap += 1
            if empty_after_cap > TRAILING_EMPTY_ROWS:
                raise _too_many_rows()
            continue
        table.append(cells)
    return table


def _read_xlsx(data: bytes) -> list[list]:
    import openpyxl

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise FileUnreadable(_("Filen kunne ikke læses som et XLSX-regneark.")) from exc
    if unpacked > MAX_XLSX_UNPACKED_BYTES:
        raise FileUnreadable(_("Regnearket er for stort, når det pakkes ud; del det op."))
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise FileUnreadable(_("Filen kunne ikke læses som et XLSX-regneark.")) from exc
    try:
        if not wb.worksheets:
            raise FileUnreadable(_("Filen kunne ikke læses som et XLSX-regneark."))
        ws = wb.worksheets[0]
        # The sheet's claimed dimension (e.g. A1:XFD1048576) is refused before reading ...
        if (ws.max_row or 0) > MAX_ROWS + 1 + TRAILING_EMPTY_ROWS:
            raise _too_many_rows()
        if (ws.max_column or 0) > MAX_COLUMNS:
            raise _too_many_columns()
        # ... and never trusted while reading: no padding up to it, no row past the caps.
        ws.reset_dimensions()
        return _capped(ws.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1,
                                    max_row=MAX_ROWS + 2 + TRAILING_EMPTY_ROWS))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError) as exc:
        raise FileUnreadable(_("Filen kunne ikke læses som et XLSX-regneark.")) from exc
    finally:
        wb.close()


def read_table(data: bytes) -> list[list]:
    """The cells of the first sheet (XLSX, recognised by content) or of a CSV file (UTF-8 or
    Windows-1252, separated by ; or , or tab), at most MAX_ROWS rows of MAX_COLUMNS cells."""
    if data[:4] == b"PK\x03\x04":
        return _read_xlsx(data)
    if b"\x00" in data:  # anywhere: the csv module refuses a NUL byte in any line
        raise FileUnreadable(_("Filen er hverken en CSV-fil eller et XLSX-regneark."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    first = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first.count)
    try:
        return _capped(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error as exc:  # e.g. a field longer than the csv module's field limit
        raise FileUnreadable(_("Filen kunne ikke læses som en CSV-fil.")) from exc


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _date(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    for pattern, order in ((r"^(\d{4})-(\d{1,2})-(\d{1,2})$", "ymd"),
                           (r"^(\d{1,2})[-./](\d{1,2})[-./](\d{4})$", "dmy")):
        if m := re.match(pattern, text):
            a, b, c = (int(x) for x in m.groups())
            try:
                return date(a, b, c) if order == "ymd" else date(c, b, a)
            except ValueError:
                return None
    return None


def _bool(value) -> bool | None:
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    return None


def _companies(value, row_no: int, errors: list[RowError]) -> tuple[CompanyRef, ...]:
    refs = []
    for entry in re.split(r"[|\n]", _text(value)):
        entry = entry.strip()
        if not entry:
            continue
        cvr, _sep, rest = entry.partition(":")
        cvr = cvr_cell(cvr)
        name, employees = rest, None
        if rest:
            name, _sep, emp_text = rest.rpartition(":")
            if not _sep:
                name, emp_text = rest, ""
            emp_text = emp_text.strip()
            if emp_text:
                if employees_cell(emp_text) is None:
                    errors.append(RowError(row_no, "companies", _(
                        "Antal ansatte for CVR-nummer %(cvr)s skal være et helt tal, ikke »%(v)s«."
                    ) % {"cvr": cvr, "v": emp_text}))
                    continue
                employees = employees_cell(emp_text)
        refs.append(CompanyRef(cvr=cvr, name=name.strip(), employees=employees))
    return tuple(refs)


def parse_rows(table: list[list]) -> tuple[list[tuple[int, ActivityRow]], list[RowError], int]:
    """(row number, row) for every data row, the errors found while reading them, and the
    number of data rows. Row numbers are the file's (the header is row 1)."""
    errors: list[RowError] = []
    while table and not any(_text(c) for c in table[-1]):
        table.pop()
    if not table:
        return [], [RowError(1, "", _("Filen er tom."))], 0
    header = [header_code(_text(c)) for c in table[0]]
    institution_names = InstitutionNames()
    for name in header:
        if name and name not in COLUMNS:
            errors.append(RowError(1, name, _("Ukendt kolonne: %(c)s.") % {"c": name}))
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        errors.append(RowError(1, "", _("Kolonne mangler: %(c)s.") % {"c": ", ".join(missing)}))
        return [], errors, 0
    if len(table) - 1 > MAX_ROWS:
        errors.append(RowError(1, "", _("Filen har mere end %(n)s rækker; del den op.") % {"n": MAX_ROWS}))
        return [], errors, len(table) - 1
    pos = {name: i for i, name in enumerate(header) if name}
    rows: list[tuple[int, ActivityRow]] = []
    for row_no, cells in enumerate(table[1:], start=2):
        if not any(_text(c) for c in cells):
            continue

        def cell(name, cells=cells):
            i = pos.get(name)
            return cells[i] if i is not None and i < len(cells) else None

        row_errors: list[RowError] = []
        for name in REQUIRED:
            if not _text(cell(name)):
                row_errors.append(RowError(row_no, name, _("Feltet %(f)s mangler.") % {"f": name}))
        dates = {}
        for name in ("start_date", "end_date"):
            dates[name] = _date(cell(name))
            if dates[name] is None and _text(cell(name)):
                row_errors.append(RowError(row_no, name, _(
                    "»%(v)s« er ikke en dato; skriv den som 2025-03-01."
                ) % {"v": _text(cell(name))}))
        flags = {}
        for name in ("international", "eu_funded"):
            flags[name] = _bool(cell(name))
            if flags[name] is None:
                row_errors.append(RowError(row_no, name, _(
                    "»%(v)s« er hverken ja eller nej."
                ) % {"v": _text(cell(name))}))
        raw_type = _text(cell("activity_type"))
        activity_type = raw_type if raw_type in ActivityType.values else TYPE_BY_NAME.get(
            raw_type.lower(), raw_type)
        companies = _companies(cell("companies"), row_no, row_errors)
        institutions = tuple(dict.fromkeys(
            institution_names.code(c) for c in re.split(r"[|\n]", _text(cell("institutions")))
            if c.strip()))
        placeholder = date(2000, 1, 1)
        start = dates["start_date"] or placeholder
        end = dates["end_date"] if dates["start_date"] and dates["end_date"] else start
        rows.append((row_no, ActivityRow(
            external_id=_text(cell("external_id"))[:100], title=_text(cell("title"))[:300],
            activity_type=activity_type, start_date=start, end_date=end,
            international=bool(flags["international"]), eu_funded=bool(flags["eu_funded"]),
            companies=companies, institutions=institutions,
        )))
        errors.extend(row_errors)
    return rows, errors, len(rows)


def check_file(data: bytes, cluster) -> tuple[list[tuple[int, ActivityRow]], list[RowError]]:
    """Read and check a whole file: every bad row with its reason, in row order."""
    try:
        table = read_table(data)
    except FileUnreadable as exc:
        return [], [RowError(1, "", str(exc))]
    rows, errors, _n = parse_rows(table)
    reported = {(e.index, e.field) for e in errors}
    for e in activity_rows_check(cluster=cluster, rows=rows):
        # A field that could not be read is reported once, by the reader.
        if (e.index, e.field) not in reported and not (
            e.field == "activity_type" and (e.index, "activity_type") in reported
        ):
            errors.append(e)
    if not rows and not errors:
        errors.append(RowError(1, "", _("Filen indeholder ingen aktiviteter.")))
    errors.sort(key=lambda e: (e.index, COLUMNS.index(e.field) if e.field in COLUMNS else -1))
    return rows, errors


# -- the job -------------------------------------------------------------------------------


def import_job_create(*, cluster, actor, file_name: str, data: bytes) -> ImportJob:
    """Check the file and store the outcome: INVALID with every error, or VALIDATED with the
    rows awaiting confirmation. Nothing is imported here."""
    rows, errors = check_file(data, cluster)
    return ImportJob.objects.create(
        cluster=cluster, created_by=actor, file_name=file_name[:255],
        status=ImportJobStatus.INVALID if errors else ImportJobStatus.VALIDATED,
        total_rows=len(rows), rows=[] if errors else [r.to_json() for _, r in rows],
        errors=[e.to_json() for e in errors],
    )


def import_job_preview(job: ImportJob, limit: int = 50) -> dict:
    """What a confirmed import will do: how many activities are new and how many exist."""
    ids = [r["external_id"] for r in job.rows]
    existing = set(Activity.objects.filter(cluster_id=job.cluster_id, external_id__in=ids)
                   .values_list("external_id", flat=True))
    names = dict(ActivityType.choices)
    codes = {c for r in job.rows[:limit] for c in r["institutions"]}
    inst_names = dict(KnowledgeInstitution.objects.filter(code__in=codes).values_list("code", "name"))
    sample = [
        r | {"type_label": names.get(r["activity_type"], r["activity_type"]),
             "exists": r["external_id"] in existing,
             "institution_names": [inst_names.get(c, c) for c in r["institutions"]]}
        for r in job.rows[:limit]
    ]
    return {"new": len(ids) - len(existing), "existing": len(existing), "sample": sample,
            **new_companies_preview(job.rows)}


def new_companies_preview(rows: list[dict], limit: int = 200) -> dict:
    """The companies a confirmed import will create (CVRs not registered yet), each with what
    the CVR register says about it; the register being down or not set up is said, not hidden."""
    named: dict[str, str] = {}
    for r in rows:
        for cvr, name, _employees in r["companies"]:
            if name or cvr not in named:
                named[cvr] = name
    known = set(Company.objects.filter(cvr__in=list(named)).values_list("cvr", flat=True))
    new = [c for c in named if c not in known]
    register = get_register()
    records, note = {}, ""
    if not register.configured:
        note = str(register.description)
    else:
        try:
            records = register.lookup_many(new[:limit])
        except RegisterUnavailable:
            note = _("CVR-registret svarer ikke lige nu; virksomhederne slås op, når det svarer igen.")
    companies = [
        {"cvr": c, "name": named[c], "register": records.get(c),
         "checked": register.configured and not note}
        for c in new[:limit]
    ]
    return {"new_companies": companies, "new_companies_count": len(new), "register_note": note}


def import_job_confirm(*, job: ImportJob) -> bool:
    """VALIDATED -> QUEUED, once (a second confirm, e.g. a double click, changes nothing)."""
    return bool(ImportJob.objects.filter(pk=job.pk, status=ImportJobStatus.VALIDATED)
                .update(status=ImportJobStatus.QUEUED))


class _ProgressWriter:
    """Writes done_rows through its own autocommit connection, so the progress page sees it
    while the import's transaction is still open. It never touches the import's rows."""

    def __init__(self, job_id: int):
        self.job_id = job_id
        self.conn = connections.create_connection(DEFAULT_DB_ALIAS)
        self.table = connection.ops.quote_name(ImportJob._meta.db_table)

    def __call__(self, done: int) -> None:
        with self.conn.cursor() as cursor:
            cursor.execute(f"UPDATE {self.table} SET done_rows = %s WHERE id = %s",  # noqa: S608
                           [done, self.job_id])

    def close(self) -> None:
        self.conn.close()


def import_job_run(job_id: int) -> str:
    """Import a confirmed job's rows in one transaction. Safe to run twice or concurrently:
    a per-job advisory lock serialises runs, and a job already done is left alone."""
    now = timezone.now()
    claimed = ImportJob.objects.filter(
        pk=job_id, status__in=[ImportJobStatus.QUEUED, ImportJobStatus.RUNNING]
    ).update(status=ImportJobStatus.RUNNING, started_at=now, done_rows=0, heartbeat_at=now,
             run_attempts=F("run_attempts") + 1)
    if not claimed:
        return "skipped"
    progress = _ProgressWriter(job_id)
    try:
        # The heartbeat and the advisory lock tell the sweep (import_sweep) this run is alive.
        with Heartbeat(job_id), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [7301, job_id])
            job = ImportJob.objects.select_related("cluster", "created_by").get(pk=job_id)
            if job.status != ImportJobStatus.RUNNING:  # another run finished it meanwhile
                return "skipped"
            rows = [ActivityRow.from_json(r) for r in job.rows]
            result = activity_bulk_upsert(
                cluster=job.cluster, actor=job.created_by, rows=rows, progress=progress,
                summary=record_text("Import af %(file)s:", {"file": job.file_name}),
            )
            ImportJob.objects.filter(pk=job_id).update(
                status=ImportJobStatus.DONE, done_rows=len(rows), created=result.created,
                updated=result.updated, unchanged=result.unchanged, rows=[],
                finished_at=timezone.now(),
            )
        return "done"
    except OperationalError:
        raise  # the database went away: leave the job RUNNING, the task retries it
    except RowsInvalid as exc:  # the data changed between preview and import
        ImportJob.objects.filter(pk=job_id).update(
            status=ImportJobStatus.FAILED, finished_at=timezone.now(),
            errors=[e.to_json() for e in exc.errors],
            failure=_("Filen passer ikke længere med registret; intet er importeret."),
        )
        return "failed"
    except Exception as exc:
        log.exception("activity import %s failed", job_id)
        ImportJob.objects.filter(pk=job_id).update(
            status=ImportJobStatus.FAILED, finished_at=timezone.now(),
            failure=_("Importen mislykkedes, og intet er importeret (%(err)s).")
            % {"err": type(exc).__name__},
        )
        return "failed"
    finally:
        progress.close()


# -- the template file ----------------------------------------------------------------------


def template_rows() -> list[list[str]]:
    codes = list(KnowledgeInstitution.objects.order_by("code").values_list("code", flat=True)[:2])
    codes += ["<kode>"] * (2 - len(codes))
    return [
        list(TEMPLATE_HEADERS),
        ["crm-2025-0001", "Temadag om grøn omstilling", "knowledge_sharing", "2025-03-01",
         "2025-03-01", "nej", "nej", "12345674:Fjordtek ApS:25|23456788:Bakkedata A/S:120",
         codes[0]],
        ["crm-2025-0002", "Internationalt netværk: eksport", "internationalisation", "2025-04-10",
         "2025-06-30", "ja", "ja", "12345674", f"{codes[0]}|{codes[1]}"],
    ]


def template_csv() -> bytes:
    out = io.StringIO()
    CsvWriter(out, delimiter=";", lineterminator="\r\n").writerows(template_rows())
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def template_xlsx() -> bytes:
    wb = new_workbook(write_only=False)  # column widths
    ws = wb.active
    ws.title = "Aktiviteter"
    for row in template_rows():
        ws.append(xlsx_row(ws, row))
    for col, width in zip("ABCDEFGHI", (16, 36, 22, 12, 12, 13, 11, 52, 24), strict=True):
        ws.column_dimensions[col].width = width
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
