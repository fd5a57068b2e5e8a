"""The page benches' URLconf: every route of the project plus a bare page (bench only).

The bare page is what a page is held against: served through the same middleware stack (session,
authentication, locale, CSRF, security headers, the error middleware) to the same signed-in
user, it reads the user as any page does and returns a few bytes of HTML without a template or
a query of its own. The ratio page ÷ bare is then what the page itself costs; `make bench`'s
`/bench/bare/` (klyngeadmin.views.bare) is served to an anonymous client and flatters nobody.
Used by bench/bench_pages.py (ROOT_URLCONF is switched to this module there)."""

from django.http import HttpResponse
from django.urls import path

from klyngeadmin.urls import urlpatterns as project_urlpatterns

BARE_HTML = '<!doctype html><html lang="da"><title>bench</title><p>{}</p></html>'


def bare_page(request):
    # the same session and user look-up every page does (request.user is lazy)
    return HttpResponse(BARE_HTML.format("ja" if request.user.is_authenticated else "nej"))


urlpatterns = [path("bench/pages/bare/", bare_page), *project_urlpatterns]
