"""Finding 5 with real processes: two processes (as two gunicorn workers) answer the same API
key; with REDIS_URL set their rate limit is counted once, in a private redis-server."""

import json
import subprocess
import textwrap

import pytest

from klyngeadmin.accounts.keys import api_key_create
from tests.subprocesses import PYTHON, ROOT, subprocess_env

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

LIMIT = 10
SCRIPT = textwrap.dedent("""
    import json, sys
    import django
    django.setup()
    from django.test import Client
    key, n = sys.argv[1], int(sys.argv[2])
    client = Client()
    codes = [client.get("/api/v1/activities/", headers={"Authorization": f"Bearer {key}"}).status_code
             for _ in range(n)]
    print(json.dumps(codes))
""")


def test_two_processes_share_one_api_rate_limit_in_redis(redis_server, cluster, director):
    key = api_key_create(name="CRM", cluster=cluster, created_by=director).plain
    env = subprocess_env(REDIS_URL=redis_server.url, API_THROTTLE_RATE=f"{LIMIT}/h",
                         DJANGO_ALLOW_ASYNC_UNSAFE="1")
    procs = [subprocess.Popen([PYTHON, "-c", SCRIPT, key, str(LIMIT)], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    codes = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err[-3000:]
        codes += json.loads(out.strip().splitlines()[-1])
    # 2 x 10 requests against 10 an hour: 10 answered, 10 refused - not 10 per process.
    assert codes.count(200) == LIMIT, codes
    assert codes.count(429) == LIMIT, codes
