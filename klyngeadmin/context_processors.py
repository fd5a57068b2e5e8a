"""Template context shared by every page."""

from django.conf import settings


def session(request):
    """The idle timeout, for the session-expiry warning (templates/_session_timeout.html)."""
    return {"session_idle_timeout_seconds": settings.SESSION_COOKIE_AGE}
