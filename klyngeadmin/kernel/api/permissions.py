"""Who may call an endpoint at all. Object-level access goes through the scoped selectors (a
cluster key asking for another cluster's object gets 404) and the apps' `rules` permissions.

The role checks are the predicates of klyngeadmin.kernel.predicates (one home for "who may"): a
cluster key is a cluster user, an authority key is an authority user, a caseworker key is what
`is_caseworker` says (caseworkers and the head of office, not the administrator - as on the
case pages). `HasRule(perm)` lets an endpoint ask the same `rules` permission its page asks."""

import rules
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from klyngeadmin.kernel.predicates import is_authority, is_caseworker, is_cluster_user


def is_cluster_key(request) -> bool:
    return is_cluster_user.test(request.user)


def is_authority_key(request) -> bool:
    return is_authority.test(request.user)


def is_caseworker_key(request) -> bool:
    return is_caseworker.test(request.user)


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


def HasRule(perm: str, message=None):  # noqa: N802 - used like a class in permission_classes
    """A permission class: the key's user has the app's `rules` permission `perm` (the rule the
    browser page asks; a superuser's blanket Django permissions do not count)."""

    class _HasRule(BasePermission):
        def has_permission(self, request, view):
            return rules.has_perm(perm, request.user)

    _HasRule.message = message or _("Kun Erhvervsstyrelsens API-nøgler kan bruge dette endpoint.")
    _HasRule.perm = perm
    _HasRule.__name__ = f"HasRule({perm})"
    return _HasRule
