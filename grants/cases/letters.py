"""Decision letters (afgørelsesbreve): a Danish PDF rendered with WeasyPrint from the decision
and stored with the case (FileField under MEDIA_ROOT). Called by the case services inside
their transaction; the letter row and the decision commit or roll back together."""

from __future__ import annotations

from pathlib import Path

from django.core.files.base import ContentFile
from django.utils import timezone

from grants.cases.delivery import letter_dispatch
from grants.cases.models import Case, DecisionLetter
from grants.cases.records import file_letter
from klyngeadmin.kernel.pdf import render_pdf

LETTER_CSS = Path(__file__).with_name("letter_pdf.css")

TITLES = {
    "tranche_released": "Afgørelse om udbetaling af rate",
    "tranche_cancelled": "Afgørelse om annullering af rate",
    "extension_approved": "Afgørelse om fristforlængelse",
    "extension_rejected": "Afgørelse om fristforlængelse",
    "amendment_approved": "Afgørelse om ændring af bevilling",
    "amendment_rejected": "Afgørelse om ændring af bevilling",
    "repayment_claim": "Afgørelse om tilbagebetaling",
    "hearing": "Partshøring før afgørelse",
    "conditions_closed": "Afgørelse om opfølgning på vilkår",
    "award": "Tilsagn om klyngebevilling",
    "application_rejected": "Afgørelse om ansøgning",
}


def render_letter_pdf(*, case: Case, title: str, body: str, actor, proposal=None,
                      created_at=None, kind: str = "") -> bytes:
    return render_pdf("cases/letter_pdf.html", {
        "case": case, "title": title, "body": body, "actor": actor, "proposal": proposal,
        "kind": kind,
        "date": timezone.localdate(created_at or timezone.now()),
    }, stylesheet=LETTER_CSS)


def decision_letter_create(*, case: Case, kind: str, body: str, actor, proposal=None) -> DecisionLetter:
    now = timezone.now()
    title = f"{TITLES.get(kind, 'Afgørelse')} – sag {case.journal_number}"
    pdf = render_letter_pdf(case=case, title=title, body=body, actor=actor, proposal=proposal,
                            created_at=now, kind=kind)
    return decision_letter_store(case=case, kind=kind, title=title, body=body, pdf=pdf,
                                 actor=actor, created_at=now)


def decision_letter_store(*, case: Case, kind: str, title: str, body: str, pdf: bytes, actor,
                          created_at=None) -> DecisionLetter:
    """Keep a decision letter's PDF with its case, as it was sent: the letter is not rendered
    again later, so what the cluster received stays what the case holds.

    The one place a letter is issued, whatever its kind: it also queues the letter for the
    cluster's Digital Post (grants.cases.delivery) and for the records system
    (grants.cases.records), both sent after commit."""
    letter = DecisionLetter(case=case, cluster_id=case.cluster_id, kind=kind, title=title,
                            body=body, created_by=actor, created_at=created_at or timezone.now())
    number = DecisionLetter.objects.filter(case=case).count() + 1
    letter.file.save(f"afgoerelse-{case.journal_number}-{number}.pdf", ContentFile(pdf), save=False)
    letter.save()
    letter_dispatch(letter)
    file_letter(letter)
    return letter
