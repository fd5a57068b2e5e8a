from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .constants import AUTHORITY_ROLES, CLUSTER_ROLES, Role


class User(AbstractUser):
    """A person who signs in: cluster people are bound to one cluster, authority people to none."""

    role = models.CharField(_("rolle"), max_length=20, choices=Role.choices)
    cluster = models.ForeignKey(
        "clusters.ClusterOrganisation",
        verbose_name=_("klyngeorganisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    language = models.CharField(
        _("sprog"), max_length=5, choices=[("da", "Dansk"), ("en", "English")], default="da"
    )

    REQUIRED_FIELDS = ["email", "role"]

    class Meta:
        verbose_name = _("bruger")
        verbose_name_plural = _("brugere")
        constraints = [
            models.CheckConstraint(
                name="user_role_valid", condition=Q(role__in=[r.value for r in Role])
            ),
            models.CheckConstraint(
                name="user_cluster_matches_role",
                condition=(
                    Q(role__in=[r.value for r in CLUSTER_ROLES], cluster__isnull=False)
                    | Q(role__in=[r.value for r in AUTHORITY_ROLES], cluster__isnull=True)
                ),
            ),
        ]

    @property
    def is_cluster_user(self) -> bool:
        return self.role in CLUSTER_ROLES

    @property
    def is_authority(self) -> bool:
        return self.role in AUTHORITY_ROLES
