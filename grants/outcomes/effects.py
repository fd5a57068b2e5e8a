"""Danmarks Statistik's effect-measurement file (treated vs control firms, per cluster and year)
parsed safely: a hostile file changes nothing and answers with Danish errors naming the row and
column. Limits: size, rows, cell length; UTF-8 (with or without BOM) only; numbers as Decimal."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 10_000
MAX_CELL = 200
COLUMNS = ("klynge_cvr", "aar", "indikator", "deltagere", "kontrolgruppe", "antal_deltagere", "antal_kontrol")


@dataclass(frozen=True)
class EffectRow:
    line: int
    cluster_cvr: str
    year: int
    indicator: str
    treated_value: Decimal
    control_value: Decimal
    treated_firms: int
    control_firms: int


class EffectFileInvalid(Exception):
    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


DANISH_NUMBER = re.compile(r"(-?)(\d{1,3}(?:\.\d{3})+|\d{1,14})(?:,(\d{1,6}))?")


def _decimal(text: str) -> Decimal:
    """A number as Danmarks Statistik writes it: decimal comma, optional thousands dots
    ("-1.234,5"); nothing else (no exponent, NaN or infinity)."""
    m = DANISH_NUMBER.fullmatch(text)
    if m is None:
        raise InvalidOperation
    sign, whole, frac = m.groups()
    return Decimal(f"{sign}{whole.replace('.', '')}.{frac or '0'}")


def parse(upload) -> list[EffectRow]:
    raw = upload.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise EffectFileInvalid([_("Filen er for stor (højst 2 MB).")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise EffectFileInvalid([_("Filen skal være en CSV-fil i UTF-8.")]) from None
    if "\x00" in text:
        raise EffectFileInvalid([_("Filen skal være en CSV-fil i UTF-8.")])
    reader = csv.reader(io.StringIO(text), delimiter=";")
    try:
        header = [h.strip().lower() for h in next(reader)]
    except (StopIteration, csv.Error):
        raise EffectFileInvalid([_("Filen er tom.")]) from None
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise EffectFileInvalid([_("Kolonnerne mangler: %(cols)s.") % {"cols": ", ".join(missing)}])
    at = {c: header.index(c) for c in COLUMNS}
    rows, errors = [], []
    try:
        for line, cells in enumerate(reader, start=2):
            if line - 1 > MAX_ROWS:
                raise EffectFileInvalid([_("Filen har for mange rækker (højst %(n)d).") % {"n": MAX_ROWS}])
            if not any(c.strip() for c in cells):
                continue
            if len(cells) < len(header) or any(len(c) > MAX_CELL for c in cells):
                errors.append(_("Række %(line)d: forkert antal kolonner eller for lang celle.") % {"line": line})
                continue
            get = {c: cells[i].strip() for c, i in at.items()}
            try:
                year, n_t, n_c = int(get["aar"]), int(get["antal_deltagere"]), int(get["antal_kontrol"])
                if not (2000 <= year <= 2100 and n_t >= 0 and n_c >= 0):
                    raise ValueError
            except ValueError:
                errors.append(_("Række %(line)d: år og antal skal være hele tal.") % {"line": line})
                continue
            try:
                treated, control = _decimal(get["deltagere"]), _decimal(get["kontrolgruppe"])
            except (InvalidOperation, ValueError):
                errors.append(_("Række %(line)d: deltagere og kontrolgruppe skal være tal.") % {"line": line})
                continue
            if not get["indikator"] or not get["klynge_cvr"]:
                errors.append(_("Række %(line)d: klynge_cvr og indikator skal udfyldes.") % {"line": line})
                continue
            rows.append(EffectRow(line, get["klynge_cvr"], year, get["indikator"], treated, control, n_t, n_c))
    except csv.Error:
        raise EffectFileInvalid([_("Filen kan ikke læses som CSV.")]) from None
    if errors:
        raise EffectFileInvalid(errors[:50])
    if not rows:
        raise EffectFileInvalid([_("Filen har ingen rækker.")])
    return rows
