"""The CPython garbage collector, kept out of the hot paths (issue 19; docs/ingest.md).

- `freeze_after_boot()`: once a web or Celery worker has imported Django, the apps and the URL
  and template machinery, move everything alive into the permanent generation (`gc.freeze()`),
  so the collector no longer walks those long-lived objects on every full collection. Called from
  gunicorn's `post_worker_init` (deploy/gunicorn.conf.py) and Celery's `worker_process_init`
  (klyngeadmin/celery.py).
- `gc_paused()`: a block that allocates many short-lived objects without reference cycles (the
  bulk ingest parses and writes thousands of dicts and tuples) runs with the collector off and
  collects once at the end, instead of running a generation-0 pass every 700 allocations.
"""

import gc
import threading
from contextlib import contextmanager

_lock = threading.Lock()
_state = {"pausers": 0, "was_enabled": False}


def freeze_after_boot() -> None:
    gc.collect()
    gc.freeze()


@contextmanager
def gc_paused():
    """Nestable and thread-safe: the collector is switched back on (if it was on when the first
    pauser came in) when the last one leaves."""
    with _lock:
        if _state["pausers"] == 0:
            _state["was_enabled"] = gc.isenabled()
            gc.disable()
        _state["pausers"] += 1
    try:
        yield
    finally:
        with _lock:
            _state["pausers"] -= 1
            if _state["pausers"] == 0 and _state["was_enabled"]:
                gc.enable()
