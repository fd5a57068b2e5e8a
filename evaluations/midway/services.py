"""Every write to evaluations goes through a function here: keyword-only arguments, one
transaction each, an EvaluationEvent row written in the same transaction."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from evaluations.constants import (
    APPEAL_WEEKS,
    EvaluationEventKind,
    EvaluationStatus,
    Outcome,
    RubricPurpose,
)
from evaluations.midway.letters import decision_letter_pdf
from evaluations.midway.workflows import MIDWAY_WORKFLOW
from evaluations.models import (
    Decision,
    EvaluationEvent,
    MidwayEvaluation,
    Panel,
    Recommendation,
    Rubric,
    SelfAssessment,
    SelfAssessmentAnswer,
    SelfAssessmentAttachment,
)
from evaluations.panels.rubrics import _check_version, active_rubric, rubric_lock
from grants.cases import withdrawal
from grants.cases.conditions import conditions_followup_open
from grants.cases.hearing import hearing_conclude, require_hearing_concluded
from grants.cases.letters import decision_letter_store
from grants.cases.services import case_follow, case_open, case_record
from grants.constants import (
    CaseEventKind,
    CaseStatus,
    CaseType,
    HearingSubject,
    LetterKind,
)
from grants.core.models import Grant
from grants.deadlines.models import Deadline
from grants.notifications.services import notify
from grants.reports.attachments import detect_file_type
from klyngeadmin.accounts.models import User
from klyngeadmin.kernel.dates import format_date
from klyngeadmin.kernel.errors import FourEyesViolation
from klyngeadmin.kernel.i18n import in_record_language, record_text
from klyngeadmin.kernel.roles import Role

S = EvaluationStatus


def _event(*, evaluation=None, application=None, actor, kind, from_status="", to_status="", text=""):
    return EvaluationEvent.objects.create(
        evaluation=evaluation, application=application, actor=actor, kind=kind,
        from_status=from_status, to_status=to_status, text=text,
    )


# -- rubrics ------------------------------------------------------------------------------------


# -- the workflow -------------------------------------------------------------------------------


@transaction.atomic
def evaluation_transition(
    *, evaluation: MidwayEvaluation, to: str, actor=None, comment: str = "", version: int | None = None,
    rubric: Rubric | None = None,
) -> MidwayEvaluation:
    """Move an evaluation along MIDWAY_WORKFLOW under a row lock, writing the event.

    Raises TransitionNotAllowed when the step is not in the table for the actor's role."""
    locked = MidwayEvaluation.objects.select_for_update().get(pk=evaluation.pk)
    _check_version(locked.version, version)
    source = locked.status
    MIDWAY_WORKFLOW.check(source, to, actor)
    locked.status = to
    locked.version += 1
    fields = ["status", "version", "updated_at"]
    if rubric is not None:
        locked.rubric = evaluation.rubric = rubric
        fields.append("rubric")
    locked.save(update_fields=fields)
    _event(evaluation=locked, actor=actor, kind=EvaluationEventKind.TRANSITION,
           from_status=source, to_status=to, text=comment)
    evaluation.status, evaluation.version = locked.status, locked.version
    return locked


def _cluster_people(cluster_id: int, roles=(Role.DIRECTOR,)):

    return User.objects.filter(cluster_id=cluster_id, role__in=roles, is_active=True)


def _evaluation_url(evaluation) -> str:
    from django.urls import reverse

    return reverse("evaluations:detail", args=[evaluation.pk])


@transaction.atomic
def evaluation_open(*, evaluation: MidwayEvaluation, actor=None) -> MidwayEvaluation:
    """scheduled -> self_assessment: fix the rubric version (and lock it), set up the panel and
    an empty self-assessment, open the case and tell the cluster."""
    rubric = active_rubric(RubricPurpose.MIDWAY)
    evaluation_transition(evaluation=evaluation, to=S.SELF_ASSESSMENT, actor=actor, rubric=rubric)
    rubric_lock(rubric)
    Panel.objects.create(rubric=rubric, evaluation=evaluation)
    SelfAssessment.objects.create(evaluation=evaluation)
    grant = Grant.objects.select_related("cluster").get(pk=evaluation.grant_id)
    case_open(
        case_type=CaseType.MIDWAY_EVALUATION, cluster=grant.cluster, actor=actor,
        subject=f"Midtvejsevaluering {evaluation.year} – {grant.cluster.name}", evaluation=evaluation,
    )
    deadline = Deadline.objects.get(pk=evaluation.self_assessment_deadline_id)
    for person in _cluster_people(grant.cluster_id, roles=(Role.DIRECTOR, Role.CLUSTER_STAFF)):
        notify(
            recipient=person, kind="midway_self_assessment_open",
            subject=lambda: _("Midtvejsevalueringen er åbnet: udfyld selvevalueringen senest "
                              "%(due)s") % {"due": format_date(deadline.due_at)},
            url=_evaluation_url(evaluation),
        )
    return evaluation


# -- self-assessment ----------------------------------------------------------------------------


def _self_assessment_for_update(evaluation: MidwayEvaluation) -> SelfAssessment:
    sa = SelfAssessment.objects.select_for_update().get(evaluation=evaluation)
    status = MidwayEvaluation.objects.values_list("status", flat=True).get(pk=evaluation.pk)
    if status != S.SELF_ASSESSMENT or sa.submitted_at:
        raise ValidationError(_("Selvevalueringen kan ikke længere ændres."))
    return sa


@transaction.atomic
def self_assessment_save(
    *, evaluation: MidwayEvaluation, actor, summary: str, answers: dict[int, str], version: int | None,
    submit: bool = False,
) -> SelfAssessment:
    """Save the cluster's answers (criterion id -> text); with `submit`, submit them in the same
    transaction (an incomplete submission saves nothing)."""
    sa = _self_assessment_for_update(evaluation)
    _check_version(sa.version, version)
    criteria = set(evaluation.rubric.criteria.values_list("pk", flat=True))
    unknown = set(answers) - criteria
    if unknown:
        raise ValidationError(_("Ukendt kriterium i besvarelsen."))
    for criterion_id, text in answers.items():
        SelfAssessmentAnswer.objects.update_or_create(
            self_assessment=sa, criterion_id=criterion_id, defaults={"text": text.strip()}
        )
    sa.summary = summary.strip()
    sa.version += 1
    sa.save(update_fields=["summary", "version", "updated_at"])
    _event(evaluation=evaluation, actor=actor, kind=EvaluationEventKind.SELF_ASSESSMENT_SAVED)
    if submit:
        return self_assessment_submit(evaluation=evaluation, actor=actor, version=sa.version)
    return sa


@transaction.atomic
def self_assessment_attach(*, evaluation: MidwayEvaluation, actor, title: str, file) -> SelfAssessmentAttachment:
    """Attach a file to the self-assessment. Its type is detected from the content, as for
    report attachments (grants/attachments.py): PDF, XLSX, DOCX, PNG or JPEG, whatever the
    name says; the stored name gets the detected extension."""

    detected = detect_file_type(file)
    if detected is None:
        raise ValidationError({"file": _(
            "Filtypen er ikke tilladt. Upload en PDF-, XLSX-, DOCX-, PNG- eller JPEG-fil "
            "(typen kontrolleres ud fra filens indhold)."
        )})
    stem = Path(file.name or "bilag").stem[:150] or "bilag"
    file.name = f"{stem}.{detected.extension}"
    sa = _self_assessment_for_update(evaluation)
    attachment = SelfAssessmentAttachment.objects.create(
        self_assessment=sa, title=title.strip() or file.name, file=file, uploaded_by=actor
    )
    _event(evaluation=evaluation, actor=actor, kind=EvaluationEventKind.ATTACHMENT, text=attachment.title)
    return attachment


@transaction.atomic
def self_assessment_submit(*, evaluation: MidwayEvaluation, actor, version: int | None = None) -> SelfAssessment:
    """Submit the self-assessment: every criterion answered; the evaluation moves to scoring."""
    sa = _self_assessment_for_update(evaluation)
    _check_version(sa.version, version)
    answered = set(
        sa.answers.exclude(text="").values_list("criterion_id", flat=True)
    )
    missing = evaluation.rubric.criteria.exclude(pk__in=answered)
    if missing.exists():
        raise ValidationError(
            _("Besvar alle kriterier før indsendelse. Mangler: %(titles)s")
            % {"titles": ", ".join(c.title for c in missing)}
        )
    now = timezone.now()
    sa.submitted_at, sa.submitted_by = now, actor
    sa.version += 1
    sa.save(update_fields=["submitted_at", "submitted_by", "version", "updated_at"])
    Deadline.objects.filter(pk=evaluation.self_assessment_deadline_id, completed_at__isnull=True).update(
        completed_at=now
    )
    evaluation_transition(evaluation=evaluation, to=S.SCORING, actor=actor,
                          comment=record_text("Selvevaluering indsendt"))
    return sa


# -- panel scoring ------------------------------------------------------------------------------


# -- decision (four eyes) ------------------------------------------------------------------------


@transaction.atomic
def decision_propose(
    *, evaluation: MidwayEvaluation, actor, outcome: str, reasons: str, conditions: str = "",
    follow_up_due=None, version: int | None = None,
) -> Decision:
    """consensus -> proposed: the caseworker's proposed decision."""
    errors: dict = {}
    if outcome not in Outcome.values:
        errors["outcome"] = [_("Vælg en afgørelse.")]
    if not reasons.strip():
        errors["reasons"] = [_("Begrund afgørelsen.")]
    if outcome == Outcome.CONDITIONS:
        if not conditions.strip():
            errors["conditions"] = [_("Skriv vilkårene for fortsættelsen.")]
        if follow_up_due is None:
            errors["follow_up_due"] = [_("Angiv en frist for opfølgning på vilkårene.")]
    if errors:
        raise ValidationError(errors)
    panel = Panel.objects.get(evaluation=evaluation)
    recommendation = Recommendation.objects.filter(panel=panel).first()
    if recommendation is None:
        raise ValidationError(_("Panelet skal fastlægge konsensus, før der kan indstilles."))
    evaluation_transition(evaluation=evaluation, to=S.PROPOSED, actor=actor, version=version)
    Decision.objects.update_or_create(
        evaluation=evaluation,
        defaults={
            "outcome": outcome, "reasons": reasons.strip(),
            "conditions": conditions.strip() if outcome == Outcome.CONDITIONS else "",
            "follow_up_due": follow_up_due if outcome == Outcome.CONDITIONS else None,
            "raw_total": recommendation.raw_total, "adjusted_total": recommendation.adjusted_total,
            "proposed_by": actor, "proposed_at": timezone.now(),
            "approved_by": None, "approved_at": None, "appeal_deadline": None,
        },
    )
    _event(evaluation=evaluation, actor=actor, kind=EvaluationEventKind.PROPOSAL, text=outcome)
    case_follow(case=latest_case(evaluation), actor=actor, to=CaseStatus.IN_PROGRESS)
    _case_event(evaluation, actor, CaseEventKind.PROPOSAL, Outcome(outcome).label)
    return Decision.objects.get(evaluation=evaluation)


@transaction.atomic
def decision_return(*, evaluation: MidwayEvaluation, actor, comment: str) -> MidwayEvaluation:
    """proposed -> consensus: the head of office sends the proposal back with a comment."""
    if not comment.strip():
        raise ValidationError({"comment": [_("Skriv, hvorfor indstillingen sendes tilbage.")]})
    evaluation_transition(evaluation=evaluation, to=S.CONSENSUS, actor=actor, comment=comment)
    _event(evaluation=evaluation, actor=actor, kind=EvaluationEventKind.RETURNED, text=comment.strip())
    return evaluation


@transaction.atomic
def decision_approve(*, evaluation: MidwayEvaluation, actor, version: int | None = None) -> Decision:
    """proposed -> decided by the head of office (not the proposer). A withdrawal cancels the
    tranches and report obligations after year 5; the cluster is told either way."""
    decision = Decision.objects.select_for_update().filter(evaluation=evaluation).first()
    if decision is None:
        raise ValidationError(_("Der er ingen indstilling at godkende endnu."))
    if decision.proposed_by_id == actor.pk:
        raise FourEyesViolation()
    hearing_text = ""
    if decision.outcome == Outcome.WITHDRAW:  # an adverse decision: only after the hearing
        case = latest_case(evaluation)
        if case is None:
            raise ValidationError(_("Tilbagekaldelsen kræver en sag med partshøring af klyngen."))
        hearing_text = hearing_conclude(case=case, subject_kind=HearingSubject.WITHDRAWAL,
                                        actor=actor)
    evaluation_transition(evaluation=evaluation, to=S.DECIDED, actor=actor, version=version)
    today = timezone.localdate()
    decision.approved_by, decision.approved_at = actor, timezone.now()
    decision.appeal_deadline = today + timedelta(weeks=APPEAL_WEEKS)
    decision.version += 1
    decision.save(update_fields=["approved_by", "approved_at", "appeal_deadline", "version", "updated_at"])
    _event(evaluation=evaluation, actor=actor, kind=EvaluationEventKind.DECISION, text=decision.outcome)
    case = case_follow(case=latest_case(evaluation), actor=actor, to=CaseStatus.DECIDED)
    _case_event(evaluation, actor, CaseEventKind.DECISION, decision.get_outcome_display())
    grant = Grant.objects.select_related("cluster").get(pk=evaluation.grant_id)
    if decision.outcome == Outcome.WITHDRAW:
        grant_withdraw(grant=grant, evaluation=evaluation, actor=actor)
    if decision.outcome == Outcome.CONDITIONS:
        conditions_followup_open(evaluation=evaluation, cluster=grant.cluster, actor=actor,
                                 conditions=decision.conditions, due=decision.follow_up_due,
                                 year=evaluation.year)
    if case is not None:  # the letter as sent, kept with the case (and on the cluster's page)


        decision_letter_store(
            case=case, kind=LetterKind.MIDWAY_DECISION,
            title=f"Afgørelse i midtvejsevalueringen {evaluation.year} – sag {case.journal_number}",
            body="\n\n".join(t for t in (decision.reasons, hearing_text) if t),
            pdf=decision_letter_pdf(evaluation, hearing_text), actor=actor,
        )
    from django.urls import reverse

    for person in _cluster_people(grant.cluster_id, roles=(Role.DIRECTOR, Role.CLUSTER_STAFF)):
        notify(
            recipient=person, kind="midway_decision",
            subject=lambda: _("Afgørelse i midtvejsevalueringen %(year)s: %(outcome)s")
            % {"year": evaluation.year, "outcome": decision.get_outcome_display()},
            body=lambda: _("Afgørelsesbrevet kan hentes i klyngeadmin. Klagefrist: %(date)s.")
            % {"date": format_date(decision.appeal_deadline)},
            url=reverse("evaluations:letter", args=[evaluation.pk]),
        )
    return decision


def withdrawal_hearing_check(evaluation: MidwayEvaluation) -> None:
    """Raise (HearingPending, a ValidationError) unless the cluster has been heard on the
    proposed withdrawal: the same guard decision_approve applies."""
    case = latest_case(evaluation)
    if case is None:
        raise ValidationError(_("Tilbagekaldelsen kræver en sag med partshøring af klyngen."))
    require_hearing_concluded(case, HearingSubject.WITHDRAWAL)


def latest_case(subject):
    """The newest case of a midway evaluation or an application (None if none was opened)."""
    return subject.cases.order_by("-created_at").first() if subject is not None else None


def _case_event(evaluation, actor, kind, text) -> None:
    case = latest_case(evaluation)
    if case is not None:
        case_record(case=case, actor=actor, kind=kind, text=in_record_language(text))


@transaction.atomic
def grant_withdraw(*, grant: Grant, evaluation: MidwayEvaluation, actor) -> None:
    """Withdraw a grant after its midway evaluation (grants.cases.withdrawal), decided by
    `actor` (the head of office approving the decision): tranches and annual-report obligations
    after the midway year are cancelled, and the grant and the cluster are marked withdrawn."""
    after = grant.midway_year or 5
    reason = record_text("Bevillingen er tilbagekaldt efter midtvejsevalueringen.")
    withdrawal.grant_withdraw(grant=grant, actor=actor, after_year=after, reason=reason)
    _event(evaluation=evaluation, actor=actor, kind=EvaluationEventKind.WITHDRAWAL,
           text=record_text("Rater og årsrapporter efter år %(year)s annulleret", {"year": after}))
