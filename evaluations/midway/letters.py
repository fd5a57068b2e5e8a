"""The decision letter (afgørelsesbrev) as a Danish PDF: scores, reasons, the appeal deadline.

Rendered by klyngeadmin.kernel.pdf (the one PDF renderer; print styles in evaluations/letter.css)."""

from __future__ import annotations

from pathlib import Path

from django.utils import timezone

from evaluations.midway import selectors
from evaluations.models import Decision
from evaluations.panels import scoring
from grants.reports.target_section import target_overview_many
from klyngeadmin.kernel.pdf import html_to_pdf, render_html

LETTER_CSS = Path(__file__).with_name("letter.css")


def decision_letter_context(evaluation) -> dict:
    decision = Decision.objects.select_related("approved_by", "proposed_by").get(evaluation=evaluation)
    criteria = selectors.criteria_of(evaluation.rubric)
    panel = getattr(evaluation, "panel", None)
    consensus = selectors.consensus_of(panel)
    points = selectors.starting_points(evaluation, criteria)
    total_weight = sum(c.weight for c in criteria if c.pk in consensus and not consensus[c.pk].not_applicable)
    rows = [
        {"criterion": c, "consensus": consensus.get(c.pk), "point": points.get(c.key),
         "weight_share": (c.weight * 100 / total_weight) if total_weight and c.pk in consensus
         and not consensus[c.pk].not_applicable else None}
        for c in criteria
    ]
    case = evaluation.cases.order_by("-created_at").first()
    grant = evaluation.grant
    years = range(1, (grant.midway_year or 5) + 1)
    attainment = target_overview_many([grant], years, reported_only=True)[grant.pk]
    target_years = [y for y in attainment.values() if y["rows"]]
    return {
        "target_years": target_years,
        "mean_attainment": scoring.attainment_level({y["year_number"]: y["attainment"]
                                                     for y in target_years}),
        "evaluation": evaluation, "grant": evaluation.grant, "cluster": evaluation.grant.cluster,
        "decision": decision, "rows": rows, "case": case,
        "recommendation": getattr(panel, "recommendation", None) if panel else None,
        "today": timezone.localdate(decision.approved_at) if decision.approved_at else timezone.localdate(),
    }


def decision_letter_html(evaluation, hearing_text: str = "") -> str:
    """The letter is a Danish legal document, whatever language the person asking reads.
    `hearing_text` quotes the hearing (grants.cases.hearing.hearing_conclude) of a withdrawal."""
    return render_html("evaluations/pdf/letter.html",
                       {**decision_letter_context(evaluation), "hearing_text": hearing_text})


def decision_letter_pdf(evaluation, hearing_text: str = "") -> bytes:
    return html_to_pdf(decision_letter_html(evaluation, hearing_text), stylesheet=LETTER_CSS)
