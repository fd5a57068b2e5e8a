"""A typical grant-year budget (10,5 mio. kr.; eligible costs 10 mio.; public 5 mio. = 50 %)."""

from grants.budgets.services import actuals_set, set_budget

BUDGET = [
    {"line": "cost:professional_salaries:animation", "budget_dkk": 6_000_000},
    {"line": "cost:secretariat_salaries:facility_management", "budget_dkk": 3_000_000},
    {"line": "cost:other_costs:marketing", "budget_dkk": 1_000_000},
    {"line": "cost:other_costs:not_eligible", "budget_dkk": 500_000},
    {"line": "funding:grant", "budget_dkk": 4_500_000},
    {"line": "funding:private_cash", "budget_dkk": 4_000_000},
    {"line": "funding:in_kind", "budget_dkk": 1_500_000},
    {"line": "funding:other_public", "budget_dkk": 500_000},
]


def actuals_as_budget(**overrides) -> list[dict]:
    """Actual = budget for every line, with {line key: amount} overrides (each explained)."""
    out = []
    for row in BUDGET:
        key = row["line"]
        out.append({"line": key, "actual_dkk": overrides.get(key, row["budget_dkk"]),
                    "explanation": "Afvigelse forklaret." if key in overrides else ""})
    return out


def budget_grant(grant, caseworker, years=(1, 2)):
    for year in years:
        set_budget(grant, year, BUDGET, actor=caseworker)
    return grant


def report_actuals(grant, director, year=1, **overrides):
    return actuals_set(grant, year, actuals_as_budget(**overrides), actor=director)
