"""The SAML endpoints' views are imported at their first request (klyngeadmin/saml/urls.py;
tests/test_startup.py checks loading the URLs does not import them): each lazy view must be the
real view, as CSRF-exempt as it (the CSRF middleware reads that before the view is imported),
and a gunicorn web worker imports them at boot."""

import subprocess

from django.test import Client
from django.urls import resolve, reverse

from klyngeadmin.saml import urls
from tests.subprocesses import PYTHON, ROOT, subprocess_env


def test_each_lazy_view_is_the_real_view_and_as_csrf_exempt():
    for pattern in urls.urlpatterns:
        lazy = pattern.callback
        real = lazy.resolve()
        assert real is lazy.resolve()  # built once
        assert lazy.csrf_exempt == getattr(real, "csrf_exempt", False), pattern.name
    assert resolve(reverse("saml2_acs")).func.csrf_exempt is True


def test_the_acs_takes_a_post_without_a_csrf_token(db, settings):
    """The identity provider's POST carries no CSRF token: it reaches the view (which answers
    the missing SAMLResponse itself), never the CSRF failure page."""
    settings.SAML_DEV_IDP = True
    response = Client(enforce_csrf_checks=True).post(reverse("saml2_acs"), {})
    assert response.status_code != 403, response.content[:300]


GUNICORN_WORKER_BOOT = """
import gc, runpy, sys
import django
django.setup()
hooks = runpy.run_path("deploy/gunicorn.conf.py")
hooks["post_worker_init"](None)
print("saml2.config" in sys.modules, gc.get_freeze_count() > 0)
"""


def test_a_gunicorn_web_worker_imports_the_saml_views_at_boot_before_the_freeze():
    result = subprocess.run([PYTHON, "-c", GUNICORN_WORKER_BOOT], cwd=ROOT,
                            env=subprocess_env(), capture_output=True, text=True, timeout=120,
                            check=True)
    assert result.stdout.strip().splitlines()[-1] == "True True"
