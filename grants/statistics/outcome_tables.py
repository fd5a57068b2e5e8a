"""Two tables of the public statistics from issue 15: "Resultater i virksomhederne" (outcomes
in companies, grants.outcomes.selectors.outcome_statistics) and fee level against SME share
(clusters.stateaid.selectors.fee_level_by_sme_share). Kept apart from tables.py so the
precomputed-aggregate rewrite of /statistik/ can fold them in; a row resting on fewer than
MIN_COMPANIES_SHOWN companies is withheld on the public page, as everywhere else."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from clusters.stateaid.selectors import fee_level_by_sme_share
from grants.outcomes.constants import OutcomeKind
from grants.outcomes.selectors import outcome_statistics
from grants.statistics.selectors import MIN_COMPANIES_SHOWN
from grants.statistics.tables import DKK, INT, SHARE, TEXT, Cell, Chart, Table

FEE_BAND_LABELS = {
    "free": _("Gratis"), "under_500": _("Under 500 kr."), "500_1999": _("500–1.999 kr."),
    "2000_plus": _("2.000 kr. og derover"),
}


def _small(n) -> bool:
    return (n or 0) < MIN_COMPANIES_SHOWN


def outcome_table(*, from_year: int, to_year: int, public: bool, figures: dict | None = None) -> Table:
    f = figures or outcome_statistics(from_year=from_year, to_year=to_year)
    table = Table("resultater", _("Resultater i virksomhederne"),
                  [(_("Resultat"), TEXT), (_("Virksomheder"), INT), (_("Registreret af klyngen"), INT),
                   (_("Oplyst af virksomheden"), INT), (_("Andel af deltagende virksomheder"), SHARE)],
                  chart=Chart(1, _("Virksomheder med resultatet")))
    base = f["participating_companies"]
    for kind, label in OutcomeKind.choices:
        n = f[f"{kind}_companies"]
        hide = public and _small(n)
        table.add(Cell(label), Cell(n, INT, hide), Cell(f[f"{kind}_cluster"], INT, hide),
                  Cell(f[f"{kind}_survey"], INT, hide),
                  Cell(round(n / base, 4) if base else None, SHARE, hide))
    hide_investment = public and _small(f[f"{OutcomeKind.INVESTMENT}_companies"])
    table.add(Cell(_("Udløste investeringer i alt (kr.)")), Cell(f["investment_dkk"], DKK, hide_investment),
              Cell(None), Cell(None), Cell(None))
    table.note = _("Resultaterne registreres af klyngerne eller oplyses af virksomhederne i et opfølgende "
                   "spørgeskema; en virksomhed tæller én gang pr. resultat.")
    return table


def fee_table(*, from_year: int, to_year: int, public: bool, rows: list[dict] | None = None) -> Table:
    table = Table("deltagerbetaling", _("Deltagerbetaling og andel SMV"),
                  [(_("Deltagerbetaling pr. deltager"), TEXT), (_("Aktiviteter"), INT),
                   (_("Virksomhedsdeltagelser"), INT), (_("Andel SMV af deltagelserne"), SHARE)],
                  chart=Chart(2, _("Deltagelser efter deltagerbetaling")))
    if rows is None:
        rows = fee_level_by_sme_share(from_year=from_year, to_year=to_year)
    for row in rows:
        hide = public and _small(row["companies"])
        table.add(Cell(FEE_BAND_LABELS[row["band"]]), Cell(row["activities"], INT, hide),
                  Cell(row["participations"], INT, hide), Cell(row["sme_share"], SHARE, hide))
    table.note = _("Viser, om deltagerbetaling holder små og mellemstore virksomheder ude af klyngernes aktiviteter.")
    return table


def issue15_tables(*, from_year: int, to_year: int, public: bool, stats=None, **_ignored) -> list[Table]:
    """The two tables; from ``stats`` when it carries them (the stored aggregates of the public
    page), else read live (the caseworkers' and a cluster's own page)."""
    stored = stats is not None and stats.outcomes is not None
    return [outcome_table(from_year=from_year, to_year=to_year, public=public,
                          figures=stats.outcomes if stored else None),
            fee_table(from_year=from_year, to_year=to_year, public=public,
                      rows=stats.fee_levels if stored else None)]
