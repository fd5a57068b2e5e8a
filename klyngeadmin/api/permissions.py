"""Who may call an endpoint at all. Object-level access goes through the scoped selectors (a
cluster key asking for another cluster's object gets 404) and the apps' `rules` permissions."""

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from klyngeadmin.constants import AUTHORITY_ROLES, CLUSTER_ROLES, Role


def is_cluster_key(request) -> bool:
    user = request.user
    return bool(user and user.is_authenticated and getattr(user, "role", None) in CLUSTER_ROLES)


def is_authority_key(request) -> bool:
    user = request.user
    return bool(user and user.is_authenticated and getattr(user, "role", None) in AUTHORITY_ROLES)


def is_caseworker_key(request) -> bool:
    user = request.user
    return bool(
        user and user.is_authenticated
        and getattr(user, "role", None) in (Role.CASEWORKER, Role.HEAD_OF_OFFICE, Role.ADMIN)
    )


class ClusterKeyOnly(BasePermission):
    message = _("Kun en klynges API-nøgle kan bruge dette endpoint.")

    def has_permission(self, request, view):
        return is_cluster_key(request)


class CaseworkerKeyOnly(BasePermission):
    message = _("Kun Erhvervsstyrelsens API-nøgler kan bruge dette endpoint.")

    def has_permission(self, request, view):
        return is_caseworker_key(request)


class ClusterKeyWrites(BasePermission):
    """Reads for every key; writes only for a cluster's own key."""

    message = _("Kun en klynges API-nøgle kan ændre data.")

    def has_permission(self, request, view):
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return is_cluster_key(request) or is_authority_key(request)
        return is_cluster_key(request)
