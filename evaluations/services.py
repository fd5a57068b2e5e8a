"""Every write to evaluations goes through a function here: keyword-only arguments, one
transaction each, an EvaluationEvent row written in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clusters.constants import ClusterStatus
from clusters.services import cluster_status_set
from grants.cases import case_follow, case_open, case_record, proposal_close
from grants.constants import (
    ApplicationStatus,
    CaseEventKind,
    CaseStatus,
    CaseType,
    GrantStatus,
    LetterKind,
    ProposalStatus,
    ReportStatus,
    TrancheStatus,
)
from grants.models import AnnualReport, Deadline, Grant, Tranche, TrancheProposal
from grants.notifications import notify
from grants.services import report_transition
from grants.tranches import grant_status_set, tranche_transition
from klyngeadmin.constants import Role
from klyngeadmin.dates import format_date
from klyngeadmin.errors import FourEyesViolation, StaleVersion
from klyngeadmin.i18n import in_record_language, record_text
from klyngeadmin.predicates import is_caseworker

from .constants import (
    APPEAL_WEEKS,
    MIN_PANEL_SIZE,
    SCORE_MAX,
    SCORE_MIN,
    EvaluationEventKind,
    EvaluationStatus,
    Outcome,
    RubricPurpose,
)
from .models import (
    ConsensusScore,
    Criterion,
    Decision,
    EvaluationEvent,
    MidwayEvaluation,
    Panel,
    PanelMember,
    Recommendation,
    Rubric,
    Score,
    SelfAssessment,
    SelfAssessmentAnswer,
    SelfAssessmentAttachment,
)
from .workflows import MIDWAY_WORKFLOW

S = EvaluationStatus

# The evaluation pages' stale-form message (klyngeadmin.errors.StaleVersion carries it).
EVALUATION_CHANGED = gettext_lazy(
    "Siden er blevet ændret af en anden, siden du åbnede den. Genindlæs siden og prøv igen."
)


class RubricLocked(ValidationError):
    def __init__(self, rubric: Rubric):
        super().__init__(
            _("Bedømmelsesrammen %(rubric)s er i brug og kan ikke ændres. Opret en ny version.")
            % {"rubric": rubric},
            code="rubric_locked",
        )


def _event(*, evaluation=None, application=None, actor, kind, from_status="", to_status="", text=""):
    return EvaluationEvent.objects.create(
        evaluation=evaluation, application=application, actor=actor, kind=kind,
        from_status=from_status, to_status=to_status, text=text,
    )


def _check_version(current: int, expected: int | None) -> None:
    if expected is not None and int(expected) != current:
        raise StaleVersion(EVALUATION_CHANGED)


# -- rubrics ------------------------------------------------------------------------------------


def _locked_rubric(rubric: Rubric) -> Rubric:
    locked = Rubric.objects.select_for_update().get(pk=rubric.pk)
    if locked.locked:
        raise RubricLocked(locked)
    return locked


@transaction.atomic
def rubric_create(*, purpose: str, name: str, description: str = "", actor) -> Rubric:
    if purpose not in RubricPurpose.values:
        raise ValidationError({"purpose": _("Vælg et gyldigt formål.")})
    if Rubric.objects.filter(purpose=purpose, name=name).exists():
        raise ValidationError({"name": _("Der findes allerede en bedømmelsesramme med det navn.")})
    return Rubric.objects.create(purpose=purpose, name=name, description=description)


@transaction.atomic
def rubric_new_version(*, rubric: Rubric, actor) -> Rubric:
    """A new, unlocked version with a copy of the criteria, to edit and then activate."""
    latest = (
        Rubric.objects.filter(purpose=rubric.purpose, name=rubric.name).aggregate(v=Max("version"))["v"]
    )
    new = Rubric.objects.create(
        purpose=rubric.purpose, name=rubric.name, version=latest + 1, description=rubric.description
    )
    Criterion.objects.bulk_create(
        Criterion(rubric=new, key=c.key, position=c.position, title=c.title, guidance=c.guidance,
                  weight=c.weight, kind=c.kind, metric=c.metric)
        for c in rubric.criteria.all()
    )
    return new


@transaction.atomic
def rubric_update(*, rubric: Rubric, name: str, description: str, version: int | None, actor) -> Rubric:
    locked = _locked_rubric(rubric)
    _check_version(locked.row_version, version)
    locked.name, locked.description = name, description
    locked.row_version += 1
    locked.save(update_fields=["name", "description", "row_version", "updated_at"])
    return locked


@transaction.atomic
def criterion_save(*, rubric: Rubric, criterion: Criterion | None = None, actor, **fields) -> Criterion:
    """Add or change a criterion of an unlocked rubric (the DB trigger refuses it otherwise)."""
    _locked_rubric(rubric)
    target = criterion or Criterion(rubric=rubric)
    for name, value in fields.items():
        setattr(target, name, value)
    if target.kind != "data":
        target.metric = ""
    target.full_clean(exclude=["rubric"])
    target.save()
    return target


@transaction.atomic
def criterion_delete(*, criterion: Criterion, actor) -> None:
    _locked_rubric(criterion.rubric)
    criterion.delete()


@transaction.atomic
def rubric_activate(*, rubric: Rubric, actor) -> Rubric:
    """Make this version the one new evaluations (or application assessments) start with."""
    if not rubric.criteria.exists():
        raise ValidationError(_("En bedømmelsesramme skal have mindst ét kriterium, før den kan aktiveres."))
    Rubric.objects.filter(purpose=rubric.purpose, active=True).exclude(pk=rubric.pk).update(active=False)
    Rubric.objects.filter(pk=rubric.pk).update(active=True)
    rubric.active = True
    return rubric


def rubric_lock(rubric: Rubric) -> None:
    """Called inside the transaction that first uses the rubric; from here it is immutable."""
    Rubric.objects.filter(pk=rubric.pk, locked=False).update(locked=True, locked_at=timezone.now())


def active_rubric(purpose: str) -> Rubric:
    from .defaults import ensure_default_rubrics

    ensure_default_rubrics()  # after a flush the migration's rows are gone; a no-op otherwise
    rubric = Rubric.objects.filter(purpose=purpose, active=True).first()
    if rubric is None:
        raise ValidationError(_("Der er ingen aktiv bedømmelsesramme. En administrator skal aktivere en."))
    return rubric


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
    from klyngeadmin.models import User

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
    from grants.attachments import detect_file_type

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


def _panel_subject_status(panel: Panel) -> str:
    if panel.evaluation_id:
        return MidwayEvaluation.objects.values_list("status", flat=True).get(pk=panel.evaluation_id)
    from grants.models import Application

    # An application is scored while "scoring"; once every member has submitted (the panel's
    # scoring_closed_at is set) it is at consensus, as an evaluation would be.
    status = Application.objects.values_list("status", flat=True).get(pk=panel.application_id)
    if status == ApplicationStatus.SCORING and panel.scoring_closed_at:
        return S.CONSENSUS
    return status


# Evaluation and application states (an application "at consensus" is reported as S.CONSENSUS
# by _panel_subject_status).
JOINABLE = {S.SELF_ASSESSMENT, S.SCORING, ApplicationStatus.SUBMITTED, ApplicationStatus.SCORING}
SCORING_STATES = {S.SCORING, ApplicationStatus.SCORING}
CONSENSUS_STATES = {S.CONSENSUS}


@transaction.atomic
def panel_join(*, panel: Panel, actor, no_conflict: bool, declaration: str = "") -> PanelMember:
    """A caseworker joins the panel by declaring no conflict of interest. Someone with a
    conflict does not join (and cannot score)."""
    if not is_caseworker(actor):
        raise ValidationError(_("Kun sagsbehandlere kan sidde i bedømmelsespanelet."))
    panel = Panel.objects.select_for_update().get(pk=panel.pk)
    if _panel_subject_status(panel) not in JOINABLE:
        raise ValidationError(_("Panelet kan ikke længere ændres."))
    if not no_conflict:
        raise ValidationError(
            {"no_conflict": _("Du kan kun bedømme, hvis du erklærer, at du ikke er inhabil. "
                              "Er du inhabil, skal en anden sagsbehandler bedømme.")}
        )
    member, created = PanelMember.objects.get_or_create(
        panel=panel, user=actor,
        defaults={"no_conflict_declared": True, "declaration": declaration.strip(),
                  "declared_at": timezone.now()},
    )
    if created:
        _event(evaluation=panel.evaluation, application=panel.application, actor=actor,
               kind=EvaluationEventKind.PANEL_JOINED, text=declaration.strip())
        case_follow(case=latest_case(panel.evaluation or panel.application), actor=actor,
                    to=CaseStatus.ASSIGNED)
    return member


@dataclass(frozen=True)
class ScoreInput:
    value: int | None
    not_applicable: bool = False
    reason: str = ""


def _validate_score(criterion: Criterion, item: ScoreInput, suggested_points: int | None, *, need_reason: bool) -> dict:
    errors = []
    if item.not_applicable:
        if item.value is not None:
            errors.append(_("Vælg enten point eller 'ikke relevant'."))
        if not item.reason.strip():
            errors.append(_("Begrund, hvorfor kriteriet ikke er relevant."))
    elif item.value is None:
        errors.append(_("Giv point fra 0 til 5, eller markér kriteriet som ikke relevant."))
    elif not SCORE_MIN <= item.value <= SCORE_MAX:
        errors.append(_("Point skal være mellem 0 og 5."))
    elif suggested_points is not None and item.value != suggested_points and not item.reason.strip():
        errors.append(
            _("Du afviger fra det foreslåede point (%(points)s): skriv en begrundelse.")
            % {"points": suggested_points}
        )
    elif need_reason and not item.reason.strip():
        errors.append(_("Skriv en begrundelse."))
    return {f"criterion_{criterion.pk}": errors} if errors else {}


@transaction.atomic
def scores_save(
    *, member: PanelMember, actor, scores: dict[int, ScoreInput], submit: bool,
    suggestions: dict[int, tuple] | None = None,
) -> PanelMember:
    """Save (and optionally submit) one scorer's scores. `suggestions` maps criterion id to
    (suggested, suggested_points) for data-based criteria. Once submitted, scores are final;
    when every member has submitted and there are at least two, scoring closes."""
    member = PanelMember.objects.select_for_update().select_related("panel").get(pk=member.pk)
    if member.user_id != actor.pk:
        raise ValidationError(_("Du kan kun afgive dine egne point."))
    if member.submitted_at:
        raise ValidationError(_("Du har allerede indsendt din bedømmelse."))
    panel = member.panel
    if _panel_subject_status(panel) not in SCORING_STATES:
        raise ValidationError(_("Der bedømmes ikke i øjeblikket."))
    suggestions = suggestions or {}
    criteria = list(panel.rubric.criteria.all())
    errors: dict = {}
    for criterion in criteria:
        item = scores.get(criterion.pk)
        if item is None:
            if submit:
                errors[f"criterion_{criterion.pk}"] = [_("Giv point for alle kriterier.")]
            continue
        suggested, points = suggestions.get(criterion.pk, (None, None))
        errors.update(_validate_score(criterion, item, points, need_reason=False))
    if errors:
        raise ValidationError(errors)
    for criterion in criteria:
        item = scores.get(criterion.pk)
        if item is None:
            continue
        suggested, _points = suggestions.get(criterion.pk, (None, None))
        Score.objects.update_or_create(
            member=member, criterion=criterion,
            defaults={"value": None if item.not_applicable else item.value,
                      "not_applicable": item.not_applicable, "reason": item.reason.strip(),
                      "suggested": suggested},
        )
    if submit:
        member.submitted_at = timezone.now()
        member.save(update_fields=["submitted_at"])
        _event(evaluation=panel.evaluation, application=panel.application, actor=actor,
               kind=EvaluationEventKind.SCORES_SUBMITTED)
        _close_scoring_if_complete(panel)
    return member


def _close_scoring_if_complete(panel: Panel) -> None:
    members = PanelMember.objects.filter(panel=panel)
    if members.count() < MIN_PANEL_SIZE or members.filter(submitted_at__isnull=True).exists():
        return
    Panel.objects.filter(pk=panel.pk).update(scoring_closed_at=timezone.now())
    if panel.evaluation_id:
        Deadline.objects.filter(pk=panel.evaluation.scoring_deadline_id, completed_at__isnull=True).update(
            completed_at=timezone.now()
        )
        evaluation_transition(evaluation=panel.evaluation, to=S.CONSENSUS, actor=None,
                              comment=record_text("Alle panelmedlemmer har indsendt"))


@transaction.atomic
def consensus_save(
    *, panel: Panel, actor, scores: dict[int, ScoreInput], outcome: str, text: str,
    level_scores: dict[str, object] | None = None,
) -> Recommendation:
    """The panel's consensus score per criterion (each with a reason), the weighted totals and
    the recommendation. `level_scores` (criterion key -> level-vs-peers score) gives the raw
    total for a midway evaluation."""
    from .scoring import totals

    panel = Panel.objects.select_for_update().get(pk=panel.pk)
    if _panel_subject_status(panel) not in CONSENSUS_STATES:
        raise ValidationError(_("Konsensus kan kun fastlægges, når alle har indsendt deres bedømmelse."))
    if not PanelMember.objects.filter(panel=panel, user=actor, submitted_at__isnull=False).exists():
        raise ValidationError(_("Kun panelets medlemmer kan fastlægge konsensus."))
    criteria = list(panel.rubric.criteria.all())
    errors: dict = {}
    for criterion in criteria:
        item = scores.get(criterion.pk)
        if item is None:
            errors[f"criterion_{criterion.pk}"] = [_("Fastlæg point for alle kriterier.")]
        else:
            errors.update(_validate_score(criterion, item, None, need_reason=True))
    if not text.strip():
        errors["text"] = [_("Begrund anbefalingen.")]
    if errors:
        raise ValidationError(errors)
    for criterion in criteria:
        item = scores[criterion.pk]
        ConsensusScore.objects.update_or_create(
            panel=panel, criterion=criterion,
            defaults={"value": None if item.not_applicable else item.value,
                      "not_applicable": item.not_applicable, "reason": item.reason.strip(),
                      "decided_by": actor, "decided_at": timezone.now()},
        )
    weights = {c.key: c.weight for c in criteria}
    consensus = {c.key: (None if scores[c.pk].not_applicable else scores[c.pk].value) for c in criteria}
    raw, adjusted = totals(weights=weights, consensus=consensus, level_scores=level_scores or {})
    recommendation, _created = Recommendation.objects.update_or_create(
        panel=panel,
        defaults={"outcome": outcome, "text": text.strip(), "raw_total": raw,
                  "adjusted_total": adjusted, "author": actor, "created_at": timezone.now()},
    )
    _event(evaluation=panel.evaluation, application=panel.application, actor=actor,
           kind=EvaluationEventKind.CONSENSUS,
           text=f"{outcome}: {adjusted if adjusted is not None else '-'}")
    return recommendation


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
    if case is not None:  # the letter as sent, kept with the case (and on the cluster's page)
        from grants.letters import decision_letter_store

        from .letters import decision_letter_pdf

        decision_letter_store(
            case=case, kind=LetterKind.MIDWAY_DECISION,
            title=f"Afgørelse i midtvejsevalueringen {evaluation.year} – sag {case.journal_number}",
            body=decision.reasons, pdf=decision_letter_pdf(evaluation), actor=actor,
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


def latest_case(subject):
    """The newest case of a midway evaluation or an application (None if none was opened)."""
    return subject.cases.order_by("-created_at").first() if subject is not None else None


def _case_event(evaluation, actor, kind, text) -> None:
    case = latest_case(evaluation)
    if case is not None:
        case_record(case=case, actor=actor, kind=kind, text=in_record_language(text))


@transaction.atomic
def grant_withdraw(*, grant: Grant, evaluation: MidwayEvaluation, actor) -> None:
    """Withdraw a grant after its midway evaluation, each step through its own service and
    with its event, decided by `actor` (the head of office approving the decision): every open
    tranche proposal of the grant is closed (no payment on a withdrawn grant; a proposed
    tranche returns to planned), the tranches after the midway year are cancelled through the
    tranche table, the annual-report obligations after it through the report workflow (SYSTEM
    role), and the grant and the cluster are marked withdrawn."""
    after = grant.midway_year or 5
    reason = record_text("Bevillingen er tilbagekaldt efter midtvejsevalueringen.")
    for proposal in TrancheProposal.objects.filter(
        tranche__grant=grant, status=ProposalStatus.PROPOSED
    ).order_by("pk"):
        proposal_close(proposal=proposal, actor=actor, reason=reason)
    for tranche in Tranche.objects.filter(
        grant=grant, year_number__gt=after, status__in=[TrancheStatus.PLANNED, TrancheStatus.PROPOSED]
    ).order_by("year_number"):
        tranche_transition(tranche=tranche, to=TrancheStatus.CANCELLED, actor=actor, text=reason)
    reports = AnnualReport.objects.filter(grant=grant, year_number__gt=after).exclude(
        status__in=[ReportStatus.CANCELLED, ReportStatus.APPROVED]
    )
    for report in reports:
        report_transition(report=report, to=ReportStatus.CANCELLED, actor=None, comment=reason)
    grant_status_set(grant=grant, to=GrantStatus.WITHDRAWN, actor=actor, text=reason)
    cluster_status_set(cluster_id=grant.cluster_id, actor=actor, to=ClusterStatus.WITHDRAWN,
                       reason=reason)
    _event(evaluation=evaluation, actor=actor, kind=EvaluationEventKind.WITHDRAWAL,
           text=record_text("Rater og årsrapporter efter år %(year)s annulleret", {"year": after}))
