"""The indicator catalogue (indikatorkatalog): every indicator a target can be set for, with its
unit and definition. Computed indicators are the programme figures defined once in
``clusters.figures`` (and the report's money columns); hand-reported ones are entered by the
cluster in the annual report (grants.reports.target_forms)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from clusters.constants import InstitutionKind
from klyngeadmin.kernel.formatting import number


class Unit(models.TextChoices):
    COUNT = "count", _("antal")
    DKK = "dkk", _("kr.")
    RATIO = "ratio", _("kr. pr. bevillingskrone")


class Source(models.TextChoices):
    COMPUTED = "computed", _("beregnes af data")
    REPORTED = "reported", _("indberettes af klyngen")


class Indicator(models.TextChoices):
    COMPANIES = "companies", _("Deltagende virksomheder")
    SMES = "smes", _("Deltagende SMV'er")
    SMALL_COMPANIES = "small_companies", _("Deltagende små virksomheder (10-49 ansatte)")
    OUTSIDE = "companies_outside_strength_position", _(
        "Virksomheder uden for klyngens styrkeposition"
    )
    INSTITUTION_PARTICIPATIONS = "institution_participations", _("Deltagelser af videninstitutioner")
    INST_UNIVERSITY = "inst_university", _("Deltagelser af universiteter")
    INST_ACADEMY = "inst_academy", _("Deltagelser af erhvervsakademier")
    INST_UNIVERSITY_COLLEGE = "inst_university_college", _("Deltagelser af professionshøjskoler")
    INST_ARTISTIC = "inst_artistic", _(
        "Deltagelser af kunstneriske uddannelsesinstitutioner"
    )
    INST_GTS = "inst_gts", _("Deltagelser af GTS-institutter")
    INST_HOSPITAL = "inst_hospital", _("Deltagelser af hospitaler og regioner")
    INST_FOREIGN = "inst_foreign", _("Deltagelser af udenlandske videninstitutioner")
    RD_APPLICATIONS = "rd_applications", _("Fælles FoU-ansøgninger")
    INTERNATIONAL = "international_activities", _("Internationale og EU-finansierede aktiviteter")
    COFINANCING = "cofinancing_dkk", _("Privat medfinansiering")
    COMPETITIVE = "competitive_funds_dkk", _("Hjemtagne konkurrenceudsatte midler")
    LEVERAGE = "leverage", _("Gearing (ekstern finansiering pr. bevillingskrone)")
    NEW_PRODUCTS = "new_products", _("Nye produkter, processer og services i virksomhederne")
    NEW_MEMBERS = "new_members", _("Nye medlemmer af klyngen")


@dataclass(frozen=True)
class IndicatorDef:
    code: str
    unit: str
    source: str
    definition: str  # lazy: translated into the language active where it is shown

    @property
    def name(self) -> str:
        return str(Indicator(self.code).label)

    @property
    def reported(self) -> bool:
        return self.source == Source.REPORTED


# Indicator code -> the InstitutionKind it counts (the "by kind" participations).
INSTITUTION_KIND_INDICATORS = {
    Indicator.INST_UNIVERSITY: InstitutionKind.UNIVERSITY,
    Indicator.INST_ACADEMY: InstitutionKind.ACADEMY,
    Indicator.INST_UNIVERSITY_COLLEGE: InstitutionKind.UNIVERSITY_COLLEGE,
    Indicator.INST_ARTISTIC: InstitutionKind.ARTISTIC,
    Indicator.INST_GTS: InstitutionKind.GTS,
    Indicator.INST_HOSPITAL: InstitutionKind.HOSPITAL,
    Indicator.INST_FOREIGN: InstitutionKind.FOREIGN,
}

_C, _R = Source.COMPUTED, Source.REPORTED
_DEFS = [
    (Indicator.COMPANIES, Unit.COUNT, _C,
     _("Forskellige virksomheder, der deltog i klyngens aktiviteter med start i året.")),
    (Indicator.SMES, Unit.COUNT, _C,
     _("Heraf mikro, små og mellemstore virksomheder (EU-definitionen 2003/361).")),
    (Indicator.SMALL_COMPANIES, Unit.COUNT, _C,
     _("Heraf små virksomheder med 10-49 ansatte.")),
    (Indicator.OUTSIDE, Unit.COUNT, _C,
     _("Deltagende virksomheder, hvis DB07-branche ligger uden for klyngens styrkeposition.")),
    (Indicator.INSTITUTION_PARTICIPATIONS, Unit.COUNT, _C,
     _("Videninstitutioners deltagelser i klyngens aktiviteter i året, alle typer.")),
    *(
        (code, Unit.COUNT, _C, _("Deltagelser i klyngens aktiviteter i året af denne type "
                                 "videninstitution."))
        for code in INSTITUTION_KIND_INDICATORS
    ),
    (Indicator.RD_APPLICATIONS, Unit.COUNT, _C,
     _("Aktiviteter af typen FoU-ansøgning med start i året.")),
    (Indicator.INTERNATIONAL, Unit.COUNT, _C,
     _("Aktiviteter i året, der er internationale eller EU-finansierede.")),
    (Indicator.COFINANCING, Unit.DKK, _C,
     _("Kontingenter, sponsorater, fondsmidler og projektmidler i årsrapporten.")),
    (Indicator.COMPETITIVE, Unit.DKK, _C,
     _("Konkurrenceudsatte midler hjemtaget i året, alle bevillingsgivere (årsrapporten).")),
    (Indicator.LEVERAGE, Unit.RATIO, _C,
     _("(Privat medfinansiering + hjemtag) ÷ forbrugt bevilling.")),
    (Indicator.NEW_PRODUCTS, Unit.COUNT, _R,
     _("Nye produkter, processer eller services, som deltagende virksomheder har udviklet "
       "med klyngens hjælp (klyngens egen opgørelse).")),
    (Indicator.NEW_MEMBERS, Unit.COUNT, _R,
     _("Virksomheder og organisationer, der er blevet medlem af klyngen i året.")),
]

CATALOGUE: dict[str, IndicatorDef] = {
    str(code): IndicatorDef(code=str(code), unit=str(unit), source=str(source), definition=d)
    for code, unit, source, d in _DEFS
}
assert set(CATALOGUE) == set(Indicator.values), "every indicator has a definition"

REPORTED_INDICATORS = tuple(c for c, d in CATALOGUE.items() if d.reported)
COMPUTED_INDICATORS = tuple(c for c, d in CATALOGUE.items() if not d.reported)
MONEY_INDICATORS = (Indicator.COFINANCING.value, Indicator.COMPETITIVE.value, Indicator.LEVERAGE.value)


def definition_of(code: str) -> IndicatorDef:
    return CATALOGUE[code]


def target_text(value) -> str:
    """A target in Danish: 80 -> "80", 1234.5 -> "1.234,50", None -> "–"."""
    if value is None:
        return "–"
    value = Decimal(value)
    return number(value, 0 if value == value.to_integral_value() else 2)
