import os

from celery import Celery
from celery.schedules import crontab
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "klyngeadmin.settings")

app = Celery("klyngeadmin")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect
def _freeze_boot_objects(**_kwargs):
    """Each pool process, once booted: its long-lived objects leave the collector's
    generations (klyngeadmin.kernel.runtime)."""
    from klyngeadmin.kernel.runtime import freeze_after_boot

    freeze_after_boot()

# The beat schedule lives in code, in UTC (CELERY_TIMEZONE). Nothing here depends on local
# time: the tasks work out Danish calendar days from the database, so the switches to and from
# summer time neither skip nor repeat a reminder. `expires` keeps a stopped worker from facing
# a pile of stale ticks when it comes back (the next tick does the same work anyway).
app.conf.beat_schedule = {
    "reminder-tick": {
        "task": "grants.tasks.reminder_tick",
        "schedule": crontab(minute="*/15"),
        "options": {"expires": 14 * 60},
    },
    "notification-relay": {
        "task": "grants.tasks.relay_notifications",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "digital-post-relay": {
        "task": "grants.tasks.relay_digital_post",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "records-relay": {
        "task": "grants.tasks.relay_records_filings",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "import-sweep": {
        "task": "clusters.tasks.sweep_stuck_imports",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "personal-data-retention": {
        "task": "klyngeadmin.tasks.personal_data_retention",
        "schedule": crontab(hour=2, minute=15),
        "options": {"expires": 3600},
    },
    "housekeeping": {
        "task": "klyngeadmin.tasks.housekeeping",
        "schedule": crontab(hour=2, minute=45),
        "options": {"expires": 3600},
    },
    "saml-assertions-cleanup": {
        "task": "klyngeadmin.tasks.forget_expired_saml_assertions",
        "schedule": crontab(minute=40),
        "options": {"expires": 3000},
    },
    "cvr-refresh": {  # company records older than 30 days, in batches
        "task": "clusters.tasks.cvr_refresh_stale",
        "schedule": crontab(hour=3, minute=20),
        "options": {"expires": 3600},
    },
    "statistics-refresh": {  # the stored programme figures, also refreshed after each change
        "task": "grants.tasks.refresh_statistics",
        "schedule": crontab(hour=1, minute=50),
        "options": {"expires": 3600},
    },
    "notification-digest": {
        "task": "grants.tasks.send_notification_digests",
        "schedule": crontab(hour=5, minute=30),  # 06:30 Danish winter time, 07:30 summer time
        "options": {"expires": 3600},
    },
}
