"""Security services: deactivating a user ends everything they could still use."""

from __future__ import annotations

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from klyngeadmin.accounts.models import ApiKey, User
from klyngeadmin.accounts.security.logging import security_event


def user_session_keys(*, user: User) -> list[str]:
    """The keys of the user's unexpired sessions (decoded from the session table)."""
    keys = []
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get(SESSION_KEY)) == str(user.pk):
            keys.append(session.session_key)
    return keys


@transaction.atomic
def user_deactivate(*, user: User, actor: User | None) -> dict:
    """Deactivate a user at once: is_active off, every session of theirs deleted, every API key
    they own revoked (keys they issued for their cluster stay: they belong to the cluster's
    integration and from now on act as its integration user, see klyngeadmin/api/actors.py).
    Safe to run twice. Returns what was ended."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    if locked.is_active:
        locked.is_active = False
        locked.save(update_fields=["is_active"])
    session_keys = user_session_keys(user=locked)
    Session.objects.filter(session_key__in=session_keys).delete()
    now = timezone.now()
    revoked = ApiKey.objects.filter(user=locked, revoked_at__isnull=True).update(
        revoked_at=now, revoked_by=actor
    )
    user.is_active = False
    security_event(
        "user_deactivated",
        user_id=locked.pk,
        actor_id=getattr(actor, "pk", None),
        sessions_ended=len(session_keys),
        api_keys_revoked=revoked,
    )
    return {"sessions_ended": len(session_keys), "api_keys_revoked": revoked}
