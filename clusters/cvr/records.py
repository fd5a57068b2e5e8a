"""A company as the CVR register describes it, read from one search hit's
``_source.Vrvirksomhed``. Missing fields are normal: what is not there stays empty/None."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from clusters.constants import SizeClass
from clusters.cvr.geography import MUNICIPALITY_NAMES, region_of
from clusters.sme import sme_size_class

ACTIVE, CEASED = "active", "ceased"
# sammensatStatus values meaning the company is running; anything else named is ceased
# (Ophørt, Opløst efter ..., Tvangsopløst, Slettet, Under konkurs ...).
_ACTIVE_STATUSES = {"normal", "aktiv", "nyoprettet"}
_BAND = re.compile(r"^ANTAL_(\d+)_(\d+)$")
EMPLOYMENT_KEYS = (  # finest first: on the same period the finer figure wins
    ("nyesteMaanedsbeskaeftigelse", "maaned"),
    ("nyesteKvartalsbeskaeftigelse", "kvartal"),
    ("nyesteAarsbeskaeftigelse", None),
)


@dataclass(frozen=True)
class CvrRecord:
    cvr: str
    name: str = ""
    db07_code: str = ""
    industry: str = ""
    postal_code: str = ""
    municipality_code: int | None = None
    municipality: str = ""
    region: str = ""
    employees: int | None = None
    employees_band: str = ""  # e.g. "ANTAL_20_49" when the register gives no number
    status: str = ""  # ACTIVE, CEASED or "" (not given)
    reklamebeskyttet: bool | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def _get(data, *path):
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def band_range(band: str) -> tuple[int, int] | None:
    """``ANTAL_20_49`` -> (20, 49)."""
    match = _BAND.match(band or "")
    return (int(match.group(1)), int(match.group(2))) if match else None


def band_size_class(band: str) -> SizeClass | None:
    """The size class of an employee band, from its lower bound (a band that straddles a
    class limit, such as 200-499, is classed by its lower bound: say so where it is shown)."""
    bounds = band_range(band)
    return None if bounds is None else sme_size_class(bounds[0])


def band_label(band: str) -> str:
    bounds = band_range(band)
    if bounds is None:
        return ""
    low, high = bounds
    return f"{low}+" if high >= 999_999 else f"{low}–{high}"


def _newest_employment(meta: dict) -> tuple[int | None, str]:
    best, best_key = None, None
    for rank, (key, sub) in enumerate(EMPLOYMENT_KEYS):
        entry = meta.get(key)
        if not isinstance(entry, dict):
            continue
        year = entry.get("aar")
        if not isinstance(year, int):
            continue
        if sub == "maaned":
            month = entry.get("maaned") if isinstance(entry.get("maaned"), int) else 12
        elif sub == "kvartal":
            month = entry["kvartal"] * 3 if isinstance(entry.get("kvartal"), int) else 12
        else:
            month = 12
        order = (year, month, -rank)
        if best_key is None or order > best_key:
            best, best_key = entry, order
    if best is None:
        return None, ""
    number = best.get("antalAnsatte")
    if isinstance(number, int) and not isinstance(number, bool) and number >= 0:
        return number, ""
    band = best.get("intervalKodeAntalAnsatte")
    return None, band if isinstance(band, str) and band_range(band) else ""


def _status(value) -> str:
    if not isinstance(value, str) or not value.strip():
        return ""
    return ACTIVE if value.strip().lower() in _ACTIVE_STATUSES else CEASED


def _text(value, limit: int) -> str:
    return value.strip()[:limit] if isinstance(value, str) else ""


def parse_company(source: dict) -> CvrRecord | None:
    """One hit's ``_source`` (the ``Vrvirksomhed`` object inside it, or that object itself)."""
    company = source.get("Vrvirksomhed", source) if isinstance(source, dict) else None
    if not isinstance(company, dict):
        return None
    number = company.get("cvrNummer")
    if isinstance(number, str) and number.isdigit():
        number = int(number)
    if not isinstance(number, int) or isinstance(number, bool):
        return None
    meta = company.get("virksomhedMetadata") if isinstance(company.get("virksomhedMetadata"), dict) else {}
    code = _get(meta, "nyesteHovedbranche", "branchekode")
    code = str(code) if isinstance(code, int | str) else ""
    code = code if len(code) == 6 and code.isdigit() else ""
    kommune = _get(meta, "nyesteBeliggenhedsadresse", "kommune") or {}
    municipality_code = kommune.get("kommuneKode") if isinstance(kommune, dict) else None
    if isinstance(municipality_code, str) and municipality_code.isdigit():
        municipality_code = int(municipality_code)
    if not isinstance(municipality_code, int) or isinstance(municipality_code, bool):
        municipality_code = None
    postal = _get(meta, "nyesteBeliggenhedsadresse", "postnummer")
    employees, band = _newest_employment(meta)
    protected = company.get("reklamebeskyttet")
    return CvrRecord(
        cvr=f"{number:08d}",
        name=_text(_get(meta, "nyesteNavn", "navn"), 200),
        db07_code=code,
        industry=_text(_get(meta, "nyesteHovedbranche", "branchetekst"), 200),
        postal_code=str(postal) if isinstance(postal, int | str) else "",
        municipality_code=municipality_code,
        municipality=MUNICIPALITY_NAMES.get(municipality_code or 0)
        or _text(kommune.get("kommuneNavn") if isinstance(kommune, dict) else None, 100).title(),
        region=region_of(municipality_code),
        employees=employees,
        employees_band=band,
        status=_status(meta.get("sammensatStatus")),
        reklamebeskyttet=protected if isinstance(protected, bool) else None,
    )


def hit_source(record: CvrRecord, *, status_text: str | None = None) -> dict:
    """The register's ``_source`` for a record (the shape the local register file and the
    test server use)."""
    meta: dict = {
        "nyesteNavn": {"navn": record.name},
        "sammensatStatus": status_text or ("Ophørt" if record.status == CEASED else "Normal"),
    }
    if record.db07_code:
        meta["nyesteHovedbranche"] = {"branchekode": record.db07_code, "branchetekst": record.industry}
    if record.municipality_code:
        meta["nyesteBeliggenhedsadresse"] = {
            "postnummer": int(record.postal_code) if record.postal_code.isdigit() else None,
            "kommune": {"kommuneKode": record.municipality_code,
                        "kommuneNavn": record.municipality.upper()},
        }
    if record.employees is not None or record.employees_band:
        meta["nyesteAarsbeskaeftigelse"] = {
            "aar": 2024, "antalAnsatte": record.employees,
            "intervalKodeAntalAnsatte": record.employees_band or None,
        }
    out = {"cvrNummer": int(record.cvr), "virksomhedMetadata": meta}
    if record.reklamebeskyttet is not None:
        out["reklamebeskyttet"] = record.reklamebeskyttet
    return {"Vrvirksomhed": out}
