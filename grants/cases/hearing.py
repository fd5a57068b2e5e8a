"""Hearing before an adverse decision (partshøring, forvaltningslovens § 19): ONE service that
every adverse decision uses.

    hearing_start(case, subject_kind, proposed_decision, grounds, days=14)
        -> a hearing letter (DecisionLetter kind "hearing", issued through grants.cases.letters,
           so whatever dispatches letters dispatches it too), a Deadline of kind "hearing" (the
           cluster's reminders follow it through grants.notifications.reminders), a case event
           the cluster sees, and the case waits for the cluster.
    hearing_answer(case, actor, text, files)
        -> the cluster's answer as an append-only case event with a receipt; the case continues.
    require_hearing_concluded(case, subject_kind)
        -> the guard each adverse decision calls before it decides: refuses (HearingPending)
           until the cluster has answered or the deadline has passed.
    hearing_conclude(case, subject_kind, actor)
        -> the guard plus: marks the hearing as used by the decision and returns the sentence
           the decision letter quotes (the answer's receipt, or that no answer came in time).

Adverse decisions that call it: the withdrawal after a midway evaluation
(evaluations.midway.services.decision_approve), a tranche cancellation
(grants.cases.proposals.tranche_proposal_approve), a rejected open-call application
(evaluations.calls.services.application_decide) and a case decided after its conditions were
not met (grants.cases.services.case_decide). A repayment claim calls the same two functions
with subject_kind HearingSubject.REPAYMENT_CLAIM."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grants.cases.letters import decision_letter_create
from grants.cases.models import Case, CaseEvent, Hearing
from grants.cases.services import (  # the guard lives with the case services; re-exported
    CaseActionError,
    HearingPending,
    _event,
    _lock,
    _move,
    _notify_cluster,
    _require_handler,
    _save,
    attach_files,
    hearing_conclude,
    hearing_is_concluded,
    hearing_receipt,
    notify_handlers,
    open_hearing,
    require_hearing_concluded,
    require_own_cluster,
)
from grants.constants import CaseEventKind, CaseStatus, DeadlineKind, HearingSubject, LetterKind
from grants.deadlines.models import Deadline
from klyngeadmin.kernel.dates import format_date
from klyngeadmin.kernel.i18n import RECORD_LANGUAGE, record_text
from klyngeadmin.kernel.localtime import COPENHAGEN

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
    """Send the cluster a hearing letter on a proposed adverse decision, with a deadline."""
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
    if locked.cluster_id is None:
        raise CaseActionError(_("Sagen har ingen klynge, der kan høres."))
    if open_hearing(locked, subject_kind) is not None:
        raise CaseActionError(_("Der er allerede en åben partshøring om denne afgørelse."))
    due = hearing_due_at(int(days))
    label = HearingSubject(subject_kind).label
    deadline = Deadline.objects.create(
        kind=DeadlineKind.HEARING, cluster_id=locked.cluster_id, assignee=locked.assignee,
        subject=f"Partshøring: {locked.subject}"[:300], due_at=due, original_due_at=due,
    )
    body = record_text(
        "Erhvervsstyrelsen påtænker at træffe følgende afgørelse: %(label)s.\n\n"
        "Påtænkt afgørelse: %(decision)s\n\nBegrundelse: %(grounds)s\n\n"
        "Før afgørelsen træffes, har klyngen ret til at udtale sig (partshøring efter "
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
    _notify_cluster(
        locked, lambda: _("Partshøring i sag %(j)s: svar senest %(date)s") % {
            "j": locked.journal_number, "date": format_date(due)},
        lambda: _("Erhvervsstyrelsen påtænker en afgørelse, som I har ret til at udtale jer "
                  "om. Høringsbrevet ligger i sagen i klyngeadmin."),
    )
    case.__dict__.update(status=locked.status, version=locked.version)
    return hearing


@transaction.atomic
def hearing_answer(*, case: Case, actor, text: str, files=(), expected_version=None) -> CaseEvent:
    """The cluster's answer to the open hearing (one answer per hearing; later messages are
    ordinary messages). Accepted until the decision is taken, also after the deadline."""
    require_own_cluster(case, actor)
    text = (text or "").strip()
    if not text:
        raise CaseActionError(_("Skriv jeres høringssvar."))
    locked = _lock(case, expected_version)
    hearing = Hearing.objects.select_for_update(of=("self",)).filter(
        case=locked, concluded_at__isnull=True).order_by("-created_at").first()
    if hearing is None:
        raise CaseActionError(_("Der er ingen åben partshøring i sagen."))
    if hearing.answer_id is not None:
        raise CaseActionError(_("I har allerede svaret på partshøringen. Skriv en besked i "
                                "sagen, hvis I vil tilføje noget."))
    now = timezone.now()
    event = _event(locked, actor, CaseEventKind.HEARING_ANSWER, text=text, at=now)
    attach_files(event, files, actor)
    hearing.answer, hearing.answered_at = event, now
    hearing.save(update_fields=["answer", "answered_at"])
    Deadline.objects.filter(pk=hearing.deadline_id, completed_at__isnull=True).update(completed_at=now)
    if locked.status == CaseStatus.AWAITING_CLUSTER:
        _move(locked, CaseStatus.IN_PROGRESS, actor,
              record_text("Klyngen har svaret på partshøringen."))
    else:
        _save(locked, [], case)
    notify_handlers(locked, lambda: _("Høringssvar fra klyngen i sag %(j)s") % {
        "j": locked.journal_number}, text)
    case.__dict__.update(status=locked.status, version=locked.version)
    return event


__all__ = [
    "HEARING_DAYS", "HearingPending", "hearing_answer", "hearing_conclude", "hearing_is_concluded",
    "hearing_receipt", "hearing_start", "open_hearing", "require_hearing_concluded",
]
