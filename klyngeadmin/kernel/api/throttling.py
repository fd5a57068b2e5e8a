"""Rate limits per API key (429 with Retry-After). Rates come from settings.API_THROTTLE_RATES,
read at request time so tests and deployments can change them. Counted in the shared cache
(klyngeadmin.kernel.ratelimit: Redis when REDIS_URL is set), so every process shares one limit."""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from klyngeadmin.kernel import ratelimit

DEFAULT_RATES = {"api": "1200/min", "api_bulk": "60/min"}


class ApiKeyThrottle(SimpleRateThrottle):
    scope = "api"

    def __init__(self):
        self.rate = self.get_rate()
        self._retry_after = None

    def get_rate(self):
        rates = {**DEFAULT_RATES, **getattr(settings, "API_THROTTLE_RATES", {})}
        return rates.get(self.scope)

    def get_cache_key(self, request, view):
        if request.auth is None:
            return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
        return self.cache_format % {"scope": self.scope, "ident": f"key-{request.auth.pk}"}

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        verdict = ratelimit.hit(self.scope, key, self.rate)
        self._retry_after = verdict.retry_after
        return verdict.allowed

    def wait(self):
        return self._retry_after


class ApiKeyBulkThrottle(ApiKeyThrottle):
    scope = "api_bulk"
