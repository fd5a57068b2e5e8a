"""Daily housekeeping: files no row refers to, and old activity-import jobs."""

import os
import time
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from clusters.constants import ImportJobStatus
from clusters.models import ImportJob
from grants.reports.services import report_attachment_add
from klyngeadmin.accounts.models import FormDraft
from klyngeadmin.celery import app as celery_app
from klyngeadmin.housekeeping import import_jobs_forget, media_orphans_sweep
from klyngeadmin.tasks import housekeeping

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _age(path, days):
    old = time.time() - days * 86400
    os.utime(path, (old, old))


def test_sweep_deletes_old_files_no_row_refers_to_and_keeps_the_rest(settings, tmp_path, grant,
                                                                    director):
    settings.MEDIA_ROOT = tmp_path
    report = grant.reports.order_by("year").first()
    kept = report_attachment_add(report=report, actor=director, kind="other",
                                 file=SimpleUploadedFile("budget.pdf", PDF))
    kept_path = tmp_path / kept.file.name
    _age(kept_path, 10)
    orphan = tmp_path / "report-attachments" / "2026" / "rolled-back.pdf"
    orphan.write_bytes(PDF)
    _age(orphan, 2)
    fresh = tmp_path / "report-attachments" / "2026" / "in-flight.pdf"
    fresh.write_bytes(PDF)  # a minute old: maybe an upload whose row is not committed yet

    assert media_orphans_sweep(dry_run=True) == ["report-attachments/2026/rolled-back.pdf"]
    assert orphan.exists()
    assert media_orphans_sweep() == ["report-attachments/2026/rolled-back.pdf"]
    assert not orphan.exists() and fresh.exists() and kept_path.exists()
    assert media_orphans_sweep() == []


def test_old_import_jobs_are_forgotten_unless_still_under_way(cluster, director):
    now = timezone.now()
    old = now - timedelta(days=91)

    def job(status, created_at):
        return ImportJob.objects.create(cluster=cluster, created_by=director, file_name="a.csv",
                                        status=status, created_at=created_at)

    gone = [job(s, old) for s in (ImportJobStatus.DONE, ImportJobStatus.FAILED,
                                  ImportJobStatus.INVALID, ImportJobStatus.VALIDATED)]
    stays = [job(ImportJobStatus.RUNNING, old), job(ImportJobStatus.QUEUED, old),
             job(ImportJobStatus.DONE, now - timedelta(days=89))]
    assert import_jobs_forget(now=now) == len(gone)
    assert set(ImportJob.objects.values_list("pk", flat=True)) == {j.pk for j in stays}


def test_the_daily_task_runs_both_and_is_scheduled(settings, tmp_path, cluster, director):
    settings.MEDIA_ROOT = tmp_path
    stray = tmp_path / "stray.pdf"
    stray.write_bytes(PDF)
    _age(stray, 3)
    ImportJob.objects.create(cluster=cluster, created_by=director, file_name="a.csv",
                             status=ImportJobStatus.DONE,
                             created_at=timezone.now() - timedelta(days=200))
    FormDraft.objects.create(user=director, path="/aktiviteter/ny/", data={"title": ["x"]},
                             updated_at=timezone.now() - timedelta(days=31))
    FormDraft.objects.create(user=director, path="/projekter/ny/", data={"title": ["y"]},
                             updated_at=timezone.now() - timedelta(days=29))
    assert housekeeping.apply().get() == {"orphan_files": 1, "import_jobs": 1, "form_drafts": 1}
    assert list(FormDraft.objects.values_list("path", flat=True)) == ["/projekter/ny/"]
    assert any(e["task"] == "klyngeadmin.tasks.housekeeping"
               for e in celery_app.conf.beat_schedule.values())
