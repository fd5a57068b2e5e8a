"""Errors as `application/problem+json` (RFC 9457), with every field problem listed.

Body: {"type", "title", "status", "detail", "errors": [{"index"?, "field", "detail", "code"?}]}.
`index` is the item's position in a bulk request; `field` is a dotted path with list indexes
(`companies[0].cvr`)."""

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from klyngeadmin.kernel.errors import TransitionNotAllowed

PROBLEM_CONTENT_TYPE = "application/problem+json"
TYPE_BASE = "https://klyngeadmin.example/problems/"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("Forespørgslen er for stor.")
    default_code = "payload_too_large"


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = _("Ressourcen er ændret siden den blev hentet (ETag passer ikke).")
    default_code = "precondition_failed"


class PreconditionRequired(exceptions.APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = _("Ændringer kræver en If-Match-header med ressourcens ETag.")
    default_code = "precondition_required"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("Ressourcens tilstand tillader ikke handlingen.")
    default_code = "conflict"


class IdempotencyKeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = _("Idempotency-Key er allerede brugt til en anden forespørgsel.")
    default_code = "idempotency_key_reused"


class FieldErrors(exceptions.APIException):
    """A 400 carrying an already-flat list of field errors (bulk validation)."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = _("Forespørgslen indeholder fejl.")
    default_code = "invalid"

    def __init__(self, errors: list[dict], detail=None):
        super().__init__(detail)
        self.errors = errors


TITLES = {
    400: _("Ugyldig forespørgsel"),
    401: _("Ikke godkendt"),
    403: _("Adgang nægtet"),
    404: _("Ikke fundet"),
    405: _("Metoden er ikke tilladt"),
    406: _("Formatet kan ikke leveres"),
    409: _("Konflikt"),
    412: _("Forudsætning ikke opfyldt"),
    413: _("Forespørgslen er for stor"),
    415: _("Ikke-understøttet indholdstype"),
    422: _("Kan ikke behandles"),
    428: _("Forudsætning påkrævet"),
    429: _("For mange forespørgsler"),
}


def flatten(detail, path: str = "") -> list[dict]:
    """DRF's nested ValidationError detail as a flat list of {field, detail, code}."""
    out: list[dict] = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = "" if key == "non_field_errors" else str(key)
            sub = f"{path}.{name}" if path and name else (path or name)
            out.extend(flatten(value, sub))
    elif isinstance(detail, list):
        if all(isinstance(v, str) for v in detail):
            for v in detail:
                out.append(_error(path, v))
        else:
            for i, value in enumerate(detail):
                if value:
                    out.extend(flatten(value, f"{path}[{i}]"))
    else:
        out.append(_error(path, detail))
    return out


def _error(field: str, message) -> dict:
    item = {"field": field or None, "detail": str(message)}
    code = getattr(message, "code", None)
    if code:
        item["code"] = code
    return item


def problem_response(status_code: int, detail, *, code: str = "error", errors=None, headers=None):
    body = {
        "type": f"{TYPE_BASE}{code}",
        "title": str(TITLES.get(status_code, _("Fejl"))),
        "status": status_code,
        "detail": str(detail),
    }
    body["errors"] = errors or []
    return Response(body, status=status_code, headers=headers, content_type=PROBLEM_CONTENT_TYPE)


def django_errors(exc: DjangoValidationError) -> list[dict]:
    """Django's ValidationError (a service's refusal) as the flat {field, detail, code} list.
    A workflow refusal names the state field it concerns (`status`)."""
    default_field = "status" if isinstance(exc, TransitionNotAllowed) else None
    out: list[dict] = []
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            name = default_field if field == NON_FIELD_ERRORS else field
            for error in errors:
                out.extend(_django_items(error, name))
    else:
        for error in exc.error_list:
            out.extend(_django_items(error, default_field))
    return out


def _django_items(error: DjangoValidationError, field: str | None) -> list[dict]:
    items = []
    for message in error:
        item = {"field": field, "detail": str(message)}
        if error.code:
            item["code"] = error.code
        items.append(item)
    return items


def django_problem(exc: DjangoValidationError, headers=None):
    """A service's refusal as problem+json: 400 for invalid input, the error's own status
    (409 for a workflow refusal or a stale version, 403 for four eyes) for the rest."""
    status_code = getattr(exc, "status", status.HTTP_400_BAD_REQUEST)
    errors = django_errors(exc)
    if hasattr(exc, "error_dict"):
        code, detail = "invalid", _("Forespørgslen indeholder fejl.")
    else:
        code = getattr(exc, "code", None) or "invalid"
        detail = " ".join(e["detail"] for e in errors) or _("Forespørgslen indeholder fejl.")
    set_rollback()
    return problem_response(status_code, detail, code=code, errors=errors, headers=headers)


def problem_exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        return django_problem(exc)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None

    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))

    errors: list[dict] = []
    detail = exc.detail
    code = exc.default_code
    if isinstance(exc, FieldErrors):
        errors = exc.errors
    elif isinstance(exc, exceptions.ValidationError):
        errors = flatten(exc.detail)
        detail = _("Forespørgslen indeholder fejl.")
    elif isinstance(detail, dict | list):
        errors = flatten(detail)
        detail = exc.default_detail
    else:
        code = getattr(detail, "code", None) or code
    set_rollback()
    return problem_response(exc.status_code, detail, code=code, errors=errors, headers=headers)


@csrf_exempt
def api_not_found(request, *args, **kwargs):
    """Unknown paths under /api/v1/ answer problem+json too (not Django's HTML 404)."""
    from django.http import JsonResponse

    return JsonResponse(
        {
            "type": f"{TYPE_BASE}not_found",
            "title": str(TITLES[404]),
            "status": 404,
            "detail": str(_("Ressourcen findes ikke.")),
            "errors": [],
        },
        status=404,
        content_type=PROBLEM_CONTENT_TYPE,
        json_dumps_params={"ensure_ascii": False},
    )
