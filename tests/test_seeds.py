"""The database a test starts with is the migrated one, also after another test flushed it."""

import pytest
from django.core.management import call_command

from clusters.models import ExchangeRate, StateAidCeiling
from evaluations.models import Criterion, Rubric


@pytest.mark.django_db(transaction=True)
def test_a_flush_leaves_the_rows_the_migrations_loaded():
    before = (StateAidCeiling.objects.count(), ExchangeRate.objects.count(),
              Rubric.objects.count(), Criterion.objects.count())
    assert before[0] > 0 and before[3] > 0  # loaded by clusters 0009 and evaluations 0004/0005

    call_command("flush", interactive=False, verbosity=0)

    assert (StateAidCeiling.objects.count(), ExchangeRate.objects.count(),
            Rubric.objects.count(), Criterion.objects.count()) == before
    rubric = Rubric.objects.first()
    assert list(rubric.criteria.values_list("pk", flat=True))  # relations restored too
    # the sequences are past the restored keys: a new row does not collide
    ceiling = StateAidCeiling.objects.first()
    ceiling.pk = None
    ceiling.valid_from = ceiling.valid_from.replace(year=1990)
    ceiling.save()
