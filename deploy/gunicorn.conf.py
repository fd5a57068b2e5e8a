"""gunicorn settings read by the image's CMD (Dockerfile: `--config deploy/gunicorn.conf.py`).
The command line keeps the bind, workers and request limits; this file holds the hooks."""


def post_worker_init(worker):
    # imported here: when gunicorn reads this file the project is not on sys.path yet
    from django.template import engines
    from django.urls import get_resolver

    from klyngeadmin.kernel.runtime import freeze_after_boot

    # What the worker's first request would load otherwise, loaded at boot: the URLconf with
    # every view module, and the template engines with every app's template tags (djangosaml2's
    # import pysaml2's configuration, over a second). No request waits for it.
    get_resolver().url_patterns  # noqa: B018 - loads the URLconf
    engines.all()
    # The app is loaded in the worker by now: its long-lived objects (Django, the apps, the URL
    # resolver, compiled templates) leave the collector's generations, so the collector's full
    # passes during requests walk only what the requests made (issue 19: it set the API's p95).
    freeze_after_boot()
