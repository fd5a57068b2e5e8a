"""The director's pages: activities register, import, facilitated projects. Thin: parse with a
form, call a service, render. Only cluster people use them (403 for others); another cluster's
object answers 404 because it is fetched through a scoped selector."""

from __future__ import annotations

import logging
from functools import wraps
from urllib.parse import urlencode

import rules
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from clusters import projects, selectors, services
from clusters.constants import ActivityType, FacilitatedProjectStatus, ImportJobStatus
from clusters.forms import (
    ActivityDeleteForm,
    ActivityFilterForm,
    ActivityForm,
    FacilitatedProjectForm,
    ImportUploadForm,
)
from clusters.imports import services as importing
from clusters.tasks import run_activity_import
from klyngeadmin.accounts.drafts import services as drafts
from klyngeadmin.kernel.forms import apply_service_errors
from klyngeadmin.kernel.permissions import require_perm

log = logging.getLogger(__name__)
PAGE_SIZE = 50


def cluster_user_required(view):
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not rules.test_rule("clusters.use_cluster_pages", request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _object_or_404(qs, user, perm: str):
    obj = get_object_or_404(qs)
    require_perm(user, perm, obj, not_found=True)
    return obj


# -- activities ------------------------------------------------------------------------------


@require_GET
@cluster_user_required
def activity_list(request):
    years = selectors.activity_years(user=request.user)
    filter_form = ActivityFilterForm(request.GET or None, years=years)
    qs = selectors.activity_list(user=request.user, **filter_form.filters())
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("side"))
    query = request.GET.copy()
    query.pop("side", None)
    return render(request, "clusters/activity_list.html", {
        "filter_form": filter_form, "page": page, "activities": page.object_list,
        "query": query.urlencode(),
        # Resolved once per page rather than once per row: labels, and the row links' base.
        "type_labels": {value: str(label) for value, label in ActivityType.choices},
        "list_url": reverse("clusters:activity_list"),
        "filtered": any(v for k, v in request.GET.items() if k != "side"),
    })


@require_http_methods(["GET", "POST"])
@cluster_user_required
def activity_create(request):
    form = ActivityForm(drafts.form_data(request))  # on a GET, the person's draft if any
    if request.method == "POST" and form.is_valid():
        try:
            activity = services.activity_create(
                cluster=request.user.cluster, actor=request.user, **form.service_kwargs()
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Aktiviteten »%(t)s« er oprettet.") % {"t": activity.title})
            return redirect("clusters:activity_list")
    return render(request, "clusters/activity_form.html", {"form": form, "activity": None})


@require_http_methods(["GET", "POST"])
@cluster_user_required
def activity_update(request, pk: int):
    activity = _object_or_404(selectors.activity_get(user=request.user, pk=pk), request.user,
                              "clusters.change_activity")
    if request.method == "POST":
        form = ActivityForm(request.POST)
        if form.is_valid():
            try:
                activity = services.activity_update(
                    activity=activity, actor=request.user,
                    expected_version=form.cleaned_data["version"] or 0, **form.service_kwargs(),
                )
            except services.StaleVersion as exc:
                form.add_error(None, str(exc))
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Aktiviteten »%(t)s« er gemt.") % {"t": activity.title})
                return redirect("clusters:activity_list")
    else:
        draft = drafts.form_data(request)  # what the person typed here and did not save
        form = ActivityForm(draft) if draft else ActivityForm(initial=ActivityForm.initial_for(activity))
    return render(request, "clusters/activity_form.html", {"form": form, "activity": activity})


@require_http_methods(["GET", "POST"])
@cluster_user_required
def activity_delete(request, pk: int):
    activity = _object_or_404(selectors.activity_get(user=request.user, pk=pk), request.user,
                              "clusters.delete_activity")
    form = ActivityDeleteForm(request.POST or None, initial={"version": activity.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.activity_delete(activity=activity, actor=request.user,
                                     expected_version=form.cleaned_data["version"])
        except (services.StaleVersion, services.ActionRefused) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Aktiviteten »%(t)s« er slettet.") % {"t": activity.title})
            return redirect("clusters:activity_list")
    return render(request, "clusters/activity_confirm_delete.html",
                  {"form": form, "activity": activity})


# -- import ----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@cluster_user_required
def activity_import(request):
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = importing.import_job_create(cluster=request.user.cluster, actor=request.user,
                                          file_name=upload.name, data=upload.read())
        return redirect("clusters:import_job", pk=job.pk)
    return render(request, "clusters/import_upload.html", {
        "form": form, "columns": importing.COLUMNS, "activity_types": ActivityType.choices,
        "max_rows": importing.MAX_ROWS, "institutions": selectors.institution_list(),
    })


@require_GET
@cluster_user_required
def activity_import_template(request, fmt: str):
    if fmt == "csv":
        response = HttpResponse(importing.template_csv(), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        response = HttpResponse(
            importing.template_xlsx(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="aktiviteter-skabelon.{fmt}"'
    return response


def _run_or_queue(job) -> None:
    """Small files are imported in the request; larger ones by a Celery worker after commit
    (CLUSTERS_IMPORT_INLINE_MAX_ROWS). If the broker cannot take the task, import in the request
    rather than leave the job waiting forever."""
    if job.total_rows <= settings.CLUSTERS_IMPORT_INLINE_MAX_ROWS:
        importing.import_job_run(job.pk)
        return

    def enqueue():

        try:
            run_activity_import.delay(job.pk)
        except Exception:
            log.exception("could not queue activity import %s; importing in the request", job.pk)
            importing.import_job_run(job.pk)

    transaction.on_commit(enqueue)


@require_http_methods(["GET", "POST"])
@cluster_user_required
def import_job(request, pk: int):
    job = _object_or_404(selectors.import_job_get(user=request.user, pk=pk), request.user,
                         "clusters.view_activity")
    if request.method == "POST":
        if importing.import_job_confirm(job=job):
            _run_or_queue(job)
        return redirect("clusters:import_job", pk=job.pk)
    preview = importing.import_job_preview(job) if job.status == ImportJobStatus.VALIDATED else None
    return render(request, "clusters/import_job.html", {
        "job": job, "preview": preview, "S": ImportJobStatus,
        "in_progress": job.status in (ImportJobStatus.QUEUED, ImportJobStatus.RUNNING),
    })


@require_GET
@cluster_user_required
def import_job_status(request, pk: int):
    job = _object_or_404(selectors.import_job_get(user=request.user, pk=pk), request.user,
                         "clusters.view_activity")
    return JsonResponse({
        "status": job.status, "status_label": job.get_status_display(),
        "total_rows": job.total_rows, "done_rows": job.done_rows, "percent": job.percent,
        "url": reverse("clusters:import_job", args=[job.pk]),
    })


# -- facilitated projects --------------------------------------------------------------------


@require_GET
@cluster_user_required
def project_list(request):
    status = request.GET.get("status", "")
    if status not in FacilitatedProjectStatus.values:
        status = ""
    qs = selectors.facilitated_project_list(user=request.user, status=status)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("side"))
    return render(request, "clusters/project_list.html", {
        "page": page, "projects": page.object_list, "status": status,
        "query": urlencode({"status": status}) if status else "",
        "statuses": FacilitatedProjectStatus.choices,
    })


@require_http_methods(["GET", "POST"])
@cluster_user_required
def project_create(request):
    form = FacilitatedProjectForm(drafts.form_data(request))  # on a GET, the person's draft if any
    if request.method == "POST" and form.is_valid():
        try:
            project = projects.facilitated_project_create(
                cluster=request.user.cluster, actor=request.user, **form.service_kwargs()
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Projektet »%(t)s« er oprettet.") % {"t": project.title})
            return redirect("clusters:project_list")
    return render(request, "clusters/project_form.html", {"form": form, "project": None})


@require_http_methods(["GET", "POST"])
@cluster_user_required
def project_update(request, pk: int):
    project = _object_or_404(selectors.facilitated_project_get(user=request.user, pk=pk),
                             request.user, "clusters.change_facilitatedproject")
    if request.method == "POST":
        form = FacilitatedProjectForm(request.POST)
        if form.is_valid():
            try:
                project = projects.facilitated_project_update(
                    project=project, actor=request.user,
                    expected_version=form.cleaned_data["version"] or 0, **form.service_kwargs(),
                )
            except services.StaleVersion as exc:
                form.add_error(None, str(exc))
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Projektet »%(t)s« er gemt.") % {"t": project.title})
                return redirect("clusters:project_list")
    else:
        draft = drafts.form_data(request)  # what the person typed here and did not save
        form = (FacilitatedProjectForm(draft) if draft
                else FacilitatedProjectForm(initial=FacilitatedProjectForm.initial_for(project)))
    return render(request, "clusters/project_form.html", {"form": form, "project": project})

