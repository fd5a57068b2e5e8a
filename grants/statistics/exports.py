"""CSV and XLSX exports of the statistics tables, and the participant export by CVR.

CSV: semicolon-separated, UTF-8 with a byte-order mark and decimal commas, so Danish Excel opens
it as it is; whole numbers without thousands separators; a withheld figure is "..".
XLSX (openpyxl, write-only): numbers stay numbers, with Danish-looking number formats.
Every cell goes through klyngeadmin.kernel.spreadsheets, so no typed text becomes a formula.
"""

from __future__ import annotations

import io

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext as _

from grants.statistics.tables import DKK, INT, RATIO, SHARE, SUPPRESSED_MARK, Cell, Table
from klyngeadmin.kernel.spreadsheets import CsvWriter, new_workbook, xlsx_cell, xlsx_row

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
NUMBER_FORMATS = {INT: "#,##0", DKK: '#,##0 "kr."', SHARE: "0.0%", RATIO: "0.00"}


def _csv_value(cell: Cell):
    if cell.suppressed:
        return SUPPRESSED_MARK
    return cell.value


class _Echo:
    def write(self, value):
        return value


def _attachment(response, filename: str):
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def table_csv_response(table: Table, filename: str) -> HttpResponse:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = CsvWriter(buffer, delimiter=";")
    writer.writerow([str(label) for label, _kind in table.columns])
    for row in table.rows:
        writer.writerow([_csv_value(cell) for cell in row])
    if table.has_suppressed:
        writer.writerow([suppression_note()])
    return _attachment(HttpResponse(buffer.getvalue(), content_type=CSV_TYPE), filename)


def suppression_note() -> str:
    return _("»..« betyder, at tallet ikke vises, fordi det bygger på færre end 5 virksomheder.")


def _xlsx_cell(sheet, cell: Cell):
    if cell.suppressed:
        return SUPPRESSED_MARK
    if cell.value is None or cell.kind not in NUMBER_FORMATS:
        return None if cell.value is None else xlsx_cell(sheet, str(cell.value))
    return xlsx_cell(sheet, cell.value, number_format=NUMBER_FORMATS[cell.kind])


def tables_xlsx_response(tables: list[Table], filename: str, *, title: str) -> HttpResponse:
    """One workbook, one sheet per table: a title row, a header row, then the rows."""
    workbook = new_workbook()
    for table in tables:
        sheet = workbook.create_sheet(title=table.key[:31])
        sheet.append([xlsx_cell(sheet, f"{title} – {table.caption}", bold=True)])
        sheet.append(xlsx_row(sheet, [str(label) for label, _kind in table.columns], bold=True))
        for row in table.rows:
            sheet.append(xlsx_row(sheet, [_xlsx_cell(sheet, cell) for cell in row]))
        if table.note:
            sheet.append(xlsx_row(sheet, [str(table.note)]))
        if table.has_suppressed:
            sheet.append(xlsx_row(sheet, [suppression_note()]))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _attachment(HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE), filename)


# -- participants by CVR ------------------------------------------------------------------------

PARTICIPANT_HEADER = {
    "cvr": "cvr", "year": "aar", "cluster": "klynge", "activities": "aktiviteter",
    "innovation_projects": "innovationsprojekter", "rd_applications": "fou_ansoegninger",
    "international_activities": "internationale_aktiviteter", "first_activity": "foerste_aktivitet",
    "size_class": "stoerrelse", "db07_code": "db07",
}


def _participant_values(row: dict, columns) -> list:
    return [row[c].isoformat() if c == "first_activity" else row[c] for c in columns]


def participants_csv_response(rows, columns, filename: str) -> StreamingHttpResponse:
    """Streamed, so the whole programme's participants never sit in memory at once."""
    writer = CsvWriter(_Echo(), delimiter=";")

    def lines():
        yield "\ufeff" + writer.writerow([PARTICIPANT_HEADER[c] for c in columns])
        for row in rows.iterator(chunk_size=5000):
            yield writer.writerow(_participant_values(row, columns))

    return _attachment(StreamingHttpResponse(lines(), content_type=CSV_TYPE), filename)


def participants_xlsx_response(rows, columns, filename: str) -> HttpResponse:
    workbook = new_workbook()
    sheet = workbook.create_sheet(title="deltagere")
    sheet.append(xlsx_row(sheet, [PARTICIPANT_HEADER[c] for c in columns]))
    for row in rows.iterator(chunk_size=5000):
        sheet.append(xlsx_row(sheet, _participant_values(row, columns)))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _attachment(HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE), filename)
