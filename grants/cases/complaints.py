"""Complaints (klage): their own case type, opened by the cluster from a decision letter's
appeal route (the "Klag over afgørelsen" link next to the letter under Mine sager), within
the appeal period, with their own handling deadline (kind `complaint`, which the caseworker's
reminders follow). The complaint's text and attachments are the case's first cluster message;
the caseworker decides it like any other case (case_decide)."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grants.cases.models import Case, DecisionLetter
from grants.cases.services import (
    CaseActionError,
    _event,
    attach_files,
    case_open,
    notify_handlers,
    require_own_cluster,
)
from grants.constants import CaseEventKind, CaseType, DeadlineKind, LetterKind
from klyngeadmin.kernel.dates import format_date

APPEAL_WEEKS = 4  # the appeal period stated in the decision letters (klagefrist)
COMPLAINT_HANDLING_DAYS = 60
NOT_APPEALABLE = (LetterKind.HEARING,)  # a hearing letter is not a decision


def appeal_deadline(letter: DecisionLetter):
    return letter.created_at + timedelta(weeks=APPEAL_WEEKS)


def letter_appealable(letter: DecisionLetter, now=None) -> bool:
    return letter.kind not in NOT_APPEALABLE and (now or timezone.now()) <= appeal_deadline(letter)


@transaction.atomic
def complaint_open(*, letter: DecisionLetter, actor, text: str, files=()) -> Case:
    """The cluster complains about a decision: a complaint case about the letter."""
    case = letter.case
    require_own_cluster(case, actor)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Skriv jeres klage og begrundelsen for den.")})
    if letter.kind in NOT_APPEALABLE:
        raise CaseActionError(_("Et høringsbrev er ikke en afgørelse og kan ikke påklages. "
                                "Svar på høringen i sagen."))
    if timezone.now() > appeal_deadline(letter):
        raise CaseActionError(_("Klagefristen udløb %(date)s.") % {
            "date": format_date(appeal_deadline(letter))})
    DecisionLetter.objects.select_for_update().get(pk=letter.pk)
    if Case.objects.filter(case_type=CaseType.COMPLAINT, appeal_of=letter).exists():
        raise CaseActionError(_("I har allerede klaget over denne afgørelse. Skriv i klagesagen."))
    complaint = case_open(
        case_type=CaseType.COMPLAINT, cluster=case.cluster, actor=actor, appeal_of=letter,
        subject=f"Klage over {letter.title}"[:300], handling_days=COMPLAINT_HANDLING_DAYS,
        deadline_kind=DeadlineKind.COMPLAINT,
    )
    event = _event(complaint, actor, CaseEventKind.CLUSTER_MESSAGE, text=text)
    attach_files(event, files, actor)
    notify_handlers(complaint, lambda: _("Klage fra klyngen: sag %(j)s") % {
        "j": complaint.journal_number}, text)
    return complaint
