"""The grant page for the authority (targets per year, amendments, history) and the amendment
case pages: propose, and the decision page (approve / reject) that shows what the decision
changes, the grant and the proposer. Thin: fetch, check the permission (404 for anyone
without it), call a service, render."""

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from grants.cases import amendments
from grants.cases.amendment_forms import AmendmentDecisionForm, AmendmentForm
from grants.constants import AmendmentStatus
from grants.core.models import Grant
from grants.reports.target_section import grant_target_overview
from klyngeadmin.kernel.errors import DomainError
from klyngeadmin.kernel.forms import apply_service_errors


def _require(user, perm: str) -> None:
    if not rules.has_perm(perm, user):
        raise Http404


def _grant(user, reference: str) -> Grant:
    _require(user, "grants.view_grant_overview")
    grant = Grant.objects.select_related("cluster").filter(reference=reference).first()
    if grant is None:
        raise Http404
    return grant


@login_required
def grant_overview_view(request, reference: str):
    grant = _grant(request.user, reference)
    return render(request, "cases/grant_overview.html", {
        "grant": grant,
        "years": list(grant_target_overview(grant).values()),
        "amendments": list(grant.amendments.select_related("proposed_by", "decided_by", "case")),
        "history": list(grant.events.select_related("actor").order_by("-created_at", "-id")[:100]),
        "can_propose": rules.has_perm("grants.propose_amendment", request.user),
    })


def _apply_errors(form, exc: DomainError) -> None:
    field = getattr(exc, "field", None)
    if field and field in form.fields:
        form.add_error(field, str(exc))
    else:
        apply_service_errors(form, exc)


@login_required
@require_http_methods(["GET", "POST"])
def amendment_propose_view(request, reference: str):
    grant = _grant(request.user, reference)
    _require(request.user, "grants.propose_amendment")
    status = 200
    if request.method == "POST":
        form = AmendmentForm(request.POST, grant=grant)
        if form.is_valid():
            try:
                amendment = amendments.amendment_propose(
                    grant=grant, changes=form.changes(), reason=form.cleaned_data["reason"],
                    actor=request.user)
            except DomainError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("Ændringen er foreslået i sag %(j)s.") % {
                    "j": amendment.case.journal_number})
                return redirect("cases:amendment", pk=amendment.pk)
        status = 400
    else:
        form = AmendmentForm(grant=grant)
    return render(request, "cases/amendment_form.html", {"grant": grant, "form": form},
                  status=status)


def _amendment(request, pk: int):
    _require(request.user, "grants.view_amendment")
    amendment = amendments.amendment_get(user=request.user, pk=pk)
    if amendment is None:
        raise Http404
    return amendment


def _render_amendment(request, amendment, form=None, status=200):
    user = request.user
    decidable = amendment.status == AmendmentStatus.PROPOSED and (
        (amendment.four_eyes and rules.has_perm("grants.approve_proposal", user)
         and amendment.proposed_by_id != user.pk)
        or (not amendment.four_eyes and rules.has_perm("grants.handle_case", user)))
    return render(request, "cases/amendment_detail.html", {
        "amendment": amendment, "grant": amendment.grant,
        "changes": amendments.describe(amendment),
        "decidable": decidable,
        "form": form or AmendmentDecisionForm(initial={"version": amendment.case.version}),
    }, status=status)


@login_required
def amendment_detail_view(request, pk: int):
    return _render_amendment(request, _amendment(request, pk))


@login_required
@require_POST
def amendment_decide_view(request, pk: int, decision: str):
    amendment = _amendment(request, pk)
    if decision not in ("godkend", "afvis"):
        raise Http404
    form = AmendmentDecisionForm(request.POST)
    if form.is_valid():
        service = amendments.amendment_approve if decision == "godkend" else amendments.amendment_reject
        try:
            service(amendment=amendment, actor=request.user, note=form.cleaned_data["note"],
                    expected_version=form.cleaned_data["version"])
        except DomainError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Ændringen er godkendt, og afgørelsesbrevet er dannet.")
                             if decision == "godkend" else _("Ændringen er afvist."))
            return redirect("cases:amendment", pk=amendment.pk)
    amendment.refresh_from_db()
    return _render_amendment(request, amendment, form=form, status=400)
