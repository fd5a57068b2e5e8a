"""Conditions that are followed up: a "continue with conditions" midway decision opens a case of
type `conditions` with a deadline (kind `conditions`: the cluster's reminders follow it through
grants.notifications.reminders) for the cluster's condition report (redegørelse); the
caseworker closes it as met (a letter, the case is decided) or not met (a new proposed decision
- withdrawal - goes into hearing on the same case; case_decide then decides it only after the
hearing, quoting the answer's receipt).

Called by evaluations.midway.services.decision_approve (which sits above grants and passes the
evaluation in); nothing here imports evaluations."""

from __future__ import annotations

from datetime import date, datetime, time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grants.cases import withdrawal
from grants.cases.hearing import hearing_conclude, hearing_start
from grants.cases.models import Case, CaseEvent, ConditionFollowUp, Hearing
from grants.cases.services import (
    CaseActionError,
    _decide,
    _event,
    _lock,
    _require_handler,
    _save,
    attach_files,
    case_assign,
    case_open,
    notify_handlers,
    notify_party,
    require_own_cluster,
)
from grants.constants import (
    CaseEventKind,
    CaseStatus,
    CaseType,
    ConditionOutcome,
    DeadlineKind,
    HearingSubject,
    LetterKind,
)
from grants.core.models import Grant
from grants.deadlines.models import Deadline
from klyngeadmin.kernel.dates import format_date
from klyngeadmin.kernel.errors import FourEyesViolation
from klyngeadmin.kernel.i18n import RECORD_LANGUAGE, record_text
from klyngeadmin.kernel.localtime import COPENHAGEN
from klyngeadmin.kernel.predicates import is_caseworker, is_head_of_office


@transaction.atomic
def conditions_followup_open(*, evaluation, cluster, conditions: str, due: date, actor,
                             year: int) -> ConditionFollowUp:
    """Open the follow-up of a conditions decision: the case, the cluster's deadline, the
    follow-up row, and the cluster is told what to report and by when."""
    conditions = (conditions or "").strip()
    if not conditions or due is None:
        raise CaseActionError(_("En afgørelse med vilkår skal have vilkår og en opfølgningsfrist."))
    case = case_open(
        case_type=CaseType.CONDITIONS, cluster=cluster, actor=actor, evaluation=evaluation,
        subject=f"Opfølgning på vilkår, midtvejsevaluering {year} – {cluster.name}"[:300],
    )
    due_at = datetime.combine(due, time(23, 59, 59), COPENHAGEN)
    deadline = Deadline.objects.create(
        kind=DeadlineKind.CONDITIONS, cluster=cluster, due_at=due_at, original_due_at=due_at,
        subject=f"Redegørelse for vilkår: {cluster.name}"[:300],
    )
    followup = ConditionFollowUp.objects.create(case=case, conditions=conditions, deadline=deadline)
    if is_caseworker(actor):
        case_assign(case=case, assignee=actor, actor=actor)
    text = record_text(
        "Bevillingen fortsætter med vilkår. Vilkår: %(conditions)s\n\nSend en redegørelse for, "
        "hvordan vilkårene er opfyldt, i sagen i klyngeadmin senest %(date)s.",
        {"conditions": conditions, "date": format_date(due_at, language=RECORD_LANGUAGE)})
    _event(case, actor, CaseEventKind.MESSAGE, text=text)
    notify_party(case, lambda: _("Redegørelse for vilkår senest %(date)s") % {
        "date": format_date(due_at)}, text)
    return followup


def _followup(case: Case) -> ConditionFollowUp:
    if case.case_type != CaseType.CONDITIONS:
        raise CaseActionError(_("Handlingen gælder kun sager om opfølgning på vilkår."))
    return ConditionFollowUp.objects.select_for_update(of=("self",)).select_related(
        "deadline").get(case=case)


@transaction.atomic
def condition_report_submit(*, case: Case, actor, text: str, files=(),
                            expected_version: int | None = None) -> CaseEvent:
    """The cluster's condition report: an append-only case event (with attachments); the
    deadline is met and the caseworker is told."""
    require_own_cluster(case, actor)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Skriv jeres redegørelse for vilkårene.")})
    locked = _lock(case, expected_version)
    followup = _followup(locked)
    if followup.report_id is not None:
        raise CaseActionError(_("Redegørelsen er allerede indsendt. Skriv en besked i sagen, "
                                "hvis I vil tilføje noget."))
    if locked.status in (CaseStatus.DECIDED, CaseStatus.CLOSED):
        raise CaseActionError(_("Sagen er afgjort."))
    now = timezone.now()
    event = _event(locked, actor, CaseEventKind.CONDITION_REPORT, text=text, at=now)
    attach_files(event, files, actor)
    followup.report, followup.submitted_at = event, now
    followup.save(update_fields=["report", "submitted_at"])
    Deadline.objects.filter(pk=followup.deadline_id, completed_at__isnull=True).update(
        completed_at=now)
    _save(locked, [], case)
    notify_handlers(locked, lambda: _("Redegørelse for vilkår i sag %(j)s") % {
        "j": locked.journal_number}, text)
    return event


@transaction.atomic
def conditions_close(*, case: Case, actor, outcome: str, text: str,
                     expected_version: int | None = None) -> ConditionFollowUp:
    """The caseworker's verdict once the report is in (or its deadline has passed): met -> the
    case is decided with a letter; not met -> a proposed withdrawal goes into hearing."""
    _require_handler(actor)
    text = (text or "").strip()
    if outcome not in ConditionOutcome.values:
        raise ValidationError({"outcome": _("Vælg, om vilkårene er opfyldt.")})
    if not text:
        raise ValidationError({"text": _("Skriv begrundelsen for vurderingen.")})
    locked = _lock(case, expected_version)
    followup = _followup(locked)
    if followup.outcome:
        raise CaseActionError(_("Opfølgningen er allerede afsluttet."))
    if followup.report_id is None and followup.deadline.due_at > timezone.now():
        raise CaseActionError(_("Vent på klyngens redegørelse eller på, at fristen udløber."))
    if locked.status != CaseStatus.IN_PROGRESS:
        raise CaseActionError(_("Sagen skal være under behandling, før vilkårene kan vurderes."))
    followup.outcome, followup.closed_by, followup.closed_at = outcome, actor, timezone.now()
    followup.save(update_fields=["outcome", "closed_by", "closed_at"])
    Deadline.objects.filter(pk=followup.deadline_id, completed_at__isnull=True).update(
        completed_at=followup.closed_at)
    if outcome == ConditionOutcome.MET:
        _decide(locked, actor, LetterKind.CONDITIONS_CLOSED, record_text(
            "Vilkårene for fortsættelsen er opfyldt. %(text)s", {"text": text}))
    else:
        _event(locked, actor, CaseEventKind.NOTE, internal=True,
               text=record_text("Vilkårene er ikke opfyldt: %(text)s", {"text": text}))
        hearing_start(
            case=locked, actor=actor, subject_kind=HearingSubject.WITHDRAWAL,
            proposed_decision=record_text(
                "Bevillingen tilbagekaldes, fordi vilkårene for fortsættelsen ikke er opfyldt."),
            grounds=text,
        )
        locked.refresh_from_db(fields=["status", "version"])
    case.__dict__.update(status=locked.status, version=locked.version)
    return followup


@transaction.atomic
def conditions_decide(*, case: Case, actor, text: str, expected_version: int | None = None) -> Case:
    """Decide a conditions case whose conditions were found not met, after its hearing. The
    proposed decision is a withdrawal, so the head of office takes it, never the one who sent
    it into hearing; the letter quotes the hearing's receipt, and the grant is withdrawn
    (grants.cases.withdrawal)."""
    _require_handler(actor)
    text = (text or "").strip()
    if not text:
        raise CaseActionError(_("Skriv afgørelsen."))
    locked = _lock(case, expected_version)
    if locked.case_type != CaseType.CONDITIONS:
        raise CaseActionError(_("Sagen er ikke en opfølgning på vilkår."))
    pending = Hearing.objects.filter(case=locked, concluded_at__isnull=True).first()
    if pending is None:
        raise CaseActionError(_("Sagen har ingen påtænkt afgørelse i høring."))
    if not is_head_of_office(actor):
        raise CaseActionError(_("Kun kontorchefen kan tilbagekalde en bevilling."))
    if pending.started_by_id == actor.pk:
        raise FourEyesViolation(_("Du har selv sendt den påtænkte afgørelse i høring. En anden "
                                  "skal træffe den (fire øjne)."))
    text += "\n\n" + hearing_conclude(case=locked, subject_kind=pending.subject_kind, actor=actor)
    _decide(locked, actor, LetterKind.CONDITIONS_CLOSED, text)
    if pending.subject_kind == HearingSubject.WITHDRAWAL:
        grant = Grant.objects.select_for_update().get(pk=locked.evaluation.grant_id)
        withdrawal.grant_withdraw(
            grant=grant, actor=actor, after_year=grant.midway_year or 5,
            reason=record_text("Bevillingen er tilbagekaldt, fordi vilkårene for fortsættelsen "
                               "ikke er opfyldt."))
    case.__dict__.update(status=locked.status, version=locked.version)
    return locked
