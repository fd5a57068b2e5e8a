"""The one writer for every CSV and XLSX file the app hands out (issue 18, finding 2).

Text typed by a cluster (a funder's name, an activity title) must never become a live formula
in the reader's spreadsheet program. OWASP's CSV-injection rule: a text cell that begins with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return is neutralised.

- CSV: such a cell gets a leading apostrophe (``'=HYPERLINK(...)``), which spreadsheet programs
  show as text.
- XLSX: such a cell is written as a string cell with Excel's own "quote prefix" mark, so it
  shows exactly what was typed and stays text even when the reader edits it (openpyxl would
  otherwise store a text beginning with ``=`` as a formula).

Numbers stay numbers: only text is neutralised, so a negative amount is still a number in
XLSX and still ``-3,5`` in CSV. Every export builds its rows from real Python values and lets
this module turn them into cells.
"""

from __future__ import annotations

import csv
import functools
from decimal import Decimal
from types import SimpleNamespace


@functools.cache
def _openpyxl() -> SimpleNamespace:
    """openpyxl's classes, imported at their first use rather than with this module: openpyxl
    takes ~0.15 s to import, which every process that loads the URLs (the export views import
    this module) paid at start. Cached: an import statement in xlsx_cell cost 1.2 of its 4
    microseconds a cell."""
    from openpyxl import Workbook
    from openpyxl.cell import Cell, WriteOnlyCell
    from openpyxl.styles import Font

    return SimpleNamespace(Workbook=Workbook, Cell=Cell, WriteOnlyCell=WriteOnlyCell, Font=Font)

FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")


def is_number(value) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def is_formula_like(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_LEADS)


def csv_text(value) -> str:
    """One CSV cell: numbers as numbers (a float with a decimal comma), None as empty, every
    other value as its text, neutralised when it begins like a formula."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value}".replace(".", ",")
    if is_number(value):
        return str(value)
    text = str(value)
    return "'" + text if is_formula_like(text) else text


class CsvWriter:
    """csv.writer's interface (writerow/writerows) with every cell passed through csv_text."""

    def __init__(self, out, **kwargs):
        self._writer = csv.writer(out, **kwargs)

    def writerow(self, row):
        return self._writer.writerow([csv_text(value) for value in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def new_workbook(*, write_only: bool = True):
    """An empty workbook (openpyxl) for xlsx_row and xlsx_cell: write-only (streamed, for the
    large exports) unless a sheet needs what only a normal one has (frozen panes, widths)."""
    return _openpyxl().Workbook(write_only=write_only)


def xlsx_cell(sheet, value, *, number_format: str | None = None, bold: bool = False):
    """One XLSX cell for `sheet` (write-only or normal): numbers as numbers, text never a
    formula."""
    if value is not None and not is_number(value) and not isinstance(value, str):
        value = str(value)
    cell = _openpyxl().WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        # openpyxl stores a text beginning with "=" as a formula; this keeps it text.
        cell.data_type = "s"
        if is_formula_like(value):
            cell.quotePrefix = True
    if number_format and is_number(value):
        cell.number_format = number_format
    if bold:
        cell.font = _openpyxl().Font(bold=True)
    return cell


def xlsx_row(sheet, values, *, bold: bool = False) -> list:
    """A row for sheet.append: every value through xlsx_cell. A cell made by xlsx_cell passes
    as it is (a cell holding a formula is refused: exports write no formulas)."""
    out = []
    for value in values:
        if isinstance(value, _openpyxl().Cell):
            if value.data_type == "f":
                raise ValueError("exports write no formulas")
            out.append(value)
        else:
            out.append(xlsx_cell(sheet, value, bold=bold))
    return out
