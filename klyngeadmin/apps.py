from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KlyngeadminConfig(AppConfig):
    name = "klyngeadmin"
    verbose_name = _("Brugere og adgang")

    def ready(self):
        from .api import schema  # noqa: F401  (registers the OpenAPI Bearer scheme)
        from .security import signals  # noqa: F401 - connects the security-log receivers
