"""Views for the midway evaluation: thin — fetch through the scoped selectors (another
cluster's evaluation is a 404), check the permission (403), call a service, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from evaluations.constants import EvaluationStatus, Outcome
from evaluations.midway import panel_services, selectors, services
from evaluations.midway.forms import (
    ApproveForm,
    AttachmentForm,
    ConsensusForm,
    PanelJoinForm,
    ProposeForm,
    ReturnForm,
    ScoreForm,
    SelfAssessmentForm,
    apply_service_errors,
)
from evaluations.midway.letters import decision_letter_pdf
from evaluations.models import Decision, PanelMember, SelfAssessmentAttachment
from klyngeadmin.accounts.drafts import services as drafts
from klyngeadmin.kernel.permissions import has_app_perm, require_perm

S = EvaluationStatus
YEAR_NUMBERS = range(0, 6)
SELF_ASSESSMENT_FORM_ID = "self-assessment-form"  # templates/evaluations/self_assessment.html


def _evaluation(request, pk):
    evaluation = selectors.evaluation_get(user=request.user, pk=pk)
    if evaluation is None:
        raise Http404
    return evaluation


def _not_open_yet(request, evaluation, message):
    """A step whose prerequisite does not exist yet (no self-assessment, panel or decision):
    say so in Danish on the evaluation page instead of failing."""
    messages.info(request, message)
    return redirect("evaluations:detail", pk=evaluation.pk)


@login_required
def evaluation_list(request):
    require_perm(request.user, "evaluations.list_midwayevaluations")
    evaluations = list(selectors.evaluation_list(user=request.user))
    years = sorted({e.year for e in evaluations})
    return render(request, "evaluations/list.html", {
        "evaluations": evaluations, "years": years,
        "can_cohort": has_app_perm(request.user, "evaluations.view_cohort"),
        "can_rubrics": has_app_perm(request.user, "evaluations.manage_rubrics"),
    })


@login_required
def evaluation_detail(request, pk):
    evaluation = _evaluation(request, pk)
    require_perm(request.user, "evaluations.view_midwayevaluation", evaluation)
    user = request.user
    criteria = selectors.criteria_of(evaluation.rubric)
    points = selectors.starting_points(evaluation, criteria)
    panel = selectors.panel_of(evaluation) if user.is_authority else None
    member = selectors.member_of(panel, user)
    decision = Decision.objects.filter(evaluation=evaluation).select_related("proposed_by", "approved_by").first()
    show_decision = decision is not None and (user.is_authority or evaluation.status == S.DECIDED)
    consensus = selectors.consensus_of(panel) if panel and evaluation.status in selectors.SCORES_REVEALED else {}
    if not user.is_authority and evaluation.status == S.DECIDED:
        consensus = selectors.consensus_of(getattr(evaluation, "panel", None))
    members = []
    if panel:
        for m in panel.members.all():
            members.append({"member": m, "visible": selectors.scores_visible_to(
                panel=panel, viewer=user, member=m, status=evaluation.status)})
    return render(request, "evaluations/detail.html", {
        "evaluation": evaluation, "criteria": criteria, "points": points, "year_numbers": YEAR_NUMBERS,
        "self_assessment": selectors.self_assessment_of(evaluation),
        "panel": panel, "member": member, "members": members,
        "decision": decision if show_decision else None, "consensus": consensus,
        "recommendation": getattr(panel, "recommendation", None) if panel else None,
        "events": evaluation.events.select_related("actor") if user.is_authority else [],
        "perms_for": {
            "open": has_app_perm(user, "evaluations.open_evaluation", evaluation),
            "self_assessment": has_app_perm(user, "evaluations.change_selfassessment", evaluation),
            "join": has_app_perm(user, "evaluations.join_panel", evaluation),
            "score": has_app_perm(user, "evaluations.score", evaluation),
            "consensus": has_app_perm(user, "evaluations.set_consensus", evaluation),
            "propose": has_app_perm(user, "evaluations.propose_decision", evaluation),
            "approve": has_app_perm(user, "evaluations.approve_decision", evaluation),
            "letter": has_app_perm(user, "evaluations.view_letter", evaluation),
        },
    })


@login_required
@require_POST
def evaluation_open(request, pk):
    evaluation = _evaluation(request, pk)
    require_perm(request.user, "evaluations.open_evaluation", evaluation)
    if evaluation.year > timezone.localdate().year and request.POST.get("bekraeftet") != "1":
        # Before its year: ask first (POST-confirm, works without script); nothing changes yet.
        return render(request, "evaluations/confirm_open.html", {"evaluation": evaluation,
                                                                 "this_year": timezone.localdate().year})
    try:
        services.evaluation_open(evaluation=evaluation, actor=request.user)
        messages.success(request, _("Midtvejsevalueringen er åbnet, og klyngen er underrettet."))
    except ValidationError as e:  # TransitionNotAllowed is one (kernel.errors)
        messages.error(request, " ".join(e.messages))
    return redirect("evaluations:detail", pk=evaluation.pk)


# -- self-assessment ----------------------------------------------------------------------------


@login_required
def self_assessment(request, pk):
    evaluation = _evaluation(request, pk)
    require_perm(request.user, "evaluations.change_selfassessment", evaluation)
    criteria = selectors.criteria_of(evaluation.rubric)
    sa = selectors.self_assessment_of(evaluation)
    if sa is None:
        return _not_open_yet(request, evaluation, _("Selvevalueringen er ikke åbnet endnu."))
    answers = {a.criterion_id: a.text for a in sa.answers.all()}
    initial = {"summary": sa.summary, "version": sa.version,
               **{f"answer_{cid}": text for cid, text in answers.items()}}
    # On a GET, what the person typed here and did not save (klyngeadmin/drafts.py).
    form = SelfAssessmentForm(drafts.form_data(request), criteria=criteria, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.self_assessment_save(
                evaluation=evaluation, actor=request.user, summary=form.cleaned_data["summary"],
                answers=form.answers(), version=form.cleaned_data["version"],
                submit="submit" in request.POST,
            )
            if "submit" in request.POST:
                messages.success(request, _("Selvevalueringen er indsendt."))
                return redirect("evaluations:detail", pk=evaluation.pk)
            messages.success(request, _("Selvevalueringen er gemt som kladde."))
            return redirect("evaluations:self_assessment", pk=evaluation.pk)
        except ValidationError as e:
            apply_service_errors(form, e)
    return render(request, "evaluations/self_assessment.html", {
        "evaluation": evaluation, "form": form, "self_assessment": sa,
        "attachment_form": AttachmentForm(form_id=SELF_ASSESSMENT_FORM_ID), "criteria": criteria,
        "points": selectors.starting_points(evaluation, criteria), "year_numbers": YEAR_NUMBERS,
    })


@login_required
@require_POST
def self_assessment_attach(request, pk):
    evaluation = _evaluation(request, pk)
    require_perm(request.user, "evaluations.change_selfassessment", evaluation)
    if selectors.self_assessment_of(evaluation) is None:
        return _not_open_yet(request, evaluation, _("Selvevalueringen er ikke åbnet endnu."))
    # The upload button belongs to the answers' form: what was typed there comes along and is
    # kept as the self-assessment page's draft (klyngeadmin/drafts.py) before the file is read.
    typed = drafts.draft_fields(request.POST)
    for name in AttachmentForm.base_fields:
        typed.pop(name, None)
    if typed:
        drafts.draft_save(actor=request.user, data=typed,
                          path=reverse("evaluations:self_assessment", args=[evaluation.pk]))
    form = AttachmentForm(request.POST, request.FILES, form_id=SELF_ASSESSMENT_FORM_ID)
    if form.is_valid():
        try:
            services.self_assessment_attach(evaluation=evaluation, actor=request.user,
                                            title=form.cleaned_data["title"], file=form.cleaned_data["file"])
            messages.success(request, _("Bilaget er tilføjet."))
            return redirect("evaluations:self_assessment", pk=evaluation.pk)
        except ValidationError as e:
            apply_service_errors(form, e)
    criteria = selectors.criteria_of(evaluation.rubric)
    sa = selectors.self_assessment_of(evaluation)
    return render(request, "evaluations/self_assessment.html", {
        "evaluation": evaluation, "self_assessment": sa, "attachment_form": form, "criteria": criteria,
        "form": SelfAssessmentForm(request.POST if typed else None, criteria=criteria,
                                   initial={"summary": sa.summary, "version": sa.version}),
        "points": selectors.starting_points(evaluation, criteria), "year_numbers": YEAR_NUMBERS,
    }, status=400)


@login_required
def attachment_download(request, pk, attachment_id):
    evaluation = _evaluation(request, pk)
    require_perm(request.user, "evaluations.view_selfassessment", evaluation)
    attachment = get_object_or_404(SelfAssessmentAttachment, pk=attachment_id,
                                   self_assessment__evaluation=evaluation)
    return FileResponse(attachment.file.open("rb"), as_attachment=True,
                        filename=attachment.file.name.rsplit("/", 1)[-1])


# -- the panel ----------------------------------------------------------------------------------


@login_required
def panel_join(request, pk):
    evaluation = _evaluation(request, pk)
    require_perm(request.user, "evaluations.join_panel", evaluation)
    form = PanelJoinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            panel_services.panel_join(panel=evaluation.panel, actor=request.user, no_conflict=True,
                                declaration=form.cleaned_data["declaration"])
            messages.success(request, _("Du er med i bedømmelsespanelet."))
            return redirect("evaluations:detail", pk=evaluation.pk)
        except ValidationError as e:
            apply_service_errors(form, e)
    return render(request, "evaluations/panel_join.html", {"evaluation": evaluation, "form": form})


def _score_context(evaluation, criteria):
    points = selectors.starting_points(evaluation, criteria)
    return points, selectors.suggestions_by_criterion(criteria, points)


@login_required
def score(request, pk):
    """The scorer's own scores. Never shows another member's scores (blind scoring)."""
    evaluation = _evaluation(request, pk)
    panel = selectors.panel_of(evaluation) if request.user.is_authority else None
    member = selectors.member_of(panel, request.user)
    if member is None:
        raise PermissionDenied
    criteria = selectors.criteria_of(evaluation.rubric)
    points, suggestions = _score_context(evaluation, criteria)
    own = selectors.scores_of(member)
    editable = has_app_perm(request.user, "evaluations.score", evaluation) and member.submitted_at is None
    initial = {f"score_{pk}": str(suggestion[1]) for pk, suggestion in suggestions.items()}
    initial.update(ScoreForm.initial_from(criteria, own))
    # On a GET, the scorer's unsaved draft (klyngeadmin/drafts.py) while scoring is open.
    data = drafts.form_data(request) if editable or request.method == "POST" else None
    form = ScoreForm(data, criteria=criteria, initial=initial)
    if not editable:
        for field in form.fields.values():
            field.disabled = True
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        if form.is_valid():
            try:
                panel_services.scores_save(member=member, actor=request.user, scores=form.score_inputs(),
                                     submit="submit" in request.POST, suggestions=suggestions)
                if "submit" in request.POST:
                    messages.success(request, _("Din bedømmelse er indsendt."))
                    return redirect("evaluations:detail", pk=evaluation.pk)
                messages.success(request, _("Dine point er gemt som kladde."))
                return redirect("evaluations:score", pk=evaluation.pk)
            except ValidationError as e:
                apply_service_errors(form, e, ScoreForm.field_for)
    rows = [{"criterion": c, "point": points.get(c.key), "score_field": form[f"score_{c.pk}"],
             "reason_field": form[f"reason_{c.pk}"]} for c in criteria]
    return render(request, "evaluations/score.html", {
        "evaluation": evaluation, "form": form, "criteria": criteria, "points": points, "rows": rows,
        "editable": editable, "member": member, "self_assessment": selectors.self_assessment_of(evaluation),
    }, status=400 if request.method == "POST" else 200)


@login_required
def member_scores(request, pk, member_id):
    """One panel member's scores, by URL. Blind: refused until every member has submitted."""
    evaluation = _evaluation(request, pk)
    require_perm(request.user, "evaluations.view_panel", evaluation)
    member = get_object_or_404(PanelMember.objects.select_related("user", "panel"), pk=member_id,
                               panel__evaluation=evaluation)
    if not selectors.scores_visible_to(panel=member.panel, viewer=request.user, member=member,
                                       status=evaluation.status):
        raise PermissionDenied
    criteria = selectors.criteria_of(evaluation.rubric)
    return render(request, "evaluations/member_scores.html", {
        "evaluation": evaluation, "member": member, "criteria": criteria,
        "scores": selectors.scores_of(member),
    })


@login_required
def consensus(request, pk):
    evaluation = _evaluation(request, pk)
    require_perm(request.user, "evaluations.set_consensus", evaluation)
    panel = selectors.panel_of(evaluation)
    if panel is None:
        return _not_open_yet(request, evaluation, _("Der er endnu intet bedømmelsespanel."))
    criteria = selectors.criteria_of(evaluation.rubric)
    points, suggestions = _score_context(evaluation, criteria)
    by_member = selectors.all_scores(panel)
    existing = selectors.consensus_of(panel)
    initial = ScoreForm.initial_from(criteria, existing)
    recommendation = getattr(panel, "recommendation", None)
    if recommendation:
        initial.update(outcome=recommendation.outcome, text=recommendation.text)
    form = ConsensusForm(request.POST or None, criteria=criteria, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            panel_services.consensus_save(
                panel=panel, actor=request.user, scores=form.score_inputs(),
                outcome=form.cleaned_data["outcome"], text=form.cleaned_data["text"],
                level_scores=selectors.level_scores(points),
            )
            messages.success(request, _("Konsensus og anbefaling er gemt."))
            return redirect("evaluations:detail", pk=evaluation.pk)
        except ValidationError as e:
            apply_service_errors(form, e, ScoreForm.field_for)
    rows = [{"criterion": c, "point": points.get(c.key),
             "scores": [(m, by_member.get(m.pk, {}).get(c.pk)) for m in panel.members.all()],
             "field": form[f"score_{c.pk}"], "reason": form[f"reason_{c.pk}"]} for c in criteria]
    return render(request, "evaluations/consensus.html", {
        "evaluation": evaluation, "form": form, "rows": rows, "members": list(panel.members.all()),
    }, status=400 if request.method == "POST" else 200)


# -- decision -----------------------------------------------------------------------------------


@login_required
def propose(request, pk):
    evaluation = _evaluation(request, pk)
    require_perm(request.user, "evaluations.propose_decision", evaluation)
    panel = selectors.panel_of(evaluation)
    recommendation = getattr(panel, "recommendation", None)
    initial = {"version": evaluation.version}
    if recommendation:
        initial.update(outcome=recommendation.outcome, reasons=recommendation.text)
    form = ProposeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.decision_propose(
                evaluation=evaluation, actor=request.user, outcome=d["outcome"], reasons=d["reasons"],
                conditions=d["conditions"], follow_up_due=d["follow_up_due"], version=d["version"],
            )
            messages.success(request, _("Afgørelsen er indstillet til kontorchefens godkendelse."))
            return redirect("evaluations:detail", pk=evaluation.pk)
        except ValidationError as e:  # TransitionNotAllowed is one (kernel.errors)
            apply_service_errors(form, e)
    return render(request, "evaluations/propose.html", {
        "evaluation": evaluation, "form": form, "recommendation": recommendation,
        "consensus": selectors.consensus_of(panel), "criteria": selectors.criteria_of(evaluation.rubric),
    }, status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def approve(request, pk):
    evaluation = _evaluation(request, pk)
    require_perm(request.user, "evaluations.approve_decision", evaluation)
    form = ApproveForm(request.POST)
    form.is_valid()
    pending = Decision.objects.filter(evaluation=evaluation).select_related("proposed_by").first()
    if (pending is not None and pending.outcome == Outcome.WITHDRAW
            and request.POST.get("bekraeftet") != "1"):
        # A withdrawal takes money: confirm on a page that shows what (works without script),
        # once the cluster has been heard (the service asks again when it is confirmed).
        try:
            services.withdrawal_hearing_check(evaluation)
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
            return redirect("evaluations:detail", pk=evaluation.pk)
        return render(request, "evaluations/confirm_approve.html", {
            "evaluation": evaluation, "decision": pending, "grant": evaluation.grant,
            "withdrawn": selectors.withdrawn_amount(evaluation),
            "version": form.cleaned_data.get("version") if form.is_valid() else evaluation.version,
        })
    try:
        decision = services.decision_approve(evaluation=evaluation, actor=request.user,
                                             version=form.cleaned_data.get("version"))
        msg = _("Afgørelsen er godkendt, og klyngen er underrettet.")
        if decision.outcome == Outcome.WITHDRAW:
            msg += " " + _("Rater og årsrapporter efter år 5 er annulleret.")
        messages.success(request, msg)
    except ValidationError as e:  # TransitionNotAllowed is one (kernel.errors)
        messages.error(request, " ".join(e.messages))
    return redirect("evaluations:detail", pk=evaluation.pk)


@login_required
def send_back(request, pk):
    evaluation = _evaluation(request, pk)
    require_perm(request.user, "evaluations.approve_decision", evaluation)
    form = ReturnForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.decision_return(evaluation=evaluation, actor=request.user,
                                     comment=form.cleaned_data["comment"])
            messages.success(request, _("Indstillingen er sendt tilbage til panelet."))
            return redirect("evaluations:detail", pk=evaluation.pk)
        except ValidationError as e:
            apply_service_errors(form, e)
    return render(request, "evaluations/send_back.html", {"evaluation": evaluation, "form": form})


@login_required
def letter(request, pk):
    evaluation = _evaluation(request, pk)
    require_perm(request.user, "evaluations.view_letter", evaluation)
    if not Decision.objects.filter(evaluation=evaluation, approved_at__isnull=False).exists():
        raise Http404(_("Der er endnu ingen afgørelse og derfor intet afgørelsesbrev."))
    stored = selectors.decision_letter_of(evaluation)
    if stored is not None:  # the letter as it was sent
        with stored.file.open("rb") as f:
            pdf = f.read()
    else:  # decided before letters were kept with the case

        pdf = decision_letter_pdf(evaluation)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="afgoerelse-midtvejsevaluering-{evaluation.year}-{evaluation.grant.cluster.slug}.pdf"'
    )
    return response
