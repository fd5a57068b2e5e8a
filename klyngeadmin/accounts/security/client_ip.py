"""The client's IP address behind AXES_IPWARE_PROXY_COUNT trusted reverse proxies.

django-axes reads the client IP with django-ipware when it is installed and otherwise takes
REMOTE_ADDR, which behind the reverse proxy is the proxy's own address for everyone (five
wrong passwords then locked a user out for all). This callable (AXES_CLIENT_IP_CALLABLE) is
used by django-axes and by klyngeadmin's own sign-in and registration throttles.

With N trusted proxies, each appends the address it saw to X-Forwarded-For, so the client is
the N-th entry from the right; entries further left were written by the client and are not
trusted. With N = 0 (no proxy) X-Forwarded-For is ignored."""

from __future__ import annotations

import ipaddress

from django.conf import settings


def client_ip(request) -> str | None:
    remote = request.META.get("REMOTE_ADDR") or None
    count = getattr(settings, "AXES_IPWARE_PROXY_COUNT", 0) or 0
    if count <= 0:
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    if len(hops) < count:
        return remote
    candidate = hops[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
