"""The browser UI's language: Danish unless the person has chosen English.

Django's LocaleMiddleware follows the browser's Accept-Language, so a Danish caseworker with an
English-language browser would get English pages beside the authority's Danish records. Here
the UI language is, in this order: the language switch's cookie (this browser's latest choice),
the signed-in person's stored choice (`User.language`, set by the switch), else Danish. The
browser's Accept-Language is never consulted for pages.

The REST API (`/api/`) keeps following Accept-Language for its error texts, as its schema
documents (settings.SPECTACULAR_SETTINGS).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

API_PREFIX = "/api/"


def _supported(code: str | None) -> str | None:
    if not code:
        return None
    try:
        return translation.get_supported_language_variant(code)
    except LookupError:
        return None


def chosen_language(request) -> str | None:
    """The language the person chose (cookie, then their stored choice), or None."""
    cookie = _supported(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))
    if cookie:
        return cookie
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return _supported(user.language)
    return None


class UILanguageMiddleware(LocaleMiddleware):
    """LocaleMiddleware for the browser UI: Danish by default, English only when chosen.
    Must come after AuthenticationMiddleware (it reads the person's stored choice)."""

    def process_request(self, request):
        if request.path_info.startswith(API_PREFIX):
            return super().process_request(request)  # the API follows Accept-Language
        language = chosen_language(request) or settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        return None


@receiver(user_logged_in, dispatch_uid="remember_chosen_language")
def remember_chosen_language(sender, request, user, **kwargs):
    """A language chosen on the sign-in page becomes the person's stored choice, so it follows
    them to other browsers and into their mails."""
    if request is None:
        return
    cookie = _supported(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))
    if cookie and cookie in dict(settings.LANGUAGES) and user.language != cookie:
        user.language = cookie
        user.save(update_fields=["language"])
