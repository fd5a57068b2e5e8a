import io
import logging
from pathlib import Path

import pytest
from django.core.management import call_command
from hypothesis import settings as hypothesis_settings

from evaluations.midway.schedule import grant_create
from klyngeadmin.kernel.roles import Role
from tests.builders import running_grant
from tests.dbreset import empty_database
from tests.dbtemplate import ensure_template
from tests.factories import ClusterFactory, UserFactory
from tests.seeds import SEEDS

# Hypothesis's per-example deadline (200 ms) is a timing assertion: on a loaded two-core machine
# it fails examples that are merely slow. Speed is measured in bench/, not in tests.
hypothesis_settings.register_profile("klyngeadmin", deadline=None)
hypothesis_settings.load_profile("klyngeadmin")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test database, and what the data migrations loaded into it put back after
    each flush (tests/seeds.py). Only when a test asks for the database: a run without one
    never reads (let alone writes) the database DATABASE_URL names.
    A transactional or browser test is followed by tests/dbreset.py's empty_database instead of
    Django's flush: the same database afterwards, in a fraction of the time."""
    from django.test import TransactionTestCase

    with django_db_blocker.unblock():
        SEEDS.snapshot()
    SEEDS.connect()
    flush_teardown = TransactionTestCase._fixture_teardown

    def _fixture_teardown(self):
        assert self.available_apps is None and not self.serialized_rollback, \
            "tests/dbreset.py empties the whole database; flush for a subset is not built"
        empty_database(SEEDS)

    TransactionTestCase._fixture_teardown = _fixture_teardown
    yield
    TransactionTestCase._fixture_teardown = flush_teardown
    SEEDS.disconnect()


@pytest.fixture
def cluster(db):
    return ClusterFactory()


@pytest.fixture
def other_cluster(db):
    return ClusterFactory()


@pytest.fixture
def director(cluster):
    return UserFactory(role=Role.DIRECTOR, cluster=cluster)


@pytest.fixture
def other_director(other_cluster):
    return UserFactory(role=Role.DIRECTOR, cluster=other_cluster)


@pytest.fixture
def staff_member(cluster):
    return UserFactory(role=Role.CLUSTER_STAFF, cluster=cluster)


@pytest.fixture
def caseworker(db):
    return UserFactory(role=Role.CASEWORKER)


@pytest.fixture
def caseworker2(db):
    return UserFactory(role=Role.CASEWORKER)


@pytest.fixture
def head_of_office(db):
    return UserFactory(role=Role.HEAD_OF_OFFICE)


@pytest.fixture
def administrator(db):
    return UserFactory(administrator=True)


@pytest.fixture
def grant(cluster, director):
    """A running 10-year grant whose award letter the director has accepted."""
    return running_grant(cluster, director)


@pytest.fixture
def pending_grant(cluster):
    """A grant whose award letter is not accepted (none issued yet)."""
    return grant_create(
        cluster=cluster, reference=f"KP-PENDING-{cluster.pk}", start_year=2025, horizon_years=10,
        annual_amount_dkk=10_000_000,
    )


@pytest.fixture
def other_grant(other_cluster, other_director):
    return running_grant(other_cluster, other_director)


@pytest.fixture(autouse=True)
def _letters_stay_in_the_test(settings, tmp_path_factory):
    """The offline Digital Post sender and records adapter write under a temporary folder,
    never into the checkout's var/."""
    base = tmp_path_factory.mktemp("outbox")
    settings.DIGITAL_POST_OFFLINE_DIR = str(base / "digitalpost")
    settings.RECORDS_OFFLINE_DIR = str(base / "records")


_demo = {"built": False}


def _uses_demo(item) -> bool:
    return item is not None and "demo_data" in getattr(item, "fixturenames", ())


_NEXT_ITEM = pytest.StashKey()


@pytest.fixture(scope="module")
def demo_data(django_db_setup, django_db_blocker, request):
    """The full demo programme. Every other test expects an empty database, so the tests that
    use it run together (see pytest_collection_modifyitems): it is built when the first of
    them starts and removed after the last - once per run.
    Removed here, as this fixture ends: after the test's own teardown (which rolls back its
    transaction: an emptying inside it would be rolled back too), before the session's (which
    after a worker's last test drops the test database and points the connection back at the
    database DATABASE_URL names, which must never be emptied)."""
    if not _demo["built"]:
        with django_db_blocker.unblock():
            call_command("seed_demo", "--allow-demo-passwords", stdout=io.StringIO())
        _demo["built"] = True
    yield
    if _demo["built"] and not _uses_demo(request.config.stash.get(_NEXT_ITEM, None)):
        with django_db_blocker.unblock():
            empty_database(SEEDS, large=True)
        _demo["built"] = False


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """The test that runs next, for demo_data's teardown (a module fixture also ends between two
    demo tests of different modules, when the data stays)."""
    item.config.stash[_NEXT_ITEM] = nextitem
    return (yield)


DEMO_GROUP = "demo"  # the xdist group that one worker runs in order (make test: --dist loadgroup)


@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(config, items):
    """Order and grouping for a parallel run (pytest-xdist, --dist loadgroup, see the Makefile):
    - the tests on the full demo data form one xdist group, run in order by one worker, so the
      data is built once; among them the browser one comes last, because a live server empties
      the database after its test (xdist hands out its largest group first);
    - then the worker tests (the Redis outage one waits a minute) and the browser tests, so the
      long ones start at once and the many short tests fill the workers at the end; each worker
      process has its own test database, browser, live server and private Redis servers, so any
      of them can run anywhere.
    A wrapper: the group marks go on before every other implementation (xdist's among them
    reads them into the node ids), the order is set after all of them (pytest-django's sorts
    the tests by kind of database access)."""
    for item in items:
        if _uses_demo(item):
            item.add_marker(pytest.mark.xdist_group(DEMO_GROUP))
    result = yield
    root = Path(__file__).resolve().parent

    def under(item, folder):
        return root / folder in Path(item.path).resolve().parents

    def rank(item):
        if _uses_demo(item):
            return 3 if under(item, "e2e") else 2
        if under(item, "worker"):
            return 0
        return 1 if under(item, "e2e") else 4

    items.sort(key=rank)
    return result


@pytest.hookimpl(trylast=True)  # after xdist has put the group into the node ids
def pytest_collection_finish(session):
    """The demo group must reach xdist's scheduler, which reads it from the node id's "@demo"
    suffix. pytest 9.2 made node ids structured and xdist 3.8's suffix silently vanished
    (pytest-dev/pytest-xdist#1386): the demo tests were spread over both workers and the demo
    data built on each. A run that would do that stops here instead."""
    if not getattr(session.config.option, "loadgroup", False):  # set on xdist workers only
        return
    lost = [item.nodeid for item in session.items
            if _uses_demo(item) and not item.nodeid.endswith(f"@{DEMO_GROUP}")]
    if lost:
        raise pytest.UsageError(
            f"--dist loadgroup does not group the demo-data tests ({lost[0]} has no "
            f"@{DEMO_GROUP} suffix): check the pytest / pytest-xdist versions (pyproject.toml).")


FAST_PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """PBKDF2 is slow on purpose; tests hash many passwords, so they use a fast hasher."""
    settings.PASSWORD_HASHERS = FAST_PASSWORD_HASHERS


@pytest.fixture(autouse=True)
def _danish_outside_requests():
    """A request activates its language in the thread and Django leaves it active afterwards;
    an English request in one test must not make the next test's mails, letters or schema
    English. Every test starts and ends in the default language."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_rate_limits(settings):
    """Rate limits (klyngeadmin.kernel.ratelimit) count in the default cache, which in tests is
    this process's memory, also when the shell exports REDIS_URL (counts kept in a shared Redis
    carried failed sign-ins from one test, and one run, into the next): every test starts with
    no failed sign-ins or registrations counted. Tests of the Redis-shared limit run their
    processes against a private redis-server (tests/worker/test_shared_limits.py)."""
    from django.core.cache import caches

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": "tests"}}
    caches["default"].clear()
    yield
    caches["default"].clear()


@pytest.fixture(autouse=True)
def _second_factor_off_by_default(settings):
    """Caseworkers, heads of office and administrators must verify a TOTP code after login
    (settings.REQUIRE_2FA, see klyngeadmin/security/middleware.py). Tests that are not about
    the second factor run without it, so `client.force_login(caseworker)` keeps working.
    Tests about 2FA set `settings.REQUIRE_2FA = True` and use `login_verified` below."""
    settings.REQUIRE_2FA = False


def login_verified(client, user):
    """force_login plus a confirmed TOTP device marked verified in the session, as if the
    user had passed /2fa/verify/ (for tests that run with REQUIRE_2FA = True)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client.force_login(user)
    device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


@pytest.fixture
def log_output():
    """Everything the configured log handlers write (JSON security events and the console),
    through the real filters and formatter."""
    buffer = io.StringIO()
    handlers = logging.getLogger("klyngeadmin.accounts.security").handlers + logging.getLogger().handlers
    configured = [h for h in handlers if isinstance(h, logging.StreamHandler)
                  and h.filters and h.__class__ is logging.StreamHandler]
    assert len(configured) >= 2, "settings.LOGGING handlers not found"
    old = [h.setStream(buffer) for h in configured]
    yield buffer
    for handler, stream in zip(configured, old, strict=True):
        handler.setStream(stream)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """The test database does not wait for its WAL to reach the disk at each commit
    (synchronous_commit=off, for this process's connections only): a crash loses a test
    database, nothing else, and the transactional and browser tests commit - and flush the
    database - hundreds of times a run.
    And every test database is a clone of one migrated template (tests/dbtemplate.py), so the
    migrations run once per schema, not once per xdist worker and run."""
    from django.conf import settings

    for alias in settings.DATABASES.values():
        options = alias.setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c synchronous_commit=off".strip()
    db = settings.DATABASES["default"]
    db.setdefault("TEST", {})["TEMPLATE"] = ensure_template(db)
