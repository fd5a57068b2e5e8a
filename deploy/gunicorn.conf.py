"""gunicorn settings read by the image's CMD (Dockerfile: `--config deploy/gunicorn.conf.py`).
The command line keeps the bind, workers and request limits; this file holds the hooks."""


def post_worker_init(worker):
    # imported here: when gunicorn reads this file the project is not on sys.path yet
    from klyngeadmin.kernel.runtime import freeze_after_boot

    # The app is loaded in the worker by now: its long-lived objects (Django, the apps, the URL
    # resolver, compiled templates) leave the collector's generations, so the collector's full
    # passes during requests walk only what the requests made (issue 19: it set the API's p95).
    freeze_after_boot()
