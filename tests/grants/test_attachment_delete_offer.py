"""The report page offers "Slet" only for an attachment the service would delete: never for one
a submitted version lists (what was submitted stays readable), and only on an editable report."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from grants.cases.flows import report_submit
from grants.constants import ReportStatus
from grants.reports.services import report_attachment_add, report_transition
from tests.grants.report_helpers import fill_report

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _slet_forms(html: str) -> list[str]:
    return [chunk.split('"')[0] for chunk in html.split('action="')[1:] if "/bilag/" in chunk
            and "slet" in chunk.split('"')[0]]


def test_slet_only_where_the_service_allows_it(client, settings, tmp_path, director, grant,
                                               caseworker):
    settings.MEDIA_ROOT = tmp_path
    report = grant.reports.order_by("year").first()
    fill_report(report)
    submitted = report_attachment_add(report=report, actor=director, kind="other",
                                      file=SimpleUploadedFile("budget.pdf", PDF))
    report_submit(report=report, actor=director)
    report_transition(report=report, to=ReportStatus.IN_REVIEW, actor=caseworker)
    report_transition(report=report, to=ReportStatus.CHANGES_REQUESTED, actor=caseworker,
                      comment="Uddyb.")
    report.refresh_from_db()
    added = report_attachment_add(report=report, actor=director, kind="other",
                                  file=SimpleUploadedFile("tillaeg.pdf", PDF))
    client.force_login(director)
    html = client.get(reverse("grants:report_detail", args=[report.pk])).content.decode()
    offered = _slet_forms(html)
    assert offered == [reverse("grants:attachment_delete", args=[report.pk, added.pk])]
    assert "indgår i en indsendt version og kan ikke slettes" in html
    # the page and the service agree: the one not offered is refused, the offered one deleted
    refused = client.post(reverse("grants:attachment_delete", args=[report.pk, submitted.pk]),
                          follow=True)
    assert "kan ikke slettes" in refused.content.decode()
    assert report.attachments.filter(pk=submitted.pk).exists()
    client.post(offered[0])
    assert not report.attachments.filter(pk=added.pk).exists()
