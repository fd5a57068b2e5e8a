"""A body-size cap before the body is read (issue 18, finding 10).

Django's DATA_UPLOAD_MAX_MEMORY_SIZE does not count file uploads, which are streamed to a
temporary file first: a 150 MiB upload was read whole before the form said "too large". This
middleware, first in MIDDLEWARE, refuses a request whose Content-Length is over the cap with
413 before anything reads it (a body without Content-Length is never read by Django at all).
The reverse proxy caps bodies too (deploy/Caddyfile, docs/operations.md)."""

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _


def body_cap_for(path: str) -> int:
    if path.startswith("/api/"):
        return settings.API_MAX_REQUEST_BODY_BYTES
    return settings.MAX_REQUEST_BODY_BYTES


class RequestBodyCapMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        cap = body_cap_for(request.path)
        if length > cap:
            mb = cap // (1024 * 1024)
            detail = _("Forespørgslen er for stor (højst %(mb)s MB).") % {"mb": mb}
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"type": "https://klyngeadmin.example/problems/payload_too_large",
                     "title": _("For stor forespørgsel"), "status": 413, "detail": detail,
                     "errors": []},
                    status=413, content_type="application/problem+json",
                    json_dumps_params={"ensure_ascii": False})
            response = HttpResponse(detail, status=413, content_type="text/plain; charset=utf-8")
            response["Connection"] = "close"
            return response
        return self.get_response(request)
