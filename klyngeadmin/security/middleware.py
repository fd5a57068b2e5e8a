"""Session lifetime, the second-factor requirement and the refused-access log."""

from __future__ import annotations

import time
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from ..constants import AUTHORITY_ROLES
from .logging import client_ip, security_event

LOGIN_AT_SESSION_KEY = "_login_at"
SEEN_AT_SESSION_KEY = "_seen_at"


class SessionLifetimeMiddleware:
    """Idle timeout and absolute lifetime of a signed-in session.

    Idle: the session's server-side expiry is SESSION_COOKIE_AGE (30 minutes) from its last
    save; activity re-saves it, but at most once every SESSION_RENEW_AFTER_SECONDS, so most
    requests cost no session write. Absolute: SESSION_ABSOLUTE_LIFETIME_SECONDS after login
    the session ends however active it is. The login time is written by the user_logged_in
    signal (klyngeadmin.security.signals)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            session = request.session
            login_at = session.get(LOGIN_AT_SESSION_KEY)
            if login_at is None:
                session[LOGIN_AT_SESSION_KEY] = now
            elif now - login_at > settings.SESSION_ABSOLUTE_LIFETIME_SECONDS:
                security_event("session_expired", user_id=user.pk, ip=client_ip(request))
                logout(request)
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": _("Din session er udløbet.")}, status=401)
                messages.info(request, _("Din session er udløbet. Log ind igen."))
                return redirect(f"{reverse('login')}?next={quote(request.path)}")
            if now - session.get(SEEN_AT_SESSION_KEY, 0) >= settings.SESSION_RENEW_AFTER_SECONDS:
                session[SEEN_AT_SESSION_KEY] = now  # modified: saved with a new expiry
        return self.get_response(request)


def needs_second_factor(user) -> bool:
    """Caseworkers, heads of office and administrators (and any superuser) must use TOTP."""
    return bool(user.is_authenticated and (user.role in AUTHORITY_ROLES or user.is_superuser))


class OTPRequiredMiddleware:
    """Until the session is verified by a TOTP token, an authority user reaches only the
    second-factor pages, logout and static files (settings.REQUIRE_2FA, True by default;
    tests/conftest.py turns it off for tests that are not about 2FA)."""

    EXEMPT_URL_NAMES = ("otp_setup", "otp_verify", "logout", "login", "healthz",
                        "accessibility_statement", "privacy_notice", "contact_help")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            getattr(settings, "REQUIRE_2FA", True)
            and user is not None
            and needs_second_factor(user)
            and not user.is_verified()
            and not self._exempt(request)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": _("Totrinsbekræftelse mangler.")}, status=403)
            from django_otp import user_has_device

            target = "otp_verify" if user_has_device(user) else "otp_setup"
            return redirect(f"{reverse(target)}?next={quote(request.get_full_path())}")
        return self.get_response(request)

    def _exempt(self, request) -> bool:
        path = request.path
        if path.startswith("/" + settings.STATIC_URL.lstrip("/")) or path.startswith("/i18n/"):
            return True
        return any(path == reverse(name) for name in self.EXEMPT_URL_NAMES)


class SecurityLogMiddleware:
    """Logs every refused request (401/403/404 answered by a view or a permission check)."""

    LOGGED = {401: "access_unauthenticated", 403: "access_denied", 404: "not_found"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        event = self.LOGGED.get(response.status_code)
        if event and not request.path.startswith("/" + settings.STATIC_URL.lstrip("/")):
            user = getattr(request, "user", None)
            security_event(
                event,
                status=response.status_code,
                method=request.method,
                path=request.path,
                user_id=user.pk if user is not None and user.is_authenticated else None,
                api_key_id=getattr(getattr(request, "auth", None), "pk", None),
                ip=client_ip(request),
            )
        return response
