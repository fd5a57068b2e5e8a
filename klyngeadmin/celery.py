import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "klyngeadmin.settings")

app = Celery("klyngeadmin")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The beat schedule lives in code (UTC); later issues add their ticks here.
app.conf.beat_schedule = {}
