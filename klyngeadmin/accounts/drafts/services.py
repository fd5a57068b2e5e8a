"""Nothing typed is lost: form drafts kept on the server (klyngeadmin.models.FormDraft).

The rule, in one place:

- A draft belongs to one person and one page (the form's path, e.g. /rapporter/12/ or
  /aktiviteter/ny/). It holds the form's fields exactly as posted (files excepted).
- The forms that autosave (static/js/autosave.js) post to `draft_autosave` while the person
  types; the newest text wins.
- A save that arrives after the session has expired is answered by the login page; before
  that, `DraftMiddleware` stashes the posted fields as that person's draft of the page (the
  person is known from a signed cookie, `LAST_USER_COOKIE`, set while signed in).
- Opening the page again restores the draft into the form (`form_data`), with a notice.
- A successful save of the form (a POST to the page answered by a redirect) deletes the draft,
  as does "Kassér kladden" (`draft_discard`).

A draft is not the object: a draft of a new activity is no activity and counts nowhere.
"""

from __future__ import annotations

import json
import logging
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.translation import gettext as _

from klyngeadmin.accounts.models import FormDraft

log = logging.getLogger("klyngeadmin.accounts.drafts.services")

LAST_USER_COOKIE = "klyngeadmin_last_user"
LAST_USER_SALT = "klyngeadmin.drafts.last-user"
MAX_DRAFT_BYTES = 256 * 1024
DRAFT_KEEP_DAYS = 30  # a draft nobody came back to is deleted by the daily housekeeping
NOT_KEPT = {"csrfmiddlewaretoken", "_draft_path"}


def draft_fields(data: QueryDict) -> dict[str, list[str]]:
    """The posted fields worth keeping: everything but the CSRF token and our own fields."""
    return {key: data.getlist(key) for key in data if key not in NOT_KEPT}


def _check_path(path: str) -> str:
    if not path or not path.startswith("/") or len(path) > 300 or "?" in path:
        raise ValidationError({"path": _("Ukendt side.")})
    try:
        resolve(path)
    except Resolver404 as exc:
        raise ValidationError({"path": _("Ukendt side.")}) from exc
    return path


def draft_save(*, actor, path: str, data: dict[str, list[str]],
               origin: str = FormDraft.Origin.AUTOSAVE) -> FormDraft:
    """Keep what `actor` typed on the page at `path` (replacing the previous draft)."""
    _check_path(path)
    if len(json.dumps(data)) > MAX_DRAFT_BYTES:
        raise ValidationError({"data": _("Kladden er for stor til at blive gemt automatisk.")})
    draft, _created = FormDraft.objects.update_or_create(
        user=actor, path=path,
        defaults={"data": data, "origin": origin, "updated_at": timezone.now()},
    )
    if origin == FormDraft.Origin.SESSION_EXPIRED:
        log.info("draft_stashed_after_session_expiry", extra={"user_id": actor.pk, "path": path})
    return draft


def draft_get(*, user, path: str) -> FormDraft | None:
    if not user.is_authenticated:
        return None
    return FormDraft.objects.filter(user=user, path=path).first()


def draft_discard(*, actor, path: str) -> int:
    """Delete `actor`'s draft of the page (the form was saved, or the person threw it away)."""
    deleted, _detail = FormDraft.objects.filter(user=actor, path=path).delete()
    return deleted


def drafts_forget(*, now=None) -> int:
    """Delete drafts untouched for DRAFT_KEEP_DAYS (typed text is personal data; the form's
    own page never showed it to anyone but its author)."""
    cutoff = (now or timezone.now()) - timedelta(days=DRAFT_KEEP_DAYS)
    deleted, _detail = FormDraft.objects.filter(updated_at__lt=cutoff).delete()
    return deleted


def form_data(request) -> QueryDict | None:
    """The data to bind the page's form with: the POST on a POST; on a GET, the person's draft
    of this page if there is one (then `request.restored_draft` is set, for the notice);
    else None (an unbound form)."""
    if request.method == "POST":
        return request.POST
    draft = draft_get(user=request.user, path=request.path)
    if draft is None:
        return None
    request.restored_draft = draft
    data = QueryDict(mutable=True)
    for key, values in draft.data.items():
        data.setlist(key, [str(v) for v in values])
    return data
