"""Small XLSX files that claim (or reach for) a huge sheet: the audit's 5 KB memory bomb."""

from __future__ import annotations

import io
import re
import zipfile

import openpyxl

HEADER = ["external_id", "title", "activity_type", "start_date", "end_date"]


def _rewrite_sheet(data: bytes, change) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            body = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = change(body.decode()).encode()
            dst.writestr(item, body, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _base() -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER)
    ws.append(["x-1", "Temadag", "knowledge_sharing", "2025-03-01", "2025-03-01"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


FAR_ROW = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'


def claimed_dimension_bomb() -> bytes:
    """Two real rows and one cell at XFD1048576; the sheet claims A1:XFD1048576 (16,384
    columns by 1,048,576 rows), so a trusting reader pads every row to 16,384 cells."""

    def change(xml: str) -> str:
        xml = re.sub(r'<dimension ref="[^"]*"\s*/>', '<dimension ref="A1:XFD1048576"/>', xml)
        return xml.replace("</sheetData>", FAR_ROW + "</sheetData>")

    return _rewrite_sheet(_base(), change)


def far_cell_bomb() -> bytes:
    """No dimension at all, but a last row at 1,048,576 with a cell in column XFD: a reader
    that pads missing rows and cells builds the whole grid."""

    def change(xml: str) -> str:
        xml = re.sub(r'<dimension ref="[^"]*"\s*/>', "", xml)
        return xml.replace("</sheetData>", FAR_ROW + "</sheetData>")

    return _rewrite_sheet(_base(), change)
