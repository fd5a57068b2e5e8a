from celery import shared_task
from django.conf import settings
from django.db import OperationalError

from clusters.companies.services import (
    RegisterUnavailable,
    companies_due_for_refresh,
    companies_refresh,
)
from clusters.imports.services import import_job_run
from clusters.imports.sweep import sweep_stuck_imports as sweep
from clusters.ingest import analyze_activity_tables as analyze


@shared_task(
    acks_late=True, reject_on_worker_lost=True, ignore_result=True,
    autoretry_for=(OperationalError,), retry_backoff=5, max_retries=3,
)
def run_activity_import(job_id: int) -> str:
    """Import a confirmed activity file (ImportJob id). Idempotent: see importing.import_job_run."""
    return import_job_run(job_id)


@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=8)
def cvr_lookup(self, cvrs: list[str]) -> str:
    """Look new companies up in the CVR register (queued after commit). A register that is
    down is retried with growing pauses; the nightly refresh catches up whatever is left."""
    try:
        result = companies_refresh(cvrs=cvrs)
    except RegisterUnavailable as exc:
        pause = settings.CVR_RETRY_SECONDS * 2 ** self.request.retries
        raise self.retry(exc=exc, countdown=min(3600, pause)) from exc
    return f"looked_up={result.looked_up} changed={len(result.changed)}"


@shared_task(acks_late=True, ignore_result=True)
def cvr_refresh_stale() -> str:
    """Nightly: refresh, in batches, every company never looked up or older than 30 days. A
    register that goes down stops the run; the batches done are kept, tomorrow goes on."""
    try:
        result = companies_refresh(companies=companies_due_for_refresh())
    except RegisterUnavailable as exc:
        return f"register unavailable: {exc}"
    return f"looked_up={result.looked_up} changed={len(result.changed)}"


@shared_task(name="clusters.tasks.analyze_activity_tables", ignore_result=True)
def analyze_activity_tables() -> str:
    """Fresh planner statistics for the activity tables (queued after commit by a large write
    of activities, clusters.ingest.ANALYZE_AFTER_ROWS)."""
    analyze()
    return "analyzed"


@shared_task(name="clusters.tasks.sweep_stuck_imports", ignore_result=True)
def sweep_stuck_imports() -> dict:
    """Every minute (beat): queue again, or fail, imports whose worker died (import_sweep)."""

    return sweep()
