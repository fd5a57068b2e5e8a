"""Outcome pages. Cluster people: the year's outcomes in companies (/resultater/<year>/, the
annual report links its section here) with the survey invitations; the company's contact: the
single-use survey (/resultater/svar/<token>/, no sign-in); caseworkers: Danmarks Statistik's
effect measurement beside the clusters' figures (/resultater/effektmaaling/). Thin."""

from __future__ import annotations

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from clusters.ingest import IngestValidationError
from clusters.models import Activity, Company, FacilitatedProject
from grants.outcomes import selectors, services
from grants.outcomes.effects import EffectFileInvalid, parse
from grants.outcomes.forms import EffectUploadForm, InviteForm, OutcomeForm, SurveyForm
from grants.outcomes.models import CompanyOutcome
from klyngeadmin.kernel.permissions import require_perm

SURVEY_REFUSALS = {
    "unknown": lambda: _("Linket findes ikke. Tjek, at hele linket fra mailen er med."),
    "used": lambda: _("Spørgeskemaet er allerede besvaret. Tak for svaret."),
    "expired": lambda: _("Linket er udløbet. Kontakt klyngen, hvis I vil svare."),
}


def _cluster_of(user):
    if not rules.test_rule("clusters.use_cluster_pages", user) or not user.cluster_id:
        raise PermissionDenied
    return user.cluster


def _add_row_errors(form, exc: IngestValidationError) -> None:
    for e in exc.errors:
        field = {"activity": "subject", "project": "subject"}.get(e["field"], e["field"])
        form.add_error(field if field in form.fields else None, e["detail"])


@login_required
@require_http_methods(["GET", "POST"])
def outcomes_year(request, year: int):
    cluster = _cluster_of(request.user)
    if not 2000 <= year <= 2100:
        raise Http404
    subjects = selectors.subject_choices(cluster_id=cluster.pk, year=year)
    form = OutcomeForm(subjects=subjects)
    invite_form = InviteForm(subjects=subjects, prefix="invite")
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "delete":
            outcome = CompanyOutcome.objects.filter(cluster=cluster, pk=request.POST.get("outcome")).first()
            if outcome is None:
                raise Http404
            services.outcome_delete(outcome=outcome, actor=request.user)
            messages.success(request, _("Resultatet er slettet."))
            return redirect("outcomes:year", year=year)
        if action == "invite":
            invite_form = InviteForm(request.POST, subjects=subjects, prefix="invite")
            if invite_form.is_valid():
                d = invite_form.cleaned_data
                keys = invite_form.subject_keys()
                company = Company.objects.filter(cvr=d["cvr"].strip()).first()
                activity = Activity.objects.filter(cluster=cluster, external_id=keys.get("activity")).first() \
                    if "activity" in keys else None
                project = FacilitatedProject.objects.filter(cluster=cluster, external_id=keys.get("project")).first() \
                    if "project" in keys else None
                if company is None:
                    invite_form.add_error("cvr", _("Virksomheden deltager ikke i klyngens aktiviteter."))
                else:
                    try:
                        services.survey_invite(cluster=cluster, actor=request.user, company=company,
                                               activity=activity, project=project,
                                               contact_name=d["contact_name"], contact_email=d["contact_email"])
                    except ValidationError as exc:
                        for field, errs in exc.message_dict.items():
                            for e in errs:
                                invite_form.add_error(field if field in invite_form.fields else "subject", e)
                    else:
                        messages.success(request, _("Spørgeskemaet er sendt til %(email)s.")
                                         % {"email": d["contact_email"]})
                        return redirect("outcomes:year", year=year)
        else:
            form = OutcomeForm(request.POST, subjects=subjects)
            if form.is_valid():
                try:
                    services.outcomes_upsert(cluster=cluster, actor=request.user, items=[form.item()])
                except IngestValidationError as exc:
                    _add_row_errors(form, exc)
                else:
                    messages.success(request, _("Resultatet er registreret."))
                    return redirect("outcomes:year", year=year)
        status = 400
    return render(request, "outcomes/year.html", {
        "year": year, "cluster": cluster, "form": form, "invite_form": invite_form,
        "outcomes": selectors.report_outcomes(cluster_id=cluster.pk, year=year),
        "summary": selectors.report_outcome_summary(cluster_id=cluster.pk, year=year),
        "invitations": selectors.report_invitations(cluster_id=cluster.pk, year=year),
    }, status=status)


@require_http_methods(["GET", "POST"])
def survey_answer(request, token: str):
    try:
        invitation = services.survey_for_token(token)
    except services.SurveyLinkInvalid as exc:
        return render(request, "outcomes/survey_closed.html", {"message": SURVEY_REFUSALS[exc.reason]()},
                      status=410 if exc.reason != "unknown" else 404)
    form = SurveyForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.survey_answer(token=token, kinds=form.cleaned_data["kinds"],
                                       investment_dkk=form.cleaned_data["investment_dkk"])
            except services.SurveyLinkInvalid as exc:
                return render(request, "outcomes/survey_closed.html",
                              {"message": SURVEY_REFUSALS[exc.reason]()}, status=410)
            except ValidationError as exc:
                for field, errs in exc.message_dict.items():
                    for e in errs:
                        form.add_error(field if field in form.fields else None, e)
            else:
                return render(request, "outcomes/survey_closed.html",
                              {"message": _("Tak for svaret. Det hjælper klyngen og Erhvervsstyrelsen med "
                                            "at vise, hvad klyngernes arbejde skaber."), "thanks": True})
        status = 400
    subject = invitation.activity or invitation.project
    return render(request, "outcomes/survey.html", {"form": form, "invitation": invitation, "subject": subject},
                  status=status)


@login_required
@require_http_methods(["GET", "POST"])
def effects(request):
    require_perm(request.user, "grants.load_effect_measurements")
    form = EffectUploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                n = services.effect_measurements_load(rows=parse(form.cleaned_data["file"]), actor=request.user)
            except EffectFileInvalid as exc:
                for e in exc.errors:
                    form.add_error("file", e)
            else:
                messages.success(request, _("%(n)d rækker fra Danmarks Statistik er indlæst.") % {"n": n})
                return redirect("outcomes:effects")
        status = 400
    return render(request, "outcomes/effects.html", {"form": form, "groups": selectors.effects_beside_figures()},
                  status=status)
