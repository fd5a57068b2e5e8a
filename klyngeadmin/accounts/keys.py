"""API key services: create (the plain key is returned once, only its SHA-256 is stored),
revoke, and look up by the plain key."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from klyngeadmin.accounts.models import ApiKey
from klyngeadmin.kernel.roles import AUTHORITY_ROLES

KEY_PREFIX = "ka_"


class ApiKeyOwnerError(ValueError):
    """A key must belong to exactly one cluster or one authority user."""


def hash_key(plain: str) -> str:
    return hashlib.sha256(plain.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedKey:
    api_key: ApiKey
    plain: str


@transaction.atomic
def api_key_create(
    *,
    name: str,
    cluster=None,
    user=None,
    created_by=None,
    expires_at: datetime | None = None,
) -> IssuedKey:
    """Issue a key for a cluster or for an authority user (caseworker, head of office, admin).

    The key is `ka_<8 visible characters>_<43 secret characters>` (256 random bits)."""
    if (cluster is None) == (user is None):
        raise ApiKeyOwnerError("A key belongs to exactly one cluster or one user.")
    if user is not None and user.role not in AUTHORITY_ROLES:
        raise ApiKeyOwnerError("Only authority users (caseworkers) have personal API keys.")
    visible = secrets.token_hex(4)
    plain = f"{KEY_PREFIX}{visible}_{secrets.token_urlsafe(32)}"
    key = ApiKey.objects.create(
        name=name,
        prefix=f"{KEY_PREFIX}{visible}",
        key_hash=hash_key(plain),
        cluster=cluster,
        user=user,
        created_by=created_by,
        expires_at=expires_at,
    )
    return IssuedKey(api_key=key, plain=plain)


@transaction.atomic
def api_key_revoke(*, api_key: ApiKey, actor=None) -> ApiKey:
    """Revoke a key at once; a revoked key answers 401 from then on. Revoking twice is a no-op."""
    locked = ApiKey.objects.select_for_update().get(pk=api_key.pk)
    if locked.revoked_at is None:
        locked.revoked_at = timezone.now()
        locked.revoked_by = actor
        locked.save(update_fields=["revoked_at", "revoked_by"])
    api_key.revoked_at, api_key.revoked_by = locked.revoked_at, locked.revoked_by
    return locked


def api_key_lookup(plain: str) -> ApiKey | None:
    """The key row for a plain key, with its owner, or None."""
    return (
        ApiKey.objects.select_related("cluster", "user", "user__cluster", "created_by")
        .filter(key_hash=hash_key(plain))
        .first()
    )
