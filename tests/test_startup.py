"""What a process pays at start: loading the settings, the apps and the URLs imports no module
only some requests need (issue 19: each test process, Celery worker and manage.py command loads
them). pysaml2's configuration (saml2.config, over a second) waits for the first SAML request
(klyngeadmin/saml/urls.py), openpyxl (~0.15 s) for the first workbook
(klyngeadmin/kernel/spreadsheets.py)."""

import subprocess

from tests.subprocesses import PYTHON, ROOT, subprocess_env

HEAVY = ("saml2.config", "saml2.client", "djangosaml2.views", "openpyxl")
LOADS_THE_URLS = f"""
import sys
import django
django.setup()
from django.urls import reverse
reverse("saml2_acs")  # loads the whole URLconf
print(",".join(m for m in {HEAVY!r} if m in sys.modules) or "none")
"""


def test_loading_the_apps_and_urls_imports_no_module_only_some_requests_need():
    result = subprocess.run([PYTHON, "-c", LOADS_THE_URLS], cwd=ROOT, env=subprocess_env(),
                            capture_output=True, text=True, timeout=120, check=True)
    assert result.stdout.strip().splitlines()[-1] == "none"
