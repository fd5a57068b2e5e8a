"""The state-aid register export as CSV (semicolons, UTF-8 with BOM, decimal commas) or XLSX,
through klyngeadmin.kernel.spreadsheets: no typed text (an activity title, a company name)
becomes a formula."""

from __future__ import annotations

import io
from decimal import Decimal

from django.http import HttpResponse

from klyngeadmin.kernel.spreadsheets import CsvWriter, new_workbook, xlsx_cell, xlsx_row

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _csv_value(value):
    return str(value).replace(".", ",") if isinstance(value, Decimal) else value


def register_csv(columns, rows) -> bytes:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = CsvWriter(buffer, delimiter=";")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_csv_value(v) for v in row])
    return buffer.getvalue().encode("utf-8")


def register_xlsx(columns, rows) -> bytes:
    workbook = new_workbook()
    sheet = workbook.create_sheet(title="statsstoette")
    sheet.append(xlsx_row(sheet, list(columns), bold=True))
    formats = {8: '#,##0', 9: '#,##0.00', 10: '0.00000'}
    for row in rows:
        sheet.append([xlsx_cell(sheet, v, number_format=formats.get(i)) for i, v in enumerate(row)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def response(content: bytes, *, fmt: str, filename: str) -> HttpResponse:
    kind = "text/csv; charset=utf-8" if fmt == "csv" else XLSX_TYPE
    resp = HttpResponse(content, content_type=kind)
    resp["Content-Disposition"] = f'attachment; filename="{filename}"'
    return resp
