"""The statistics pages' tables, built once from `programme_statistics` and used three ways:
rendered as HTML tables (with a server-side SVG bar chart beside some), and exported as CSV and
XLSX. The public variant suppresses every figure computed from fewer than 5 companies.

Nothing here computes a figure from rows: it arranges the aggregates the selectors returned.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from clusters.constants import ActivityType, FunderKind, InstitutionKind, SizeClass
from grants.statistics.selectors import COFINANCING_SOURCES, MIN_COMPANIES_SHOWN, Statistics
from klyngeadmin.kernel import formatting

TEXT, INT, DKK, SHARE, RATIO = "text", "int", "dkk", "share", "ratio"
SUPPRESSED_MARK = ".."  # Danmarks Statistik's mark for a figure withheld (diskretioneret)


def format_value(value, kind: str) -> str:
    """Danish formatting (klyngeadmin.kernel.formatting): 1.234.567 kr., 50,0 %, 2,33."""
    if value is None:
        return formatting.EMPTY
    if kind == INT:
        return formatting.number(value)
    if kind == DKK:
        return formatting.kr(value)
    if kind == SHARE:
        return formatting.pct(value)
    if kind == RATIO:
        return formatting.ratio(value)
    return str(value)


@dataclass
class Cell:
    value: object
    kind: str = TEXT
    suppressed: bool = False

    @property
    def display(self) -> str:
        return "" if self.suppressed else format_value(self.value, self.kind)

    @property
    def numeric(self) -> bool:
        return self.kind != TEXT


@dataclass
class Chart:
    """A horizontal bar chart of one numeric column against the first column."""

    column: int
    title: str

    # Geometry of the SVG (viewBox units): each bar has its label above it and its value after it.
    BAR_MAX, ROW = 330, 44

    def bars(self, table: Table) -> list[dict]:
        cells = [(row[0], row[self.column]) for row in table.rows]
        top = max((c.value or 0 for _, c in cells if not c.suppressed), default=0) or 1
        bars = []
        for i, (label, cell) in enumerate(cells):
            width = 0
            if not cell.suppressed and cell.value:
                width = max(1, round(self.BAR_MAX * cell.value / top))
            y = 4 + i * self.ROW
            bars.append({
                "label": label.display, "display": cell.display or _("vises ikke"),
                "width": width, "label_y": y + 12, "y": y + 17, "value_y": y + 30,
                "value_x": width + 6,
            })
        return bars

    def height(self, table: Table) -> int:
        return 8 + self.ROW * len(table.rows)


@dataclass
class Table:
    key: str
    caption: str
    columns: list[tuple[str, str]]  # (label, kind)
    rows: list[list[Cell]] = field(default_factory=list)
    chart: Chart | None = None
    note: str = ""
    csv_url: str = ""
    xlsx_url: str = ""

    def add(self, *cells: Cell) -> None:
        self.rows.append(list(cells))

    @property
    def wide(self) -> bool:
        return len(self.columns) > 4

    @property
    def has_suppressed(self) -> bool:
        return any(cell.suppressed for row in self.rows for cell in row)

    @property
    def chart_bars(self) -> list[dict]:
        return self.chart.bars(self) if self.chart else []

    @property
    def chart_height(self) -> int:
        return self.chart.height(self) if self.chart else 0


def _small(companies) -> bool:
    return (companies or 0) < MIN_COMPANIES_SHOWN


def build_tables(stats: Statistics, *, public: bool) -> list[Table]:
    """Every table of a statistics page, in page order. `public` applies the 5-company rule."""
    t = stats.totals
    hide_all = public and _small(t["companies"])

    def c(value, kind=INT, hide=False):
        return Cell(value, kind, suppressed=bool(public and (hide or hide_all)))

    tables = []

    headline = Table("noegletal", _("Nøgletal"), [(_("Nøgletal"), TEXT), (_("Værdi"), TEXT)])
    size_parts = [t[f"{s.value}_companies"] for s in SizeClass]
    hide_sizes = any(_small(n) for n in size_parts)  # no part, nor the SME total, below 5
    for label, value, kind, hide in [
        (_("Virksomheder (forskellige)"), t["companies"], INT, False),
        (_("Aktiviteter"), t["activities"], INT, False),
        (_("Virksomhedsdeltagelser"), t["company_participations"], INT, False),
        (_("Videninstitutionsdeltagelser"), t["institution_participations"], INT, False),
        (_("Aktiviteter med videninstitutioner"), t["institution_activities"], INT, False),
        (_("Forbrugt bevilling"), t["grant_spent_dkk"], DKK, False),
        (_("Ekstern finansiering (medfinansiering og hjemtag)"), t["external_funding_dkk"], DKK,
         False),
        (_("Ekstern finansiering pr. bevillingskrone"), t["leverage"], RATIO, False),
        (_("Virksomheder uden for klyngens styrkeposition"),
         t["companies_outside_strength_position"], INT, False),
        (_("Virksomheder med ukendt branche (ingen DB07-kode)"),
         t["companies_unknown_industry"], INT, False),
        (_("Andel uden for styrkepositionen"), t["share_companies_outside_strength_position"],
         SHARE, False),
        (_("Små og mellemstore virksomheder (SMV)"), t["sme_companies"], INT, hide_sizes),
        (_("Andel SMV"), t["sme_share"], SHARE, hide_sizes),
    ]:
        headline.add(Cell(label), c(value, kind, hide))
    tables.append(headline)

    sizes = Table("virksomhedsstoerrelse", _("Virksomheder efter størrelse"),
                  [(_("Størrelse"), TEXT), (_("Virksomheder"), INT), (_("Andel"), SHARE)],
                  chart=Chart(1, _("Virksomheder efter størrelse")))
    for size, count in zip(SizeClass, size_parts, strict=True):
        share = count / t["companies"] if t["companies"] else None
        sizes.add(Cell(size.label), c(count, INT, hide_sizes),
                  c(round(share, 4) if share is not None else None, SHARE, hide_sizes))
    tables.append(sizes)

    known = t["companies"] - t["companies_unknown_industry"]
    position = Table("styrkeposition", _("Virksomheder i forhold til klyngens styrkeposition"),
                     [(_("Branche"), TEXT), (_("Virksomheder"), INT), (_("Andel af kendt branche"), SHARE)])
    outside = t["companies_outside_strength_position"]
    for label, count, share in [
        (_("Inden for styrkepositionen"), known - outside,
         round((known - outside) / known, 4) if known else None),
        (_("Uden for styrkepositionen"), outside, t["share_companies_outside_strength_position"]),
        (_("Ukendt branche"), t["companies_unknown_industry"], None),
    ]:
        position.add(Cell(label), c(count), c(share, SHARE))
    position.note = _("Andelen uden for styrkepositionen regnes af virksomhederne med kendt branche.")
    tables.append(position)

    kinds = Table("videninstitutioner", _("Videninstitutioner efter type"),
                  [(_("Type"), TEXT), (_("Deltagelser"), INT), (_("Aktiviteter"), INT)],
                  chart=Chart(1, _("Deltagelser efter type af videninstitution")))
    for kind in InstitutionKind:
        kinds.add(Cell(kind.label), c(t[f"institution_participations_{kind.value}"]),
                  c(t[f"institution_activities_{kind.value}"]))
    tables.append(kinds)

    acts = Table("aktiviteter", _("Aktiviteter efter type"),
                 [(_("Aktivitetstype"), TEXT), (_("Aktiviteter"), INT)],
                 chart=Chart(1, _("Aktiviteter efter type")))
    for kind in ActivityType:
        acts.add(Cell(kind.label), c(t[f"activities_{kind.value}"]))
    acts.add(Cell(_("Heraf internationale")), c(t["international_activities"]))
    acts.add(Cell(_("Heraf EU-finansierede")), c(t["eu_funded_activities"]))
    tables.append(acts)

    money = Table("finansiering", _("Bevilling og ekstern finansiering"),
                  [(_("Kilde"), TEXT), (_("Beløb"), DKK)],
                  chart=Chart(1, _("Ekstern finansiering efter kilde")))
    source_labels = {"membership": _("Medfinansiering: kontingenter"),
                     "sponsorship": _("Medfinansiering: sponsorater"),
                     "foundation": _("Medfinansiering: fondsmidler"),
                     "project": _("Medfinansiering: projektmidler")}
    for source in COFINANCING_SOURCES:
        money.add(Cell(source_labels[source]), c(t[f"cofinancing_{source}_dkk"], DKK))
    for kind in FunderKind:
        money.add(Cell(_("Hjemtaget: %(kind)s") % {"kind": kind.label}),
                  c(t[f"competitive_funding_{kind.value}_dkk"], DKK))
    # No full stop after an amount: "… kr." already ends with one ("kr.." otherwise).
    money.note = _("Forbrugt bevilling i perioden: %(spent)s; ekstern finansiering i alt: "
                   "%(external)s") % {
        "spent": "" if hide_all else format_value(t["grant_spent_dkk"], DKK),
        "external": "" if hide_all else format_value(t["external_funding_dkk"], DKK)}
    tables.append(money)

    kind_labels = dict(FunderKind.choices)
    funders = Table("hjemtag", _("Hjemtagne konkurrenceudsatte midler efter bevillingsgiver"),
                    [(_("Bevillingsgiver"), TEXT), (_("Type"), TEXT), (_("Beløb"), DKK)],
                    chart=Chart(2, _("Hjemtag efter bevillingsgiver")))
    for row in stats.competitive_by_funder:
        funders.add(Cell(row["funder"]), Cell(kind_labels.get(row["funder_kind"], "")),
                    c(row["amount_dkk"], DKK))
    tables.append(funders)

    facilitated = Table("faciliterede", _("Faciliterede eksternt finansierede projekter"),
                        [(_("Bevillingsgiver"), TEXT), (_("Projekter"), INT),
                         (_("Bevilget"), DKK)])
    for kind in FunderKind:
        facilitated.add(Cell(kind.label), c(t[f"facilitated_projects_{kind.value}"]),
                        c(t[f"facilitated_granted_{kind.value}_dkk"], DKK))
    facilitated.add(Cell(_("I alt")), c(t["facilitated_projects"]),
                    c(t["facilitated_granted_dkk"], DKK))
    tables.append(facilitated)

    trend_columns = [
        (_("Virksomheder"), "companies", INT), (_("Aktiviteter"), "activities", INT),
        (_("Deltagelser"), "company_participations", INT),
        (_("Andel uden for styrkepositionen"), "share_companies_outside_strength_position", SHARE),
        (_("Videninstitutionsdeltagelser"), "institution_participations", INT),
        (_("Forbrugt bevilling"), "grant_spent_dkk", DKK),
        (_("Ekstern finansiering"), "external_funding_dkk", DKK),
        (_("Ekstern finansiering pr. bevillingskrone"), "leverage", RATIO),
    ]
    years = Table("aar", _("Udvikling år for år"),
                  [(_("År"), TEXT)] + [(label, kind) for label, _key, kind in trend_columns],
                  chart=Chart(2, _("Aktiviteter pr. år")))
    for year, f in stats.by_year:
        hide = _small(f["companies"])
        years.add(Cell(str(year)), *(c(f[key], kind, hide) for _label, key, kind in trend_columns))
    tables.append(years)

    per_cluster = Table(
        "klynger", _("Klyngerne side om side"),
        [(_("Klynge"), TEXT), (_("Styrkeposition"), TEXT)]
        + [(label, kind) for label, _key, kind in trend_columns],
        chart=Chart(2, _("Virksomheder pr. klynge")),
    )
    for cluster, f in stats.by_cluster:
        hide = _small(f["companies"])
        per_cluster.add(Cell(cluster.name), Cell(cluster.strength_position.name),
                        *(c(f[key], kind, hide) for _label, key, kind in trend_columns))
    tables.append(per_cluster)
    return tables


def table_by_key(tables: list[Table], key: str) -> Table | None:
    return next((table for table in tables if table.key == key), None)
