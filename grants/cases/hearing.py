"""Hearing before an adverse decision (partshøring, forvaltningslovens § 19): ONE service that
every adverse decision uses.

    hearing_start(case, subject_kind, proposed_decision, grounds, days=14)
        -> a hearing letter (DecisionLetter kind "hearing", issued through grants.cases.letters,
           so whatever dispatches letters dispatches it too), a Deadline of kind "hearing" (the
           party's reminders follow it through grants.notifications.reminders), a case event
           the party sees, and the case waits for the party.
    hearing_answer(case, actor, text, files)
        -> the party's answer as an append-only case event with a receipt; the case continues.
    require_hearing_concluded(case, subject_kind)
        -> the guard each adverse decision calls before it decides: refuses (HearingPending)
           until the party has answered or the deadline has passed.
    hearing_conclude(case, subject_kind, actor)
        -> the guard plus: marks the hearing as used by the decision and returns the sentence
           the decision letter quotes (the answer's receipt, or that no answer came in time).
    hearing_drop(case, subject_kind, actor, reason)
        -> the proposed adverse decision is no longer proposed: the hearing ends unused and its
           deadline is cancelled.

The party is the case's cluster or, on an open-call application's case, the applicant: one
selector, grants.cases.party.case_party, says which (who answers, the CVR the letters go to
by Digital Post, who is notified).

Adverse decisions that call it: the withdrawal after a midway evaluation
(evaluations.midway.services.decision_approve), a tranche cancellation
(grants.cases.proposals.tranche_proposal_approve), a rejected open-call application
(evaluations.calls.services.application_decide, which drops the hearing when the application
is approved after all) and a case decided after its conditions were not met
(grants.cases.conditions.conditions_decide). A repayment claim calls the same two functions
with subject_kind HearingSubject.REPAYMENT_CLAIM."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grants.cases.letters import decision_letter_create
from grants.cases.models import Case, CaseEvent, Hearing
from grants.cases.party import case_party
from grants.cases.services import (  # the guard lives with the case services; re-exported
    CaseActionError,
    HearingPending,
    _event,
    _lock,
    _move,
    _require_handler,
    _save,
    attach_files,
    hearing_conclude,
    hearing_is_concluded,
    hearing_receipt,
    notify_handlers,
    notify_party,
    open_hearing,
    require_hearing_concluded,
    require_party,
)
from grants.constants import CaseEventKind, CaseStatus, DeadlineKind, HearingSubject, LetterKind
from grants.deadlines.models import Deadline
from klyngeadmin.kernel.dates import format_date
from klyngeadmin.kernel.i18n import RECORD_LANGUAGE, record_text
from klyngeadmin.kernel.localtime import COPENHAGEN
from klyngeadmin.kernel.predicates import in_role, is_cluster_user

HEARING_DAYS = 14
MIN_HEARING_DAYS = 7
MAX_HEARING_DAYS = 60
CLOSED_FOR_HEARING = (CaseStatus.DECIDED, CaseStatus.CLOSED)


def hearing_due_at(days: int, now=None) -> datetime:
    """The end of the Danish calendar day `days` days from today (23:59:59 Copenhagen time)."""
    today = timezone.localdate(now or timezone.now(), COPENHAGEN)
    return datetime.combine(today + timedelta(days=days), time(23, 59, 59), COPENHAGEN)


@transaction.atomic
def hearing_start(
    *, case: Case, actor, subject_kind: str, proposed_decision: str, grounds: str,
    days: int = HEARING_DAYS, expected_version: int | None = None,
) -> Hearing:
    """Send the case's party a hearing letter on a proposed adverse decision, with a deadline."""
    _require_handler(actor)
    if subject_kind not in HearingSubject.values:
        raise CaseActionError(_("Vælg, hvilken afgørelse høringen gælder."))
    proposed_decision, grounds = (proposed_decision or "").strip(), (grounds or "").strip()
    if not proposed_decision:
        raise CaseActionError(_("Skriv den påtænkte afgørelse."))
    if not grounds:
        raise CaseActionError(_("Skriv begrundelsen for den påtænkte afgørelse."))
    if not (MIN_HEARING_DAYS <= int(days) <= MAX_HEARING_DAYS):
        raise CaseActionError(_("Høringsfristen skal være mellem %(min)s og %(max)s dage.") % {
            "min": MIN_HEARING_DAYS, "max": MAX_HEARING_DAYS})
    locked = _lock(case, expected_version)
    if locked.status in CLOSED_FOR_HEARING:
        raise CaseActionError(_("En afgjort eller lukket sag kan ikke sendes i høring."))
    party = case_party(locked)
    if party is None:
        raise CaseActionError(_("Sagen har ingen part, der kan høres."))
    if open_hearing(locked, subject_kind) is not None:
        raise CaseActionError(_("Der er allerede en åben partshøring om denne afgørelse."))
    due = hearing_due_at(int(days))
    label = HearingSubject(subject_kind).label
    deadline = Deadline.objects.create(
        kind=DeadlineKind.HEARING, **party.deadline_fields, assignee=locked.assignee,
        subject=f"Partshøring: {locked.subject}"[:300], due_at=due, original_due_at=due,
    )
    body = record_text(
        "Erhvervsstyrelsen påtænker at træffe følgende afgørelse: %(label)s.\n\n"
        "Påtænkt afgørelse: %(decision)s\n\nBegrundelse: %(grounds)s\n\n"
        "Før afgørelsen træffes, har I ret til at udtale jer (partshøring efter "
        "forvaltningslovens § 19). Svar i sagen i klyngeadmin senest %(date)s. Afgørelsen "
        "træffes tidligst, når vi har modtaget jeres svar, eller fristen er udløbet.",
        {"label": label, "decision": proposed_decision, "grounds": grounds,
         "date": format_date(due, language=RECORD_LANGUAGE)},
    )
    letter = decision_letter_create(case=locked, kind=LetterKind.HEARING, body=body, actor=actor)
    hearing = Hearing.objects.create(
        case=locked, subject_kind=subject_kind, proposed_decision=proposed_decision,
        grounds=grounds, deadline=deadline, letter=letter, started_by=actor,
    )
    _event(locked, actor, CaseEventKind.HEARING, text=body)
    if locked.status == CaseStatus.IN_PROGRESS:
        _move(locked, CaseStatus.AWAITING_CLUSTER, actor)
    else:
        _save(locked, [], case)
    notify_party(
        locked, lambda: _("Partshøring i sag %(j)s: svar senest %(date)s") % {
            "j": locked.journal_number, "date": format_date(due)},
        lambda: _("Erhvervsstyrelsen påtænker en afgørelse, som I har ret til at udtale jer "
                  "om. Høringsbrevet ligger i sagen i klyngeadmin."),
    )
    case.__dict__.update(status=locked.status, version=locked.version)
    return hearing


@transaction.atomic
def hearing_answer(*, case: Case, actor, text: str, files=(), expected_version=None) -> CaseEvent:
    """The party's answer to the open hearing - the cluster's people, or the applicant of an
    application's case (grants.cases.party) - one answer per hearing; later messages are
    ordinary messages. Accepted until the decision is taken, also after the deadline."""
    require_party(case, actor)
    text = (text or "").strip()
    if not text:
        raise CaseActionError(_("Skriv jeres høringssvar."))
    locked = _lock(case, expected_version)
    hearing = Hearing.objects.select_for_update(of=("self",)).filter(
        case=locked, concluded_at__isnull=True).order_by("-created_at").first()
    if hearing is None:
        raise CaseActionError(_("Der er ingen åben partshøring i sagen."))
    if hearing.answer_id is not None:
        raise CaseActionError(_("I har allerede svaret på partshøringen."))
    now = timezone.now()
    event = _event(locked, actor, CaseEventKind.HEARING_ANSWER, text=text, at=now)
    attach_files(event, files, actor)
    hearing.answer, hearing.answered_at = event, now
    hearing.save(update_fields=["answer", "answered_at"])
    Deadline.objects.filter(pk=hearing.deadline_id, completed_at__isnull=True).update(completed_at=now)
    if locked.status == CaseStatus.AWAITING_CLUSTER:
        # the case continues: by the cluster person who answered, or - for an applicant, who
        # has no step in CASE_WORKFLOW - by the system (the answer event names the applicant)
        _move(locked, CaseStatus.IN_PROGRESS, actor if is_cluster_user(in_role(actor)) else None,
              record_text("Parten har svaret på partshøringen."))
    else:
        _save(locked, [], case)
    notify_handlers(locked, lambda: _("Høringssvar i sag %(j)s") % {
        "j": locked.journal_number}, text)
    case.__dict__.update(status=locked.status, version=locked.version)
    return event


@transaction.atomic
def hearing_drop(*, case: Case, subject_kind: str, actor, reason: str) -> Hearing | None:
    """The adverse decision in hearing is no longer proposed (an application is approved after
    all): the open hearing ends without a decision, its deadline is cancelled (no more
    reminders) and the party sees why in the case. None if there was no open hearing."""
    hearing = open_hearing(case, subject_kind)
    if hearing is None:
        return None
    locked = _lock(case, None)
    now = timezone.now()
    Hearing.objects.filter(pk=hearing.pk).update(concluded_at=now)
    Deadline.objects.filter(pk=hearing.deadline_id, completed_at__isnull=True,
                            cancelled_at__isnull=True).update(cancelled_at=now)
    _event(locked, actor, CaseEventKind.HEARING, text=reason)
    if locked.status == CaseStatus.AWAITING_CLUSTER:
        _move(locked, CaseStatus.IN_PROGRESS, actor, reason)
    else:
        _save(locked, [], case)
    case.__dict__.update(status=locked.status, version=locked.version)
    return hearing


__all__ = [
    "HEARING_DAYS", "HearingPending", "hearing_answer", "hearing_conclude", "hearing_drop",
    "hearing_is_concluded", "hearing_receipt", "hearing_start", "open_hearing",
    "require_hearing_concluded",
]
