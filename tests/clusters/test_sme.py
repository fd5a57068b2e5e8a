import pytest

from clusters.constants import SizeClass
from clusters.sme import sme_size_class


@pytest.mark.parametrize(
    ("employees", "expected"),
    [(0, SizeClass.MICRO), (9, SizeClass.MICRO), (10, SizeClass.SMALL), (49, SizeClass.SMALL),
     (50, SizeClass.MEDIUM), (249, SizeClass.MEDIUM), (250, SizeClass.LARGE)],
)
def test_headcount_thresholds(employees, expected):
    assert sme_size_class(employees) == expected


EUR = 746  # hundredths of a krone per euro cent; limits in whole kroner at 7.46


def test_turnover_or_balance_either_suffices():
    over = 2_000_000 * EUR // 100 + 1
    within = 2_000_000 * EUR // 100
    assert sme_size_class(5, turnover_dkk=within) == SizeClass.MICRO
    assert sme_size_class(5, turnover_dkk=over, balance_dkk=within) == SizeClass.MICRO
    # Over both micro ceilings: a micro headcount is then a small company.
    assert sme_size_class(5, turnover_dkk=over, balance_dkk=over) == SizeClass.SMALL


def test_medium_ceilings_turnover_50m_balance_43m():
    turnover_limit = 50_000_000 * EUR // 100
    balance_limit = 43_000_000 * EUR // 100
    assert sme_size_class(100, turnover_dkk=turnover_limit) == SizeClass.MEDIUM
    assert sme_size_class(100, turnover_dkk=turnover_limit + 1, balance_dkk=balance_limit) == SizeClass.MEDIUM
    assert sme_size_class(100, turnover_dkk=turnover_limit + 1, balance_dkk=balance_limit + 1) == SizeClass.LARGE
    assert sme_size_class(100, turnover_dkk=turnover_limit + 1) == SizeClass.LARGE
