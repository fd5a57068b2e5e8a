"""The open call for emerging areas at /opslag/: public list of published calls, registration
of a new organisation, the application form, and the authority's assessment pages (the same
panel machinery as the midway evaluation)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clusters.models import KnowledgeInstitution
from evaluations.calls import services as call_services
from evaluations.constants import ApplicationOutcome
from evaluations.midway import panel_services, selectors
from evaluations.midway.forms import (
    ApplicationForm,
    ApplicationProposeForm,
    CallForm,
    ConsensusForm,
    PanelJoinForm,
    RegistrationForm,
    ScoreForm,
    apply_service_errors,
)
from evaluations.midway.services import latest_case
from evaluations.models import Applicant, ApplicationProposal, PanelMember
from grants.calls.models import Application, Call
from grants.cases import hearing as hearing_services
from grants.cases.forms import hearing_answer_form
from grants.cases.selectors import party_casework
from grants.cases.views import run_party_action
from grants.constants import ApplicationStatus, CallStatus
from klyngeadmin.accounts.drafts import services as drafts
from klyngeadmin.accounts.security.client_ip import client_ip
from klyngeadmin.kernel import ratelimit
from klyngeadmin.kernel.permissions import has_app_perm, require_perm


def call_list(request):
    """Published calls (anyone); an administrator also sees drafts."""
    calls = Call.objects.order_by("-opens_at")
    manage = has_app_perm(request.user, "evaluations.manage_calls")
    if not manage:
        calls = calls.filter(status__in=[CallStatus.PUBLISHED, CallStatus.CLOSED])
    mine = []
    if request.user.is_authenticated and getattr(request.user, "role", "") == "applicant":
        mine = list(Application.objects.filter(proposal__applicant__user=request.user).select_related("call"))
    return render(request, "evaluations/calls/list.html", {
        "calls": calls, "manage": manage, "mine": mine, "now": timezone.now(),
        "can_review": has_app_perm(request.user, "evaluations.list_applications"),
    })


def call_detail(request, call_id):
    call = get_object_or_404(Call, pk=call_id)
    if call.status == CallStatus.DRAFT and not has_app_perm(request.user, "evaluations.manage_calls"):
        raise Http404
    return render(request, "evaluations/calls/detail.html", {
        "call": call, "open": call_services.call_is_open(call),
        "manage": has_app_perm(request.user, "evaluations.manage_calls"),
    })


@login_required
def call_create(request):
    require_perm(request.user, "evaluations.manage_calls")
    form = CallForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            call = call_services.call_create(actor=request.user, **form.cleaned_data)
            messages.success(request, _("Opslaget er oprettet som kladde."))
            return redirect("calls:detail", call_id=call.pk)
        except ValidationError as e:
            apply_service_errors(form, e)
    return render(request, "evaluations/calls/form.html", {"form": form})


@login_required
@require_POST
def call_publish(request, call_id):
    require_perm(request.user, "evaluations.manage_calls")
    call = get_object_or_404(Call, pk=call_id)
    try:
        call_services.call_publish(call=call, actor=request.user)
        messages.success(request, _("Opslaget er offentliggjort."))
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    return redirect("calls:detail", call_id=call.pk)


def _registration_throttled(request, form) -> bool:
    """Open registration creates accounts: at most REGISTRATION_RATE_PER_IP from one address,
    counted in the shared cache (issue 18, finding 10)."""

    verdict = ratelimit.hit("register_ip", client_ip(request) or "-",
                            settings.REGISTRATION_RATE_PER_IP)
    if verdict.allowed:
        return False
    form.add_error(None, _("Der er oprettet for mange organisationer fra din adresse. Prøv "
                           "igen senere, eller kontakt Erhvervsstyrelsen."))
    request.registration_throttled = True
    return True


def register(request, call_id):
    call = get_object_or_404(Call, pk=call_id, status=CallStatus.PUBLISHED)
    if request.user.is_authenticated:
        return redirect("calls:apply", call_id=call.pk)
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and not _registration_throttled(request, form):
        d = form.cleaned_data
        try:
            applicant = call_services.applicant_register(
                username=d["username"], email=d["email"], password=d["password1"],
                first_name=d["first_name"], last_name=d["last_name"],
                organisation_name=d["organisation_name"], cvr=d["cvr"], city=d["city"], region=d["region"],
            )
            login(request, applicant.user, backend="klyngeadmin.accounts.backends.PasswordBackend")
            messages.success(request, _("Organisationen er registreret. Udfyld nu ansøgningen."))
            return redirect("calls:apply", call_id=call.pk)
        except ValidationError as e:
            apply_service_errors(form, e)
    return render(request, "evaluations/calls/register.html", {"call": call, "form": form},
                  status=429 if getattr(request, "registration_throttled", False) else 200)


@login_required
def apply(request, call_id):
    require_perm(request.user, "evaluations.apply")
    call = get_object_or_404(Call, pk=call_id, status=CallStatus.PUBLISHED)
    applicant = get_object_or_404(Applicant, user=request.user)
    proposal = (ApplicationProposal.objects.filter(applicant=applicant, application__call=call)
                .select_related("application").prefetch_related("companies", "institutions").first())
    if proposal and proposal.application.status != ApplicationStatus.DRAFT:
        return redirect("calls:application", application_id=proposal.application_id)
    institutions = list(KnowledgeInstitution.objects.order_by("kind", "name"))
    initial = {}
    if proposal:
        initial = {
            "version": proposal.version, "proposed_area": proposal.application.proposed_area,
            "description": proposal.description, "budget_dkk": proposal.budget_dkk,
            "requested_annual_dkk": proposal.requested_annual_dkk, "cofinancing_dkk": proposal.cofinancing_dkk,
            "companies": "\n".join(f"{c.cvr};{c.name}" for c in proposal.companies.all()),
            "institutions": [str(i.institution_id) for i in proposal.institutions.all()],
            **ApplicationForm.target_initial(proposal.proposed_targets),
        }
    form = ApplicationForm(request.POST or None, initial=initial, institutions=institutions)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            application = call_services.application_save(
                call=call, applicant=applicant, actor=request.user, proposed_area=d["proposed_area"],
                description=d["description"], budget_dkk=d["budget_dkk"],
                requested_annual_dkk=d["requested_annual_dkk"], cofinancing_dkk=d["cofinancing_dkk"],
                companies_text=d["companies"], institution_ids=[int(i) for i in d["institutions"]],
                version=d["version"], submit="submit" in request.POST,
                proposed_targets=form.proposed_targets(),
            )
            if "submit" in request.POST:
                messages.success(request, _("Ansøgningen er indsendt."))
                return redirect("calls:application", application_id=application.pk)
            messages.success(request, _("Ansøgningen er gemt som kladde."))
            return redirect("calls:apply", call_id=call.pk)
        except ValidationError as e:
            apply_service_errors(form, e)
    return render(request, "evaluations/calls/apply.html", {"call": call, "form": form},
                  status=400 if request.method == "POST" else 200)


# -- assessment ---------------------------------------------------------------------------------


def _application_qs():
    return Application.objects.select_related(
        "call", "proposal__applicant", "panel__rubric", "panel__recommendation", "decision", "cluster", "grant",
    ).prefetch_related(
        "proposal__companies", "proposal__institutions__institution",
        Prefetch("panel__members", queryset=PanelMember.objects.select_related("user")),
    )


def _application(request, application_id):
    application = _application_qs().filter(pk=application_id).first()
    if application is None or not has_app_perm(request.user, "evaluations.view_application", application):
        raise Http404
    return application


@login_required
def application_list(request):
    require_perm(request.user, "evaluations.list_applications")
    applications = Application.objects.select_related("call", "decision").order_by("-submitted_at", "-id")
    return render(request, "evaluations/calls/applications.html", {"applications": applications})


@login_required
def application_detail(request, application_id):
    return _render_application(request, _application(request, application_id))


def _render_application(request, application, *, answer_form=None, status=200):
    user = request.user
    panel = getattr(application, "panel", None)
    member = selectors.member_of(panel, user) if panel and user.is_authority else None
    criteria = selectors.criteria_of(panel.rubric) if panel else []
    decision = getattr(application, "decision", None)
    case = latest_case(application)
    # the application's case as its party sees it: the hearing letter, the answer, the letters
    casework = party_casework(case)
    answer = bool(casework["hearing"]) and has_app_perm(
        user, "evaluations.answer_application_hearing", application)
    if answer and answer_form is None:
        answer_form = hearing_answer_form(initial={"version": case.version}, prefix="hoeringssvar")
    return render(request, "evaluations/calls/application.html", {
        "application": application, "proposal": getattr(application, "proposal", None), "panel": panel,
        "member": member, "criteria": criteria,
        "consensus": selectors.consensus_of(panel) if panel and panel.scoring_closed_at and user.is_authority else {},
        "recommendation": getattr(panel, "recommendation", None) if panel and user.is_authority else None,
        "decision": decision if decision and (user.is_authority or decision.approved_at) else None,
        "case": case if user.is_authority else None,
        "casework": casework, "answer_form": answer_form if answer else None,
        "failed_form": answer_form if answer_form is not None and answer_form.errors else None,
        "perms_for": {
            "join": has_app_perm(user, "evaluations.join_application_panel", application),
            "score": has_app_perm(user, "evaluations.score_application", application) and member
            and not member.submitted_at,
            "consensus": bool(member and member.submitted_at and panel.scoring_closed_at
                              and application.status == ApplicationStatus.SCORING),
            "propose": has_app_perm(user, "evaluations.propose_application", application)
            and panel is not None and hasattr(panel, "recommendation"),
            "decide": has_app_perm(user, "evaluations.decide_application", application)
            and decision is not None and decision.proposed_by_id != user.pk,
        },
    }, status=status)


@login_required
@require_POST
def application_hearing_answer(request, application_id):
    """The applicant answers the hearing before a rejection (grants.cases.hearing), with
    attachments, on the page where they follow their application."""
    application = _application(request, application_id)
    require_perm(request.user, "evaluations.answer_application_hearing", application)
    case = latest_case(application)
    if case is None:
        raise Http404
    form = hearing_answer_form(request.POST, request.FILES, prefix="hoeringssvar")
    response = run_party_action(
        request, case=case, form=form, run=hearing_services.hearing_answer,
        done=_("Jeres høringssvar er modtaget. Kvitteringen står på ansøgningen."),
        back=reverse("calls:application", args=[application.pk]))
    if response is not None:
        return response
    return _render_application(request, application, answer_form=form, status=400)


@login_required
def application_join(request, application_id):
    application = _application(request, application_id)
    require_perm(request.user, "evaluations.join_application_panel", application)
    form = PanelJoinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            panel_services.panel_join(panel=application.panel, actor=request.user, no_conflict=True,
                                declaration=form.cleaned_data["declaration"])
            return redirect("calls:application_score", application_id=application.pk)
        except ValidationError as e:
            apply_service_errors(form, e)
    return render(request, "evaluations/calls/join.html", {"application": application, "form": form})


@login_required
def application_score(request, application_id):
    """Blind: the scorer sees and edits only their own scores."""
    application = _application(request, application_id)
    panel = getattr(application, "panel", None)
    member = selectors.member_of(panel, request.user) if request.user.is_authority else None
    if member is None:
        raise PermissionDenied
    criteria = selectors.criteria_of(panel.rubric)
    own = selectors.scores_of(member)
    editable = has_app_perm(request.user, "evaluations.score_application", application) and not member.submitted_at
    # On a GET, the scorer's unsaved draft (klyngeadmin/drafts.py) while scoring is open.
    data = drafts.form_data(request) if editable or request.method == "POST" else None
    form = ScoreForm(data, criteria=criteria, initial=ScoreForm.initial_from(criteria, own))
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        if form.is_valid():
            try:
                panel_services.scores_save(member=member, actor=request.user, scores=form.score_inputs(),
                                     submit="submit" in request.POST)
                messages.success(request, _("Din bedømmelse er gemt."))
                return redirect("calls:application", application_id=application.pk)
            except ValidationError as e:
                apply_service_errors(form, e, ScoreForm.field_for)
    rows = [{"criterion": c, "score_field": form[f"score_{c.pk}"], "reason_field": form[f"reason_{c.pk}"]}
            for c in criteria]
    return render(request, "evaluations/calls/score.html", {
        "application": application, "form": form, "rows": rows, "editable": editable, "member": member,
    }, status=400 if request.method == "POST" else 200)


@login_required
def application_consensus(request, application_id):
    application = _application(request, application_id)
    panel = getattr(application, "panel", None)
    member = selectors.member_of(panel, request.user) if request.user.is_authority else None
    if member is None or not member.submitted_at or not panel.scoring_closed_at or application.status != ApplicationStatus.SCORING:
        raise PermissionDenied
    criteria = selectors.criteria_of(panel.rubric)
    by_member = selectors.all_scores(panel)
    form = ConsensusForm(request.POST or None, criteria=criteria, outcomes=ApplicationOutcome.choices)
    if request.method == "POST" and form.is_valid():
        try:
            panel_services.consensus_save(panel=panel, actor=request.user, scores=form.score_inputs(),
                                    outcome=form.cleaned_data["outcome"], text=form.cleaned_data["text"])
            messages.success(request, _("Konsensus og anbefaling er gemt."))
            return redirect("calls:application", application_id=application.pk)
        except ValidationError as e:
            apply_service_errors(form, e, ScoreForm.field_for)
    rows = [{"criterion": c, "scores": [(m, by_member.get(m.pk, {}).get(c.pk)) for m in panel.members.all()],
             "field": form[f"score_{c.pk}"], "reason": form[f"reason_{c.pk}"]} for c in criteria]
    return render(request, "evaluations/calls/consensus.html", {
        "application": application, "form": form, "rows": rows,
    }, status=400 if request.method == "POST" else 200)


@login_required
def application_propose(request, application_id):
    application = _application(request, application_id)
    require_perm(request.user, "evaluations.propose_application", application)
    form = ApplicationProposeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            call_services.application_propose(application=application, actor=request.user,
                                              **form.cleaned_data)
            messages.success(request, _("Indstillingen er sendt til kontorchefens godkendelse."))
            if form.cleaned_data["outcome"] == ApplicationOutcome.REJECT:
                messages.info(request, _("Et afslag træffes først, når ansøgeren er partshørt. "
                                         "Send høringsbrevet fra sagen."))
            return redirect("calls:application", application_id=application.pk)
        except ValidationError as e:
            apply_service_errors(form, e)
    return render(request, "evaluations/calls/propose.html", {"application": application, "form": form},
                  status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def application_decide(request, application_id):
    application = _application(request, application_id)
    require_perm(request.user, "evaluations.decide_application", application)
    try:
        call_services.application_decide(application=application, actor=request.user)
        messages.success(request, _("Afgørelsen er truffet, og ansøgeren er underrettet."))
    except ValidationError as e:  # TransitionNotAllowed is one (kernel.errors)
        messages.error(request, " ".join(e.messages))
    return redirect("calls:application", application_id=application.pk)
