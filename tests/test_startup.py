"""What a process pays at start (issue 19: each test process, Celery worker and manage.py
command pays it). As a real process does - the apps, the URLs, the template engines and the
system checks - it imports no openpyxl (~0.15 s), which waits for the first workbook
(klyngeadmin/kernel/spreadsheets.py). And a gunicorn web worker loads at boot what its first
request would otherwise wait for, before gc.freeze() (deploy/gunicorn.conf.py)."""

import subprocess

from tests.subprocesses import PYTHON, ROOT, subprocess_env

A_PROCESS_STARTS = """
import sys
import django
django.setup()
from django.core.checks import run_checks
from django.template import engines
from django.urls import reverse
reverse("home")  # loads the whole URLconf
engines.all()
run_checks()
print("openpyxl" in sys.modules)
"""

GUNICORN_WORKER_BOOT = """
import gc, runpy, sys
import django
django.setup()
runpy.run_path("deploy/gunicorn.conf.py")["post_worker_init"](None)
print("klyngeadmin.saml.views" in sys.modules,  # a view module only the URLconf imports
      "djangosaml2.templatetags.idplist" in sys.modules,  # a template tag library
      gc.get_freeze_count() > 0)
"""


def _last_line(code: str) -> str:
    result = subprocess.run([PYTHON, "-c", code], cwd=ROOT, env=subprocess_env(),
                            capture_output=True, text=True, timeout=120, check=True)
    return result.stdout.strip().splitlines()[-1]


def test_a_process_start_imports_no_openpyxl():
    assert _last_line(A_PROCESS_STARTS) == "False"


def test_a_gunicorn_web_worker_loads_the_urls_and_templates_at_boot_before_the_freeze():
    assert _last_line(GUNICORN_WORKER_BOOT) == "True True True"
