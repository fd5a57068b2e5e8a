"""GET /healthz: the database and the Celery broker, each with a short timeout.

200 {"database": "ok", "broker": "ok"} when both answer, else 503 with "error" for the failing
one. No details of the failure are returned (they go to the log)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import connections, transaction
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

log = logging.getLogger(__name__)


def check_database() -> bool:
    timeout_ms = int(settings.HEALTHZ_TIMEOUT_SECONDS * 1000)
    try:
        with transaction.atomic(using="default"), connections["default"].cursor() as cursor:
            cursor.execute("SELECT set_config('statement_timeout', %s, true)", [str(timeout_ms)])
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # noqa: BLE001 - any failure means "not healthy"
        log.warning("healthz: database check failed", exc_info=True)
        return False


def check_broker() -> bool:
    from kombu import Connection

    timeout = settings.HEALTHZ_TIMEOUT_SECONDS
    options = dict(getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}) or {})
    if settings.CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
        options.update(socket_timeout=timeout, socket_connect_timeout=timeout)
    try:
        with Connection(
            settings.CELERY_BROKER_URL, connect_timeout=timeout, transport_options=options
        ) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=timeout)
            if settings.CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
                conn.default_channel.client.ping()
        return True
    except Exception:  # noqa: BLE001
        log.warning("healthz: broker check failed", exc_info=True)
        return False


@never_cache
@require_GET
def healthz(request):
    result = {
        "database": "ok" if check_database() else "error",
        "broker": "ok" if check_broker() else "error",
    }
    healthy = all(v == "ok" for v in result.values())
    return JsonResponse(result, status=200 if healthy else 503)
