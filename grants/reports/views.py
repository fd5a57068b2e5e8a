"""Director-side pages: the dashboard, the annual report (draft, submit, versions,
attachments) and the deadline extension request. Thin: fetch through a scoped selector (404
for another cluster's object), check the `rules` permission, call a service, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from clusters import figures_cache
from grants.cases import flows
from grants.cases.selectors import report_change_request
from grants.reports import key_figures, selectors, services
from grants.reports.costs import report_costs_context, report_costs_missing
from grants.reports.dashboard import deadline_label
from grants.reports.forms import (
    AttachmentForm,
    ExtensionForm,
    ReportForm,
    SubmitForm,
    funding_formset,
)
from grants.reports.target_section import dashboard_target_bars, target_section_context
from klyngeadmin.accounts.drafts import services as drafts
from klyngeadmin.kernel.forms import apply_service_errors
from klyngeadmin.kernel.permissions import has_app_perm, require_perm
from klyngeadmin.kernel.predicates import is_cluster_user


def _cluster_user_only(user) -> None:
    if not is_cluster_user(user):
        raise PermissionDenied(_("Siden er for klyngens medarbejdere."))


def _report_or_404(request, pk: int):
    report = selectors.report_get(user=request.user, pk=pk)
    if report is None or not has_app_perm(request.user, "grants.view_annualreport", report):
        raise Http404(_("Rapporten findes ikke."))
    return report


def _drilldown_context(base: str) -> dict:
    """What the key figures' lists need: how many rows they show, where the rest is."""
    return {"preview_rows": key_figures.PREVIEW_ROWS, "drill_base": base}


def _key_figures_html(report, kf: dict, drilldown_context: dict) -> str:
    """The key-figures section as HTML, rendered once per change of the cluster's data, as the
    figures it shows are computed (clusters.figures_cache): most of the page's template work."""
    cluster = report.grant.cluster
    html = figures_cache.cached(
        "report-key-figures-html", cluster.pk,
        (report.pk, report.year, key_figures.PREVIEW_ROWS, cluster.strength_position_id,
         get_language()),
        lambda: render_to_string("grants/_key_figures.html", {"kf": kf, **drilldown_context}),
    )
    return mark_safe(html)  # noqa: S308 - rendered by our own template, autoescaped


def _report_page(report) -> dict:
    """The report page's data, with the caseworker's latest request for changes (case side)
    and the accounts section (grants.reports.costs)."""
    base = reverse("grants:report_detail", kwargs={"pk": report.pk}) + "noegletal/"
    page = selectors.report_page_data(report=report)
    drilldown_context = _drilldown_context(base)
    return {**page, "change_request": report_change_request(report=report),
            **drilldown_context,
            "key_figures_html": _key_figures_html(report, page["key_figures"], drilldown_context),
            **report_costs_context(report=report),
            **target_section_context(report, page)}


def _missing(report, page: dict | None = None) -> dict:
    if page is None:
        return {**services.report_missing(report=report), **report_costs_missing(report=report)}
    return {**services.report_missing(report=report),
            **report_costs_missing(report=report, table=page["costs_table"],
                                   attachments=page["attachments"])}


def _drilldown_or_404(name: str) -> key_figures.Drilldown:
    drilldown = key_figures.DRILLDOWN_BY_SLUG.get(name)
    if drilldown is None:
        raise Http404(_("Listen findes ikke."))
    return drilldown


@login_required
def report_drilldown(request, pk: int, name: str):
    """One page of one of the report's key-figure lists (live), DRILLDOWN_PAGE_SIZE rows."""
    report = _report_or_404(request, pk)
    drilldown = _drilldown_or_404(name)
    page = key_figures.drilldown_page(report=report, drilldown=drilldown,
                                      number=request.GET.get("side"))
    return render(request, "grants/report_drilldown.html",
                  {"report": report, "drilldown": drilldown, "page": page, "version": None})


@login_required
def report_version_drilldown(request, pk: int, number: int, name: str):
    """One page of a key-figure list as a submitted version froze it."""
    version = selectors.report_version_get(user=request.user, report_pk=pk, number=number)
    if version is None or not has_app_perm(request.user, "grants.view_annualreport", version.report):
        raise Http404(_("Versionen findes ikke."))
    drilldown = _drilldown_or_404(name)
    page = key_figures.snapshot_drilldown_page(
        key_figures=version.snapshot.get("key_figures") or {}, drilldown=drilldown,
        number=request.GET.get("side"))
    return render(request, "grants/report_drilldown.html",
                  {"report": version.report, "drilldown": drilldown, "page": page,
                   "version": version})


@login_required
def dashboard(request):
    _cluster_user_only(request.user)
    data = selectors.dashboard_data(user=request.user)
    data["target_bars"] = dashboard_target_bars(grants=data["grants"], today=timezone.localdate())
    return render(request, "grants/dashboard.html", data)


@login_required
@require_http_methods(["GET", "POST"])
def report_detail(request, pk: int):
    report = _report_or_404(request, pk)
    can_edit = has_app_perm(request.user, "grants.change_annualreport", report)
    conflict = ""  # the refusal's message when a stale save was refused
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(_("Rapporten kan ikke ændres."))
        form = ReportForm(request.POST, instance=report)
        formset = funding_formset(report, data=request.POST)
        if form.is_valid() and formset.is_valid():
            try:
                services.report_save_draft(
                    report=report, actor=request.user,
                    expected_version=form.cleaned_data["version"],
                    data=form.content(), competitive_funding=formset.rows(),
                )
            except services.StaleVersion as exc:
                conflict = str(exc)
            except services.ReportNotEditable as exc:
                raise PermissionDenied(str(exc)) from exc
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Kladden er gemt."))
                if "save_and_submit" in request.POST:  # "Gem og gå til indsendelse"
                    return redirect("grants:report_submit", pk=report.pk)
                return redirect("grants:report_detail", pk=report.pk)
        status = 409 if conflict else 400 if (form.errors or formset.total_error_count()) else 200
    else:
        # A draft of this page (typed but not saved, klyngeadmin/drafts.py) is shown again.
        data = drafts.form_data(request) if can_edit else None
        form = ReportForm(data, instance=report) if can_edit else None
        formset = funding_formset(report, data=data) if data is not None else None
        status = 200
    if form is not None and form.is_bound:
        # Validating a bound ModelForm writes the typed values onto the instance: validate
        # now and reload the saved report, so "Det mangler" shows what is saved, not typed.
        form.is_valid()
        formset.is_valid()
        report.refresh_from_db()
    page = _report_page(report)
    if formset is None and can_edit:
        formset = funding_formset(report, rows=page["competitive_funding"])
    context = {
        "report": report,
        "form": form,
        "formset": formset,
        "can_edit": can_edit,
        "conflict": conflict,
        "missing": _missing(report, page) if can_edit else {},
        "attachment_form": AttachmentForm(form_id="report-form") if can_edit else None,
        **page,
    }
    return render(request, "grants/report_detail.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def report_submit(request, pk: int):
    report = _report_or_404(request, pk)
    require_perm(request.user, "grants.submit_annualreport", report, message=_("Rapporten kan ikke indsendes."))
    missing = _missing(report)
    form = SubmitForm(request.POST or None, initial={"version": report.version})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                version = flows.report_submit(
                    report=report, actor=request.user,
                    expected_version=form.cleaned_data["version"],
                )
            except services.StaleVersion as exc:
                messages.error(request, str(exc))
                return redirect("grants:report_detail", pk=report.pk)
            except services.ReportIncomplete as exc:
                missing = {k: " ".join(v) for k, v in exc.message_dict.items()}
                status = 400
            except services.ReportNotEditable as exc:
                raise PermissionDenied(str(exc)) from exc
            else:
                case = report.cases.order_by("-created_at").first()
                messages.success(
                    request,
                    _("Årsrapport %(year)s er indsendt som version %(n)s. Journalnummer: "
                      "%(journal)s. En kvittering er sendt til dig på mail.")
                    % {"year": report.year, "n": version.number,
                       "journal": case.journal_number if case else "–"},
                )
                return redirect("grants:report_version", pk=report.pk, number=version.number)
        else:
            status = 400
    return render(
        request, "grants/report_submit.html",
        {"report": report, "form": form, "missing": missing}, status=status,
    )


@login_required
def report_version(request, pk: int, number: int):
    version = selectors.report_version_get(user=request.user, report_pk=pk, number=number)
    if version is None or not has_app_perm(request.user, "grants.view_annualreport", version.report):
        raise Http404(_("Versionen findes ikke."))
    versions = list(version.report.versions.order_by("-number").values("number", "submitted_at"))
    return render(
        request, "grants/report_version.html",
        {"version": version, "report": version.report, "snapshot": version.snapshot,
         "versions": versions,
         **_drilldown_context(reverse("grants:report_version", kwargs={"pk": pk, "number": number})
                              + "noegletal/")},
    )


@login_required
@require_POST
def attachment_upload(request, pk: int):
    report = _report_or_404(request, pk)
    require_perm(request.user, "grants.change_annualreport", report, message=_("Rapporten kan ikke ændres."))
    # The upload button belongs to the report's form, so what was typed in the report comes
    # along: it is kept as the report page's draft before the file is looked at.
    typed = drafts.draft_fields(request.POST)
    typed.pop("kind", None)
    has_report_fields = any(name in typed for name in ReportForm.base_fields)
    if has_report_fields:
        drafts.draft_save(actor=request.user, data=typed,
                          path=reverse("grants:report_detail", kwargs={"pk": report.pk}))
    form = AttachmentForm(request.POST, request.FILES, form_id="report-form")
    if form.is_valid():
        try:
            attachment = services.report_attachment_add(
                report=report, actor=request.user, file=form.cleaned_data["file"],
                kind=form.cleaned_data["kind"],
            )
        except services.ReportNotEditable as exc:
            raise PermissionDenied(str(exc)) from exc
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Bilaget %(name)s er tilføjet.")
                             % {"name": attachment.original_name})
            return redirect(reverse("grants:report_detail", kwargs={"pk": report.pk}) + "#bilag")
    report_form = ReportForm(request.POST if has_report_fields else None, instance=report)
    formset = funding_formset(report, data=request.POST) if has_report_fields else None
    if has_report_fields:
        report_form.is_valid()
        formset.is_valid()
        report.refresh_from_db()
    page = _report_page(report)
    context = {
        "report": report,
        "form": report_form,
        "formset": formset or funding_formset(report, rows=page["competitive_funding"]),
        "can_edit": True,
        "conflict": False,
        "missing": _missing(report, page),
        "attachment_form": form,
        **page,
    }
    return render(request, "grants/report_detail.html", context, status=400)


@login_required
@require_POST
def attachment_delete(request, pk: int, attachment_pk: int):
    attachment = selectors.report_attachment_get(user=request.user, report_pk=pk, pk=attachment_pk)
    if attachment is None:
        raise Http404(_("Bilaget findes ikke."))
    require_perm(request.user, "grants.change_annualreport", attachment.report, message=_("Rapporten kan ikke ændres."))
    try:
        services.report_attachment_delete(attachment=attachment, actor=request.user)
    except services.ReportNotEditable as exc:
        raise PermissionDenied(str(exc)) from exc
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Bilaget %(name)s er slettet.")
                         % {"name": attachment.original_name})
    return redirect(reverse("grants:report_detail", kwargs={"pk": pk}) + "#bilag")


@login_required
def attachment_download(request, pk: int, attachment_pk: int):
    attachment = selectors.report_attachment_get(user=request.user, report_pk=pk, pk=attachment_pk)
    if attachment is None or not has_app_perm(request.user, "grants.view_annualreport",
                                              attachment.report):
        raise Http404(_("Bilaget findes ikke."))
    response = FileResponse(
        attachment.file.open("rb"), as_attachment=True, filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def extension_request(request, pk: int):
    deadline = selectors.extension_deadline_get(user=request.user, pk=pk)
    if deadline is None:
        raise Http404(_("Fristen findes ikke."))
    require_perm(request.user, "grants.request_extension", deadline, message=_("Kun klyngedirektøren kan anmode om fristforlængelse."))
    form = ExtensionForm(request.POST or None, deadline=deadline)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                flows.extension_request(
                    deadline=deadline, actor=request.user,
                    requested_due_at=form.requested_due_at(),
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                apply_service_errors(form, exc, rename=lambda f: {
                    "requested_due_at": "requested_due_date"}.get(f, f))
            else:
                messages.success(request, _("Din anmodning om fristforlængelse er sendt til "
                                            "Erhvervsstyrelsen. En kvittering er sendt på mail."))
                return redirect("grants:dashboard")
        status = 400

    label = deadline_label(deadline, getattr(deadline, "self_assessment_of", None))
    return render(request, "grants/extension_form.html",
                  {"deadline": deadline, "deadline_label": label, "form": form}, status=status)
