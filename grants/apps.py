from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GrantsConfig(AppConfig):
    name = "grants"
    verbose_name = _("Bevillinger og afrapportering")

    def ready(self):
        from django.db.models.signals import post_save

        from grants.cases.models import CaseEvent
        from grants.cases.records import case_event_saved

        post_save.connect(case_event_saved, sender=CaseEvent, dispatch_uid="records-case-event")
