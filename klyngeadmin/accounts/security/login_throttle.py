"""Sign-in throttling beyond django-axes (issue 18, finding 6).

django-axes locks one username from one IP after AXES_FAILURE_LIMIT failures. That alone let
32 wrong passwords spread over 8 usernames through from one address. Here, in the shared cache
(klyngeadmin.kernel.ratelimit, Redis in production), failed sign-ins are also counted per IP across
usernames (LOGIN_FAILURE_RATE_PER_IP) and per username across IPs
(LOGIN_FAILURE_RATE_PER_USERNAME); once over either, sign-in is refused before any password is
checked, with a Danish message, until the window has slid on. The IP is the one django-axes
sees (AXES_IPWARE_PROXY_COUNT trusted proxies in front)."""

from __future__ import annotations

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver

from klyngeadmin.accounts.security.logging import security_event
from klyngeadmin.kernel import ratelimit

THROTTLED_ATTR = "_klyngeadmin_login_throttled"


def _idents(request, username: str | None) -> list[tuple[str, str, str]]:
    out = []
    ip = get_client_ip_address(request) if request is not None else None
    if ip:
        out.append(("login_ip", ip, settings.LOGIN_FAILURE_RATE_PER_IP))
    if username:
        out.append(("login_user", username.strip().lower()[:150],
                    settings.LOGIN_FAILURE_RATE_PER_USERNAME))
    return out


def login_throttled(request, username: str | None) -> bool:
    return any(ratelimit.peek(scope, ident, rate) for scope, ident, rate in
               _idents(request, username))


class LoginThrottleBackend:
    """Right after django-axes in AUTHENTICATION_BACKENDS: refuses a throttled IP or username before any
    password is checked (Django then reports the attempt as failed)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None or username is None:
            return None
        if login_throttled(request, username):
            setattr(request, THROTTLED_ATTR, True)
            security_event("login_throttled", ip=get_client_ip_address(request))
            raise PermissionDenied
        return None
    # No get_user: this backend never signs anyone in (and force_login must not pick it).


@receiver(user_login_failed, dispatch_uid="klyngeadmin_login_throttle_count")
def count_failure(sender, credentials, request=None, **kwargs):
    for scope, ident, rate in _idents(request, (credentials or {}).get("username")):
        ratelimit.hit(scope, ident, rate, count_refused=True)
