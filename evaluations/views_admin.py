"""The authority's overview pages: the cohort of a year (and its XLSX export) and the
administration of rubrics in the browser."""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from klyngeadmin.permissions import require_perm

from . import selectors, services
from .forms import CriterionForm, RubricForm, apply_service_errors
from .models import ConsensusScore, Criterion, Panel, Rubric


def cohort_rows(*, user, year: int):
    """Every cluster evaluated in `year`, side by side: per-criterion scores (consensus once
    revealed, else the starting-point suggestion), raw and adjusted totals, decision.
    A fixed number of queries whatever the number of clusters."""
    evaluations = list(selectors.evaluation_list(user=user, year=year))
    rubric = next((e.rubric for e in evaluations if e.rubric_id), None)
    criteria = selectors.criteria_of(rubric)
    points = selectors.starting_points_for(evaluations, criteria).by_evaluation
    panels = {p.evaluation_id: p for p in Panel.objects.filter(evaluation__in=evaluations)
              .select_related("recommendation")}
    revealed = {e.pk for e in evaluations if e.status in selectors.SCORES_REVEALED}
    consensus: dict[int, dict[str, ConsensusScore]] = {}
    for cs in ConsensusScore.objects.filter(panel__evaluation__in=revealed).select_related("criterion", "panel"):
        consensus.setdefault(cs.panel.evaluation_id, {})[cs.criterion.key] = cs
    rows = []
    for e in evaluations:
        panel = panels.get(e.pk)
        rec = getattr(panel, "recommendation", None) if panel else None
        decision = getattr(e, "decision", None)
        decided = decision is not None and decision.approved_at is not None
        cells = []
        for c in criteria:
            cs = consensus.get(e.pk, {}).get(c.key)
            point = points.get(e.pk, {}).get(c.key)
            cells.append({"criterion": c, "consensus": cs, "point": point})
        rows.append({
            "evaluation": e, "cells": cells,
            "raw_total": decision.raw_total if decided else (rec.raw_total if rec else None),
            "adjusted_total": decision.adjusted_total if decided else (rec.adjusted_total if rec else None),
            "decision": decision if decided else None,
        })
    return criteria, rows


@login_required
def cohort(request, year):
    require_perm(request.user, "evaluations.view_cohort")
    criteria, rows = cohort_rows(user=request.user, year=year)
    return render(request, "evaluations/cohort.html", {
        "year": year, "criteria": criteria, "rows": rows,
        "years": selectors.evaluation_years(user=request.user),
    })


@login_required
def cohort_xlsx(request, year):
    require_perm(request.user, "evaluations.view_cohort")
    from openpyxl import Workbook

    from klyngeadmin.spreadsheets import xlsx_row

    criteria, rows = cohort_rows(user=request.user, year=year)
    wb = Workbook()
    ws = wb.active
    ws.title = f"Midtvejsevaluering {year}"
    header = [_("Klynge"), _("Styrkeposition"), _("Bevilling"), _("Status")]
    for c in criteria:
        header += [f"{c.title} ({c.weight})", f"{c.title}: {_('forslag')}"]
    header += [_("Rå totalscore"), _("Totalscore justeret for udgangspunkt"), _("Afgørelse")]
    ws.append(xlsx_row(ws, header, bold=True))
    for row in rows:
        e = row["evaluation"]
        line = [e.grant.cluster.name, e.grant.cluster.strength_position.name, e.grant.reference,
                e.get_status_display()]
        for cell in row["cells"]:
            cs, point = cell["consensus"], cell["point"]
            line.append(None if cs is None else (_("ikke relevant") if cs.not_applicable else cs.value))
            line.append(float(point.suggested_shown) if point and point.has_data else None)
        line += [
            float(row["raw_total"]) if row["raw_total"] is not None else None,
            float(row["adjusted_total"]) if row["adjusted_total"] is not None else None,
            row["decision"].get_outcome_display() if row["decision"] else "",
        ]
        ws.append(xlsx_row(ws, line))
    ws.freeze_panes = "B2"
    buf = io.BytesIO()
    wb.save(buf)
    response = HttpResponse(
        buf.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="midtvejsevaluering-{year}.xlsx"'
    return response


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
            rubric = services.rubric_create(actor=request.user, **{
                k: form.cleaned_data[k] for k in ("purpose", "name", "description")})
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
            services.rubric_update(rubric=rubric, name=form.cleaned_data["name"],
                                   description=form.cleaned_data["description"],
                                   version=form.cleaned_data["version"], actor=request.user)
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
    new = services.rubric_new_version(rubric=rubric, actor=request.user)
    messages.success(request, _("Version %(v)s er oprettet som kopi og kan redigeres.") % {"v": new.version})
    return redirect("evaluations:rubric", rubric_id=new.pk)


@login_required
@require_POST
def rubric_activate(request, rubric_id):
    require_perm(request.user, "evaluations.manage_rubrics")
    rubric = get_object_or_404(Rubric, pk=rubric_id)
    try:
        services.rubric_activate(rubric=rubric, actor=request.user)
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
            services.criterion_save(rubric=rubric, criterion=criterion, actor=request.user, **fields)
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
        services.criterion_delete(criterion=criterion, actor=request.user)
        messages.success(request, _("Kriteriet er slettet."))
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    return redirect("evaluations:rubric", rubric_id=rubric.pk)
