import io

import pytest
from django.core.management import call_command

from grants.services import grant_create
from klyngeadmin.constants import Role

from .factories import ClusterFactory, UserFactory


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
def grant(cluster):
    return grant_create(
        cluster=cluster, reference=f"KP-TEST-{cluster.pk}", start_year=2025, horizon_years=10,
        annual_amount_dkk=10_000_000,
    )


@pytest.fixture
def other_grant(other_cluster):
    return grant_create(
        cluster=other_cluster, reference=f"KP-TEST-{other_cluster.pk}", start_year=2025,
        horizon_years=10, annual_amount_dkk=10_000_000,
    )


@pytest.fixture(scope="module")
def demo_data(django_db_setup, django_db_blocker):
    """The full demo programme, built once for a module and removed after it."""
    with django_db_blocker.unblock():
        call_command("seed_demo", "--allow-demo-passwords", stdout=io.StringIO())
    yield
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """PBKDF2 is slow on purpose; tests hash many passwords, so they use a fast hasher."""
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
