"""The demo programme's budgets and accounts (issue 15): a budget for every grant year of every
demo grant and the actual costs and funding of every reported year, consistent with the report's
grant spent and private co-financing (which the statistics read, so the klyngestatistik figures
are untouched). In-kind contributions are sized so each cluster's public aid intensity lands
between 38 % and 48 % of eligible costs, one cluster just under the 50 % ceiling. Written through
grants.budgets.services (set_budget by the system, actuals_set by the cluster's director)."""

from __future__ import annotations

from django.conf import settings
from django.core.files.base import ContentFile

from grants.budgets.maths import deviation_needs_explanation
from grants.budgets.selectors import budget_table
from grants.budgets.services import actuals_set, set_budget
from grants.constants import AttachmentKind, ReportStatus
from grants.core.models import Grant
from grants.reports.services import report_attachment_add
from klyngeadmin.accounts.models import User
from klyngeadmin.demo.plan import split_exact
from klyngeadmin.kernel.roles import Role

# Eligible costs by programme cost category and operating-aid cost type (weights).
COST_SPLIT = [("cost:professional_salaries:animation", 40), ("cost:professional_salaries:training", 15),
              ("cost:secretariat_salaries:facility_management", 25), ("cost:other_costs:marketing", 20)]
NOT_ELIGIBLE = "cost:other_costs:not_eligible"
NEAR_CEILING_PERMILLE = 495  # one cluster just under the 50 % ceiling
AUDITOR_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _round(amount: int, to: int = 1000) -> int:
    return (amount + to // 2) // to * to


def year_lines(*, grant_dkk: int, private_dkk: int, target_permille: int) -> dict[str, int]:
    """Costs and funding of one year, balanced: public = grant + other public (5 % of the
    grant); in-kind fills the costs up so public ÷ eligible is about target_permille ‰."""
    other_public = _round(grant_dkk // 20)
    public = grant_dkk + other_public
    eligible_needed = public * 1000 // target_permille
    total_needed = eligible_needed * 100 // 98  # 2 % of the costs are not eligible
    in_kind = max(0, _round(total_needed - grant_dkk - private_dkk - other_public))
    total = grant_dkk + private_dkk + other_public + in_kind
    not_eligible = total * 2 // 100
    eligible = split_exact(total - not_eligible, [w for _, w in COST_SPLIT])
    lines = {key: amount for (key, _), amount in zip(COST_SPLIT, eligible, strict=True)}
    lines[NOT_ELIGIBLE] = not_eligible
    lines.update({"funding:grant": grant_dkk, "funding:private_cash": private_dkk,
                  "funding:in_kind": in_kind, "funding:other_public": other_public})
    return lines


def private_of(report) -> int:
    return sum(getattr(report, f) or 0 for f in (
        "cofinancing_membership_dkk", "cofinancing_sponsorship_dkk",
        "cofinancing_foundation_dkk", "cofinancing_project_dkk"))


def is_reported(report) -> bool:
    return report.grant_spent_dkk is not None and report.cofinancing_foundation_dkk is not None


class AccountsBuilder:
    """A mixin of DemoBuilder: budgets() after grants(), before cases() submits 2026 reports."""

    def budgets(self) -> None:
        directors = {u.cluster_id: u for u in User.objects.filter(role=Role.DIRECTOR)}
        grants = list(Grant.objects.select_related("cluster").order_by("reference"))
        near = {g.cluster_id for g in grants[3:4]}  # one cluster just under the ceiling
        self.counts.setdefault("budget_lines", 0)
        self.counts.setdefault("accounts_reported", 0)
        for grant in grants:
            self.budgets_for(grant, director=directors[grant.cluster_id],
                             target=NEAR_CEILING_PERMILLE if grant.cluster_id in near else None)

    def budgets_for(self, grant, *, director=None, target: int | None = None) -> None:
        """The budget of every grant year of `grant` and the accounts of every reported year."""
        rng = self.rng
        director = director or User.objects.get(role=Role.DIRECTOR, cluster_id=grant.cluster_id)
        target = target or rng.randint(380, 480)
        reports = {r.year_number: r for r in grant.reports.all()}
        typical_private = max((private_of(r) for r in reports.values() if is_reported(r)), default=0)
        if not typical_private:  # a new grant: co-financing about 60 % of the grant
            typical_private = grant.annual_amount_dkk * 6 // 10
        for year in range(1, grant.horizon_years + 1):
            report = reports.get(year)
            reported = report is not None and is_reported(report) \
                and report.status != ReportStatus.CANCELLED
            if reported:
                actual = year_lines(grant_dkk=report.grant_spent_dkk,
                                    private_dkk=private_of(report), target_permille=target)
                # the budget: the grant's rate, costs a few per cent off the accounts
                budget = {k: (_round(v * rng.randint(97, 103) // 100) if k.startswith("cost:") else v)
                          for k, v in actual.items()}
                budget["funding:grant"] = grant.annual_amount_dkk
            else:
                budget = year_lines(grant_dkk=grant.annual_amount_dkk,
                                    private_dkk=_round(typical_private), target_permille=target)
            costs = sum(v for k, v in budget.items() if k.startswith("cost:"))
            fixed = budget["funding:grant"] + budget["funding:other_public"] + budget["funding:in_kind"]
            if costs < fixed:  # balance: private cash first, then in-kind gives way
                budget["funding:in_kind"] = max(0, budget["funding:in_kind"] - (fixed - costs))
                fixed = budget["funding:grant"] + budget["funding:other_public"] + budget["funding:in_kind"]
                budget[NOT_ELIGIBLE] += max(0, fixed - costs)
                costs = sum(v for k, v in budget.items() if k.startswith("cost:"))
            budget["funding:private_cash"] = costs - fixed
            set_budget(grant, year, [{"line": k, "budget_dkk": v} for k, v in budget.items()],
                       actor=None, text="Budget fra demodata.")
            self.counts["budget_lines"] = self.counts.get("budget_lines", 0) + len(budget)
            if reported:
                self._actuals(grant, year, actual, director)
                self.counts["accounts_reported"] = self.counts.get("accounts_reported", 0) + 1

    def _actuals(self, grant, year: int, actual: dict, director) -> None:
        table = budget_table(grant_id=grant.pk, year_number=year)
        budgets = {row["key"]: row["budget_dkk"] for row in table["costs"] + table["funding"]}
        rows = []
        for key, amount in actual.items():
            needs = deviation_needs_explanation(
                budgets.get(key, 0), amount, threshold_pct=settings.BUDGET_DEVIATION_THRESHOLD_PCT,
                min_dkk=settings.BUDGET_DEVIATION_MIN_DKK)
            why = ""
            if needs:
                why = ("Forbruget blev lavere end budgetteret, fordi aktiviteter er flyttet til næste år."
                       if amount < budgets.get(key, 0) else
                       "Flere virksomheder deltog end forventet, og aktiviteterne blev udvidet.")
            rows.append({"line": key, "actual_dkk": amount, "explanation": why})
        actuals_set(grant, year, rows, actor=director, text="Regnskab fra demodata.")

    def auditor_statement(self, report, director) -> None:
        """The auditor's statement, as the director uploads it (a tiny PDF)."""
        report_attachment_add(report=report, actor=director, kind=AttachmentKind.AUDITOR_STATEMENT,
                              file=ContentFile(AUDITOR_PDF, name=f"revisorerklaering-{report.year}.pdf"))
