"""The annual report's key figures and their drill-down lists.

``report_key_figures()`` computes the figures of the report's cluster and calendar year in SQL
(a fixed number of queries whatever the amount of data) and returns plain JSON-ready data, so
the same structure is shown on the report page and frozen in a ReportVersion at submission
(``rows=None``: every row). The report page asks for a preview (``rows=PREVIEW_ROWS``): the
figures and the first rows of each list, so the page's size does not grow with the data; the
rest is on the drill-down sub-pages (``drilldown_page()``: live, ``snapshot_drilldown_page()``:
a submitted version), DRILLDOWN_PAGE_SIZE rows a page, plain links that work without script.

Each list is one ``Drilldown``: its URL slug, where it sits in the key-figures dict, which table
shows it and the query (or filter) that gives its rows."""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from clusters import figures, figures_cache
from clusters.constants import (
    ActivityType,
    FacilitatedProjectStatus,
    InstitutionKind,
    SizeClass,
)
from clusters.models import Activity, Company, FacilitatedProject, InstitutionParticipation
from grants.reports.models import AnnualReport

# Institution kinds the DFIR brief wants to see more of: shown on their own.
HIGHLIGHTED_INSTITUTION_KINDS = (
    InstitutionKind.ACADEMY,
    InstitutionKind.UNIVERSITY_COLLEGE,
    InstitutionKind.ARTISTIC,
)
PREVIEW_ROWS = 10  # rows of each list on the report page itself
DRILLDOWN_PAGE_SIZE = 100  # rows a drill-down sub-page


def _labels(choices) -> dict[str, str]:
    """Every label of a TextChoices, translated once (not once per row)."""
    return {choice.value: str(choice.label) for choice in choices}


@dataclass(frozen=True)
class Drilldown:
    slug: str  # the sub-page's URL: /rapporter/<pk>/noegletal/<slug>/
    section: str  # its place in the key-figures dict: kf[section]["rows"]
    table: str  # activity | company | institution | project
    title: str


DRILLDOWNS = (
    Drilldown("aktiviteter", "activities", "activity", _("Årets aktiviteter")),
    Drilldown("virksomheder", "companies", "company", _("Deltagende virksomheder")),
    Drilldown("uden-for-styrkepositionen", "outside", "company",
              _("Virksomheder uden for styrkepositionen")),
    Drilldown("videninstitutioner", "institutions", "institution",
              _("Videninstitutionsdeltagelser")),
    Drilldown("internationale", "international", "activity",
              _("Internationale og EU-finansierede aktiviteter")),
    Drilldown("fou-ansoegninger", "rd_applications", "activity", _("Fælles FoU-ansøgninger")),
    Drilldown("faciliterede-projekter", "facilitated", "project", _("Faciliterede projekter")),
)
DRILLDOWN_BY_SLUG = {d.slug: d for d in DRILLDOWNS}


class _Lists:
    """The row queries of one cluster-year, each with the function that turns a row into the
    dict the templates (and the frozen snapshot) use."""

    def __init__(self, cluster, year: int):
        self.cluster_id, self.year = cluster.pk, year
        self.divisions = list(cluster.strength_position.db07_divisions)
        self.activity_labels = _labels(ActivityType)
        self.size_labels = _labels(SizeClass)
        self.kind_labels = _labels(InstitutionKind)
        self.status_labels = _labels(FacilitatedProjectStatus)

    # activities
    def activities(self):
        return (
            Activity.objects.filter(cluster_id=self.cluster_id, year=self.year)
            .annotate(n_companies=Count("company_participations", distinct=True),
                      n_institutions=Count("institution_participations", distinct=True))
            .values("id", "title", "activity_type", "start_date", "international", "eu_funded",
                    "n_companies", "n_institutions")
            .order_by("start_date", "id")
        )

    def international(self):
        return self.activities().filter(Q(international=True) | Q(eu_funded=True))

    def rd_applications(self):
        return self.activities().filter(activity_type=ActivityType.RD_APPLICATION)

    def activity_row(self, a) -> dict:
        return {
            "id": a["id"], "title": a["title"], "type": a["activity_type"],
            "type_label": self.activity_labels.get(a["activity_type"], a["activity_type"]),
            "start_date": a["start_date"].isoformat(), "international": a["international"],
            "eu_funded": a["eu_funded"], "companies": a["n_companies"],
            "institutions": a["n_institutions"],
        }

    # companies
    def companies(self):
        return (
            Company.objects.filter(participations__activity__cluster_id=self.cluster_id,
                                   participations__activity__year=self.year)
            .annotate(n_activities=Count("participations"))
            .values("id", "cvr", "name", "employees", "size_class", "db07_code", "n_activities")
            .order_by("name", "cvr")
        )

    def outside(self):
        """Known industry and inside none of the position's divisions (clusters.figures: the
        division is the DB07 code's first two digits)."""
        qs = self.companies().exclude(figures.unknown_industry_q())
        if self.divisions:
            qs = qs.exclude(reduce(or_, (Q(db07_code__startswith=d) for d in self.divisions)))
        return qs

    def company_row(self, c) -> dict:
        position = figures.industry_position(c["db07_code"], self.divisions)
        return {
            "id": c["id"], "cvr": c["cvr"], "name": c["name"], "employees": c["employees"],
            "size_class": c["size_class"],
            "size_label": self.size_labels.get(c["size_class"], c["size_class"]),
            "db07_code": c["db07_code"], "outside": position == figures.OUTSIDE,
            "unknown_industry": position == figures.UNKNOWN, "activities": c["n_activities"],
        }

    # knowledge institutions
    def participations(self):
        return InstitutionParticipation.objects.filter(activity__cluster_id=self.cluster_id,
                                                       activity__year=self.year)

    def institutions(self):
        return self.participations().values(
            "activity_id", "activity__title", "activity__start_date", "institution__name",
            "institution__kind",
        ).order_by("institution__kind", "institution__name", "activity__start_date", "id")

    def institution_row(self, p) -> dict:
        return {
            "activity_id": p["activity_id"], "activity": p["activity__title"],
            "start_date": p["activity__start_date"].isoformat(),
            "institution": p["institution__name"], "kind": p["institution__kind"],
            "kind_label": self.kind_labels.get(p["institution__kind"], p["institution__kind"]),
        }

    # facilitated projects
    def projects(self):
        return FacilitatedProject.objects.filter(cluster_id=self.cluster_id, year=self.year)

    def facilitated(self):
        return (
            self.projects()
            .annotate(n_companies=Count("partner_companies", distinct=True),
                      n_institutions=Count("partner_institutions", distinct=True))
            .values("id", "title", "funder", "status", "amount_applied_dkk", "amount_granted_dkk",
                    "cluster_share_dkk", "n_companies", "n_institutions")
            .order_by("title", "id")
        )

    def project_row(self, p) -> dict:
        return {
            "id": p["id"], "title": p["title"], "funder": p["funder"], "status": p["status"],
            "status_label": self.status_labels.get(p["status"], p["status"]),
            "applied_dkk": p["amount_applied_dkk"], "granted_dkk": p["amount_granted_dkk"],
            "cluster_share_dkk": p["cluster_share_dkk"], "partner_companies": p["n_companies"],
            "partner_institutions": p["n_institutions"],
        }

    def query(self, drilldown: Drilldown):
        return getattr(self, drilldown.section)()

    def row_function(self, drilldown: Drilldown):
        return getattr(self, f"{drilldown.table}_row")

    def rows(self, drilldown: Drilldown, limit: int | None) -> list[dict]:
        qs = self.query(drilldown)
        row = self.row_function(drilldown)
        return [row(r) for r in (qs if limit is None else qs[:limit])]


def report_key_figures(*, report: AnnualReport, rows: int | None = None) -> dict:
    """The key figures of the report's cluster and calendar year with their drill-down rows:
    every row (``rows=None``, what a submitted version freezes) or the first ``rows`` of each
    list. Twelve queries, whatever the amount of data."""
    cluster = report.grant.cluster
    year = report.year
    lists = _Lists(cluster, year)

    # 1. activity counts
    agg = Activity.objects.filter(cluster_id=cluster.pk, year=year).aggregate(
        total=Count("id"),
        n_international=Count("id", filter=Q(international=True)),
        n_eu_funded=Count("id", filter=Q(eu_funded=True)),
        n_international_or_eu=Count("id", filter=Q(international=True) | Q(eu_funded=True)),
        **{f"type_{t.value}": Count("id", filter=Q(activity_type=t.value)) for t in ActivityType},
    )
    # 2. company counts (distinct companies, by the one definition in clusters.figures)
    cagg = figures.cluster_year_companies([cluster.pk], [year]).get(
        (cluster.pk, year)
    ) or figures.empty_company_figures()
    # 3. institution participation counts
    iagg = lists.participations().aggregate(
        total=Count("id"),
        activities=Count("activity_id", distinct=True),
        **{f"kind_{k.value}": Count("id", filter=Q(institution__kind=k.value))
           for k in InstitutionKind},
    )
    # 4. facilitated project totals
    pagg = lists.projects().aggregate(
        total=Count("id"),
        granted=Count("id", filter=Q(status=FacilitatedProjectStatus.GRANTED)),
        applied_dkk=Coalesce(Sum("amount_applied_dkk"), 0),
        granted_dkk=Coalesce(Sum("amount_granted_dkk"), 0),
        cluster_share_dkk=Coalesce(Sum("cluster_share_dkk"), 0),
    )
    # 5.-11. the drill-down rows, one query each; 12. the unknown-industry rows (in full only)
    listed = {d.section: lists.rows(d, rows) for d in DRILLDOWNS}
    unknown_rows = (
        [c for c in listed["companies"] if c["unknown_industry"]] if rows is None else []
    )

    total_companies = cagg["companies"]
    outside = cagg["companies_outside_strength_position"]
    known = total_companies - cagg["companies_unknown_industry"]
    return {
        "key_figures": figures.key_figures_of(cagg),
        "year": year,
        "strength_position": cluster.strength_position.name,
        "strength_divisions": lists.divisions,
        "activities": {
            "total": agg["total"],
            "by_type": [
                {"code": t.value, "label": str(t.label), "count": agg[f"type_{t.value}"]}
                for t in ActivityType
            ],
            "rows": listed["activities"],
        },
        "companies": {
            "total": total_companies,
            "sme": cagg["smes"],
            "small": cagg[f"{SizeClass.SMALL.value}_companies"],
            "by_size": [
                {"code": s.value, "label": str(s.label), "count": cagg[f"{s.value}_companies"]}
                for s in SizeClass
            ],
            "rows": listed["companies"],
        },
        "outside": {
            "total": outside,
            "share_permille": (outside * 1000 // known) if known > 0 else 0,
            "rows": listed["outside"],
        },
        "unknown_industry": {
            "total": cagg["companies_unknown_industry"],
            "rows": unknown_rows,
        },
        "institutions": {
            "participations": iagg["total"],
            "total": iagg["total"],
            "activities": iagg["activities"],
            "by_kind": [
                {
                    "code": k.value, "label": str(k.label), "count": iagg[f"kind_{k.value}"],
                    "highlighted": k in HIGHLIGHTED_INSTITUTION_KINDS,
                }
                for k in InstitutionKind
            ],
            "rows": listed["institutions"],
        },
        "international": {
            "international": agg["n_international"],
            "eu_funded": agg["n_eu_funded"],
            "total": agg["n_international_or_eu"],
            "rows": listed["international"],
        },
        "rd_applications": {
            "total": agg[f"type_{ActivityType.RD_APPLICATION.value}"],
            "rows": listed["rd_applications"],
        },
        "facilitated": {
            "total": pagg["total"],
            "granted": pagg["granted"],
            "applied_dkk": pagg["applied_dkk"],
            "granted_dkk": pagg["granted_dkk"],
            "cluster_share_dkk": pagg["cluster_share_dkk"],
            "rows": listed["facilitated"],
        },
    }


def report_page_key_figures(*, report: AnnualReport) -> dict:
    """The report page's key figures (the first PREVIEW_ROWS of each list), computed once per
    change of the cluster's data (clusters.figures_cache). Their labels are in the current
    language, and the cluster's strength position names the divisions, so both are in the key."""
    cluster = report.grant.cluster
    return figures_cache.cached(
        "report-key-figures", cluster.pk,
        (report.year, PREVIEW_ROWS, cluster.strength_position_id, get_language()),
        lambda: report_key_figures(report=report, rows=PREVIEW_ROWS),
    )


def drilldown_page(*, report: AnnualReport, drilldown: Drilldown, number) -> Page:
    """One page of a drill-down list, live: two queries (the count and the page's rows)."""
    lists = _Lists(report.grant.cluster, report.year)
    page = Paginator(lists.query(drilldown), DRILLDOWN_PAGE_SIZE).get_page(number)
    row = lists.row_function(drilldown)
    page.object_list = [row(r) for r in page.object_list]
    return page


def snapshot_drilldown_page(*, key_figures: dict, drilldown: Drilldown, number) -> Page:
    """One page of a drill-down list as a submitted version froze it. Versions frozen before
    the international total was stored count their rows."""
    rows = (key_figures.get(drilldown.section) or {}).get("rows") or []
    return Paginator(rows, DRILLDOWN_PAGE_SIZE).get_page(number)
