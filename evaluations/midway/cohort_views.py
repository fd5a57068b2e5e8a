from __future__ import annotations

import io

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from evaluations.midway import selectors
from evaluations.models import ConsensusScore, Panel
from evaluations.panels import scoring
from klyngeadmin.kernel.permissions import require_perm
from klyngeadmin.kernel.spreadsheets import new_workbook, xlsx_row


def cohort_rows(*, user, year: int):
    """Every cluster evaluated in `year`, side by side: per-criterion scores (consensus once
    revealed, else the starting-point suggestion), raw and adjusted totals, decision.
    A fixed number of queries whatever the number of clusters."""
    evaluations = list(selectors.evaluation_list(user=user, year=year))
    rubric = next((e.rubric for e in evaluations if e.rubric_id), None)
    criteria = selectors.criteria_of(rubric)
    if criteria:  # read through rubric.criteria: each knows its rubric, read just now
        rubric = criteria[0].rubric
    starting_points = selectors.starting_points_for(evaluations, criteria, rubric=rubric)
    points = starting_points.by_evaluation
    panels = {p.evaluation_id: p for p in Panel.objects.filter(evaluation__in=evaluations)
              .select_related("recommendation")}
    target_key = next((c.key for c in criteria if c.is_target_attainment), None)
    attained = starting_points.attained
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
            "attainment": (getattr(points.get(e.pk, {}).get(target_key), "level", None)
                           if target_key else scoring.attainment_level(attained.get(e.grant_id, {}))),
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
    criteria, rows = cohort_rows(user=request.user, year=year)
    wb = new_workbook(write_only=False)  # frozen panes
    ws = wb.active
    ws.title = f"Midtvejsevaluering {year}"
    header = [_("Klynge"), _("Styrkeposition"), _("Bevilling"), _("Status")]
    for c in criteria:
        header += [f"{c.title} ({c.weight})", f"{c.title}: {_('forslag')}"]
    header += [_("Målopfyldelse år 1-5"), _("Rå totalscore"), _("Totalscore justeret for udgangspunkt"), _("Afgørelse")]
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
            row["attainment"],
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

