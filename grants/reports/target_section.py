"""The annual report's target section (måltal): target / realised / deviation / attainment per
indicator for the report's grant year, and the save of the hand-reported values.

The computed indicators come from the programme figures (grants.targets.selectors); the money
indicators (co-financing, competitive funds, leverage) from the report itself, so the section
shows what the cluster has typed into its draft. The same reader serves the grant's whole
horizon (``grant_target_overview``) for the dashboard, the API, the midway rubric and the cohort."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Q, Sum

from clusters import figures
from grants.core.models import Grant
from grants.reports.models import AnnualReport, CompetitiveFunding
from grants.reports.services import ReportNotEditable, _check_own_cluster, _lock_report
from grants.reports.target_forms import ReportedIndicatorsForm
from grants.rules import EDITABLE_REPORT_STATES, REPORTED_STATES
from grants.targets import selectors as target_selectors
from grants.targets.catalogue import INSTITUTION_KIND_INDICATORS, Indicator
from grants.targets.models import GrantTarget
from grants.targets.services import reported_values_set

LEVERAGE_PLACES = Decimal("0.01")


def money_realised(grant: Grant, year_numbers, *, reported_only: bool = False) -> dict:
    """Co-financing, competitive funds and leverage per grant year from the reports (two
    queries). ``reported_only`` counts submitted reports only (the midway evaluation)."""
    return money_realised_many([grant], year_numbers, reported_only=reported_only).get(grant.pk, {})


def money_realised_many(grants, year_numbers, *, reported_only: bool = False) -> dict[int, dict]:
    """grant id -> year number -> the money indicators, in two queries."""
    reports = AnnualReport.objects.filter(grant__in=[g.pk for g in grants],
                                          year_number__in=list(year_numbers))
    if reported_only:
        reports = reports.filter(status__in=REPORTED_STATES)
    rows = list(reports.values("pk", "grant_id", "year_number", "grant_spent_dkk",
                               *figures.COFINANCING_FIELDS))
    competitive = dict(
        CompetitiveFunding.objects.filter(report_id__in=[r["pk"] for r in rows])
        .values("report_id").annotate(total=Sum("amount_dkk")).values_list("report_id", "total")
    )
    out: dict[int, dict] = {g.pk: {} for g in grants}
    for r in rows:
        filled = any(r[name] is not None for name in figures.COFINANCING_FIELDS)
        cof = figures.cofinancing(r) if filled else None
        comp = competitive.get(r["pk"])
        comp = Decimal(comp) if comp is not None else (Decimal(0) if filled else None)
        spent = r["grant_spent_dkk"]
        leverage = None
        if spent and cof is not None:
            leverage = ((Decimal(cof) + (comp or 0)) / Decimal(spent)).quantize(
                LEVERAGE_PLACES, ROUND_HALF_UP)
        out[r["grant_id"]][r["year_number"]] = {
            Indicator.COFINANCING.value: None if cof is None else Decimal(cof),
            Indicator.COMPETITIVE.value: comp,
            Indicator.LEVERAGE.value: leverage,
        }
    return out


def grant_target_overview(grant: Grant, year_numbers=None, *, reported_only: bool = False,
                          with_reported: bool = False) -> dict[int, dict]:
    """year_number -> {"rows": [...], "attainment": Decimal | None} for the grant's years (all
    by default). A fixed number of queries (about eight) whatever the number of years."""
    year_numbers = list(year_numbers or range(1, grant.horizon_years + 1))
    return target_overview_many([grant], year_numbers, reported_only=reported_only,
                                with_reported=with_reported)[grant.pk]


def target_overview_many(grants, year_numbers, *, reported_only: bool = False,
                         with_reported: bool = False,
                         companies: dict | None = None) -> dict[int, dict[int, dict]]:
    """grant id -> ``grant_target_overview`` for many grants in the same fixed number of
    queries (the cohort view and the midway rubric read a whole peer group at once).
    ``companies``: the company figures already read (``computed_realised_many``)."""
    grants, year_numbers = list(grants), list(year_numbers)
    targets = target_selectors.targets_of_many(grants, year_numbers)
    computed = target_selectors.computed_realised_many(grants, year_numbers, companies=companies)
    reported = target_selectors.reported_realised_many(grants, year_numbers)
    money = money_realised_many(grants, year_numbers, reported_only=reported_only)
    out: dict[int, dict[int, dict]] = {}
    for g in grants:
        per_year = {}
        for n in year_numbers:
            realised = {**computed[g.pk].get(n, {}), **money[g.pk].get(n, {}),
                        **reported[g.pk].get(n, {})}
            rows = target_selectors.target_rows(targets=targets.get(g.pk, {}).get(n, {}),
                                                realised=realised, with_reported=with_reported)
            per_year[n] = {"year_number": n, "year": g.calendar_year(n), "rows": rows,
                           "attainment": target_selectors.year_attainment(rows)}
        out[g.pk] = per_year
    return out


def attainment_by_year(grants, year_numbers, *,
                       companies: dict | None = None) -> dict[int, dict[int, Decimal | None]]:
    """grant id -> year number -> the year's attainment, from submitted reports only.
    ``companies``: the company figures already read (``computed_realised_many``)."""
    overview = target_overview_many(grants, year_numbers, reported_only=True, companies=companies)
    return {gid: {n: y["attainment"] for n, y in years.items()} for gid, years in overview.items()}


def report_target_section(*, report: AnnualReport, key_figures: dict | None = None,
                          competitive_funding=None) -> dict:
    """The section's data for one report: its year's rows (every hand-reported indicator
    included, so the cluster can enter it) and the year's overall attainment. Given the page's
    key figures (grants.reports.selectors.report_key_figures, the same figures.py definitions)
    and its competitive funding rows, it adds two queries only (targets, reported values)."""
    if key_figures is None or competitive_funding is None:
        return grant_target_overview(report.grant, [report.year_number], with_reported=True)[
            report.year_number]
    n = report.year_number
    realised = {**realised_from_key_figures(key_figures),
                **money_from_report(report, competitive_funding),
                **target_selectors.reported_realised(report.grant, [n]).get(n, {})}
    rows = target_selectors.target_rows(targets=target_selectors.targets_of(report.grant).get(n, {}),
                                        realised=realised, with_reported=True)
    return {"year_number": n, "year": report.year, "rows": rows,
            "attainment": target_selectors.year_attainment(rows)}


def realised_from_key_figures(kf: dict) -> dict:
    """The computed indicators from a report's key figures (report_key_figures)."""
    by_kind = {k["code"]: k["count"] for k in kf["institutions"]["by_kind"]}
    return {
        Indicator.COMPANIES.value: Decimal(kf["companies"]["total"]),
        Indicator.SMES.value: Decimal(kf["companies"]["sme"]),
        Indicator.SMALL_COMPANIES.value: Decimal(kf["companies"]["small"]),
        Indicator.OUTSIDE.value: Decimal(kf["outside"]["total"]),
        Indicator.INSTITUTION_PARTICIPATIONS.value: Decimal(kf["institutions"]["participations"]),
        **{code.value: Decimal(by_kind.get(kind.value, 0))
           for code, kind in INSTITUTION_KIND_INDICATORS.items()},
        Indicator.RD_APPLICATIONS.value: Decimal(kf["rd_applications"]["total"]),
        Indicator.INTERNATIONAL.value: Decimal(kf["international"]["total"]),
    }


def money_from_report(report: AnnualReport, competitive_funding) -> dict:
    """The money indicators of one report row and its competitive funding rows (no query)."""
    row = {name: getattr(report, name) for name in figures.COFINANCING_FIELDS}
    filled = any(v is not None for v in row.values())
    cof = figures.cofinancing(row) if filled else None
    comp = sum((f.amount_dkk for f in competitive_funding), 0)
    comp = Decimal(comp) if (competitive_funding or filled) else None
    leverage = None
    if report.grant_spent_dkk and cof is not None:
        leverage = ((Decimal(cof) + (comp or 0)) / Decimal(report.grant_spent_dkk)).quantize(
            LEVERAGE_PLACES, ROUND_HALF_UP)
    return {Indicator.COFINANCING.value: None if cof is None else Decimal(cof),
            Indicator.COMPETITIVE.value: comp, Indicator.LEVERAGE.value: leverage}


@transaction.atomic
def report_targets_save(*, report: AnnualReport, actor, values: dict) -> int:
    """Save the hand-reported indicator values of an editable report, by the cluster's own
    people. Raises ReportNotEditable / PermissionDenied / TargetError."""
    locked = _lock_report(report)
    _check_own_cluster(actor=actor, cluster_id=locked.grant.cluster_id)
    if locked.status not in EDITABLE_REPORT_STATES:
        raise ReportNotEditable(locked.status)
    return reported_values_set(grant=locked.grant, year_number=locked.year_number,
                               values=values, actor=actor,
                               basis=f"årsrapport {locked.year}")


def target_section_context(report: AnnualReport, page: dict) -> dict:
    """What the report page adds for the section (templates/grants/_report_targets.html),
    reading the page's own key figures and funding rows (``page``: report_page_data)."""
    section = report_target_section(report=report, key_figures=page["key_figures"],
                                    competitive_funding=page["competitive_funding"])
    initial = {r["indicator"]: r["realised"] for r in section["rows"] if r["reported"]}
    return {"targets": section, "targets_form": ReportedIndicatorsForm(initial_values=initial)}


def dashboard_target_bars(*, grants, today) -> list[dict]:
    """This year's targets for the director's dashboard: per active grant running this year,
    the grant year's rows and attainment (one batch read, a fixed number of queries)."""
    running = [g for g in grants if g.status == "active" and g.start_year <= today.year <= g.end_year]
    if not running:
        return []
    with_targets = set(GrantTarget.objects.filter(
        Q(*[Q(grant_id=g.pk, year_number=today.year - g.start_year + 1) for g in running],
          _connector=Q.OR)).values_list("grant_id", flat=True).distinct())
    by_year: dict[int, list[Grant]] = {}
    for g in running:
        if g.pk in with_targets:  # one query when nothing is set for this year
            by_year.setdefault(today.year - g.start_year + 1, []).append(g)
    bars = []
    for n, group in by_year.items():
        overview = target_overview_many(group, [n])
        bars += [{"grant": g, **overview[g.pk][n]} for g in group if overview[g.pk][n]["rows"]]
    return sorted(bars, key=lambda b: b["grant"].reference)
