"""drf-spectacular glue: the Bearer scheme, the problem+json component and the error answers
every operation can give (so the committed schema documents them and schemathesis checks them)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension

PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details with every field error listed.",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "index": {"type": "integer", "description": "The item's position in a bulk request."},
                    "field": {"type": "string", "nullable": True,
                              "description": "Dotted path with list indexes, e.g. companies[0].cvr."},
                    "detail": {"type": "string"},
                    "code": {"type": "string"},
                },
                "required": ["field", "detail"],
            },
        },
    },
    "required": ["type", "title", "status", "detail", "errors"],
}

DESCRIPTIONS = {
    "400": "Invalid input; every problem is listed in `errors`.",
    "401": "No valid API key (missing, unknown, revoked or expired).",
    "403": "The key's kind may not use this endpoint.",
    "404": "Not found (or another cluster's).",
    "409": "The resource's state does not allow this.",
    "412": "The If-Match ETag is stale.",
    "413": "The request is over the size caps.",
    "415": "The content type is not application/json.",
    "422": "The Idempotency-Key was used for another request body.",
    "428": "If-Match is required.",
    "429": "Throttled; see Retry-After.",
}

READ_ERRORS = ("400", "401", "403", "404", "429")
WRITE_ERRORS = ("400", "401", "403", "404", "413", "415", "429")


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "klyngeadmin.accounts.api.authentication.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "`Authorization: Bearer <key>`: a cluster's key or a caseworker's key.",
        }


def add_problem_responses(result, generator, request, public):
    """Postprocessing hook: document the problem+json answers of every operation."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = PROBLEM_SCHEMA
    ref = {"$ref": "#/components/schemas/Problem"}
    for path, methods in result.get("paths", {}).items():
        for method, operation in methods.items():
            if method not in ("get", "put", "post", "patch", "delete"):
                continue
            if path.endswith("/schema/"):
                continue
            codes = list(READ_ERRORS if method == "get" else WRITE_ERRORS)
            if method == "patch":
                codes += ["409", "412", "428"]
            if path.endswith("/submit/"):
                codes += ["409"]
            if path.endswith("/bulk/"):
                codes += ["422"]
            responses = operation.setdefault("responses", {})
            for code in codes:
                responses.setdefault(
                    code,
                    {"description": DESCRIPTIONS[code], "content": {"application/problem+json": {"schema": ref}}},
                )
    return result
