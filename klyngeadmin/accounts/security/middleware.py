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

from klyngeadmin.accounts.drafts import services as drafts
from klyngeadmin.accounts.security.logging import client_ip, security_event
from klyngeadmin.kernel.roles import AUTHORITY_ROLES

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


class DraftMiddleware:
    """The server side of "nothing typed is lost" (klyngeadmin/drafts.py):

    - while signed in, a signed cookie names the person (LAST_USER_COOKIE), so that a save
      arriving after the session expired can be kept for that person;
    - a form POST refused because nobody is signed in any more (answered by a redirect to the
      login page) is stashed as that person's draft of the page, and the login page says why
      the person was signed out and that the text is kept;
    - a form POST to a page answered by a redirect (the form was saved) deletes the draft of
      that page;
    - signing out deletes the cookie."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):

        user_before = getattr(request, "user", None)
        signed_in_before = bool(user_before is not None and user_before.is_authenticated)
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = bool(user is not None and user.is_authenticated)
        login_url = reverse("login")
        to_login = response.status_code in (301, 302, 303) and response.get(
            "Location", "").startswith(login_url)
        if request.method == "POST" and request.path not in (login_url, reverse("logout")):
            if signed_in and signed_in_before and 300 <= response.status_code < 400:
                drafts.draft_discard(actor=user, path=request.path)
            elif not signed_in and to_login:
                stashed = self._stash(request, idle=not signed_in_before)
                if stashed and stashed != request.path:  # e.g. an upload beside the report:
                    response["Location"] = f"{login_url}?next={quote(stashed)}"  # back to its page
        elif (not signed_in and not signed_in_before and to_login
              and request.COOKIES.get(drafts.LAST_USER_COOKIE)):
            messages.warning(request, self._idle_text())
            response.delete_cookie(drafts.LAST_USER_COOKIE)
        if request.path == reverse("logout") or (signed_in_before and not signed_in):
            response.delete_cookie(drafts.LAST_USER_COOKIE)
        elif signed_in and not request.COOKIES.get(drafts.LAST_USER_COOKIE):
            response.set_signed_cookie(
                drafts.LAST_USER_COOKIE, str(user.pk), salt=drafts.LAST_USER_SALT,
                max_age=settings.SESSION_ABSOLUTE_LIFETIME_SECONDS, httponly=True,
                samesite="Lax", secure=settings.SESSION_COOKIE_SECURE,
            )
        elif signed_in and str(user.pk) != self._last_user_id(request):
            response.delete_cookie(drafts.LAST_USER_COOKIE)  # set again on the next request
        return response

    @staticmethod
    def _last_user_id(request) -> str | None:

        return request.get_signed_cookie(drafts.LAST_USER_COOKIE, default=None,
                                         salt=drafts.LAST_USER_SALT)

    @staticmethod
    def _idle_text() -> str:
        return _("Du er blevet logget ud, fordi du ikke har været aktiv i %(minutes)s minutter. "
                 "Log ind igen.") % {"minutes": settings.SESSION_COOKIE_AGE // 60}

    def _stash(self, request, idle: bool) -> str | None:
        """Keep the posted fields as the owner's draft of their form's page (the form's
        `_draft_path`, else the path posted to); returns that page, or None."""
        from django.contrib.auth import get_user_model
        from django.core.exceptions import ValidationError


        user_id = self._last_user_id(request)
        owner = get_user_model().objects.filter(pk=user_id, is_active=True).first() if user_id else None
        if owner is None:
            return None
        path = request.POST.get("_draft_path") or request.path
        try:
            drafts.draft_save(actor=owner, path=path, data=drafts.draft_fields(request.POST),
                              origin=drafts.FormDraft.Origin.SESSION_EXPIRED)
        except ValidationError:  # an unknown page or too much text: the login page still answers
            security_event("draft_stash_refused", user_id=owner.pk, path=request.path)
            return None
        kept = _("Det, du skrev, er ikke gemt endnu, men det er ikke tabt: når du har logget ind "
                 "igen, står det i formularen, og du kan gemme det.")
        messages.warning(request, f"{self._idle_text()} {kept}" if idle else kept)
        return path
