"""Amendment cases (ændringssager): a caseworker proposes changes to a grant — its annual
amount, its period, its targets, a year's budget or the cluster's director — with a reason;
the case records the proposal; the head of office approves or rejects it (four eyes: never the
proposer) where money, targets or the budget change; a director change alone is decided by the
caseworker. Approval applies every change in one transaction, writes the grant's history
(GrantEvent, and TargetEvent for targets) and sends the decision letter through the letter
service (grants.cases.letters).

One more kind of change is one more ``ChangeKind`` in ``CHANGE_KINDS`` (and an AmendmentKind
value): its ``clean`` validates the proposal's payload into JSON, ``apply`` makes the change
and returns the Danish line for the letter, ``describe`` renders the proposal (the budget, for
one, is checked by grants.budgets.set_budget at proposal and set by it at approval)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from grants.budgets.constants import LineKind
from grants.budgets.models import BudgetLine
from grants.budgets.services import set_budget
from grants.cases.models import Amendment, Case
from grants.cases.services import (
    CaseActionError,
    _decide,
    _event,
    _lock,
    _move,
    _name,
    _notify_approvers,
    _save,
    case_open,
    format_kr_number,
)
from grants.cases.tranches import tranche_transition
from grants.constants import (
    AmendmentKind,
    AmendmentStatus,
    CaseEventKind,
    CaseStatus,
    CaseType,
    DeadlineKind,
    GrantStatus,
    LetterKind,
    ReportStatus,
    TrancheStatus,
)
from grants.core.models import Grant, GrantEvent, Tranche
from grants.core.services import _deadline, report_due_at
from grants.deadlines.models import Deadline
from grants.reports.models import AnnualReport
from grants.reports.services import report_transition
from grants.targets.catalogue import CATALOGUE, target_text
from grants.targets.services import TargetError, clean_rows, targets_change
from klyngeadmin.accounts.models import User
from klyngeadmin.kernel.errors import FourEyesViolation
from klyngeadmin.kernel.predicates import is_caseworker, is_head_of_office
from klyngeadmin.kernel.roles import Role


class AmendmentError(CaseActionError):
    """A refused amendment; ``field`` names the form field the message belongs to."""

    def __init__(self, message, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class ChangeKind:
    kind: str
    four_eyes: bool
    clean: Callable[[Grant, dict], dict]           # payload -> JSON-ready, raises AmendmentError
    apply: Callable[[Grant, dict, object, str], str]  # (locked grant, payload, actor, basis) -> letter line
    describe: Callable[[Grant, dict], str]


CHANGE_KINDS: dict[str, ChangeKind] = {}


def register(kind: ChangeKind) -> ChangeKind:
    CHANGE_KINDS[str(kind.kind)] = kind
    return kind


def _history(grant: Grant, actor, text: str) -> None:
    GrantEvent.objects.create(grant=grant, actor=actor, from_status=grant.status,
                              to_status=grant.status, text=text)


# -- amount ------------------------------------------------------------------------------------


def _clean_amount(grant: Grant, payload: dict) -> dict:
    amount, from_year = payload.get("annual_amount_dkk"), payload.get("from_year")
    if not isinstance(amount, int) or amount < 0 or amount > 10**10:
        raise AmendmentError(_("Skriv det nye årlige beløb i hele kroner."), "annual_amount_dkk")
    if not isinstance(from_year, int) or not 1 <= from_year <= grant.horizon_years:
        raise AmendmentError(_("Vælg det bevillingsår, ændringen gælder fra (1-%(n)s).")
                             % {"n": grant.horizon_years}, "amount_from_year")
    planned = grant.tranches.filter(year_number__gte=from_year, status=TrancheStatus.PLANNED)
    if not planned.exists():
        raise AmendmentError(_("Der er ingen planlagte rater fra bevillingsår %(y)s, som beløbet "
                               "kan ændres for.") % {"y": from_year}, "amount_from_year")
    if amount == grant.annual_amount_dkk and not grant.tranches.filter(
            year_number__gte=from_year, status=TrancheStatus.PLANNED).exclude(amount_dkk=amount).exists():
        raise AmendmentError(_("Beløbet er det samme som nu."), "annual_amount_dkk")
    return {"annual_amount_dkk": amount, "from_year": from_year}


def _apply_amount(grant: Grant, payload: dict, actor, basis: str) -> str:
    amount, from_year = payload["annual_amount_dkk"], payload["from_year"]
    tranches = Tranche.objects.select_for_update().filter(
        grant=grant, year_number__gte=from_year, status=TrancheStatus.PLANNED)
    years = [t.year for t in tranches]
    tranches.update(amount_dkk=amount)
    old = grant.annual_amount_dkk
    grant.annual_amount_dkk = amount
    grant.save(update_fields=["annual_amount_dkk", "updated_at"])
    line = _("Det årlige beløb ændres fra %(old)s kr. til %(new)s kr. for rater fra %(years)s.") % {
        "old": format_kr_number(old), "new": format_kr_number(amount),
        "years": ", ".join(str(y) for y in years)}
    _history(grant, actor, f"{basis}: {line}")
    return line


def _describe_amount(grant: Grant, payload: dict) -> str:
    return _("Årligt beløb %(new)s kr. fra bevillingsår %(y)s (nu %(old)s kr.)") % {
        "new": format_kr_number(payload["annual_amount_dkk"]), "y": payload["from_year"],
        "old": format_kr_number(grant.annual_amount_dkk)}


# -- period ------------------------------------------------------------------------------------


def _clean_period(grant: Grant, payload: dict) -> dict:
    horizon = payload.get("horizon_years")
    if not isinstance(horizon, int) or not 1 <= horizon <= 10:
        raise AmendmentError(_("Bevillingsperioden skal være 1-10 år."), "horizon_years")
    if horizon == grant.horizon_years:
        raise AmendmentError(_("Perioden er den samme som nu."), "horizon_years")
    if grant.midway_year and horizon <= grant.midway_year:
        raise AmendmentError(_("Perioden skal række ud over midtvejsevalueringen i bevillingsår "
                               "%(y)s.") % {"y": grant.midway_year}, "horizon_years")
    if horizon > grant.horizon_years and grant.tranches.filter(
            year_number__gt=grant.horizon_years, year_number__lte=horizon,
            status=TrancheStatus.CANCELLED).exists():
        raise AmendmentError(_("Bevillingsår, der er annulleret, kan ikke genåbnes ved en "
                               "forlængelse."), "horizon_years")
    if grant.tranches.filter(year_number__gt=horizon).exclude(
            status__in=[TrancheStatus.PLANNED, TrancheStatus.CANCELLED]).exists():
        raise AmendmentError(_("Perioden kan ikke afkortes før en rate, der er indstillet eller "
                               "udbetalt."), "horizon_years")
    return {"horizon_years": horizon}


def _apply_period(grant: Grant, payload: dict, actor, basis: str) -> str:
    old, new = grant.horizon_years, payload["horizon_years"]
    if new < old:
        for t in Tranche.objects.filter(grant=grant, year_number__gt=new,
                                        status=TrancheStatus.PLANNED):
            tranche_transition(tranche=t, to=TrancheStatus.CANCELLED, actor=actor, text=basis)
        for r in AnnualReport.objects.filter(grant=grant, year_number__gt=new,
                                             status=ReportStatus.DRAFT):
            report_transition(report=r, to=ReportStatus.CANCELLED, actor=None, comment=basis)
    else:
        for n in range(old + 1, new + 1):
            year = grant.calendar_year(n)
            Tranche.objects.create(grant=grant, year_number=n, year=year,
                                   amount_dkk=grant.annual_amount_dkk)
            deadline = _deadline(kind=DeadlineKind.ANNUAL_REPORT,
                                 subject=f"Årsrapport {year} – {grant.cluster.name}",
                                 cluster=grant.cluster, due_at=report_due_at(year))
            deadline.save()
            AnnualReport.objects.create(grant=grant, year_number=n, year=year, deadline=deadline)
    grant.horizon_years = new
    grant.save(update_fields=["horizon_years", "updated_at"])
    line = _("Bevillingsperioden ændres fra %(old)s til %(new)s år (til og med %(end)s).") % {
        "old": old, "new": new, "end": grant.end_year}
    _history(grant, actor, f"{basis}: {line}")
    return line


def _describe_period(grant: Grant, payload: dict) -> str:
    return _("Periode %(new)s år (nu %(old)s år)") % {"new": payload["horizon_years"],
                                                      "old": grant.horizon_years}


# -- targets -----------------------------------------------------------------------------------


def _clean_targets(grant: Grant, payload: dict) -> dict:
    rows = payload.get("rows") or []
    if not rows:
        raise AmendmentError(_("Angiv mindst ét nyt måltal."), "target_value")
    try:
        cleaned = clean_rows(grant, rows)
    except TargetError as exc:
        raise AmendmentError(str(exc), "target_value") from exc
    return {"rows": [{"year_number": r.year_number, "indicator": r.indicator,
                      "target": str(r.target),
                      "baseline": None if r.baseline is None else str(r.baseline)}
                     for r in cleaned]}


def _apply_targets(grant: Grant, payload: dict, actor, basis: str) -> str:
    changes = targets_change(grant=grant, rows=payload["rows"], actor=actor, basis=basis)
    parts = [
        _("%(name)s, bevillingsår %(y)s: %(old)s → %(new)s") % {
            "name": CATALOGUE[c["indicator"]].name, "y": c["year_number"],
            "old": target_text(c["old"]), "new": target_text(c["new"])}
        for c in changes
    ]
    line = _("Måltal ændres: %(list)s.") % {"list": "; ".join(parts)}
    _history(grant, actor, f"{basis}: {line}")
    return line


def _describe_targets(grant: Grant, payload: dict) -> str:
    return "; ".join(
        _("%(name)s, bevillingsår %(y)s: %(t)s") % {
            "name": CATALOGUE[r["indicator"]].name, "y": r["year_number"],
            "t": target_text(Decimal(r["target"]))}
        for r in payload["rows"])


# -- budget ------------------------------------------------------------------------------------


class _DryRun(Exception):
    """Rolls back the budget checked at proposal time (set_budget's own checks, nothing kept)."""


def _clean_budget(grant: Grant, payload: dict) -> dict:
    year, lines = payload.get("year_number"), payload.get("lines")
    if not isinstance(year, int) or not 1 <= year <= grant.horizon_years:
        raise AmendmentError(_("Vælg det bevillingsår, budgettet gælder (1-%(n)s).")
                             % {"n": grant.horizon_years}, "budget_year")
    lines = [{"line": r["line"], "budget_dkk": r["budget_dkk"]} for r in lines or []]
    if not lines:
        raise AmendmentError(_("Skriv det nye budget linje for linje."), "budget_year")
    try:  # the same checks as when the budget is set, in a savepoint that is rolled back
        with transaction.atomic():
            set_budget(grant, year, lines, actor=None)
            raise _DryRun
    except _DryRun:
        pass
    except ValidationError as exc:
        messages = [m for ms in exc.message_dict.values() for m in ms]
        raise AmendmentError(" ".join(messages), "budget_year") from exc
    return {"year_number": year, "lines": lines}


def _budget_total(lines) -> int:
    return sum(r["budget_dkk"] for r in lines if r["line"].startswith("cost:"))


def _apply_budget(grant: Grant, payload: dict, actor, basis: str) -> str:
    year = payload["year_number"]
    old = sum(line.budget_dkk for line in BudgetLine.objects.filter(
        grant=grant, year_number=year, kind=LineKind.COST))
    set_budget(grant, year, payload["lines"], actor=actor, text=basis)
    line = _("Budgettet for bevillingsår %(y)s ændres: omkostninger %(new)s kr. (før %(old)s kr.).") % {
        "y": year, "new": format_kr_number(_budget_total(payload["lines"])),
        "old": format_kr_number(old)}
    _history(grant, actor, f"{basis}: {line}")
    return line


def _describe_budget(grant: Grant, payload: dict) -> str:
    return _("Nyt budget for bevillingsår %(y)s: omkostninger %(total)s kr.") % {
        "y": payload["year_number"], "total": format_kr_number(_budget_total(payload["lines"]))}


# -- director ----------------------------------------------------------------------------------


def _clean_director(grant: Grant, payload: dict) -> dict:
    user_id = payload.get("user_id")
    user = User.objects.filter(pk=user_id, cluster_id=grant.cluster_id, is_active=True).first()
    if user is None:
        raise AmendmentError(_("Vælg en aktiv bruger i klyngen som ny klyngedirektør."), "director")
    if user.role == Role.DIRECTOR:
        raise AmendmentError(_("%(name)s er allerede klyngedirektør.") % {"name": _name(user)},
                             "director")
    return {"user_id": user.pk}


def _apply_director(grant: Grant, payload: dict, actor, basis: str) -> str:
    new = User.objects.select_for_update().get(pk=payload["user_id"], cluster_id=grant.cluster_id)
    old = list(User.objects.select_for_update().filter(cluster_id=grant.cluster_id,
                                                       role=Role.DIRECTOR))
    for u in old:
        u.role = Role.CLUSTER_STAFF
        u.save(update_fields=["role"])
    new.role = Role.DIRECTOR
    new.save(update_fields=["role"])
    line = _("Klyngedirektør er fremover %(new)s (før: %(old)s).") % {
        "new": _name(new), "old": ", ".join(_name(u) for u in old) or "–"}
    _history(grant, actor, f"{basis}: {line}")
    return line


def _describe_director(grant: Grant, payload: dict) -> str:
    user = User.objects.filter(pk=payload["user_id"]).first()
    return _("Ny klyngedirektør: %(name)s") % {"name": _name(user) if user else "?"}


register(ChangeKind(AmendmentKind.AMOUNT, True, _clean_amount, _apply_amount, _describe_amount))
register(ChangeKind(AmendmentKind.PERIOD, True, _clean_period, _apply_period, _describe_period))
register(ChangeKind(AmendmentKind.TARGETS, True, _clean_targets, _apply_targets, _describe_targets))
register(ChangeKind(AmendmentKind.DIRECTOR, False, _clean_director, _apply_director,
                    _describe_director))
register(ChangeKind(AmendmentKind.BUDGET, True, _clean_budget, _apply_budget, _describe_budget))


# -- the case ----------------------------------------------------------------------------------


def describe(amendment: Amendment) -> list[dict]:
    return [{"kind": k, "label": str(AmendmentKind(k).label),
             "text": CHANGE_KINDS[k].describe(amendment.grant, amendment.changes[k])}
            for k in amendment.kinds]


@transaction.atomic
def amendment_propose(*, grant: Grant, changes: dict, reason: str, actor) -> Amendment:
    """Open an amendment case with the proposed changes (kind -> payload). Refused with a
    Danish message (AmendmentError, naming the field) when a payload is invalid, the grant is
    not active, or the grant has an open amendment already."""
    if not is_caseworker(actor):
        raise AmendmentError(_("Kun sagsbehandlere og kontorchefen kan foreslå ændringer."))
    locked = Grant.objects.select_for_update(of=("self",)).select_related("cluster").get(pk=grant.pk)
    if locked.status != GrantStatus.ACTIVE:
        raise AmendmentError(_("Bevillingen %(ref)s er %(status)s og kan ikke ændres.") % {
            "ref": locked.reference, "status": locked.get_status_display().lower()})
    if not changes:
        raise AmendmentError(_("Vælg mindst én ændring."), "kinds")
    if not (reason or "").strip():
        raise AmendmentError(_("Skriv begrundelsen for ændringen."), "reason")
    if Amendment.objects.filter(grant=locked, status=AmendmentStatus.PROPOSED).exists():
        raise AmendmentError(_("Bevillingen har allerede en ændring, der afventer afgørelse."))
    cleaned = {}
    for kind, payload in changes.items():
        if kind not in CHANGE_KINDS:
            raise AmendmentError(_("Ukendt ændring: %(k)s.") % {"k": kind}, "kinds")
        cleaned[kind] = CHANGE_KINDS[kind].clean(locked, payload)
    kinds = [k for k in CHANGE_KINDS if k in cleaned]
    four_eyes = any(CHANGE_KINDS[k].four_eyes for k in kinds)
    labels = ", ".join(str(AmendmentKind(k).label).lower() for k in kinds)
    case = case_open(case_type=CaseType.AMENDMENT, cluster=locked.cluster, actor=actor,
                     subject=f"Ændring af bevilling {locked.reference}: {labels}", grant=locked)
    case.assignee = actor
    _move_assigned(case, actor)
    amendment = Amendment.objects.create(case=case, grant=locked, kinds=kinds, changes=cleaned,
                                         reason=reason.strip(), four_eyes=four_eyes,
                                         proposed_by=actor)
    lines = "\n".join(f"- {d['label']}: {d['text']}" for d in describe(amendment))
    _event(case, actor, CaseEventKind.PROPOSAL, internal=True,
           text=f"Ændring foreslået af {_name(actor)}:\n{lines}\n\nBegrundelse: {amendment.reason}")
    if four_eyes:
        _notify_approvers(
            case, lambda: _("Ændring af bevilling %(ref)s afventer din godkendelse") % {
                "ref": locked.reference},
            lambda: lines, exclude=actor)
    return amendment


def _move_assigned(case: Case, actor) -> None:
    """A proposed amendment is the proposer's case, in progress."""
    case.status = CaseStatus.ASSIGNED
    _save(case, ["assignee", "status"])
    Deadline.objects.filter(pk=case.deadline_id).update(assignee=actor)
    _event(case, actor, CaseEventKind.ASSIGNMENT, from_status=CaseStatus.NEW,
           to_status=CaseStatus.ASSIGNED, text=f"Tildelt {_name(actor)}.", internal=True)
    _move(case, CaseStatus.IN_PROGRESS, actor)


def _require_decider(amendment: Amendment, actor) -> None:
    if amendment.four_eyes:
        if not is_head_of_office(actor):
            raise AmendmentError(_("Ændringer af beløb, periode eller måltal godkendes af "
                                   "kontorchefen."))
        if actor.pk == amendment.proposed_by_id:
            raise FourEyesViolation(_("Du har selv foreslået ændringen; en anden skal afgøre "
                                      "den (fire øjne)."))
    elif not is_caseworker(actor):
        raise AmendmentError(_("Kun sagsbehandlere og kontorchefen kan afgøre ændringer."))


def _lock_amendment(amendment: Amendment, expected_version: int | None) -> tuple[Amendment, Case]:
    case = _lock(amendment.case, expected_version)
    locked = Amendment.objects.select_for_update(of=("self",)).select_related(
        "grant__cluster").get(pk=amendment.pk)
    if locked.status != AmendmentStatus.PROPOSED:
        raise AmendmentError(_("Ændringen er allerede afgjort."))
    return locked, case


def _finish(amendment: Amendment, status: str, actor, note: str) -> None:
    amendment.status = status
    amendment.decided_by = actor
    amendment.decided_at = timezone.now()
    amendment.decision_note = note
    amendment.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])


@transaction.atomic
def amendment_approve(*, amendment: Amendment, actor, note: str = "",
                      expected_version: int | None = None) -> Amendment:
    """Approve and apply every change (one transaction), write the history and the letter."""
    locked, case = _lock_amendment(amendment, expected_version)
    _require_decider(locked, actor)
    grant = Grant.objects.select_for_update().select_related("cluster").get(pk=locked.grant_id)
    if grant.status != GrantStatus.ACTIVE:
        raise AmendmentError(_("Bevillingen er ikke længere aktiv og kan ikke ændres."))
    basis = f"Ændringssag {case.journal_number}"
    lines = [CHANGE_KINDS[k].apply(grant, locked.changes[k], actor, basis) for k in locked.kinds]
    _finish(locked, AmendmentStatus.APPROVED, actor, note.strip())
    body = "\n\n".join([
        _("Erhvervsstyrelsen har godkendt ændringen af bevilling %(ref)s.") % {"ref": grant.reference},
        *lines,
        _("Begrundelse: %(reason)s") % {"reason": locked.reason},
        *([note.strip()] if note.strip() else []),
    ])
    _decide(case, actor, LetterKind.AMENDMENT_APPROVED, body)
    amendment.__dict__.update(status=locked.status, decided_by_id=actor.pk,
                              decided_at=locked.decided_at)
    return locked


@transaction.atomic
def amendment_reject(*, amendment: Amendment, actor, note: str,
                     expected_version: int | None = None) -> Amendment:
    locked, case = _lock_amendment(amendment, expected_version)
    _require_decider(locked, actor)
    if not (note or "").strip():
        raise AmendmentError(_("Skriv begrundelsen for afslaget."), "note")
    _finish(locked, AmendmentStatus.REJECTED, actor, note.strip())
    body = "\n\n".join([
        _("Erhvervsstyrelsen har afvist den foreslåede ændring af bevilling %(ref)s.") % {
            "ref": locked.grant.reference},
        *[f"{d['label']}: {d['text']}" for d in describe(locked)],
        _("Begrundelse for afslaget: %(note)s") % {"note": note.strip()},
    ])
    _decide(case, actor, LetterKind.AMENDMENT_REJECTED, body)
    amendment.__dict__.update(status=locked.status, decided_by_id=actor.pk)
    return locked


# -- reads -------------------------------------------------------------------------------------


def amendments_awaiting_approval(*, user) -> QuerySet[Amendment]:
    """What awaits the head of office (for the "Til godkendelse" queue tab): proposed
    amendments that need four eyes, not proposed by the user. Empty for anyone else."""
    if not is_head_of_office(user):
        return Amendment.objects.none()
    return (Amendment.objects.filter(status=AmendmentStatus.PROPOSED, four_eyes=True)
            .exclude(proposed_by=user)
            .select_related("grant__cluster", "case", "proposed_by")
            .order_by("proposed_at", "id"))


def amendment_get(*, user, pk: int) -> Amendment | None:
    """An amendment for the authority (caseworkers and the head of office); None otherwise."""
    if not is_caseworker(user):
        return None
    return (Amendment.objects.select_related("grant__cluster", "case", "proposed_by",
                                             "decided_by").filter(pk=pk).first())
