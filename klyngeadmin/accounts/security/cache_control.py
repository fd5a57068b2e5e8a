"""`Cache-Control: no-store` on every answer to a signed-in person and on every API answer
(issue 18, finding 10): pages, exports, letters and JSON with personal or case data must not
stay in a shared or browser cache. Static files never reach this middleware (WhiteNoise
answers them first, with its own long-lived caching headers)."""

from django.utils.cache import add_never_cache_headers


class NoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if request.path.startswith("/api/") or (user is not None and user.is_authenticated):
            add_never_cache_headers(response)
            cc = response.get("Cache-Control", "")
            if "no-store" not in cc:  # pragma: no cover - add_never_cache_headers sets it
                response["Cache-Control"] = cc + ", no-store"
        return response
