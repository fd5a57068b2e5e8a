from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GrantsConfig(AppConfig):
    name = "grants"
    verbose_name = _("Bevillinger og afrapportering")

    def ready(self):
        from grants import tasks
        from klyngeadmin.kernel.signals import figures_changed

        figures_changed.connect(tasks.queue_statistics_refresh, dispatch_uid="statistics-refresh")
