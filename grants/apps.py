from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GrantsConfig(AppConfig):
    name = "grants"
    verbose_name = _("Bevillinger og afrapportering")

    def ready(self):
        from django.db.models.signals import post_save

        from grants import tasks
        from grants.cases.models import CaseEvent
        from grants.cases.records import case_event_saved
        from klyngeadmin.kernel.signals import figures_changed

        figures_changed.connect(tasks.queue_statistics_refresh, dispatch_uid="statistics-refresh")
        post_save.connect(case_event_saved, sender=CaseEvent, dispatch_uid="records-case-event")
