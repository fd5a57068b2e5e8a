"""The one permission check the views share."""

import rules
from django.core.exceptions import PermissionDenied
from django.http import Http404


def has_app_perm(user, perm: str, obj=None) -> bool:
    """The app's own rule for `perm` decides, for administrators too: a Django superuser passes
    every permission in the Django admin, but in the app an administrator is a role like the
    others (they have no cluster, so a cluster's pages are not theirs). Permissions the app
    defines no rule for fall back to Django's."""
    if rules.perm_exists(perm):
        return user.is_active and rules.has_perm(perm, user, obj)
    return user.has_perm(perm, obj)


def require_perm(user, perm: str, obj=None, *, message: str = "", not_found: bool = False) -> None:
    """Refuse the request unless `user` has `perm` (on `obj`, by the app's rule): 403 with an
    optional Danish `message`, or 404 (`not_found`) where the object must not be seen to
    exist - another cluster's object, say."""
    if not has_app_perm(user, perm, obj):
        if not_found:
            raise Http404
        raise PermissionDenied(message) if message else PermissionDenied
