"""Case services: every change to a case is one function here, one transaction, under the
case's row lock, with a CaseEvent written in the same transaction (events are append-only).

Forms pass the case `version` they were rendered with (`expected_version`); a stale version
raises StaleCase with a Danish message, so two caseworkers acting at once never both succeed.
A step the workflow (grants.case_workflows.CASE_WORKFLOW) does not allow raises
klyngeadmin.workflow.TransitionNotAllowed; other refused actions raise CaseActionError."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clusters.models import ClusterOrganisation
from grants.cases.letters import decision_letter_create
from grants.cases.models import Case, CaseAttachment, CaseEvent, DecisionLetter, Hearing
from grants.cases.party import case_party
from grants.cases.tranches import year_tranche
from grants.cases.workflows import ACTIVE_STATES, CASE_WORKFLOW, OPEN_STATES
from grants.constants import (
    CaseEventKind,
    CaseStatus,
    CaseType,
    DeadlineKind,
    ExtensionStatus,
    HearingSubject,
    LetterKind,
    ReportStatus,
    TrancheStatus,
)
from grants.deadlines.models import Deadline, DeadlineExtension
from grants.notifications.services import Text, notify
from grants.reports.attachments import check_upload
from grants.reports.models import AnnualReport
from grants.reports.services import report_transition
from klyngeadmin.accounts.models import User
from klyngeadmin.kernel.dates import format_date
from klyngeadmin.kernel.errors import ActionRefused, FourEyesViolation, StaleVersion
from klyngeadmin.kernel.formatting import number
from klyngeadmin.kernel.i18n import RECORD_LANGUAGE, record_text
from klyngeadmin.kernel.predicates import (
    APPROVER_ROLES,
    CASEWORKER_ROLES,
    in_role,
    is_caseworker,
    is_cluster_user,
)
from klyngeadmin.kernel.roles import Role
from klyngeadmin.kernel.workflow import TransitionNotAllowed

CASE_HANDLING_DAYS = 30


class CaseActionError(ActionRefused):
    """An action refused for a reason other than the workflow table; the message is Danish and
    meant for the person who tried."""


class StaleCase(CaseActionError, StaleVersion):
    """The case changed since the form was shown (someone else acted first)."""

    default_code = "stale"


def next_journal_number(year: int) -> str:
    """`YYYY-NNNNNN`, sequential per year. The counter row is updated under its row lock, so
    concurrent openings get distinct numbers; a rolled-back opening leaves no gap in use."""
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO grants_journalcounter (year, last) VALUES (%s, 1) "
            "ON CONFLICT (year) DO UPDATE SET last = grants_journalcounter.last + 1 "
            "RETURNING last",
            [year],
        )
        (number,) = cur.fetchone()
    return f"{year:04d}-{number:06d}"


@transaction.atomic
def case_open(
    *,
    case_type: str,
    subject: str,
    cluster: ClusterOrganisation | None,
    actor=None,
    handling_days: int = CASE_HANDLING_DAYS,
    deadline_kind: str = DeadlineKind.CASE_HANDLING,
    **subject_objects,
) -> Case:
    """Open a case for a report, extension, application or evaluation (passed by keyword:
    report=, extension=, application=, evaluation=, appeal_of=)."""
    assert case_type in CaseType.values
    now = timezone.now()
    due = now + timedelta(days=handling_days)
    deadline = Deadline.objects.create(
        kind=deadline_kind, subject=f"Sagsbehandling: {subject}", cluster=cluster,
        due_at=due, original_due_at=due,
    )
    case = Case.objects.create(
        journal_number=next_journal_number(timezone.localdate(now).year),
        case_type=case_type, subject=subject, cluster=cluster, deadline=deadline,
        status=CaseStatus.NEW, **subject_objects,
    )
    CaseEvent.objects.create(
        case=case, actor=actor, kind=CaseEventKind.OPENED, to_status=CaseStatus.NEW, text=subject
    )
    return case


# -- helpers -------------------------------------------------------------------------------


def _lock(case: Case, expected_version: int | None) -> Case:
    locked = (
        Case.objects.select_for_update(of=("self",))
        .select_related("cluster", "assignee", "report__grant", "extension__deadline")
        .get(pk=case.pk)
    )
    if expected_version is not None and locked.version != expected_version:
        raise StaleCase(
            _(
                "Sagen %(journal)s er blevet ændret af en anden, siden du åbnede den. "
                "Din handling er ikke udført. Se sagen igen, og prøv på ny."
            )
            % {"journal": locked.journal_number}
        )
    return locked


def _require_handler(actor) -> None:
    if not is_caseworker(actor):
        raise CaseActionError(_("Kun sagsbehandlere og kontorchefen kan behandle sager."))


def _save(case: Case, fields: list[str], original: Case | None = None) -> None:
    case.version += 1
    case.save(update_fields=[*fields, "version", "updated_at"])
    if original is not None and original is not case:
        for name in [*fields, "version", "updated_at"]:
            attname = case._meta.get_field(name).attname
            setattr(original, attname, getattr(case, attname))


def _event(case, actor, kind, *, text="", from_status="", to_status="", internal=False, at=None):
    return CaseEvent.objects.create(
        case=case, actor=actor, kind=kind, text=text, from_status=from_status,
        to_status=to_status, internal=internal, created_at=at or timezone.now(),
    )


def _move(case: Case, to: str, actor, comment: str = "") -> None:
    """Change the locked case's status after checking the table; write the transition event."""
    source = case.status
    CASE_WORKFLOW.check(source, to, actor)
    case.status = to
    fields = ["status"]
    if to in (CaseStatus.DECIDED, CaseStatus.CLOSED) and case.deadline_id:
        Deadline.objects.filter(pk=case.deadline_id, completed_at__isnull=True).update(
            completed_at=timezone.now()
        )
    _save(case, fields)
    _event(case, actor, CaseEventKind.TRANSITION, from_status=source, to_status=to, text=comment)


def _directors(case: Case):

    if case.cluster_id is None:
        return User.objects.none()
    return User.objects.filter(cluster_id=case.cluster_id, role=Role.DIRECTOR, is_active=True)


def notify_party(case: Case, subject: Text, body: Text, url: str | None = None) -> None:
    """Tell the case's party (grants.cases.party: a cluster's directors, or the applicant)
    that the authority wrote to it; the link opens the party's own page of the case."""
    party = case_party(case)
    if party is None:
        return
    for person in party.notified():
        notify(recipient=person, kind="case_message", subject=subject, body=body,
               url=url or party.url)


def notify_handlers(case: Case, subject: Text, body: Text) -> None:
    """Tell the case's caseworker (or, on an unassigned case, every active caseworker) that
    the cluster wrote in the case."""
    if case.assignee_id:
        recipients = [case.assignee]
    else:
        recipients = list(User.objects.filter(role__in=CASEWORKER_ROLES, is_active=True))
    for user in recipients:
        notify(recipient=user, kind="case_cluster_reply", subject=subject, body=body,
               url=f"/sager/{case.journal_number}/")


def require_party(case: Case, actor) -> None:
    """The actor speaks for the case's party (grants.cases.party): its cluster's people, or
    the applicant of an application's case."""
    party = case_party(case)
    if party is None or not party.speaks_for(actor):
        raise CaseActionError(_("Kun sagens part kan svare i sagen."))


def require_own_cluster(case: Case, actor) -> None:
    if not is_cluster_user(in_role(actor)) or actor.cluster_id is None \
            or actor.cluster_id != case.cluster_id:
        raise CaseActionError(_("Kun klyngens egne folk kan skrive i klyngens sager."))


MAX_FILES_PER_MESSAGE = 5


def attach_files(event: CaseEvent, files, actor) -> list[CaseAttachment]:
    """Attach uploaded files to a message event, each checked like a report attachment
    (grants.reports.attachments.check_upload). Raises ValidationError naming `files`."""
    files = [f for f in (files or []) if f]
    if len(files) > MAX_FILES_PER_MESSAGE:
        raise ValidationError({"files": _("Højst %(n)s bilag pr. besked.") % {
            "n": MAX_FILES_PER_MESSAGE}})
    out = []
    for upload in files:
        try:
            detected = check_upload(upload)
        except ValidationError as exc:
            message = "; ".join(exc.message_dict.get("file", exc.messages))
            raise ValidationError({"files": f"{upload.name}: {message}"}) from None
        stem = Path(upload.name or "bilag").stem[:200] or "bilag"
        attachment = CaseAttachment(
            event=event, original_name=f"{stem}.{detected.extension}",
            content_type=detected.content_type, size_bytes=upload.size, uploaded_by=actor,
        )
        attachment.file.save(f"{uuid.uuid4().hex}.{detected.extension}", upload, save=False)
        attachment.save()
        out.append(attachment)
    return out


def _notify_approvers(case: Case, subject: Text, body: Text, exclude=None) -> None:

    for user in User.objects.filter(role__in=APPROVER_ROLES, is_active=True).exclude(
        pk=getattr(exclude, "pk", None)
    ):
        notify(recipient=user, kind="case_proposal", subject=subject, body=body,
               url=f"/sager/{case.journal_number}/")


def _report_of(case: Case) -> AnnualReport:
    if case.case_type != CaseType.ANNUAL_REPORT or case.report_id is None:
        raise CaseActionError(_("Handlingen gælder kun sager om en årsrapport."))
    return case.report


def _require_status(case: Case, *states: str) -> None:
    if case.status not in states:
        raise CaseActionError(
            _("Handlingen kan ikke udføres, når sagen har status »%(status)s«.")
            % {"status": case.get_status_display()}
        )


# -- assignment and transitions --------------------------------------------------------------


@transaction.atomic
def case_assign(*, case: Case, assignee, actor, expected_version: int | None = None) -> Case:
    """Assign (or reassign) a case to a caseworker. A new case becomes assigned."""
    _require_handler(actor)
    if assignee is None or not is_caseworker(assignee):
        raise CaseActionError(_("Sagen kan kun tildeles en aktiv sagsbehandler eller kontorchef."))
    locked = _lock(case, expected_version)
    if locked.status not in OPEN_STATES:
        raise CaseActionError(_("En afgjort eller lukket sag kan ikke tildeles."))
    if locked.assignee_id == assignee.pk:
        raise CaseActionError(
            _("Sagen er allerede tildelt %(name)s.") % {"name": _name(assignee)}
        )
    previous = locked.assignee
    source = locked.status
    if source == CaseStatus.NEW:
        CASE_WORKFLOW.check(source, CaseStatus.ASSIGNED, actor)
        locked.status = CaseStatus.ASSIGNED
    locked.assignee = assignee
    _save(locked, ["assignee", "status"], case)
    if locked.deadline_id:
        Deadline.objects.filter(pk=locked.deadline_id).update(assignee=assignee)
    if previous is None:
        text = record_text("Tildelt %(name)s.", {"name": _name(assignee)})
    else:
        text = record_text("Overdraget fra %(old)s til %(new)s.", {
            "old": _name(previous), "new": _name(assignee)})
    _event(locked, actor, CaseEventKind.ASSIGNMENT, text=text, from_status=source,
           to_status=locked.status, internal=True)
    if assignee.pk != actor.pk:
        notify(recipient=assignee, kind="case_assigned",
               subject=lambda: _("Sag %(journal)s er tildelt dig") % {
                   "journal": locked.journal_number},
               body=locked.subject, url=f"/sager/{locked.journal_number}/")
    return locked


def case_take(*, case: Case, actor, expected_version: int | None = None) -> Case:
    """Take a case: assign it to yourself."""
    return case_assign(case=case, assignee=actor, actor=actor, expected_version=expected_version)


# The order in which a case driven by another workflow (midway evaluation, application) moves.
_FOLLOW_ORDER = (CaseStatus.NEW, CaseStatus.ASSIGNED, CaseStatus.IN_PROGRESS, CaseStatus.DECIDED)


@transaction.atomic
def case_follow(*, case: Case | None, actor, to: str) -> Case | None:
    """Bring a case that another workflow drives (a midway evaluation, an application) up to
    `to` along CASE_WORKFLOW, as that workflow's steps happen: a new case is taken by the
    caseworker acting, then assigned -> in progress -> decided as far as `to`. A case that
    is already there (or further, or closed) is left alone; so is a step by anyone who does
    not handle cases."""
    if case is None or not is_caseworker(actor):
        return case
    assert to in _FOLLOW_ORDER
    locked = _lock(case, None)
    if locked.status == CaseStatus.NEW:
        locked = case_assign(case=locked, assignee=actor, actor=actor)
    if locked.status == CaseStatus.AWAITING_CLUSTER and to != CaseStatus.ASSIGNED:
        _move(locked, CaseStatus.IN_PROGRESS, actor)
    while (locked.status in _FOLLOW_ORDER
           and _FOLLOW_ORDER.index(locked.status) < _FOLLOW_ORDER.index(to)):
        _move(locked, _FOLLOW_ORDER[_FOLLOW_ORDER.index(locked.status) + 1], actor)
    return locked


@transaction.atomic
def case_transition(
    *, case: Case, to: str, actor, comment: str = "", expected_version: int | None = None
) -> Case:
    """Move a case along CASE_WORKFLOW (TransitionNotAllowed when the table says no).

    Starting work on an annual-report case takes the report into review."""
    locked = _lock(case, expected_version)
    source = locked.status
    CASE_WORKFLOW.check(source, to, actor)
    if is_cluster_user(in_role(actor)) and actor.cluster_id != locked.cluster_id:
        raise CaseActionError(_("Sagen tilhører en anden klynge."))
    if is_caseworker(actor) and locked.assignee_id is None:
        raise CaseActionError(_("Sagen skal tildeles, før den kan behandles."))
    _move(locked, to, actor, comment)
    if (to == CaseStatus.IN_PROGRESS and locked.case_type == CaseType.ANNUAL_REPORT
            and locked.report.status == ReportStatus.SUBMITTED):
        _report_transition(locked.report, ReportStatus.IN_REVIEW, actor)
    case.__dict__.update(status=locked.status, version=locked.version)
    return locked


def _report_transition(report, to, actor, comment=""):

    return report_transition(report=report, to=to, actor=actor, comment=comment)


# -- messages and notes ---------------------------------------------------------------------


@transaction.atomic
def case_message(*, case: Case, actor, text: str, expected_version: int | None = None,
                 files=()) -> CaseEvent:
    """A message to the cluster: shown to the cluster, and its director is notified."""
    _require_handler(actor)
    text = (text or "").strip()
    if not text:
        raise CaseActionError(_("Skriv en besked til klyngen."))
    locked = _lock(case, expected_version)
    if locked.status == CaseStatus.CLOSED:
        raise CaseActionError(_("Der kan ikke sendes beskeder på en lukket sag."))
    _save(locked, [], case)
    event = _event(locked, actor, CaseEventKind.MESSAGE, text=text)
    attach_files(event, files, actor)
    notify_party(
        locked, lambda: _("Ny besked fra Erhvervsstyrelsen i sag %(j)s") % {
            "j": locked.journal_number}, text
    )
    return event


@transaction.atomic
def case_note(*, case: Case, actor, text: str, expected_version: int | None = None) -> CaseEvent:
    """An internal note: never shown to the cluster."""
    _require_handler(actor)
    text = (text or "").strip()
    if not text:
        raise CaseActionError(_("Skriv en note."))
    locked = _lock(case, expected_version)
    _save(locked, [], case)
    return _event(locked, actor, CaseEventKind.NOTE, text=text, internal=True)


# -- annual reports ---------------------------------------------------------------------------


@transaction.atomic
def case_request_changes(
    *, case: Case, actor, text: str, expected_version: int | None = None
) -> Case:
    """Ask the cluster to change its report: the report reopens for the director
    (in_review -> changes_requested), the case waits for the cluster, the message is kept on
    the case and the director is notified."""
    _require_handler(actor)
    text = (text or "").strip()
    if not text:
        raise CaseActionError(_("Skriv, hvad klyngen skal ændre."))
    locked = _lock(case, expected_version)
    report = _report_of(locked)
    CASE_WORKFLOW.check(locked.status, CaseStatus.AWAITING_CLUSTER, actor)
    _report_transition(report, ReportStatus.CHANGES_REQUESTED, actor, text)
    _move(locked, CaseStatus.AWAITING_CLUSTER, actor)
    _event(locked, actor, CaseEventKind.MESSAGE, text=text)
    notify_party(
        locked,
        lambda: _("Erhvervsstyrelsen beder om ændringer i årsrapporten %(year)s") % {
            "year": report.year},
        text, url=f"/rapporter/{report.pk}/",
    )
    case.__dict__.update(status=locked.status, version=locked.version)
    return locked


@transaction.atomic
def case_cluster_answered(*, case: Case, report: AnnualReport, actor) -> Case:
    """Called by report_submit when a report comes back after a change request: the open case
    continues (awaiting_cluster -> in_progress, acted by the submitting cluster person), the
    report goes straight back into review, and the assigned caseworker is notified."""
    locked = _lock(case, None)
    if locked.status != CaseStatus.AWAITING_CLUSTER:
        return locked
    actor = actor if is_cluster_user(in_role(actor)) else None
    _move(locked, CaseStatus.IN_PROGRESS, actor,
          record_text("Klyngen har indsendt en ny version af årsrapporten."))
    _report_transition(report, ReportStatus.IN_REVIEW, None)
    if locked.assignee_id:
        notify(recipient=locked.assignee, kind="case_resubmitted",
               subject=lambda: _("Klyngen har svaret i sag %(j)s") % {"j": locked.journal_number},
               body=locked.subject, url=f"/sager/{locked.journal_number}/")
    case.__dict__.update(status=locked.status, version=locked.version)
    return locked


@transaction.atomic
def case_approve_report(
    *, case: Case, actor, text: str = "", expected_version: int | None = None
) -> Case:
    """Approve the annual report (in_review -> approved). The tranche follows as a proposal."""
    _require_handler(actor)
    locked = _lock(case, expected_version)
    report = _report_of(locked)
    _require_status(locked, CaseStatus.IN_PROGRESS)
    _report_transition(report, ReportStatus.APPROVED, actor, text)
    _save(locked, [], case)
    _event(locked, actor, CaseEventKind.DECISION,
           text=text or record_text("Årsrapporten for %(year)s er godkendt.", {"year": report.year}))
    notify_party(
        locked, lambda: _("Årsrapporten %(year)s er godkendt") % {"year": report.year},
        text or (lambda: _("Erhvervsstyrelsen har godkendt årsrapporten.")),
    )
    return locked


# -- tranches: proposal and head-of-office approval (four eyes) -----------------------------


@transaction.atomic
def case_record(*, case: Case, actor, kind: str, text: str, internal: bool = False) -> CaseEvent:
    """Write an event into a case from another workflow (a midway decision, say) under the
    case's lock, bumping its version like every other change of the case."""
    locked = _lock(case, None)
    _save(locked, [], case)
    return _event(locked, actor, kind, text=text, internal=internal)


# -- deadline extensions ----------------------------------------------------------------------


@transaction.atomic
def extension_decide(
    *, case: Case, actor, approve: bool, new_due_at: datetime | None = None, reason: str = "",
    expected_version: int | None = None,
) -> Case:
    """Approve an extension with a new due date (the deadline moves; the extension row keeps
    the history and reminders follow the deadline's new date) or reject it."""
    _require_handler(actor)
    locked = _lock(case, expected_version)
    if locked.case_type != CaseType.DEADLINE_EXTENSION or locked.extension_id is None:
        raise CaseActionError(_("Handlingen gælder kun sager om fristforlængelse."))
    _require_status(locked, CaseStatus.IN_PROGRESS)

    # the extension's row only: its deadline is locked on its own just below
    ext = DeadlineExtension.objects.select_for_update(of=("self",)).select_related("deadline").get(
        pk=locked.extension_id
    )
    if ext.status != ExtensionStatus.REQUESTED:
        raise CaseActionError(_("Anmodningen er allerede afgjort."))
    deadline = Deadline.objects.select_for_update().get(pk=ext.deadline_id)
    now = timezone.now()
    if approve:
        if new_due_at is None or new_due_at <= deadline.due_at:
            raise CaseActionError(_("Den nye frist skal ligge efter den nuværende frist."))
        ext.status = ExtensionStatus.APPROVED
        ext.new_due_at = new_due_at
        deadline.due_at = new_due_at
        deadline.save(update_fields=["due_at"])
        kind = LetterKind.EXTENSION_APPROVED
        text = record_text("Fristen for »%(subject)s« forlænges til %(date)s.", {
            "subject": deadline.subject,
            "date": format_date(new_due_at, language=RECORD_LANGUAGE)})
        if reason:
            text += " " + reason.strip()
    else:
        reason = (reason or "").strip()
        if not reason:
            raise CaseActionError(_("Skriv en begrundelse for afslaget."))
        ext.status = ExtensionStatus.REJECTED
        kind = LetterKind.EXTENSION_REJECTED
        text = record_text("Anmodningen om forlængelse af fristen for »%(subject)s« afslås. "
                           "Begrundelse: %(reason)s", {"subject": deadline.subject, "reason": reason})
    ext.decided_by = actor
    ext.decided_at = now
    ext.save(update_fields=["status", "new_due_at", "decided_by", "decided_at", "updated_at"])
    _decide(locked, actor, kind, text)
    case.__dict__.update(status=locked.status, version=locked.version)
    return locked


# -- decisions ----------------------------------------------------------------------------------


def _decide(case: Case, actor, kind: str, text: str, proposal=None) -> DecisionLetter:
    """Decide the locked case: the decision event, the transition to decided, the letter."""

    _event(case, actor, CaseEventKind.DECISION, text=text)
    _move(case, CaseStatus.DECIDED, actor)
    letter = decision_letter_create(case=case, kind=kind, body=text, actor=actor, proposal=proposal)
    notify_party(
        case, lambda: _("Afgørelse i sag %(j)s") % {"j": case.journal_number},
        lambda: _("Erhvervsstyrelsen har truffet en afgørelse. Afgørelsesbrevet kan hentes i "
                  "klyngeadmin.") + "\n\n" + text,
    )
    return letter


@transaction.atomic
def case_decide(*, case: Case, actor, text: str, expected_version: int | None = None) -> Case:
    """Decide a case that has no money or deadline attached (an evaluation, complaint or award
    case): the decision text is recorded and shown to the cluster. A conditions case is decided
    by grants.cases.conditions.conditions_decide; an application on its own page
    (evaluations.calls.services.application_decide)."""
    _require_handler(actor)
    text = (text or "").strip()
    if not text:
        raise CaseActionError(_("Skriv afgørelsen."))
    locked = _lock(case, expected_version)
    if locked.case_type in (CaseType.ANNUAL_REPORT, CaseType.DEADLINE_EXTENSION, CaseType.CONDITIONS,
                            CaseType.APPLICATION):  # an application: evaluations.calls
        raise CaseActionError(_("Denne sagstype afgøres med sine egne handlinger."))
    CASE_WORKFLOW.check(locked.status, CaseStatus.DECIDED, actor)
    pending = Hearing.objects.filter(case=locked, concluded_at__isnull=True).first()
    if pending is not None:  # an adverse decision in hearing: only after the hearing
        text += "\n\n" + hearing_conclude(case=locked, subject_kind=pending.subject_kind,
                                          actor=actor)
    _event(locked, actor, CaseEventKind.DECISION, text=text)
    _move(locked, CaseStatus.DECIDED, actor)
    case.__dict__.update(status=locked.status, version=locked.version)
    return locked


# -- the hearing guard (grants.cases.hearing re-exports it with hearing_start/hearing_answer) ----

class HearingPending(CaseActionError):
    """An adverse decision tried before the hearing was concluded."""

    default_code = "hearing_pending"


def open_hearing(case: Case, subject_kind: str | None = None) -> Hearing | None:
    qs = Hearing.objects.filter(case=case, concluded_at__isnull=True)
    if subject_kind:
        qs = qs.filter(subject_kind=subject_kind)
    return qs.select_related("deadline", "answer", "letter").order_by("-created_at").first()


def hearing_is_concluded(hearing: Hearing, now=None) -> bool:
    return hearing.answer_id is not None or hearing.deadline.due_at <= (now or timezone.now())


def hearing_receipt(hearing: Hearing) -> str:
    """The receipt number of a hearing answer: journal number, hearing and event."""
    return f"{hearing.case.journal_number}-H{hearing.pk}-{hearing.answer_id}"


def require_hearing_concluded(case: Case, subject_kind: str) -> Hearing:
    """The guard: the adverse decision `subject_kind` may be taken on `case` only after a hearing
    on it that the party (the cluster, or an applicant) has answered or whose deadline has
    passed. Raises HearingPending."""
    hearing = open_hearing(case, subject_kind)
    if hearing is None:
        raise HearingPending(
            _("Afgørelsen (%(label)s) kræver en partshøring først. Send et "
              "høringsbrev fra sagen.") % {"label": HearingSubject(subject_kind).label})
    if not hearing_is_concluded(hearing):
        raise HearingPending(
            _("Partshøringen løber til %(date)s. Afgørelsen kan først træffes, når parten har "
              "svaret, eller fristen er udløbet.") % {"date": format_date(hearing.deadline.due_at)})
    return hearing


def hearing_conclude(*, case: Case, subject_kind: str, actor) -> str:
    """Call inside the deciding transaction: the guard, then the hearing is marked as concluded
    by this decision (a new adverse proposal needs a new hearing). Returns the sentence for the
    decision letter that quotes the answer's receipt, in the record language. A case still
    waiting for the cluster after the deadline continues (awaiting_cluster -> in_progress)."""
    hearing = require_hearing_concluded(case, subject_kind)
    hearing = Hearing.objects.select_for_update(of=("self",)).select_related(
        "case", "deadline", "answer").get(pk=hearing.pk)
    now = timezone.now()
    hearing.concluded_at = now
    hearing.save(update_fields=["concluded_at"])
    if hearing.answer_id is None:
        Deadline.objects.filter(pk=hearing.deadline_id, completed_at__isnull=True).update(
            completed_at=now)
        sentence = record_text(
            "Parten er partshørt ved høringsbrev af %(sent)s. Der er ikke modtaget høringssvar "
            "inden fristen %(due)s.",
            {"sent": format_date(hearing.created_at, language=RECORD_LANGUAGE),
             "due": format_date(hearing.deadline.due_at, language=RECORD_LANGUAGE)})
    else:
        sentence = record_text(
            "Parten er partshørt ved høringsbrev af %(sent)s. Partens høringssvar er modtaget "
            "den %(at)s (kvittering %(receipt)s) og indgår i afgørelsen.",
            {"sent": format_date(hearing.created_at, language=RECORD_LANGUAGE),
             "at": format_date(hearing.answered_at, language=RECORD_LANGUAGE),
             "receipt": hearing_receipt(hearing)})
    locked = _lock(case, None)
    if locked.status == CaseStatus.AWAITING_CLUSTER:
        _move(locked, CaseStatus.IN_PROGRESS, actor,
              record_text("Høringsfristen er udløbet."))
        case.__dict__.update(status=locked.status, version=locked.version)
    return sentence


# -- the cluster writes in its case ---------------------------------------------------------------

CLUSTER_WRITES = (CaseEventKind.CLUSTER_MESSAGE, CaseEventKind.HEARING_ANSWER,
                  CaseEventKind.CONDITION_REPORT)


@transaction.atomic
def case_cluster_message(*, case: Case, actor, text: str, files=(),
                         expected_version: int | None = None) -> CaseEvent:
    """A director or staff member writes in their cluster's case, with attachments: an
    append-only case event the caseworker sees in the timeline and the queue (svar fra
    klyngen). The case's status does not change (an annual report that waits for changes
    still waits for the new version)."""
    require_own_cluster(case, actor)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Skriv en besked.")})
    locked = _lock(case, expected_version)
    if locked.status == CaseStatus.CLOSED:
        raise CaseActionError(_("Sagen er lukket. Skriv til Erhvervsstyrelsen i en åben sag."))
    _save(locked, [], case)
    event = _event(locked, actor, CaseEventKind.CLUSTER_MESSAGE, text=text)
    attach_files(event, files, actor)
    notify_handlers(locked, lambda: _("Svar fra klyngen i sag %(j)s") % {
        "j": locked.journal_number}, text)
    return event


# -- closing a case whose work is done -------------------------------------------------------------


def case_work_done(case: Case) -> bool:
    """Whether nothing is left to do on an open case: an annual-report case whose report is
    approved and whose year's tranche is already released or cancelled (no open proposal); a
    decided case of any type. A case in hearing or awaiting the cluster is not done."""
    if case.status == CaseStatus.DECIDED:
        return True
    if case.status != CaseStatus.IN_PROGRESS:
        return False
    if Hearing.objects.filter(case=case, concluded_at__isnull=True).exists():
        return False
    if case.case_type == CaseType.ANNUAL_REPORT and case.report_id:
        if case.report.status != ReportStatus.APPROVED:
            return False
        if case.proposals.filter(status="proposed").exists():
            return False
        tranche = year_tranche(case.report)
        return tranche is None or tranche.status in (TrancheStatus.RELEASED,
                                                     TrancheStatus.CANCELLED)
    return False


@transaction.atomic
def case_close(*, case: Case, actor, comment: str = "", expected_version: int | None = None) -> Case:
    """Close a case whose work is done (case_work_done), with the reason on the event."""
    _require_handler(actor)
    locked = _lock(case, expected_version)
    if not case_work_done(locked):
        raise CaseActionError(_("Sagen kan ikke lukkes endnu: der er stadig noget at gøre i den."))
    _move(locked, CaseStatus.CLOSED, actor,
          (comment or "").strip() or record_text("Sagen er færdigbehandlet og lukket."))
    case.__dict__.update(status=locked.status, version=locked.version)
    return locked


def _name(user) -> str:
    return user.get_full_name() or user.username


def format_kr_number(amount: int) -> str:
    """1234567 -> '1.234.567' (Danish thousands separator): klyngeadmin.formatting.number."""
    return number(amount)


__all__ = [
    "ACTIVE_STATES", "CaseActionError", "FourEyesViolation", "StaleCase", "TransitionNotAllowed",
    "case_approve_report", "case_assign", "case_decide", "case_message", "case_note", "case_open",
    "case_close", "case_cluster_answered", "case_cluster_message", "case_record", "case_request_changes", "case_take", "case_transition",
    "extension_decide", "next_journal_number",
]
