from celery import shared_task

from grants.outcomes.services import survey_contacts_forget
from klyngeadmin.accounts.drafts.services import drafts_forget
from klyngeadmin.accounts.security.personal_data import personal_data_retention_run
from klyngeadmin.housekeeping import import_jobs_forget, media_orphans_sweep
from klyngeadmin.saml.services import forget_expired_assertions


@shared_task(name="klyngeadmin.tasks.personal_data_retention")
def personal_data_retention() -> int:
    """Daily: anonymise contact persons past the retention period, and clear the participant
    contacts of follow-up surveys answered or expired long enough ago (safe to run twice)."""
    return len(personal_data_retention_run()) + survey_contacts_forget()


@shared_task(name="klyngeadmin.tasks.forget_expired_saml_assertions")
def forget_expired_saml_assertions() -> int:
    """Hourly: drop the replay guard's rows for assertions that have expired anyway."""

    return forget_expired_assertions()


@shared_task(name="klyngeadmin.tasks.housekeeping")
def housekeeping() -> dict:
    """Daily: delete files no row refers to, old activity-import jobs and form drafts nobody
    came back to (safe to run twice)."""

    return {"orphan_files": len(media_orphans_sweep()), "import_jobs": import_jobs_forget(),
            "form_drafts": drafts_forget()}
