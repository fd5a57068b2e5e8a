"""`Idempotency-Key`: a retried request returns the first answer without doing the work again;
the same key with a different body answers 422.

The record is written in the same transaction as the work, under a transaction-level advisory
lock on (api key, idempotency key), so two concurrent retries cannot both do the work."""

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, transaction

from klyngeadmin.accounts.models import ApiKey, IdempotencyRecord
from klyngeadmin.kernel.api.problems import IdempotencyKeyReused

MAX_KEY_LENGTH = 255


def request_fingerprint(method: str, path: str, data) -> str:
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(f"{method} {path}\n{canonical}".encode()).hexdigest()


@dataclass(frozen=True)
class IdempotentResult:
    status_code: int
    body: dict
    replayed: bool


def run_idempotent(
    *, api_key: ApiKey, key: str, fingerprint: str, work: Callable[[], tuple[int, dict]]
) -> IdempotentResult:
    """Run `work` (returning status and body) once per (api key, idempotency key).

    `work` raising (e.g. a validation error) stores nothing: the request changed nothing, and the
    client may retry it, corrected, under the same key."""
    with transaction.atomic():
        with connection.cursor() as cur:
            cur.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
                [f"idempotency:{api_key.pk}:{key}"],
            )
        existing = IdempotencyRecord.objects.filter(api_key=api_key, key=key).first()
        if existing is not None:
            if existing.request_hash != fingerprint:
                raise IdempotencyKeyReused()
            return IdempotentResult(existing.status_code, existing.response_body, True)
        status_code, body = work()
        IdempotencyRecord.objects.create(
            api_key=api_key, key=key, request_hash=fingerprint,
            status_code=status_code, response_body=body,
        )
        return IdempotentResult(status_code, body, False)
