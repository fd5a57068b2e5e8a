"""Daily housekeeping: files no row refers to, and finished activity-import jobs.

A file is written to storage before its row is committed (report attachments, self-assessment
attachments, decision letters); if that transaction rolls back, the file is left with no row.
The sweep deletes such files once they are older than a day (younger ones may belong to an
upload still in flight). Import jobs keep their rows and errors only for the import's own
progress and result pages; the import itself is recorded as a ClusterDataEvent."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils import timezone

from clusters.constants import ImportJobStatus
from clusters.models import ImportJob
from klyngeadmin.accounts.security.logging import security_event

IMPORT_JOB_KEEP_DAYS = 90


def referenced_files() -> set[str]:
    """The storage names every FileField of every model points at."""
    names: set[str] = set()
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField):
                names.update(
                    n for n in model._default_manager.exclude(**{field.name: ""})
                    .values_list(field.name, flat=True) if n
                )
    return names


def media_orphans_sweep(*, now=None, min_age: timedelta = timedelta(days=1),
                        dry_run: bool = False) -> list[str]:
    """Delete files under MEDIA_ROOT that no row refers to and that are older than `min_age`;
    returns their names (relative to MEDIA_ROOT)."""
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return []
    cutoff = (now or timezone.now()).timestamp() - min_age.total_seconds()
    known = referenced_files()
    orphans = []
    for directory, _dirs, files in os.walk(root):
        for name in files:
            path = Path(directory) / name
            relative = path.relative_to(root).as_posix()
            if relative not in known and path.stat().st_mtime < cutoff:
                orphans.append(relative)
                if not dry_run:
                    path.unlink(missing_ok=True)
    if orphans and not dry_run:
        security_event("media_orphans_deleted", count=len(orphans))
    return sorted(orphans)


def import_jobs_forget(*, now=None) -> int:
    """Delete activity-import jobs created more than IMPORT_JOB_KEEP_DAYS ago, unless queued or
    running: done, failed, and files checked but never imported (which still hold their rows)."""

    cutoff = (now or timezone.now()) - timedelta(days=IMPORT_JOB_KEEP_DAYS)
    deleted, _ = (
        ImportJob.objects.filter(created_at__lt=cutoff)
        .exclude(status__in=[ImportJobStatus.QUEUED, ImportJobStatus.RUNNING])
        .delete()
    )
    return deleted
