"""The award letter (tilsagnsbrev, issue 16 item 4): a grant starts with a letter stating the
amount per year, the conditions and the reporting duties, which the cluster's director
accepts in the browser. Until then no tranche is proposed or released (the check is in
grants.cases.tranches and, as the last line of defence, a trigger on grants_tranche).

The letter is a DecisionLetter of kind `award` on a case of type `award` (Case.grant), stored
through decision_letter_store, so it goes to Digital Post and the records system like every
other letter. Its content is built by one function, `award_letter_context()`: the place to add
what a grant gets later (targets and budget: the `targets` and `budget` entries)."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from grants.budgets.selectors import grant_years
from grants.cases.letters import LETTER_CSS, decision_letter_store
from grants.cases.models import Case, DecisionLetter
from grants.cases.services import (
    CaseActionError,
    _directors,
    _event,
    _lock,
    _move,
    _name,
    _require_handler,
    _save,
    case_open,
)
from grants.constants import CaseEventKind, CaseStatus, CaseType, LetterKind
from grants.core.models import Grant, GrantEvent
from grants.notifications.services import notify
from grants.targets.catalogue import Indicator, target_text
from grants.targets.selectors import targets_of
from klyngeadmin.kernel.formatting import kr, number
from klyngeadmin.kernel.i18n import record_text
from klyngeadmin.kernel.pdf import render_pdf
from klyngeadmin.kernel.predicates import is_director

# The standard conditions of a cluster grant (the call's terms), in the letter's order.
CONDITIONS = (
    "Bevillingen anvendes til klyngens kerneopgave: samarbejde mellem videninstitutioner og "
    "små og mellemstore virksomheder, jf. opslaget.",
    "Klyngen afrapporterer hvert år i klyngeadmin senest 31. marts året efter (årsrapport med "
    "revisorerklæring).",
    "Raterne udbetales én gang om året, når årsrapporten for det foregående år er godkendt.",
    "Bevillingen midtvejsevalueres i bevillingsår %(midway)s; Erhvervsstyrelsen kan på "
    "baggrund af evalueringen fortsætte bevillingen, fortsætte den med vilkår eller "
    "tilbagekalde den for de resterende år.",
    "Væsentlige ændringer (klyngedirektør, budget, mål) skal godkendes af Erhvervsstyrelsen.",
)


def award_letter_context(grant: Grant) -> dict:
    """Everything the award letter shows, in one place. Later items (the targets and budget
    a grant is given, issue 15) are added here: the template lists `targets` and `budget`
    where they are set and says they follow otherwise."""
    tranches = list(grant.tranches.order_by("year_number").values("year_number", "year",
                                                                   "amount_dkk"))
    reports = list(grant.reports.select_related("deadline").order_by("year_number"))
    midway = grant.midway_year
    conditions = [c % {"midway": midway} if "%(midway)s" in c else c
                  for c in CONDITIONS if midway or "%(midway)s" not in c]
    return {
        "grant": grant,
        "cluster": grant.cluster,
        "tranches": tranches,
        "total_dkk": sum(t["amount_dkk"] for t in tranches),
        "reporting_duties": [{"year": r.year, "due_at": r.deadline.due_at if r.deadline_id else None}
                             for r in reports],
        "midway_year": midway,
        "midway_calendar_year": grant.calendar_year(midway) if midway else None,
        "conditions": conditions,
        "targets": award_target_lines(grant),
        "budget": award_budget_lines(grant),
    }


def award_target_lines(grant: Grant) -> list[str]:
    """The targets as the award letter states them: per indicator its target in each grant year
    (grants.targets; one query)."""
    by_indicator: dict[str, list[str]] = {}
    for year_number, targets in sorted(targets_of(grant).items()):
        for code, t in targets.items():
            by_indicator.setdefault(code, []).append(
                record_text("år %(n)s: %(value)s", {"n": year_number, "value": target_text(t.target)}))
    return [record_text("%(indicator)s – %(years)s",
                        {"indicator": Indicator(code).label, "years": ", ".join(years)})
            for code, years in by_indicator.items()]


def award_budget_lines(grant: Grant) -> list[str]:
    """The budget as the award letter states it: per budgeted grant year its eligible and other
    costs and the grant's share of their funding (grants.budgets; two queries)."""
    return [
        record_text("%(year)s (år %(n)s): budgetterede omkostninger %(costs)s, heraf finansieret "
                    "af bevillingen %(grant)s",
                    {"year": y["year"], "n": y["number"], "costs": kr(y["costs_budget"]),
                     "grant": kr(y["grant_budget"])})
        for y in grant_years(grant=grant) if y["has_budget"]
    ]


def award_case(grant: Grant) -> Case | None:
    return Case.objects.filter(grant=grant, case_type=CaseType.AWARD).order_by("-created_at").first()


def award_letter(grant: Grant) -> DecisionLetter | None:
    return (DecisionLetter.objects.filter(case__grant=grant, kind=LetterKind.AWARD)
            .select_related("case", "delivery").order_by("-created_at", "-id").first())


@transaction.atomic
def award_letter_issue(*, grant: Grant, actor) -> DecisionLetter:
    """Issue the grant's award letter: a case of type award (assigned to the caseworker, then
    waiting for the cluster), the PDF stored with it (Digital Post and records filing follow
    from decision_letter_store) and a notice to the cluster's directors."""
    _require_handler(actor)
    # the cluster is read (the letter names it), not locked: only the grant's row
    grant = Grant.objects.select_for_update(of=("self",)).select_related("cluster").get(pk=grant.pk)
    if grant.award_accepted_at is not None:
        raise CaseActionError(_("Tilsagnet er allerede accepteret."))
    if Case.objects.filter(grant=grant, case_type=CaseType.AWARD).exists():
        raise CaseActionError(_("Der er allerede udsendt et tilsagnsbrev for bevillingen."))
    subject = record_text("Tilsagn %(ref)s – %(cluster)s",
                          {"ref": grant.reference, "cluster": grant.cluster.name})
    case = case_open(case_type=CaseType.AWARD, subject=subject, cluster=grant.cluster,
                     actor=actor, grant=grant)
    locked = _lock(case, None)
    locked.assignee = actor
    locked.status = CaseStatus.ASSIGNED
    _save(locked, ["assignee", "status"])
    _event(locked, actor, CaseEventKind.ASSIGNMENT, from_status=CaseStatus.NEW,
           to_status=CaseStatus.ASSIGNED, internal=True,
           text=record_text("Tildelt %(name)s.", {"name": _name(actor)}))
    _move(locked, CaseStatus.IN_PROGRESS, actor)
    now = timezone.now()
    title = f"Tilsagn om klyngebevilling {grant.reference} – sag {locked.journal_number}"
    body = record_text(
        "Erhvervsstyrelsen giver tilsagn om en klyngebevilling på %(amount)s kr. om året i "
        "%(years)s år (%(start)s–%(end)s). Tilsagnet skal accepteres af klyngedirektøren i "
        "klyngeadmin, før den første rate kan udbetales.",
        {"amount": number(grant.annual_amount_dkk), "years": grant.horizon_years,
         "start": grant.start_year, "end": grant.end_year})
    pdf = render_pdf("cases/award_letter_pdf.html", {
        **award_letter_context(grant), "case": locked, "title": title, "body": body,
        "actor": actor, "date": timezone.localdate(now)}, stylesheet=LETTER_CSS)
    letter = decision_letter_store(case=locked, kind=LetterKind.AWARD, title=title, body=body,
                                   pdf=pdf, actor=actor, created_at=now)
    _move(locked, CaseStatus.AWAITING_CLUSTER, actor,
          record_text("Tilsagnsbrevet er sendt; afventer klyngedirektørens accept.", {}))
    url = reverse("cases:award", args=[grant.pk])
    for director in _directors(locked):
        notify(recipient=director, kind="case_award_letter", url=url,
               subject=lambda: _("Tilsagnsbrev til accept: %(ref)s") % {"ref": grant.reference},
               body=lambda: _("Erhvervsstyrelsen har sendt jer et tilsagnsbrev. Klyngedirektøren "
                              "accepterer tilsagnet i klyngeadmin; først derefter kan raterne "
                              "udbetales."))
    return letter


class AwardNotAcceptable(CaseActionError):
    pass


@transaction.atomic
def award_accept(*, grant: Grant, actor) -> Grant:
    """The cluster's director accepts the award letter: who and when are recorded on the grant
    (a CHECK keeps them together), with a GrantEvent and a case event; the award case goes
    back to the caseworker (awaiting_cluster -> in_progress), who closes it."""
    if not (is_director(actor) and actor.cluster_id == grant.cluster_id):
        raise AwardNotAcceptable(_("Kun klyngens direktør kan acceptere tilsagnet."))
    locked_grant = Grant.objects.select_for_update().get(pk=grant.pk)
    if locked_grant.award_accepted_at is not None:
        raise AwardNotAcceptable(_("Tilsagnet er allerede accepteret."))
    case = award_case(locked_grant)
    if case is None or award_letter(locked_grant) is None:
        raise AwardNotAcceptable(_("Der er endnu ikke sendt et tilsagnsbrev for bevillingen."))
    now = timezone.now()
    locked_grant.award_accepted_at, locked_grant.award_accepted_by = now, actor
    locked_grant.save(update_fields=["award_accepted_at", "award_accepted_by", "updated_at"])
    text = record_text("Tilsagnet er accepteret af %(name)s.", {"name": _name(actor)})
    GrantEvent.objects.create(grant=locked_grant, actor=actor, from_status=locked_grant.status,
                              to_status=locked_grant.status, text=text, created_at=now)
    locked_case = _lock(case, None)
    _save(locked_case, [])
    # from the cluster: a visible note, as the cluster's other answers in a case are
    _event(locked_case, actor, CaseEventKind.NOTE, text=text, at=now)
    if locked_case.status == CaseStatus.AWAITING_CLUSTER:
        _move(locked_case, CaseStatus.IN_PROGRESS, actor, text)
    grant.__dict__.update(award_accepted_at=now, award_accepted_by_id=actor.pk)
    return locked_grant
