"""The base every API view builds on: Bearer keys, JSON only (415 otherwise), problem+json
errors, per-key throttling and a body-size cap (413)."""

from django.utils.translation import gettext as _
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer

from klyngeadmin.accounts.api.authentication import ApiKeyAuthentication
from klyngeadmin.kernel.api.parsers import SafeJSONParser
from klyngeadmin.kernel.api.problems import PayloadTooLarge, problem_exception_handler
from klyngeadmin.kernel.api.throttling import ApiKeyThrottle

DEFAULT_MAX_BODY_BYTES = 1 * 1024 * 1024


class ApiViewMixin:
    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [IsAuthenticated]
    parser_classes = [SafeJSONParser]
    renderer_classes = [JSONRenderer]
    throttle_classes = [ApiKeyThrottle]
    max_body_bytes = DEFAULT_MAX_BODY_BYTES

    def get_exception_handler(self):
        return problem_exception_handler

    def initial(self, request, *args, **kwargs):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        super().initial(request, *args, **kwargs)
        if length > self.max_body_bytes:
            raise PayloadTooLarge(
                _("Forespørgslen er på %(size)d bytes; grænsen er %(limit)d bytes.")
                % {"size": length, "limit": self.max_body_bytes}
            )
