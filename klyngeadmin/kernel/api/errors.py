"""handler500 (klyngeadmin/urls.py): the API answers problem+json, never Django's HTML page,
and a database that does not answer is a 503 with Retry-After (issue 18, finding 8)."""

from __future__ import annotations

import sys

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults

from klyngeadmin.kernel.api.problems import PROBLEM_CONTENT_TYPE, TYPE_BASE

DATABASE_DOWN = (OperationalError, InterfaceError)


def _problem(status: int, code: str, title: str, detail: str, headers=None) -> JsonResponse:
    response = JsonResponse(
        {"type": f"{TYPE_BASE}{code}", "title": title, "status": status, "detail": detail,
         "errors": []},
        status=status, content_type=PROBLEM_CONTENT_TYPE,
        json_dumps_params={"ensure_ascii": False},
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def server_error(request, *args, **kwargs):
    exc = sys.exc_info()[1]
    if request.path.startswith("/api/"):
        if isinstance(exc, DATABASE_DOWN) or (
            isinstance(exc, DatabaseError) and "connection" in str(exc).lower()
        ):
            return _problem(503, "service_unavailable", _("Tjenesten er midlertidigt utilgængelig"),
                            _("Databasen svarer ikke lige nu. Prøv igen om lidt."),
                            headers={"Retry-After": "30", "Cache-Control": "no-store"})
        return _problem(500, "server_error", _("Serverfejl"),
                        _("Der opstod en fejl på serveren. Prøv igen senere."),
                        headers={"Cache-Control": "no-store"})
    return defaults.server_error(request, *args, **kwargs)
