from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClustersConfig(AppConfig):
    name = "clusters"
    verbose_name = _("Klynger og aktiviteter")

    def ready(self):
        from django.db.models.signals import post_migrate

        from clusters.figures_cache import bump_version
        from klyngeadmin.kernel.signals import figures_changed

        # a change to a cluster's data: its cached figures are computed afresh; so are all
        # after a migration or a flush (which also reuses ids)
        figures_changed.connect(bump_version, dispatch_uid="figures-cache")
        post_migrate.connect(_bump_all, sender=self, dispatch_uid="figures-cache-migrate")


def _bump_all(sender, **kwargs):
    from clusters.figures_cache import bump_version

    bump_version(cluster_id=None)
