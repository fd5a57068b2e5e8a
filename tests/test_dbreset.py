"""tests/dbreset.py's empty_database leaves the database as Django's flush does."""

import pytest
from django.core.management import call_command
from django.db import connection

from clusters.models import ExchangeRate, StateAidCeiling
from tests.dbreset import empty_database
from tests.factories import ActivityFactory, UserFactory
from tests.seeds import SEEDS


def _state():
    """Rows per table, and the seeded tables' fingerprints."""
    tables = sorted(connection.introspection.django_table_names(only_existing=True,
                                                                include_views=False))
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(
            f"SELECT %s, count(*) FROM {qn(t)}" for t in tables), tables)
        counts = dict(cursor.fetchall())
    return counts, SEEDS.fingerprint()


def _dirty(grant):
    """Rows in many tables, a seeded row changed and another removed."""
    ActivityFactory(cluster=grant.cluster)
    UserFactory()
    ceiling = StateAidCeiling.objects.order_by("pk").first()
    ceiling.amount_eur = ceiling.amount_eur + 1
    ceiling.save()
    ExchangeRate.objects.order_by("pk").last().delete()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("large", [False, True], ids=["delete", "truncate"])
def test_empty_database_leaves_what_flush_leaves(grant, large):
    migrated = _state()
    _dirty(grant)
    assert _state() != migrated
    assert SEEDS.changed_tables() == {StateAidCeiling._meta.db_table, ExchangeRate._meta.db_table}

    empty_database(SEEDS, large=large)
    ours = _state()

    ActivityFactory()
    call_command("flush", interactive=False, verbosity=0)
    assert ours == _state()
    assert SEEDS.changed_tables() == set()
    assert ours[0][StateAidCeiling._meta.db_table] > 0  # the seeds are back, not just gone


@pytest.mark.django_db(transaction=True)
def test_empty_database_on_an_empty_database_changes_nothing():
    before = _state()
    empty_database(SEEDS)
    assert _state() == before
