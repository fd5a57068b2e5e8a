"""The case pages (thin): parse, call a selector or service, render.

/sager/ and /sager/<journal_number>/ exist for caseworkers and the head of office only; for
anyone else signed in they answer 404 (a director never learns a case URL exists).
/mine-sager/ shows a cluster its own messages and decision letters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from grants.cases import award as award_services
from grants.cases import complaints, conditions, decide, hearing, proposals, settlement
from grants.cases import forms as f
from grants.cases import services as services
from grants.cases.models import Case, RepaymentClaim, TrancheProposal
from grants.cases.report_section import report_section
from grants.cases.selectors import (
    CLUSTER_STATUS,
    SORT_LABELS,
    TABS,
    QueueParams,
    approval_items,
    award_grants_for,
    case_actions,
    case_attachments_for_user,
    case_cluster_activity,
    case_detail,
    case_heading,
    case_queue,
    case_queue_counts,
    cluster_case_detail,
    cluster_case_messages,
    cluster_cases,
    cluster_decision_letters,
    decision_letters_for_user,
    hearing_subjects_for,
    queue_filter_options,
    version_diff,
    waiting_for,
)
from grants.cases.workflows import MANUAL_TRANSITIONS
from grants.constants import CaseStatus, CaseType
from klyngeadmin.kernel.errors import DomainError

PAGE_SIZE = 50


def _require(user, perm: str) -> None:
    """Case pages do not exist for people without the permission: 404, not 403."""
    if not rules.has_perm(perm, user):
        raise Http404


@login_required
@require_GET
def case_queue_view(request):
    _require(request.user, "grants.view_case")
    params = QueueParams.from_query(request.GET, default_tab="all")
    counts = case_queue_counts(user=request.user, params=params)
    paginator = Paginator(case_queue(user=request.user, params=params), PAGE_SIZE)
    paginator.count = counts["total"]["all"]  # the facet counts counted the rows: no COUNT query
    page = paginator.get_page(request.GET.get("side"))
    awaiting = approval_items([c.pk for c in page.object_list]) if params.tab == "godkendelse" else {}
    for case in page.object_list:
        case.awaiting = awaiting.get(case.pk, [])
    return render(request, "cases/queue.html", {
        "params": params,
        "page": page,
        "cases": page.object_list,
        "counts": counts,
        "options": queue_filter_options(),
        "tabs": TABS,
        "sorts": SORT_LABELS,
        "case_types": CaseType.choices,
        "case_statuses": CaseStatus.choices,
    })


def _get_case(request, journal_number: str, *, select=case_detail) -> Case:
    """The case the caseworker may see (404 otherwise), read by `select`: case_detail with its
    history, case_heading for the pages that show only its heading."""
    _require(request.user, "grants.view_case")
    try:
        return select(user=request.user, journal_number=journal_number)
    except Case.DoesNotExist:
        raise Http404 from None


# The case page's forms: action prefix (ACTIONS, below) -> the case_actions entry that offers
# it. A form is built only when its action is offered: most are not, in most states.
_CASE_FORMS: dict[str, str] = {
    "tildel": "assign",
    "anmod-om-aendringer": "request_changes",
    "godkend-rapport": "approve_report",
    "indstil-udbetaling": "propose_release",
    "indstil-annullering": "propose_cancel",
    "afvis-indstilling": "approve_proposal",
    "fristforlaengelse": "decide_extension",
    "afgoer": "decide",
    "send-i-hoering": "start_hearing",
    "vurder-vilkaar": "close_conditions",
    "luk": "close",
    "besked": "message",
    "note": "note",
}


def _case_forms(case: Case, actions: dict) -> dict[str, Any]:
    """The unbound forms of the actions the page offers the user now (case_actions)."""
    forms = {}
    for prefix, action in _CASE_FORMS.items():
        if not actions.get(action):
            continue
        initial, kwargs = {"version": case.version}, {}
        if prefix == "send-i-hoering":
            initial["days"] = hearing.HEARING_DAYS
            kwargs["subjects"] = hearing_subjects_for(case)
        elif prefix == "indstil-udbetaling":  # the tranche case_actions read, not another read
            tranche = actions.get("tranche")
            initial["amount_dkk"] = kwargs["max_amount"] = tranche.amount_dkk if tranche else None
        forms[prefix] = ACTIONS[prefix].form(initial=initial, prefix=prefix, **kwargs)
    return forms


def _render_case(request, case: Case, *, bound: tuple[str, Any] | None = None, status=200):
    actions = case_actions(case, request.user)
    forms = _case_forms(case, actions)
    if bound:
        forms[bound[0]] = bound[1]
    forms = {key.replace("-", "_"): form for key, form in forms.items()}
    context = {
        "case": case,
        "actions": actions,
        "forms": forms,
        "events": list(case.events.all()),
        "proposals": list(case.proposals.all()),
        "letters": list(case.letters.all()),
        "version_form": f.CaseVersionForm(initial={"version": case.version}),
        "failed_form": bound[1] if bound and bound[1].errors else None,  # the error summary
    }
    if case.case_type == CaseType.ANNUAL_REPORT and case.report_id:
        context["report"] = case.report
        context["report_comparison_html"], context["report_costs_html"] = report_section(case.report)
        context["attachments"] = list(case.report.attachments.all()) if case.report.has_attachments else []
        context["versions"] = case.report.version_numbers
    if case.case_type == CaseType.REPAYMENT_CLAIM:
        context["repayment_claim"] = RepaymentClaim.objects.filter(case=case).first()
    return render(request, "cases/detail.html", context, status=status)


@login_required
@require_GET
def case_detail_view(request, journal_number: str):
    case = _get_case(request, journal_number)
    return _render_case(request, case)


# -- actions ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    form: Any
    run: Any
    done: str
    perm: str = "grants.handle_case"
    form_kwargs: Any = None


def _proposal(case: Case) -> TrancheProposal:
    proposal = next((p for p in case.proposals.all() if p.status == "proposed"), None)
    if proposal is None:
        raise services.CaseActionError(_("Der er ingen indstilling, som venter på godkendelse."))
    return proposal


def _manual_transition(case: Case, user, d):
    """The status form offers only the steps that need no other action (MANUAL_TRANSITIONS);
    the rest happen through their own actions (take, request changes, decisions)."""
    if (case.status, d["to"]) not in MANUAL_TRANSITIONS:
        raise services.CaseActionError(
            _("Dette statusskift sker gennem sagens handlinger, ikke direkte."))
    return services.case_transition(
        case=case, to=d["to"], actor=user, comment=d["comment"], expected_version=d["version"])


def _tranche_amount(case):
    tranche = proposals.case_tranche(case)
    return {"max_amount": tranche.amount_dkk if tranche else None}


ACTIONS: dict[str, Action] = {
    "tag": Action(
        f.CaseVersionForm,
        lambda case, user, d: services.case_take(case=case, actor=user, expected_version=d["version"]),
        gettext_lazy("Du har taget sagen."),
    ),
    "tildel": Action(
        f.AssignForm,
        lambda case, user, d: services.case_assign(
            case=case, assignee=d["assignee"], actor=user, expected_version=d["version"]),
        gettext_lazy("Sagen er tildelt."),
    ),
    "status": Action(
        f.TransitionForm,
        lambda case, user, d: _manual_transition(case, user, d),
        gettext_lazy("Sagens status er ændret."),
    ),
    "besked": Action(
        f.authority_message_form,
        lambda case, user, d: services.case_message(
            case=case, actor=user, text=d["text"], files=d.get("files") or (),
            expected_version=d["version"]),
        gettext_lazy("Beskeden er sendt til klyngen."),
    ),
    "note": Action(
        f.note_form,
        lambda case, user, d: services.case_note(
            case=case, actor=user, text=d["text"], expected_version=d["version"]),
        gettext_lazy("Noten er gemt."),
    ),
    "anmod-om-aendringer": Action(
        f.request_changes_form,
        lambda case, user, d: services.case_request_changes(
            case=case, actor=user, text=d["text"], expected_version=d["version"]),
        gettext_lazy("Klyngen er bedt om ændringer, og årsrapporten er genåbnet for klyngen."),
    ),
    "godkend-rapport": Action(
        f.ApproveReportForm,
        lambda case, user, d: services.case_approve_report(
            case=case, actor=user, text=d["text"], expected_version=d["version"]),
        gettext_lazy("Årsrapporten er godkendt."),
    ),
    "indstil-udbetaling": Action(
        f.ProposeReleaseForm,
        lambda case, user, d: proposals.tranche_propose_release(
            case=case, actor=user, amount_dkk=d["amount_dkk"], pay_on=d["pay_on"],
            justification=d.get("justification", ""), expected_version=d["version"]),
        gettext_lazy("Udbetalingen er indstillet til kontorchefens godkendelse."),
        form_kwargs=_tranche_amount,
    ),
    "indstil-annullering": Action(
        f.cancel_form,
        lambda case, user, d: proposals.tranche_propose_cancellation(
            case=case, actor=user, reason=d["text"], expected_version=d["version"]),
        gettext_lazy("Annulleringen er indstillet til kontorchefens godkendelse."),
    ),
    "godkend-indstilling": Action(
        f.CaseVersionForm,
        lambda case, user, d: proposals.tranche_proposal_approve(
            proposal=_proposal(case), actor=user, expected_version=d["version"]),
        gettext_lazy("Indstillingen er godkendt, og afgørelsesbrevet er dannet."),
        perm="grants.approve_proposal",
    ),
    "afvis-indstilling": Action(
        f.reject_proposal_form,
        lambda case, user, d: proposals.tranche_proposal_reject(
            proposal=_proposal(case), actor=user, reason=d["text"], expected_version=d["version"]),
        gettext_lazy("Indstillingen er afvist."),
        perm="grants.approve_proposal",
    ),
    "fristforlaengelse": Action(
        f.ExtensionDecisionForm,
        lambda case, user, d: services.extension_decide(
            case=case, actor=user, approve=d["decision"] == "approve",
            new_due_at=d.get("new_due_at"), reason=d.get("reason", ""),
            expected_version=d["version"]),
        gettext_lazy("Anmodningen om fristforlængelse er afgjort, og afgørelsesbrevet er dannet."),
        form_kwargs=lambda case: {"current_due_at": case.extension.deadline.due_at
                                  if case.extension_id else None},
    ),
    "afslut-bevilling": Action(
        f.CaseVersionForm,
        lambda case, user, d: settlement.grant_settle(report=case.report, actor=user),
        gettext_lazy("Bevillingen er afsluttet ved slutafregning."),
    ),
    "afgoer-tilbagebetaling": Action(
        f.CaseVersionForm,
        lambda case, user, d: settlement.repayment_claim_decide(
            claim=case.repayment_claim, actor=user, expected_version=d["version"]),
        gettext_lazy("Tilbagebetalingskravet er afgjort, og afgørelsesbrevet er dannet."),
        perm="grants.approve_proposal",
    ),
    "send-i-hoering": Action(
        f.HearingStartForm,
        lambda case, user, d: hearing.hearing_start(
            case=case, actor=user, subject_kind=d["subject_kind"],
            proposed_decision=d["proposed_decision"], grounds=d["grounds"], days=d["days"],
            expected_version=d["version"]),
        gettext_lazy("Høringsbrevet er sendt, og sagen afventer partens svar."),
        form_kwargs=lambda case: {"subjects": hearing_subjects_for(case)},
    ),
    "vurder-vilkaar": Action(
        f.ConditionsCloseForm,
        lambda case, user, d: conditions.conditions_close(
            case=case, actor=user, outcome=d["outcome"], text=d["text"],
            expected_version=d["version"]),
        gettext_lazy("Vurderingen af vilkårene er registreret."),
    ),
    "luk": Action(
        f.CloseForm,
        lambda case, user, d: services.case_close(
            case=case, actor=user, comment=d.get("text", ""), expected_version=d["version"]),
        gettext_lazy("Sagen er lukket."),
    ),
    "afgoer": Action(
        f.decide_form,
        lambda case, user, d: decide.case_decide_any(
            case=case, actor=user, text=d["text"], expected_version=d["version"]),
        gettext_lazy("Sagen er afgjort."),
    ),
}


@login_required
@require_POST
def case_action_view(request, journal_number: str, action: str):
    case = _get_case(request, journal_number)
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404
    _require(request.user, "grants.handle_case")
    if not rules.has_perm(spec.perm, request.user):
        raise PermissionDenied
    kwargs = spec.form_kwargs(case) if spec.form_kwargs else {}
    form = spec.form(request.POST, request.FILES, prefix=action, **kwargs)
    if not form.is_valid():
        return _render_case(request, case, bound=(action, form), status=400)
    if action in CONFIRM_ACTIONS and request.POST.get("bekraeftet") != "1":
        return _confirmation_page(request, case, action, form)
    try:
        spec.run(case, request.user, form.cleaned_data)
    except DomainError as exc:  # stale, four eyes, refused, or not in the workflow table
        messages.error(request, str(exc))
    except ValidationError as exc:  # a field the service refused (an attachment, say)
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return _render_case(request, case, bound=(action, form), status=400)
    else:
        messages.success(request, str(spec.done))
    return redirect(reverse("cases:detail", args=[case.journal_number]), permanent=False)


# Decisions that approve or reject money, a withdrawal or a cancellation: the first POST shows a
# confirmation page (amount, grant, proposer) whose form posts the same data again with
# bekraeftet=1. Works without script; nothing changes before the second POST.
CONFIRM_ACTIONS = {
    "godkend-indstilling": gettext_lazy("Godkend indstillingen"),
    "afvis-indstilling": gettext_lazy("Afvis indstillingen"),
}


def _confirmation_page(request, case, action, form):
    proposal = _proposal_or_none(case)
    if proposal is None:
        messages.error(request, _("Der er ingen indstilling, som venter på godkendelse."))
        return redirect(reverse("cases:detail", args=[case.journal_number]))
    grant = proposal.tranche.grant
    hidden = [(k, v) for k in request.POST for v in request.POST.getlist(k)
              if k not in ("csrfmiddlewaretoken", "bekraeftet")]
    return render(request, "cases/confirm.html", {
        "case": case, "action": action, "title": CONFIRM_ACTIONS[action], "proposal": proposal,
        "grant": grant, "hidden": hidden, "reason": form.cleaned_data.get("text", ""),
        "approve": action == "godkend-indstilling",
    })


def _proposal_or_none(case):
    return next((p for p in case.proposals.all() if p.status == "proposed"), None)


# -- the cluster's side, and letters --------------------------------------------------------------


@login_required
@require_GET
def cluster_cases_view(request):
    _require(request.user, "grants.view_cluster_cases")
    cases = list(cluster_cases(user=request.user)[:200])
    for case in cases:
        case.cluster_status = CLUSTER_STATUS.get(case.status, case.get_status_display())
        case.waiting = waiting_for(case)
    letters = list(cluster_decision_letters(user=request.user)[:50])
    for letter in letters:
        letter.appealable = complaints.letter_appealable(letter)
    return render(request, "cases/cluster_cases.html", {
        "cases": cases,
        "letters": letters,
        "events": list(cluster_case_messages(user=request.user)[:100]),
    })


def _get_cluster_case(request, journal_number: str) -> Case:
    _require(request.user, "grants.view_cluster_cases")
    try:
        return cluster_case_detail(user=request.user, journal_number=journal_number)
    except Case.DoesNotExist:
        raise Http404 from None


CLUSTER_ACTIONS = {
    "skriv": (f.cluster_message_form, services.case_cluster_message,
              gettext_lazy("Beskeden er sendt til Erhvervsstyrelsen.")),
    "hoeringssvar": (f.hearing_answer_form, hearing.hearing_answer,
                     gettext_lazy("Jeres høringssvar er modtaget. Kvitteringen står i sagen.")),
    "redegoerelse": (f.condition_report_form, conditions.condition_report_submit,
                     gettext_lazy("Jeres redegørelse er sendt til Erhvervsstyrelsen.")),
}


def _render_cluster_case(request, case, *, bound=None, status=200):
    initial = {"version": case.version}
    forms = {key: spec[0](initial=initial, prefix=key) for key, spec in CLUSTER_ACTIONS.items()}
    if bound:
        forms[bound[0]] = bound[1]
    open_hearing = next((h for h in case.open_hearings if h.answer_id is None), None)
    followup = getattr(case, "condition_followup", None) if case.case_type == CaseType.CONDITIONS \
        else None
    letters = list(case.letters.all())
    for letter in letters:
        letter.appealable = complaints.letter_appealable(letter)
    return render(request, "cases/cluster_case.html", {
        "case": case, "events": case.public_events, "letters": letters,
        "cluster_status": CLUSTER_STATUS.get(case.status), "waiting": waiting_for(case),
        "open_hearing": open_hearing,
        "followup": followup if followup and not followup.report_id and not followup.outcome
        else None,
        "forms": forms, "failed_form": bound[1] if bound else None,
        "closed": case.status == CaseStatus.CLOSED,
    }, status=status)


def run_party_action(request, *, case, form, run, done, back):
    """Run a party's written action in a case (a message, a hearing answer: `run(case, actor,
    text, files, expected_version)`) from its bound form, for the cluster's case page and the
    applicant's application page alike. A redirect to `back` when it is done (with `done` as the
    message) or refused by a rule (with the rule's message); None when the form is to be shown
    again with its errors (a refused attachment is named on its field)."""
    if not form.is_valid():
        return None
    try:
        run(case=case, actor=request.user, text=form.cleaned_data["text"],
            files=form.cleaned_data.get("files") or (),
            expected_version=form.cleaned_data["version"])
    except DomainError as exc:  # no open hearing, already answered, stale
        messages.error(request, str(exc))
        return redirect(back)
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return None
    messages.success(request, str(done))
    return redirect(back)


@login_required
@require_GET
def cluster_case_view(request, journal_number: str):
    return _render_cluster_case(request, _get_cluster_case(request, journal_number))


@login_required
@require_POST
def cluster_case_action_view(request, journal_number: str, action: str):
    case = _get_cluster_case(request, journal_number)
    spec = CLUSTER_ACTIONS.get(action)
    if spec is None:
        raise Http404
    form_class, run, done = spec
    form = form_class(request.POST, request.FILES, prefix=action)
    back = reverse("cases:cluster_case", args=[case.journal_number])
    response = run_party_action(request, case=case, form=form, run=run, done=done, back=back)
    if response is not None:
        return response
    return _render_cluster_case(request, case, bound=(action, form), status=400)


@login_required
@require_GET
def case_attachment_view(request, pk: int):
    attachment = get_object_or_404(case_attachments_for_user(request.user), pk=pk)
    return FileResponse(attachment.file.open("rb"), content_type=attachment.content_type,
                        as_attachment=True, filename=attachment.original_name)


@login_required
@require_GET
def decision_letter_view(request, pk: int):
    letter = get_object_or_404(decision_letters_for_user(request.user), pk=pk)
    if not rules.has_perm("grants.view_decisionletter", request.user, letter):
        raise Http404
    filename = letter.file.name.rsplit("/", 1)[-1]
    return FileResponse(letter.file.open("rb"), content_type="application/pdf",
                        as_attachment=False, filename=filename)


@login_required
def complaint_view(request, letter_pk: int):
    """The appeal route of a decision letter: the cluster writes its complaint, which opens a
    complaint case (grants.cases.complaints)."""
    _require(request.user, "grants.view_cluster_cases")
    letter = get_object_or_404(cluster_decision_letters(user=request.user), pk=letter_pk)
    if request.method == "POST":
        form = f.complaint_form(request.POST, request.FILES, prefix="klage")
        if form.is_valid():
            try:
                case = complaints.complaint_open(letter=letter, actor=request.user,
                                                 text=form.cleaned_data["text"],
                                                 files=form.cleaned_data.get("files") or ())
            except DomainError as exc:
                messages.error(request, str(exc))
                return redirect(reverse("cases:cluster_cases"))
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("Jeres klage er modtaget og oprettet som sag %(j)s.")
                                 % {"j": case.journal_number})
                return redirect(reverse("cases:cluster_case", args=[case.journal_number]))
        status = 400
    else:
        form = f.complaint_form(initial={"version": 1}, prefix="klage")
        status = 200
    return render(request, "cases/complaint.html", {
        "letter": letter, "form": form, "failed_form": form if form.errors else None,
        "appeal_deadline": complaints.appeal_deadline(letter),
        "appealable": complaints.letter_appealable(letter),
    }, status=status)


@login_required
@require_GET
def case_version_diff_view(request, journal_number: str, number: int):
    """The case's report: version n against version n-1, as submitted."""
    case = _get_case(request, journal_number)
    if case.case_type != CaseType.ANNUAL_REPORT or not case.report_id:
        raise Http404
    diff = version_diff(case.report, number)
    if diff is None:
        raise Http404
    return render(request, "cases/version_diff.html", {"case": case, "report": case.report,
                                                       "diff": diff, "number": number})


@login_required
@require_GET
def case_cluster_view(request, journal_number: str):
    """The case's cluster: its activities and participating companies in the report's year."""
    case = _get_case(request, journal_number, select=case_heading)
    if case.cluster_id is None:
        raise Http404
    return render(request, "cases/case_cluster.html", {
        "case": case, **case_cluster_activity(user=request.user, case=case)})


# -- award letters (tilsagnsbreve) ----------------------------------------------------------------


@login_required
@require_GET
def award_list_view(request):
    """The cluster's award letters (caseworkers: every grant's), pending ones first."""
    if not (rules.has_perm("grants.view_case", request.user)
            or rules.has_perm("grants.view_cluster_cases", request.user)):
        raise Http404
    grants = sorted(award_grants_for(request.user), key=lambda g: (g.award_accepted_at is not None, g.reference))
    return render(request, "cases/award_list.html", {"grants": grants})


@login_required
@require_http_methods(["GET", "POST"])
def award_detail_view(request, pk: int):
    """One grant's award letter: what it says, the PDF, and the director's acceptance."""
    grant = get_object_or_404(award_grants_for(request.user), pk=pk)
    letter = award_services.award_letter(grant)
    may_accept = rules.has_perm("grants.accept_award", request.user, grant)
    form = f.AwardAcceptForm(prefix="accept")
    status = 200
    if request.method == "POST":
        if not may_accept:
            raise PermissionDenied
        form = f.AwardAcceptForm(request.POST, prefix="accept")
        if form.is_valid():
            try:
                award_services.award_accept(grant=grant, actor=request.user)
            except DomainError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("Tilsagnet er accepteret. Tak."))
            return redirect(reverse("cases:award", args=[grant.pk]), permanent=False)
        status = 400
    return render(request, "cases/award.html", {
        "grant": grant, "letter": letter, "form": form, "failed_form": form if form.errors else None,
        "may_accept": may_accept and grant.award_accepted_at is None,
        **award_services.award_letter_context(grant),
    }, status=status)
