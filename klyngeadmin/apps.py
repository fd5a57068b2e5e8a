from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KlyngeadminConfig(AppConfig):
    name = "klyngeadmin"
    verbose_name = _("Brugere og adgang")

    def ready(self):
        from django.db.models.signals import post_migrate

        from klyngeadmin.accounts.security import signals  # noqa: F401 - connects the security-log receivers
        from klyngeadmin.accounts.security.audit import install_append_only_triggers
        from klyngeadmin.kernel import language  # noqa: F401 - remembers a language chosen before sign-in
        from klyngeadmin.kernel.api import schema  # noqa: F401  (registers the OpenAPI Bearer scheme)
        from klyngeadmin.saml import checks  # noqa: F401 - registers the SAML deploy checks

        post_migrate.connect(install_append_only_triggers, dispatch_uid="append_only_triggers")
