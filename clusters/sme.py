"""SME size class per EU recommendation 2003/361.

Headcount is mandatory; a company must also meet EITHER the turnover OR the balance-sheet
ceiling. Amounts are DKK converted at the fixed rate below. Unknown financials are treated as
within the ceilings (headcount decides), which is how the clusters report in practice.
"""

from clusters.constants import SizeClass

# EUR ceilings are expressed in whole kroner at 7.46 DKK/EUR (integer arithmetic, no floats).

# (class, headcount below, turnover ceiling DKK, balance ceiling DKK)
_LIMITS = (
    (SizeClass.MICRO, 10, 2_000_000 * 746 // 100, 2_000_000 * 746 // 100),
    (SizeClass.SMALL, 50, 10_000_000 * 746 // 100, 10_000_000 * 746 // 100),
    (SizeClass.MEDIUM, 250, 50_000_000 * 746 // 100, 43_000_000 * 746 // 100),
)


def sme_size_class(
    employees: int, turnover_dkk: int | None = None, balance_dkk: int | None = None
) -> SizeClass:
    for size_class, headcount_below, turnover_max, balance_max in _LIMITS:
        if employees >= headcount_below:
            continue
        if turnover_dkk is None and balance_dkk is None:
            return size_class
        if (turnover_dkk is not None and turnover_dkk <= turnover_max) or (
            balance_dkk is not None and balance_dkk <= balance_max
        ):
            return size_class
    return SizeClass.LARGE
