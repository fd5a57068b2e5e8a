"""The authority's overview pages: the cohort of a year (and its XLSX export) and the
administration of rubrics in the browser."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from evaluations.models import Criterion, Rubric
from evaluations.panels import rubrics as rubric_services
from evaluations.panels.forms import CriterionForm, RubricForm
from klyngeadmin.kernel.forms import apply_service_errors
from klyngeadmin.kernel.permissions import require_perm

# -- rubrics ------------------------------------------------------------------------------------


@login_required
def rubric_list(request):
    require_perm(request.user, "evaluations.manage_rubrics")
    rubrics = Rubric.objects.prefetch_related("criteria").order_by("purpose", "name", "-version")
    return render(request, "evaluations/rubrics.html", {"rubrics": rubrics})


@login_required
def rubric_create(request):
    require_perm(request.user, "evaluations.manage_rubrics")
    form = RubricForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            rubric = rubric_services.rubric_create(actor=request.user, **{
                k: form.cleaned_data[k] for k in ("purpose", "name", "description",
                                                 "normalise_per_grant_krone", "emerging_peer_group")})
            messages.success(request, _("Bedømmelsesrammen er oprettet. Tilføj kriterierne."))
            return redirect("evaluations:rubric", rubric_id=rubric.pk)
        except ValidationError as e:
            apply_service_errors(form, e)
    return render(request, "evaluations/rubric_form.html", {"form": form})


@login_required
def rubric_detail(request, rubric_id):
    require_perm(request.user, "evaluations.manage_rubrics")
    rubric = get_object_or_404(Rubric, pk=rubric_id)
    form = RubricForm(request.POST or None, instance=rubric, initial={"version": rubric.row_version})
    form.fields["purpose"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            rubric_services.rubric_update(rubric=rubric, name=form.cleaned_data["name"],
                                   description=form.cleaned_data["description"],
                                   version=form.cleaned_data["version"], actor=request.user,
                                   normalise_per_grant_krone=form.cleaned_data[
                                       "normalise_per_grant_krone"],
                                   emerging_peer_group=form.cleaned_data["emerging_peer_group"])
            messages.success(request, _("Bedømmelsesrammen er gemt."))
            return redirect("evaluations:rubric", rubric_id=rubric.pk)
        except ValidationError as e:
            apply_service_errors(form, e)
    criteria = list(rubric.criteria.all())
    return render(request, "evaluations/rubric.html", {
        "rubric": rubric, "form": form, "criteria": criteria,
        "weight_sum": sum(c.weight for c in criteria),
    })


@login_required
@require_POST
def rubric_new_version(request, rubric_id):
    require_perm(request.user, "evaluations.manage_rubrics")
    rubric = get_object_or_404(Rubric, pk=rubric_id)
    new = rubric_services.rubric_new_version(rubric=rubric, actor=request.user)
    messages.success(request, _("Version %(v)s er oprettet som kopi og kan redigeres.") % {"v": new.version})
    return redirect("evaluations:rubric", rubric_id=new.pk)


@login_required
@require_POST
def rubric_activate(request, rubric_id):
    require_perm(request.user, "evaluations.manage_rubrics")
    rubric = get_object_or_404(Rubric, pk=rubric_id)
    try:
        rubric_services.rubric_activate(rubric=rubric, actor=request.user)
        messages.success(request, _("Versionen er nu aktiv og bruges ved nye evalueringer."))
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    return redirect("evaluations:rubric", rubric_id=rubric.pk)


@login_required
def criterion_edit(request, rubric_id, criterion_id=None):
    require_perm(request.user, "evaluations.manage_rubrics")
    rubric = get_object_or_404(Rubric, pk=rubric_id)
    criterion = get_object_or_404(Criterion, pk=criterion_id, rubric=rubric) if criterion_id else None
    if rubric.locked:
        messages.error(request, _("Bedømmelsesrammen er i brug og kan ikke ændres. Opret en ny version."))
        return redirect("evaluations:rubric", rubric_id=rubric.pk)
    form = CriterionForm(request.POST or None, instance=criterion)
    if request.method == "POST" and form.is_valid():
        try:
            fields = {k: form.cleaned_data[k] for k in CriterionForm.Meta.fields}
            rubric_services.criterion_save(rubric=rubric, criterion=criterion, actor=request.user, **fields)
            messages.success(request, _("Kriteriet er gemt."))
            return redirect("evaluations:rubric", rubric_id=rubric.pk)
        except ValidationError as e:
            apply_service_errors(form, e)
    return render(request, "evaluations/criterion_form.html", {"rubric": rubric, "form": form,
                                                               "criterion": criterion})


@login_required
@require_POST
def criterion_delete(request, rubric_id, criterion_id):
    require_perm(request.user, "evaluations.manage_rubrics")
    rubric = get_object_or_404(Rubric, pk=rubric_id)
    criterion = get_object_or_404(Criterion, pk=criterion_id, rubric=rubric)
    try:
        rubric_services.criterion_delete(criterion=criterion, actor=request.user)
        messages.success(request, _("Kriteriet er slettet."))
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    return redirect("evaluations:rubric", rubric_id=rubric.pk)
