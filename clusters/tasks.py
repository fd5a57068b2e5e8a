from celery import shared_task
from django.db import OperationalError

from .importing import import_job_run


@shared_task(
    acks_late=True, reject_on_worker_lost=True, ignore_result=True,
    autoretry_for=(OperationalError,), retry_backoff=5, max_retries=3,
)
def run_activity_import(job_id: int) -> str:
    """Import a confirmed activity file (ImportJob id). Idempotent: see importing.import_job_run."""
    return import_job_run(job_id)


@shared_task(name="clusters.tasks.sweep_stuck_imports", ignore_result=True)
def sweep_stuck_imports() -> dict:
    """Every minute (beat): queue again, or fail, imports whose worker died (import_sweep)."""
    from .import_sweep import sweep_stuck_imports as sweep

    return sweep()
