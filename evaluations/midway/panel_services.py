from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from evaluations.constants import MIN_PANEL_SIZE, SCORE_MAX, SCORE_MIN, EvaluationEventKind
from evaluations.midway.services import S, _event, evaluation_transition, latest_case
from evaluations.models import (
    ConsensusScore,
    Criterion,
    MidwayEvaluation,
    Panel,
    PanelMember,
    Recommendation,
    Score,
)
from evaluations.panels.scoring import totals
from grants.calls.models import Application
from grants.cases.services import case_follow
from grants.constants import ApplicationStatus, CaseStatus
from grants.deadlines.models import Deadline
from klyngeadmin.kernel.i18n import record_text
from klyngeadmin.kernel.predicates import is_caseworker


def _panel_subject_status(panel: Panel) -> str:
    if panel.evaluation_id:
        return MidwayEvaluation.objects.values_list("status", flat=True).get(pk=panel.evaluation_id)

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

