"""The one permission check the views share."""

from django.core.exceptions import PermissionDenied
from django.http import Http404


def require_perm(user, perm: str, obj=None, *, message: str = "", not_found: bool = False) -> None:
    """Refuse the request unless `user` has `perm` (on `obj`, through `rules`): 403 with an
    optional Danish `message`, or 404 (`not_found`) where the object must not be seen to
    exist - another cluster's object, say."""
    if not user.has_perm(perm, obj):
        if not_found:
            raise Http404
        raise PermissionDenied(message) if message else PermissionDenied
