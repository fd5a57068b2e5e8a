"""The SAML endpoints. Their views (klyngeadmin.saml.views, on djangosaml2) are imported at
the first SAML request, not when the URLs load: djangosaml2's views import pysaml2's client and
configuration (its metadata store and XML schemas), over a second of import that every process
loading the URLs - each web and Celery worker, each manage.py command, each test process - paid
at start, for a sign-in most of them never serve. A web worker imports them at boot
(load_views, from gunicorn's post_worker_init)."""

from functools import cache

from django.urls import path


def lazy_view(name: str, *, csrf_exempt: bool = False):
    """The view `name` of klyngeadmin.saml.views (a class is made a view with as_view()),
    imported when it is first called. Django's CSRF middleware reads `csrf_exempt` off the
    resolved view before calling it, so it is declared here (tests/saml check it matches)."""

    @cache
    def resolve():
        from klyngeadmin.saml import views

        view = getattr(views, name)
        return view.as_view() if isinstance(view, type) else view

    def view(request, *args, **kwargs):
        return resolve()(request, *args, **kwargs)

    view.csrf_exempt = csrf_exempt
    view.resolve = resolve
    view.__name__ = view.__qualname__ = name
    return view


def load_views() -> None:
    """Import every SAML view now: a web worker does at boot (deploy/gunicorn.conf.py), so no
    sign-in waits for the import and the views are in what gc.freeze() sets aside."""
    for pattern in urlpatterns:
        pattern.callback.resolve()


urlpatterns = [
    path("login/", lazy_view("LoginView"), name="saml2_login"),
    path("acs/", lazy_view("AssertionConsumerServiceView", csrf_exempt=True), name="saml2_acs"),
    path("metadata/", lazy_view("MetadataView"), name="saml2_metadata"),
    path("dev-idp/sso/", lazy_view("dev_idp_sso"), name="saml2_dev_idp_sso"),
]
