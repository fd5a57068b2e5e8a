"""gunicorn settings read by the image's CMD (Dockerfile: `--config deploy/gunicorn.conf.py`).
The command line keeps the bind, workers and request limits; this file holds the hooks."""


def post_worker_init(worker):
    # imported here: when gunicorn reads this file the project is not on sys.path yet
    from django.urls import get_resolver

    from klyngeadmin.kernel.runtime import freeze_after_boot
    from klyngeadmin.saml.urls import load_views

    # The URLs and the views they name, also the SAML ones that load only when asked for
    # (klyngeadmin/saml/urls.py), at boot: no request of this worker waits for an import.
    get_resolver().url_patterns  # noqa: B018 - loads the URLconf
    load_views()
    # The app is loaded in the worker by now: its long-lived objects (Django, the apps, the URL
    # resolver, compiled templates) leave the collector's generations, so the collector's full
    # passes during requests walk only what the requests made (issue 19: it set the API's p95).
    freeze_after_boot()
