"""How the import reads the cells of a Danish cluster's spreadsheet (clusters/importing.py's
per-row parsing calls these): Danish column headers beside the English codes, CVR numbers as
``DK12345678`` / ``12 34 56 78`` / ``1234 5678``, employees with Danish thousands separators
(``1.200``), knowledge institutions by name as well as by code. (``Ja``/``Nej`` are read by
importing._bool.)"""

from __future__ import annotations

import re

from clusters.cvr import normalise_cvr
from clusters.models import KnowledgeInstitution

# The template's Danish headers (and common variants) -> the column codes.
DANISH_HEADERS = {
    "eksternt id": "external_id", "ekstern id": "external_id", "id": "external_id",
    "titel": "title", "aktivitet": "title",
    "aktivitetstype": "activity_type", "type": "activity_type",
    "startdato": "start_date", "start": "start_date",
    "slutdato": "end_date", "slut": "end_date",
    "international": "international", "internationalt": "international",
    "eu-finansieret": "eu_funded", "eu finansieret": "eu_funded", "eu-finansieret (ja/nej)": "eu_funded",
    "virksomheder": "companies", "deltagende virksomheder": "companies",
    "videninstitutioner": "institutions", "deltagende videninstitutioner": "institutions",
}


# The header row of the template files (Danish; the English codes are read as well).
TEMPLATE_HEADERS = ("Eksternt id", "Titel", "Aktivitetstype", "Startdato", "Slutdato",
                    "International", "EU-finansieret", "Virksomheder", "Videninstitutioner")


def header_code(text: str) -> str:
    """A header cell -> its column code (``Startdato`` -> ``start_date``); unknown headers are
    returned lower-cased for the caller to name."""
    name = re.sub(r"\s+", " ", str(text or "").strip().lower())
    if name in DANISH_HEADERS:
        return DANISH_HEADERS[name]
    return DANISH_HEADERS.get(name.replace("_", " "), name)


def cvr_cell(text: str) -> str:
    return normalise_cvr(text)


def employees_cell(text: str) -> int | None:
    """``25``, ``1.200``, ``1 200`` -> an int; anything else None."""
    value = str(text or "").strip().replace("\u00a0", " ")
    if re.fullmatch(r"\d{1,3}([. ]\d{3})+", value):
        value = re.sub(r"[. ]", "", value)
    return int(value) if value.isdigit() else None


class InstitutionNames:
    """Knowledge institutions by code or by name (case-insensitive), read once per file."""

    def __init__(self):
        self._by: dict[str, str] | None = None

    def code(self, text: str) -> str:
        if self._by is None:
            self._by = {}
            for code, name in KnowledgeInstitution.objects.values_list("code", "name"):
                self._by[name.strip().lower()] = code
            for code in list(self._by.values()):
                self._by[code.lower()] = code
        value = text.strip()
        return self._by.get(value.lower(), value)
