"""A grant's tranches, budget lines and targets and a report's versions are read one parent at
a time. Their default order by the parent's id sorts them without the parent's tables: ordered
by the parent itself, Django joined the grant and its cluster (Grant orders by start year and
cluster name) to every read, and a plain SELECT ... FOR UPDATE of a grant year's lines locked
the grant's and the cluster's rows with them (issue 19; the locks: test_locks.py)."""

import pytest

from grants.budgets.models import BudgetLine
from grants.core.models import Tranche
from grants.reports.models import ReportVersion
from grants.targets.models import GrantTarget

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("queryset", [
    lambda: Tranche.objects.filter(grant_id=1),
    lambda: BudgetLine.objects.filter(grant_id=1, year_number=1),
    lambda: GrantTarget.objects.filter(grant_id=1),
    lambda: ReportVersion.objects.filter(report_id=1),
], ids=["tranche", "budget line", "target", "report version"])
def test_a_parents_rows_are_read_without_joining_the_parent(queryset):
    sql = str(queryset().query)
    assert " JOIN " not in sql and " ORDER BY " in sql
