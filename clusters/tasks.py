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
