"""The decision letter (afgørelsesbrev) as a Danish PDF: scores, reasons, the appeal deadline.

Rendered from a Django template with WeasyPrint. If grants.letters (the case-handling letter
machinery) offers a shared renderer, it is used; otherwise WeasyPrint directly."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from . import selectors
from .models import Decision


def render_pdf(html: str) -> bytes:
    try:  # the shared machinery, once it exists
        from grants.letters import html_to_pdf  # type: ignore[attr-defined]
    except ImportError:
        html_to_pdf = None
    if html_to_pdf is not None:
        return html_to_pdf(html)
    from weasyprint import HTML

    return HTML(string=html).write_pdf()


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
    return {
        "evaluation": evaluation, "grant": evaluation.grant, "cluster": evaluation.grant.cluster,
        "decision": decision, "rows": rows, "case": case,
        "recommendation": getattr(panel, "recommendation", None) if panel else None,
        "today": timezone.localdate(decision.approved_at) if decision.approved_at else timezone.localdate(),
    }


def decision_letter_html(evaluation) -> str:
    return render_to_string("evaluations/pdf/letter.html", decision_letter_context(evaluation))


def decision_letter_pdf(evaluation) -> bytes:
    return render_pdf(decision_letter_html(evaluation))
