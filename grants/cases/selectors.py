"""Reads for the case pages, scoped to the person asking (klyngeadmin.scoping.scope_to_user).

Only caseworkers and the head of office see cases; cluster people see their own cluster's
messages and decision letters (never internal notes) through the cluster_* selectors."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import rules
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    prefetch_related_objects,
)
from django.db.models.fields.json import KeyTransform
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clusters.models import ClusterOrganisation, Company
from clusters.selectors import activity_list as cluster_activity_list
from grants.cases.models import (
    Amendment,
    Case,
    CaseAttachment,
    CaseEvent,
    ConditionFollowUp,
    DecisionLetter,
    Hearing,
    JournalCounter,
    RepaymentClaim,
    TrancheProposal,
)
from grants.cases.party import party_case_ids
from grants.cases.services import hearing_receipt
from grants.cases.tranches import year_tranche
from grants.cases.workflows import CASE_HANDLERS, CASE_WORKFLOW, MANUAL_TRANSITIONS, OPEN_STATES
from grants.constants import (
    AmendmentKind,
    AmendmentStatus,
    CaseEventKind,
    CaseStatus,
    CaseType,
    ExtensionStatus,
    GrantStatus,
    HearingSubject,
    ProposalStatus,
    RepaymentStatus,
    ReportStatus,
    TrancheStatus,
)
from grants.core.models import Grant, Tranche
from grants.deadlines.models import DeadlineExtension
from grants.reports.models import AnnualReport, ReportAttachment, ReportEvent, ReportVersion
from klyngeadmin.accounts.models import User
from klyngeadmin.kernel.prefetch import mark_empty
from klyngeadmin.kernel.scoping import scope_to_user

TABS = {"mine": _("Mine sager"), "unassigned": _("Ikke fordelte"), "all": _("Alle sager"),
        "svar": _("Svar fra klyngen"), "godkendelse": _("Til godkendelse")}

# What the cluster writes in a case, and what the authority writes to the cluster.
CLUSTER_KINDS = (CaseEventKind.CLUSTER_MESSAGE, CaseEventKind.HEARING_ANSWER,
                 CaseEventKind.CONDITION_REPORT)
AUTHORITY_KINDS = (CaseEventKind.MESSAGE, CaseEventKind.HEARING, CaseEventKind.DECISION)
SEARCHED_KINDS = (*CLUSTER_KINDS, *AUTHORITY_KINDS, CaseEventKind.NOTE)


def _last_event_at(kinds):
    return Subquery(
        CaseEvent.objects.filter(case=OuterRef("pk"), kind__in=kinds, internal=False)
        .order_by("-created_at").values("created_at")[:1]
    )


def cluster_replied_q() -> Q:
    """A case whose newest word is the cluster's: a message, hearing answer or condition report
    written after the authority's last message, hearing letter or decision ("svar fra klyngen")."""
    answered = CaseEvent.objects.filter(case=OuterRef("case"), kind__in=AUTHORITY_KINDS,
                                        internal=False, created_at__gte=OuterRef("created_at"))
    later = CaseEvent.objects.filter(case=OuterRef("pk"), kind__in=CLUSTER_KINDS).filter(
        ~Exists(answered))
    return Q(Exists(later), status__in=OPEN_STATES)


# -- "Til godkendelse": what awaits the head of office. One entry per source; a new source (an
# amendment case's approval, say) adds a Q on Case and a function that describes its rows.
def _proposal_q() -> Q:
    return Q(Exists(TrancheProposal.objects.filter(case=OuterRef("pk"),
                                                   status=ProposalStatus.PROPOSED)))


def _midway_decision_q() -> Q:
    return Q(case_type=CaseType.MIDWAY_EVALUATION, evaluation__status="proposed",
             status__in=OPEN_STATES)


def _describe_proposals(case_ids) -> dict:
    out: dict = {}
    for p in TrancheProposal.objects.filter(case_id__in=case_ids, status=ProposalStatus.PROPOSED
                                            ).select_related("proposed_by", "tranche"):
        out.setdefault(p.case_id, []).append({
            "label": p.get_kind_display(), "amount_dkk": p.amount_dkk, "year": p.tranche.year,
            "proposer": p.proposed_by, "at": p.proposed_at, "confirm": "godkend-indstilling",
        })
    return out


def _describe_midway(case_ids) -> dict:
    out: dict = {}
    rows = Case.objects.filter(pk__in=case_ids, case_type=CaseType.MIDWAY_EVALUATION).values(
        "pk", "evaluation_id", "evaluation__decision__outcome", "evaluation__decision__proposed_at",
        "evaluation__decision__proposed_by__first_name", "evaluation__decision__proposed_by__last_name",
        "evaluation__status")
    for r in rows:
        if r["evaluation__status"] != "proposed":
            continue
        out.setdefault(r["pk"], []).append({
            "label": _("Afgørelse i midtvejsevalueringen"), "outcome": r["evaluation__decision__outcome"],
            "proposer_name": " ".join(filter(None, [r["evaluation__decision__proposed_by__first_name"],
                                                     r["evaluation__decision__proposed_by__last_name"]])),
            "at": r["evaluation__decision__proposed_at"], "evaluation_id": r["evaluation_id"],
        })
    return out


def _amendment_q() -> Q:
    """An amendment of money or targets waits for the head of office (four eyes)."""
    return Q(case_type=CaseType.AMENDMENT, amendment__status=AmendmentStatus.PROPOSED,
             amendment__four_eyes=True, status__in=OPEN_STATES)


def _describe_amendments(case_ids) -> dict:
    out: dict = {}
    for a in Amendment.objects.filter(case_id__in=case_ids, status=AmendmentStatus.PROPOSED,
                                      four_eyes=True).select_related("proposed_by"):
        labels = dict(AmendmentKind.choices)
        out.setdefault(a.case_id, []).append({
            "label": _("Ændring af bevillingen: %(kinds)s") % {
                "kinds": ", ".join(str(labels[k]).lower() for k in a.kinds)},
            "proposer": a.proposed_by, "at": a.proposed_at, "amendment_id": a.pk,
        })
    return out


def _conditions_withdrawal_q() -> Q:
    """Conditions found not met: the proposed withdrawal in hearing is the head of office's."""
    return Q(Exists(Hearing.objects.filter(case=OuterRef("pk"), concluded_at__isnull=True,
                                           subject_kind=HearingSubject.WITHDRAWAL)),
             case_type=CaseType.CONDITIONS, status__in=OPEN_STATES)


def _describe_conditions_withdrawals(case_ids) -> dict:
    out: dict = {}
    for h in Hearing.objects.filter(case_id__in=case_ids, case__case_type=CaseType.CONDITIONS,
                                    concluded_at__isnull=True, subject_kind=HearingSubject.WITHDRAWAL,
                                    ).select_related("started_by"):
        out.setdefault(h.case_id, []).append({
            "label": _("Tilbagekaldelse: vilkårene er ikke opfyldt"), "proposer": h.started_by,
            "at": h.created_at,
        })
    return out


APPROVAL_SOURCES = [
    (_proposal_q, _describe_proposals),
    (_midway_decision_q, _describe_midway),
    (_amendment_q, _describe_amendments),
    (_conditions_withdrawal_q, _describe_conditions_withdrawals),
]


def awaiting_approval_q() -> Q:
    q = Q(pk__in=[])
    for source_q, _describe in APPROVAL_SOURCES:
        q |= source_q()
    return q


def approval_items(case_ids) -> dict:
    """What each case awaits from the head of office; one query per source."""
    out: dict = {}
    for _q, describe in APPROVAL_SOURCES:
        for case_id, items in describe(list(case_ids)).items():
            out.setdefault(case_id, []).extend(items)
    return out
SORTS = {
    "deadline": ("deadline__due_at", "id"),
    "-deadline": ("-deadline__due_at", "-id"),
    "-created": ("-created_at", "-id"),
}
SORT_LABELS = {
    "deadline": _("Frist, tidligste først"),
    "-deadline": _("Frist, seneste først"),
    "-created": _("Nyeste først"),
}


def cases_for_user(user) -> QuerySet:
    if not rules.has_perm("grants.view_case", user):
        return Case.objects.none()
    return scope_to_user(Case.objects.all(), user)


@dataclass
class QueueParams:
    tab: str = "all"
    case_type: str = ""
    status: str = ""
    cluster: int | None = None
    year: int | None = None
    overdue: bool = False
    q: str = ""
    sort: str = "deadline"

    @classmethod
    def from_query(cls, data, default_tab: str = "all") -> QueueParams:
        def as_int(value):
            try:
                return int(value)
            except (TypeError, ValueError):
                return None

        tab = data.get("fane") or default_tab
        case_type = data.get("type") or ""
        status = data.get("status") or ""
        sort = data.get("sorter") or "deadline"
        return cls(
            tab=tab if tab in TABS else default_tab,
            case_type=case_type if case_type in CaseType.values else "",
            status=status if status in CaseStatus.values else "",
            cluster=as_int(data.get("klynge")),
            year=as_int(data.get("aar")),
            overdue=data.get("overskredet") in ("1", "on", "true"),
            q=(data.get("q") or "").strip()[:100],
            sort=sort if sort in SORTS else "deadline",
        )


def _tab_q(tab: str, user) -> Q:
    if tab == "mine":
        return Q(assignee_id=user.pk)
    if tab == "unassigned":
        return Q(assignee__isnull=True)
    if tab == "svar":
        return cluster_replied_q()
    if tab == "godkendelse":
        return awaiting_approval_q()
    return Q()


def _overdue_q(now) -> Q:
    return Q(deadline__due_at__lt=now, status__in=OPEN_STATES)


@dataclass
class _Facets:
    tab: Q
    type: Q
    status: Q
    cluster: Q
    year: Q
    overdue: Q
    search: Q
    names: tuple[str, ...] = field(default=("tab", "type", "status", "cluster", "year", "overdue"))

    def all(self) -> Q:
        return self.without(None)

    def without(self, name: str | None) -> Q:
        q = self.search
        for n in self.names:
            if n != name:
                q &= getattr(self, n)
        return q


def _facets(params: QueueParams, user, now) -> _Facets:
    search = Q()
    if params.q:
        search = (Q(journal_number__icontains=params.q) | Q(cluster__name__icontains=params.q)
                  | Q(subject__icontains=params.q)
                  | Q(Exists(CaseEvent.objects.filter(case=OuterRef("pk"), kind__in=SEARCHED_KINDS,
                                                      text__icontains=params.q))))
    return _Facets(
        tab=_tab_q(params.tab, user),
        type=Q(case_type=params.case_type) if params.case_type else Q(),
        status=Q(status=params.status) if params.status else Q(),
        cluster=Q(cluster_id=params.cluster) if params.cluster else Q(),
        year=Q(journal_number__startswith=f"{params.year:04d}-") if params.year else Q(),
        overdue=_overdue_q(now) if params.overdue else Q(),
        search=search,
    )


def case_queue(*, user, params: QueueParams) -> QuerySet:
    """The queue's rows: every filter applied, sorted, with what a row shows joined in."""
    now = timezone.now()
    f = _facets(params, user, now)
    return (
        cases_for_user(user)
        .filter(f.all())
        .select_related("cluster", "assignee", "deadline")
        .annotate(is_overdue=ExpressionWrapper(_overdue_q(now), output_field=BooleanField()),
                  cluster_replied=ExpressionWrapper(cluster_replied_q(), output_field=BooleanField()))
        .order_by(*SORTS[params.sort])
    )


def case_queue_counts(*, user, params: QueueParams) -> dict[str, dict[str, int]]:
    """Counts beside every tab and filter option: each option is counted with all the other
    filters applied (a facet count), so the numbers say what a click would give.

    ONE grouped query: the cases the search, cluster and year leave, grouped by type, status and
    whether each tab and the overdue filter hold for them (a handful of groups however many cases
    there are); the facets are then summed from the groups. The search is evaluated once per
    case, not once per count."""
    now = timezone.now()
    f = _facets(params, user, now)
    flags = {f"tab_{tab}": _tab_q(tab, user) for tab in TABS if tab != "all"}
    flags["overdue"] = _overdue_q(now)
    groups = (
        cases_for_user(user).filter(f.search & f.cluster & f.year)
        .annotate(**{name: ExpressionWrapper(q, output_field=BooleanField())
                     for name, q in flags.items()})
        .values("case_type", "status", *flags)
        .annotate(n=Count("id"))
        .order_by()
    )
    out: dict[str, dict[str, int]] = {
        "tab": dict.fromkeys(TABS, 0), "type": dict.fromkeys(CaseType.values, 0),
        "status": dict.fromkeys(CaseStatus.values, 0), "overdue": {"1": 0}, "total": {"all": 0},
    }
    for g in groups:
        holds = {
            "tab": params.tab == "all" or bool(g[f"tab_{params.tab}"]),
            "type": not params.case_type or g["case_type"] == params.case_type,
            "status": not params.status or g["status"] == params.status,
            "overdue": not params.overdue or bool(g["overdue"]),
        }

        def others(name, holds=holds):
            return all(ok for facet, ok in holds.items() if facet != name)

        n = g["n"]
        if others("tab"):
            for tab in TABS:
                if tab == "all" or g[f"tab_{tab}"]:
                    out["tab"][tab] += n
        if others("type") and g["case_type"] in out["type"]:
            out["type"][g["case_type"]] += n
        if others("status") and g["status"] in out["status"]:
            out["status"][g["status"]] += n
        if others("overdue") and g["overdue"]:
            out["overdue"]["1"] += n
        if others(None):
            out["total"]["all"] += n
    return out


def queue_filter_options() -> dict:
    return {
        "clusters": list(ClusterOrganisation.objects.order_by("name").values_list("id", "name")),
        "years": list(JournalCounter.objects.order_by("-year").values_list("year", flat=True)),
    }


# The case's lists on its page: related name -> (model, order, what each row joins).
_CASE_LISTS = {
    "hearings": (Hearing, ("-created_at", "-id"), ("deadline", "answer", "letter")),
    "proposals": (TrancheProposal, ("proposed_at", "id"), ("tranche", "proposed_by", "decided_by")),
    "letters": (DecisionLetter, ("-created_at", "-id"), ("delivery",)),
}


def case_detail(*, user, journal_number: str) -> Case:
    """One case with what its page shows; raises Case.DoesNotExist outside the user's scope.

    What only some case types have (the report, the extension, the grant) is prefetched, not
    joined: a case has one of them, so one query for it, where joining all thirteen tables cost
    PostgreSQL ~4 ms to plan, more than the page's queries take to run. A relation the case
    lacks is not prefetched at all: an empty foreign key is skipped, and the case query says
    (EXISTS) which of the hearings, tranche proposals, letters and attachments there are, so
    an empty one costs no query and no prefetch machinery (issue 19). The report comes with
    `version_numbers` and `has_attachments`."""
    case = (
        cases_for_user(user)
        .select_related("cluster", "assignee", "deadline")
        .annotate(**{f"has_{name}": Exists(model.objects.filter(case=OuterRef("pk")))
                     for name, (model, _order, _related) in _CASE_LISTS.items()},
                  has_attachments=Exists(CaseAttachment.objects.filter(event__case=OuterRef("pk"))))
        .get(journal_number=journal_number)
    )
    events = CaseEvent.objects.select_related("actor").order_by("created_at", "id")
    if case.has_attachments:
        events = events.prefetch_related("attachments")
    lookups = [Prefetch("events", queryset=events)]
    empty = []
    for name, (model, order, related) in _CASE_LISTS.items():
        if getattr(case, f"has_{name}"):
            lookups.append(Prefetch(name, queryset=model.objects.select_related(*related)
                                    .order_by(*order)))
        else:
            empty.append(name)
    mark_empty([case], *empty)
    if case.report_id:
        # the page's list of the report's versions and whether it has attachments, in the
        # report's own query: no query for the versions, none for attachments it lacks
        lookups.append(Prefetch("report", queryset=AnnualReport.objects.select_related(
            "grant__cluster", "deadline").annotate(
            version_numbers=ArraySubquery(ReportVersion.objects.filter(report=OuterRef("pk"))
                                          .order_by("number").values("number")),
            has_attachments=Exists(ReportAttachment.objects.filter(report=OuterRef("pk"))))))
    if case.extension_id:
        lookups.append(Prefetch("extension", queryset=DeadlineExtension.objects.select_related(
            "deadline", "requested_by")))
    if case.grant_id:
        lookups.append(Prefetch("grant", queryset=Grant.objects.select_related("award_accepted_by")))
    prefetch_related_objects([case], *lookups)
    if not case.has_attachments:
        mark_empty(case.events.all(), "attachments")
    return case


def case_heading(*, user, journal_number: str) -> Case:
    """One case with its cluster and report, no history: for the pages about a case that show
    only its heading (the case's cluster, case_cluster_activity). Same scope as case_detail."""
    return (cases_for_user(user).select_related("cluster", "report")
            .get(journal_number=journal_number))


def case_handlers() -> QuerySet:

    return User.objects.filter(role__in=CASE_HANDLERS, is_active=True).order_by(
        "first_name", "last_name", "username"
    )


# -- the annual report: side by side and the trend -------------------------------------------

MONEY_FIELDS = [
    ("grant_spent_dkk", _("Forbrugt bevilling")),
    ("cofinancing_membership_dkk", _("Kontingenter")),
    ("cofinancing_sponsorship_dkk", _("Sponsorater")),
    ("cofinancing_foundation_dkk", _("Fondsmidler")),
    ("cofinancing_project_dkk", _("Projektmidler")),
]
TEXT_FIELDS = [
    ("value_created", _("Værdiskabelse i virksomhederne")),
    ("knowledge_collaboration", _("Samarbejde med videninstitutioner")),
    ("internationalisation", _("Internationalisering")),
    ("platform_role", _("Klyngen som platform")),
    ("local_collaboration", _("Lokalt samarbejde")),
]


KEY_FIGURES = [
    (("activities", "total"), _("Aktiviteter")),
    (("companies", "total"), _("Deltagende virksomheder")),
    (("companies", "sme"), _("Heraf SMV'er")),
    (("outside", "total"), _("Virksomheder uden for styrkepositionen")),
    (("institutions", "participations"), _("Videninstitutionsdeltagelser")),
]


def _with_totals(qs):
    return qs.annotate(competitive_total=Sum("competitive_funding__amount_dkk"))


# What the comparison reads of a version's snapshot: the key figures hold the full first-rows
# lists (~100 KB a version), of which it shows only the KEY_FIGURES totals.
SNAPSHOT_PARTS = ("report", "competitive_funding", "attachments")


def _snapshot_key(*path: str) -> KeyTransform:
    expression: Any = "snapshot"
    for key in path:
        expression = KeyTransform(key, expression)
    return expression


def _latest_versions(report_ids) -> dict:
    """The newest submitted version (ReportVersion) of each report, in one query: of its
    snapshot only what the comparison shows (SNAPSHOT_PARTS and the KEY_FIGURES totals), the
    same dict shape, not the whole key-figure lists of every year (issue 19)."""
    figures = {"__".join(path): path for path, _label in KEY_FIGURES}
    rows = (
        ReportVersion.objects.filter(report_id__in=report_ids)
        .order_by("report_id", "-number")
        .distinct("report_id")
        .values("report_id", "number")
        .annotate(**{f"part_{k}": _snapshot_key(k) for k in SNAPSHOT_PARTS},
                  **{f"figure_{k}": _snapshot_key("key_figures", *path)
                     for k, path in figures.items()})
    )
    out = {}
    for r in rows:
        key_figures: dict = {}
        for k, (group, name) in figures.items():
            if r[f"figure_{k}"] is not None:
                key_figures.setdefault(group, {})[name] = r[f"figure_{k}"]
        snapshot = {k: r[f"part_{k}"] for k in SNAPSHOT_PARTS if r[f"part_{k}"] is not None}
        snapshot["key_figures"] = key_figures
        out[r["report_id"]] = {"report_id": r["report_id"], "number": r["number"],
                               "snapshot": snapshot}
    return out


def _dig(data, path):
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


class _Submitted:
    """A report as submitted: the ReportVersion snapshot when there is one, else its fields."""

    def __init__(self, report, version):
        self.report = report
        self.year = report.year
        self.number = version["number"] if version else None
        snapshot = (version or {}).get("snapshot") or {}
        self.content = snapshot.get("report") or {}
        self.key_figures = snapshot.get("key_figures") or {}
        funding = snapshot.get("competitive_funding")
        self.competitive_total = (
            sum(row.get("amount_dkk") or 0 for row in funding) if funding is not None
            else report.competitive_total
        )
        self.attachments = snapshot.get("attachments") or []

    def field(self, name):
        return self.content[name] if name in self.content else getattr(self.report, name)

    def figure(self, path):
        return _dig(self.key_figures, path)


def report_comparison(report: AnnualReport) -> dict:
    """The submitted version (ReportVersion) beside the cluster's report for the year before
    (from this grant or the one before it), and the key figures for every year since the
    grant started. Two queries. The case page keeps it per digest of the rows it reads
    (grants.cases.report_section): a change to what it reads changes the digest's query too."""
    cluster_id = report.grant.cluster_id
    reports = list(
        _with_totals(AnnualReport.objects.filter(
            Q(grant_id=report.grant_id, year__lte=report.year)
            | Q(grant__cluster_id=cluster_id, year=report.year - 1)
        )).order_by("year", "-grant__start_year")
    )
    versions = _latest_versions([r.pk for r in reports])
    submitted = {r.pk: _Submitted(r, versions.get(r.pk)) for r in reports}
    current = submitted.get(report.pk) or _Submitted(report, None)
    previous = next((submitted[r.pk] for r in reports if r.year == report.year - 1), None)

    def pair(getter):
        return getter(current), (getter(previous) if previous else None)

    money_rows = []
    for name, label in MONEY_FIELDS:
        now, before = pair(lambda s, n=name: s.field(n))
        money_rows.append({"label": label, "current": now, "previous": before})
    now, before = pair(lambda s: s.competitive_total)
    money_rows.append({"label": _("Hjemtaget konkurrenceudsat finansiering"), "current": now,
                       "previous": before})
    figure_rows = []
    for path, label in KEY_FIGURES:
        now, before = pair(lambda s, p=path: s.figure(p))
        figure_rows.append({"label": label, "current": now, "previous": before})
    text_rows = []
    for name, label in TEXT_FIELDS:
        now, before = pair(lambda s, n=name: s.field(n))
        text_rows.append({"label": label, "current": now, "previous": before or ""})
    trend = []
    for r in reports:
        if r.grant_id != report.grant_id:
            continue
        s = submitted[r.pk]
        has_content = s.number is not None or r.status != ReportStatus.DRAFT
        cofinancing = sum(s.field(n) or 0 for n, _l in MONEY_FIELDS[1:])
        trend.append({
            "year": r.year, "status": r.get_status_display(), "version": s.number,
            "grant_spent": s.field("grant_spent_dkk") if has_content else None,
            "cofinancing": cofinancing if has_content else None,
            "competitive": s.competitive_total if has_content else None,
            "activities": s.figure(("activities", "total")),
            "companies": s.figure(("companies", "total")),
            "current": r.pk == report.pk,
        })
    return {"current": current, "previous": previous, "money_rows": money_rows,
            "figure_rows": figure_rows, "text_rows": text_rows, "trend": trend}


# -- what a person may do on a case right now ---------------------------------------------------


def case_actions(case: Case, user) -> dict:
    """The actions the case page offers the user in the case's current state. The status steps
    come from CASE_WORKFLOW's guards and the approval from the grants.approve_proposal rule -
    the same questions the services ask (and ask again)."""
    if not rules.has_perm("grants.handle_case", user):
        return {}
    status = case.status
    actions: dict = {}
    if status in OPEN_STATES:
        actions["assign"] = True
        if case.assignee_id != user.pk:
            actions["take"] = True
    transitions = []
    if case.assignee_id:
        for target in CASE_WORKFLOW.available(status, user):
            if (status, target) in MANUAL_TRANSITIONS:
                transitions.append(target)
    actions["transitions"] = transitions
    if status != CaseStatus.CLOSED:
        actions["message"] = True
    actions["note"] = True
    open_proposal = next(
        (p for p in case.proposals.all() if p.status == ProposalStatus.PROPOSED), None
    )
    actions["open_proposal"] = open_proposal
    if open_proposal is not None and rules.has_perm("grants.approve_proposal", user):
        if open_proposal.proposed_by_id == user.pk:
            actions["own_proposal"] = True
        else:
            actions["approve_proposal"] = True
    if status == CaseStatus.IN_PROGRESS:
        if case.case_type == CaseType.ANNUAL_REPORT and case.report_id:
            report = case.report
            if report.status == ReportStatus.IN_REVIEW:
                actions["request_changes"] = True
                actions["approve_report"] = True
            tranche = year_tranche(report)
            actions["tranche"] = tranche
            if tranche and tranche.status == TrancheStatus.PLANNED and open_proposal is None:
                if report.status == ReportStatus.APPROVED:
                    if report.grant.award_accepted_at is None:  # no payment before acceptance
                        actions["award_pending"] = True
                    else:
                        actions["propose_release"] = True
                actions["propose_cancel"] = True
        elif case.case_type == CaseType.DEADLINE_EXTENSION and case.extension_id:
            if case.extension.status == ExtensionStatus.REQUESTED:
                actions["decide_extension"] = True
        # an award case: after the acceptance; an application is decided on its own page
        # (evaluations.calls: four eyes, and a rejection after the applicant's hearing)
        elif case.case_type in (CaseType.MIDWAY_EVALUATION, CaseType.COMPLAINT, CaseType.AWARD):
            actions["decide"] = True
        elif case.case_type == CaseType.REPAYMENT_CLAIM:
            claim = RepaymentClaim.objects.filter(case=case, status=RepaymentStatus.PROPOSED).first()
            if claim is not None and rules.has_perm("grants.approve_proposal", user):
                actions["decide_repayment" if claim.proposed_by_id != user.pk else "own_claim"] = True
    if (case.case_type == CaseType.ANNUAL_REPORT and case.report_id
            and status in (CaseStatus.IN_PROGRESS, CaseStatus.DECIDED)):
        report = case.report
        grant = report.grant
        if (report.status == ReportStatus.APPROVED and report.year_number == grant.horizon_years
                and grant.status == GrantStatus.ACTIVE):
            actions["settle"] = True  # the final report: settlement (grants.cases.settlement)
    hearing = open_hearing_of(case)
    actions["hearing"] = hearing
    if status == CaseStatus.IN_PROGRESS and hearing is None and hearing_subjects_for(case):
        actions["start_hearing"] = True
    if case.case_type == CaseType.CONDITIONS:
        followup = condition_followup_of(case)
        actions["followup"] = followup
        if (status == CaseStatus.IN_PROGRESS and followup and not followup.outcome
                and (followup.report_id or followup.deadline.due_at <= timezone.now())):
            actions["close_conditions"] = True
        if status == CaseStatus.IN_PROGRESS and hearing is not None:
            actions["decide"] = True
    if status == CaseStatus.IN_PROGRESS and case_is_done(case, open_proposal, hearing,
                                                          actions.get("tranche")):
        actions["close"] = True
    return actions


def case_is_done(case: Case, open_proposal, hearing, tranche: Tranche | None) -> bool:
    """The page's question behind "Luk sagen" (grants.cases.services.case_work_done asks it
    again under the lock): a report case with the report approved and the year's tranche
    (`tranche`, as case_actions read it) already released or cancelled."""
    if open_proposal is not None or hearing is not None:
        return False
    if case.case_type != CaseType.ANNUAL_REPORT or not case.report_id:
        return False
    if case.report.status != ReportStatus.APPROVED:
        return False
    return tranche is None or tranche.status in (TrancheStatus.RELEASED, TrancheStatus.CANCELLED)


# -- the cluster's side ---------------------------------------------------------------------------


def cluster_case_messages(*, user) -> QuerySet:
    """Messages and decisions on the cluster's own cases. Internal notes never appear."""
    if not rules.has_perm("grants.view_cluster_cases", user):
        return CaseEvent.objects.none()
    return (
        scope_to_user(CaseEvent.objects.all(), user, cluster_path="case__cluster")
        .filter(internal=False, kind__in=[CaseEventKind.MESSAGE, CaseEventKind.DECISION])
        .select_related("case", "actor")
        .order_by("-created_at", "-id")
    )


def cluster_decision_letters(*, user) -> QuerySet:
    if not rules.has_perm("grants.view_cluster_cases", user):
        return DecisionLetter.objects.none()
    return scope_to_user(DecisionLetter.objects.all(), user).select_related("case").order_by(
        "-created_at", "-id")


def decision_letters_for_user(user) -> QuerySet:
    """Letters the user may download: every letter for caseworkers; the own cluster's for
    cluster people; the letters of the cases whose party they are as an applicant
    (grants.cases.party); none for anyone else."""
    qs = DecisionLetter.objects.select_related("case")
    if rules.has_perm("grants.view_case", user):
        return qs
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    mine = Q(case__in=party_case_ids(user))
    if rules.has_perm("grants.view_cluster_cases", user) and user.cluster_id:
        mine |= Q(cluster_id=user.cluster_id)
    return qs.filter(mine)


def report_change_request(*, report: AnnualReport) -> dict | None:
    """The caseworker's latest request for changes, if the report is waiting for them: the
    message sent to the cluster on the case (CaseEvent kind MESSAGE, not internal) or, failing
    that, the comment on the workflow step to changes_requested. Two queries at most."""
    if report.status != ReportStatus.CHANGES_REQUESTED:
        return None
    step = (
        ReportEvent.objects.filter(report=report, to_status=ReportStatus.CHANGES_REQUESTED)
        .select_related("actor")
        .order_by("-created_at", "-id")
        .first()
    )
    since = step.created_at if step else None
    messages = CaseEvent.objects.filter(
        case__report=report, kind=CaseEventKind.MESSAGE, internal=False
    ).order_by("-created_at", "-id")
    if since is not None:
        # a message written just before the step (same request) counts as well
        messages = messages.filter(created_at__gte=since - timezone.timedelta(hours=1))
    message = messages.first()
    if message is not None and message.text:
        return {"text": message.text, "at": message.created_at}
    if step is not None:
        return {"text": step.comment, "at": step.created_at}
    return {"text": "", "at": None}


# -- the cluster's cases (/mine-sager/) -------------------------------------------------------------

# The case's status as the cluster reads it: plain Danish, from the cluster's side.
CLUSTER_STATUS = {
    CaseStatus.NEW: _("Modtaget"),
    CaseStatus.ASSIGNED: _("Modtaget, venter på behandling"),
    CaseStatus.IN_PROGRESS: _("Under behandling hos Erhvervsstyrelsen"),
    CaseStatus.AWAITING_CLUSTER: _("Venter på jer"),
    CaseStatus.DECIDED: _("Afgjort"),
    CaseStatus.CLOSED: _("Afsluttet"),
}


def cluster_cases(*, user) -> QuerySet:
    """The cluster's own cases, newest activity first, with what a row shows."""
    if not rules.has_perm("grants.view_cluster_cases", user):
        return Case.objects.none()
    return (
        scope_to_user(Case.objects.all(), user)
        .select_related("report", "condition_followup__deadline")
        .prefetch_related(Prefetch("hearings", queryset=Hearing.objects.filter(
            concluded_at__isnull=True).select_related("deadline"), to_attr="open_hearings"))
        .annotate(last_activity=_last_event_at(
            [*CLUSTER_KINDS, *AUTHORITY_KINDS, CaseEventKind.OPENED]))
        .order_by("-updated_at", "-id")
    )


def waiting_for(case: Case) -> dict | None:
    """What the authority waits for from the cluster on this case, with its due date (or None).
    Uses what cluster_cases / cluster_case_detail prefetch."""
    hearings = getattr(case, "open_hearings", None)
    if hearings is None:
        hearings = [h for h in case.hearings.all() if h.concluded_at is None]
    for hearing in hearings:
        if hearing.answer_id is None and hearing.deadline.due_at > timezone.now():
            return {"text": _("Jeres høringssvar"), "due": hearing.deadline.due_at}
    followup = getattr(case, "condition_followup", None) if case.case_type == CaseType.CONDITIONS \
        else None
    if followup is not None and followup.report_id is None and not followup.outcome:
        return {"text": _("Jeres redegørelse for vilkårene"), "due": followup.deadline.due_at}
    if case.report_id and case.report.status == ReportStatus.CHANGES_REQUESTED:
        return {"text": _("En ny version af årsrapporten med de ønskede ændringer"), "due": None}
    return None


def cluster_case_detail(*, user, journal_number: str) -> Case:
    """One of the cluster's own cases with its public timeline; Case.DoesNotExist otherwise
    (another cluster's case answers 404)."""
    return (
        cluster_cases(user=user)
        .select_related("report__grant")
        .prefetch_related(
            Prefetch("events", queryset=CaseEvent.objects.filter(internal=False)
                     .exclude(kind__in=[CaseEventKind.PROPOSAL, CaseEventKind.ASSIGNMENT,
                                        CaseEventKind.NOTE])
                     .select_related("actor").prefetch_related("attachments")
                     .order_by("created_at", "id"), to_attr="public_events"),
            Prefetch("letters", queryset=DecisionLetter.objects.order_by("-created_at", "-id")),
        )
        .get(journal_number=journal_number)
    )


def case_attachments_for_user(user) -> QuerySet:
    """Attachments a user may download: all for caseworkers; the own cluster's, on events the
    cluster sees, for cluster people."""
    qs = CaseAttachment.objects.select_related("event__case")
    if rules.has_perm("grants.view_case", user):
        return qs
    if rules.has_perm("grants.view_cluster_cases", user):
        return scope_to_user(qs, user, cluster_path="event__case__cluster").filter(
            event__internal=False)
    return qs.none()


def open_hearing_of(case: Case):
    return next((h for h in case.hearings.all() if h.concluded_at is None), None)


def party_casework(case: Case | None) -> dict:
    """What the party's own page of a case shows of its hearings and letters (the page an
    applicant follows their application on, say): the hearing that awaits the party's answer,
    the answers given with their receipts, the authority's messages to the party (never
    internal notes) and the case's letters, newest first. Three queries, a fourth for the
    answers' attachments when there are answers."""
    if case is None:
        return {"hearing": None, "answers": [], "messages": [], "letters": []}
    hearings = list(Hearing.objects.filter(case=case).select_related("deadline", "answer")
                    .prefetch_related("answer__attachments").order_by("created_at", "id"))
    for hearing in hearings:
        hearing.case = case
        hearing.receipt = hearing_receipt(hearing) if hearing.answer_id else ""
    return {
        "hearing": next((h for h in hearings if h.concluded_at is None and h.answer_id is None),
                        None),
        "answers": [h for h in hearings if h.answer_id],
        "messages": list(CaseEvent.objects.filter(case=case, internal=False,
                                                  kind=CaseEventKind.MESSAGE)
                         .order_by("created_at", "id")),
        "letters": list(case.letters.order_by("-created_at", "-id")),
    }


def hearing_subjects_for(case: Case) -> list[str]:
    """The adverse decisions this case can put into hearing (the proposal or evaluation it has)."""
    subjects = []
    if case.case_type == CaseType.ANNUAL_REPORT:
        subjects += [HearingSubject.TRANCHE_CANCELLATION]
    elif case.case_type == CaseType.REPAYMENT_CLAIM:  # raised by the settlement (grants.cases.settlement)
        subjects += [HearingSubject.REPAYMENT_CLAIM]
    elif case.case_type == CaseType.MIDWAY_EVALUATION:
        subjects += [HearingSubject.WITHDRAWAL]
    elif case.case_type == CaseType.APPLICATION:  # the applicant is heard (grants.cases.party)
        subjects += [HearingSubject.APPLICATION_REJECTION]
    # a conditions case goes into hearing when its conditions are found not met (conditions_close)
    return subjects


def condition_followup_of(case: Case) -> ConditionFollowUp | None:
    if case.case_type != CaseType.CONDITIONS:
        return None
    return ConditionFollowUp.objects.select_related("deadline", "report").filter(case=case).first()


# -- a report's version n against version n-1 ---------------------------------------------------


def version_diff(report: AnnualReport, number: int) -> dict | None:
    """Version `number` of the report beside version `number - 1` (both as submitted, from
    their snapshots): every money, text and key-figure row, marked where it changed. One query.
    None if the version does not exist; version 1 is compared with nothing."""
    rows = {v.number: v for v in ReportVersion.objects.filter(
        report=report, number__in=[number, number - 1]).select_related("submitted_by")}
    current = rows.get(number)
    if current is None:
        return None
    previous = rows.get(number - 1)

    def content(version):
        return ((version.snapshot or {}).get("report") or {}) if version else {}

    def figures(version):
        return ((version.snapshot or {}).get("key_figures") or {}) if version else {}

    def competitive(version):
        funding = (version.snapshot or {}).get("competitive_funding") if version else None
        return sum(r.get("amount_dkk") or 0 for r in funding) if funding is not None else None

    def row(label, now, before, kind):
        return {"label": label, "current": now, "previous": before, "kind": kind,
                "changed": previous is not None and now != before}

    out = [row(label, content(current).get(name), content(previous).get(name), "money")
           for name, label in MONEY_FIELDS]
    out.append(row(_("Hjemtaget konkurrenceudsat finansiering"), competitive(current),
                   competitive(previous), "money"))
    out += [row(label, _dig(figures(current), path), _dig(figures(previous), path), "figure")
            for path, label in KEY_FIGURES]
    out += [row(label, content(current).get(name) or "", content(previous).get(name) or "", "text")
            for name, label in TEXT_FIELDS]
    attachments = [[a.get("name") or a.get("original_name") or "" for a in
                    ((v.snapshot or {}).get("attachments") or [])] if v else [] for v in
                   (current, previous)]
    out.append(row(_("Bilag"), ", ".join(attachments[0]), ", ".join(attachments[1]), "text"))
    return {"current": current, "previous": previous, "rows": out,
            "changed": sum(1 for r in out if r["changed"])}


# -- the cluster behind a case: its activities and companies in the report's year ---------------

CLUSTER_LIST_LIMIT = 200


def case_cluster_activity(*, user, case: Case) -> dict:
    """The case's cluster's activities in the report's year (the activity list's own selector,
    with its participation counts) and the distinct companies that took part in them. Three
    queries whatever the number of rows; each list is capped (the counts say how many)."""
    year = case.report.year if case.report_id else None
    activities = cluster_activity_list(user=user, year=year).filter(cluster_id=case.cluster_id)
    companies = (Company.objects.filter(participations__activity__cluster_id=case.cluster_id,
                                        **({"participations__activity__year": year} if year else {}))
                 .distinct().order_by("name", "cvr"))
    return {
        "year": year,
        "activities": list(activities[:CLUSTER_LIST_LIMIT]),
        "companies": list(companies[:CLUSTER_LIST_LIMIT]),
        "n_companies": companies.count(),
        "limit": CLUSTER_LIST_LIMIT,
    }
# -- award letters ------------------------------------------------------------------------------

def award_grants_for(user) -> QuerySet:
    """Grants with an award letter the user may see: the own cluster's for cluster people,
    every one for caseworkers, none for anyone else (another cluster's answers 404)."""
    qs = Grant.objects.filter(cases__case_type=CaseType.AWARD).distinct()
    if rules.has_perm("grants.view_case", user):
        pass
    elif rules.has_perm("grants.view_cluster_cases", user):
        qs = qs.filter(cluster_id=user.cluster_id)
    else:
        return Grant.objects.none()
    return qs.select_related("cluster", "award_accepted_by").order_by("-start_year", "reference")
