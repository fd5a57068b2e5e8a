"""Pages: a service's refusal that no view handled answers a page with the refusal's message
and its status (400 invalid, 403 four eyes, 409 stale or not allowed), never a 500.

Views still handle the refusals they expect (to show them next to a form field); this is the
one place for the rest. The API maps the same errors in klyngeadmin.api.problems."""

from django.core.exceptions import ValidationError
from django.shortcuts import render


class DomainErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, ValidationError) or request.path.startswith("/api/"):
            return None
        status = getattr(exception, "status", 400)
        return render(request, "refused.html", {"messages_": exception.messages}, status=status)
