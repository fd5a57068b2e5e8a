"""Rate limits per API key (429 with Retry-After). Rates come from settings.API_THROTTLE_RATES,
read at request time so tests and deployments can change them."""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

DEFAULT_RATES = {"api": "1200/min", "api_bulk": "60/min"}


class ApiKeyThrottle(SimpleRateThrottle):
    scope = "api"

    def get_rate(self):
        rates = {**DEFAULT_RATES, **getattr(settings, "API_THROTTLE_RATES", {})}
        return rates.get(self.scope)

    def get_cache_key(self, request, view):
        if request.auth is None:
            return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
        return self.cache_format % {"scope": self.scope, "ident": f"key-{request.auth.pk}"}


class ApiKeyBulkThrottle(ApiKeyThrottle):
    scope = "api_bulk"
