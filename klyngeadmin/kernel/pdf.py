"""The one PDF renderer: a Django template rendered in Danish (letters are the authority's
legal documents, whatever language the person acting reads) and printed with WeasyPrint."""

from __future__ import annotations

from pathlib import Path

from django.template.loader import render_to_string
from django.utils import translation

from klyngeadmin.kernel.i18n import RECORD_LANGUAGE


def html_to_pdf(html: str, *, stylesheet: Path) -> bytes:
    from weasyprint import CSS, HTML  # heavy import (cairo, pango): only when a PDF is made

    return HTML(string=html).write_pdf(stylesheets=[CSS(filename=str(stylesheet))])


def render_html(template: str, context: dict) -> str:
    with translation.override(RECORD_LANGUAGE):
        return render_to_string(template, context)


def render_pdf(template: str, context: dict, *, stylesheet: Path) -> bytes:
    return html_to_pdf(render_html(template, context), stylesheet=stylesheet)
