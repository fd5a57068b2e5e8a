"""Fee and state-aid pages. Cluster people: an activity's fee and aid (/aktiviteter/<pk>/
statsstoette/) and "statsstøtte pr. virksomhed" with the de minimis declarations
(/statsstoette/). Caseworkers: the export for the state-aid register
(/sagsbehandler/statsstoette/). Thin: parse, call a service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from clusters.models import Company
from clusters.services import cvr_error
from clusters.stateaid import exports, selectors, services
from clusters.stateaid.deminimis import OVER, WARN
from clusters.stateaid.forms import AidForm, DeclarationForm, FeeForm, RegisterPeriodForm
from clusters.views import cluster_user_required
from klyngeadmin.kernel.formatting import number
from klyngeadmin.kernel.forms import apply_service_errors
from klyngeadmin.kernel.permissions import require_perm


def _standing_message(company, standing) -> str | None:
    values = {"name": company.name, "sum": number(standing.sum_eur, 2), "ceiling": number(standing.ceiling_eur or 0, 0)}
    if standing.level == OVER:
        return _("%(name)s har nu fået EUR %(sum)s i de minimis-støtte over tre år og er over loftet på "
                 "EUR %(ceiling)s. Støtten kan ikke gives som de minimis-støtte.") % values
    if standing.level == WARN:
        return _("%(name)s har nu fået EUR %(sum)s i de minimis-støtte over tre år og nærmer sig loftet "
                 "på EUR %(ceiling)s.") % values
    return None


@cluster_user_required
@require_http_methods(["GET", "POST"])
def activity_aid(request, pk: int):
    activity = selectors.activity_for(user=request.user, pk=pk)
    if activity is None:
        raise Http404
    require_perm(request.user, "clusters.change_activity", activity, not_found=True)
    companies = selectors.activity_companies(activity=activity)
    fee_form = FeeForm(initial={"fee_basis": activity.fee_basis,
                                "fee_per_participant_dkk": activity.fee_per_participant_dkk,
                                "individual_service": activity.individual_service})
    aid_form = AidForm(companies=companies)
    status = 200
    if request.method == "POST":
        if "delete_aid" in request.POST:
            record = activity.aid_records.select_related("company").filter(pk=request.POST.get("delete_aid")).first()
            if record is None:
                raise Http404
            services.aid_record_delete(record=record, actor=request.user)
            messages.success(request, _("Støtten til %(name)s er slettet.") % {"name": record.company.name})
            return redirect("clusters:activity_aid", pk=activity.pk)
        if "save_fee" in request.POST:
            fee_form = FeeForm(request.POST)
            if fee_form.is_valid():
                try:
                    services.activity_fee_set(activity=activity, actor=request.user, **fee_form.cleaned_data)
                except ValidationError as exc:
                    apply_service_errors(fee_form, exc)
                else:
                    messages.success(request, _("Deltagerbetalingen er gemt."))
                    return redirect("clusters:activity_aid", pk=activity.pk)
            status = 400
        else:
            aid_form = AidForm(request.POST, companies=companies)
            if aid_form.is_valid():
                company = next(c for c in companies if str(c.pk) == aid_form.cleaned_data["company"])
                try:
                    _record, standing = services.aid_record_set(
                        activity=activity, company=company, actor=request.user,
                        legal_basis=aid_form.cleaned_data["legal_basis"],
                        amount_dkk=aid_form.cleaned_data["amount_dkk"],
                        granted_on=aid_form.cleaned_data["granted_on"],
                    )
                except ValidationError as exc:
                    apply_service_errors(aid_form, exc)
                else:
                    messages.success(request, _("Støtten til %(name)s er registreret.") % {"name": company.name})
                    warning = _standing_message(company, standing)
                    if warning:
                        messages.warning(request, warning)
                    return redirect("clusters:activity_aid", pk=activity.pk)
            status = 400
    return render(request, "clusters/activity_aid.html", {
        "activity": activity, "fee_form": fee_form, "aid_form": aid_form,
        "records": selectors.activity_aid(activity=activity), "companies": companies,
    }, status=status)


@cluster_user_required
@require_http_methods(["GET", "POST"])
def cluster_aid(request):
    cluster = selectors.cluster_for(request.user)
    form = DeclarationForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            cvr = form.cleaned_data["cvr"].strip()
            error = cvr_error(cvr)
            company = Company.objects.filter(cvr=cvr).first() if error is None else None
            if error is not None:
                form.add_error("cvr", error)
            elif company is None:
                form.add_error("cvr", _("Virksomheden er ikke registreret som deltager. Registrér den på en "
                                        "aktivitet først."))
            else:
                try:
                    services.deminimis_declaration_record(
                        cluster=cluster, company=company, actor=request.user,
                        declared_on=form.cleaned_data["declared_on"],
                        other_aid_dkk=form.cleaned_data["other_aid_dkk"],
                        linked_cvrs=form.cleaned_data["linked_cvrs"],
                    )
                except ValidationError as exc:
                    apply_service_errors(form, exc)
                else:
                    messages.success(request, _("De minimis-erklæringen fra %(name)s er registreret.")
                                     % {"name": company.name})
                    return redirect("clusters:cluster_aid")
        status = 400
    rows = selectors.cluster_aid_by_company(cluster=cluster, on=timezone.localdate())
    return render(request, "clusters/cluster_aid.html", {"rows": rows, "form": form, "cluster": cluster,
                                                         "OVER": OVER, "WARN": WARN}, status=status)


@login_required
@require_http_methods(["GET"])
def register_export(request):
    require_perm(request.user, "clusters.export_state_aid")
    form = RegisterPeriodForm(request.GET or None)
    fmt = request.GET.get("format", "")
    if form.is_bound and form.is_valid() and fmt in ("csv", "xlsx"):
        data = form.cleaned_data
        rows = selectors.register_rows(user=request.user, from_date=data["from_date"], to_date=data["to_date"])
        build = exports.register_csv if fmt == "csv" else exports.register_xlsx
        name = f"statsstoette-{data['from_date'].isoformat()}-{data['to_date'].isoformat()}.{fmt}"
        return exports.response(build(selectors.REGISTER_COLUMNS, rows), fmt=fmt, filename=name)
    return render(request, "clusters/aid_register.html", {"form": form},
                  status=400 if form.is_bound and form.errors else 200)

