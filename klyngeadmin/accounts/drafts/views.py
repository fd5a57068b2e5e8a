"""The endpoints behind "nothing typed is lost": autosave a form's draft, throw a draft away,
and keep a session alive. Thin: the rules live in klyngeadmin/drafts.py."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from klyngeadmin.accounts.drafts import services as drafts
from klyngeadmin.kernel.dates import format_date


def _unauthenticated():
    return JsonResponse({"detail": _("Du er ikke logget ind.")}, status=401)


@require_POST
def draft_autosave(request):
    """POST the form's fields and `_draft_path` (the form page's path): 200 with the time."""
    if not request.user.is_authenticated:
        return _unauthenticated()
    path = request.POST.get("_draft_path", "")
    try:
        draft = drafts.draft_save(actor=request.user, path=path,
                                  data=drafts.draft_fields(request.POST))
    except ValidationError as exc:
        return JsonResponse({"errors": exc.message_dict}, status=400)
    at = format_date(draft.updated_at, "kl")
    return JsonResponse({"saved_at": draft.updated_at.isoformat(),
                         "status": _("Kladde gemt kl. %(time)s") % {"time": at}})


@require_POST
def draft_discard(request):
    """Throw away the draft of `_draft_path` and go back to that page, as last saved."""
    if not request.user.is_authenticated:
        return redirect(settings.LOGIN_URL)
    path = request.POST.get("_draft_path", "")
    if not url_has_allowed_host_and_scheme(path, allowed_hosts={request.get_host()}) \
            or not path.startswith("/"):
        path = "/"
    drafts.draft_discard(actor=request.user, path=path)
    messages.info(request, _("Den ikke-gemte tekst er kasseret. Siden viser det, der sidst blev gemt."))
    return redirect(path)


@require_POST
def session_keepalive(request):
    """Renew the session's idle timeout ("Bliv logget ind"); 401 when it has already ended."""
    if not request.user.is_authenticated:
        return _unauthenticated()
    request.session.modified = True  # saved with a new expiry
    return JsonResponse({"expires_in": settings.SESSION_COOKIE_AGE})
