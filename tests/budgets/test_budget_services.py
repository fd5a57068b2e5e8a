"""Budget and accounts: set_budget and actuals_set (all or nothing, errors per line, who may),
the database's own checks, budget vs actual, the aid position with disbursements, the report's
submission check and the auditor's statement threshold per call."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from grants.budgets.models import BudgetEvent, BudgetLine
from grants.budgets.selectors import budget_table, grant_aid_position
from grants.budgets.services import actuals_set, set_budget
from grants.calls.models import Application, Call
from grants.reports.costs import report_costs_missing, report_costs_save
from grants.reports.models import ReportEvent
from grants.reports.services import ReportIncomplete, ReportNotEditable
from tests.budgets.helpers import BUDGET, actuals_as_budget, budget_grant, report_actuals
from tests.grants.case_fixtures import fill_report, submit_report

pytestmark = pytest.mark.django_db


def test_set_budget_writes_lines_and_an_event(grant, caseworker):
    set_budget(grant, 1, BUDGET, actor=caseworker)
    assert BudgetLine.objects.filter(grant=grant, year_number=1).count() == 8
    event = BudgetEvent.objects.get(grant=grant)
    assert event.actor == caseworker and event.action == "budget_set" and len(event.lines) == 8


def test_set_budget_replaces_and_keeps_actuals(grant, caseworker, director):
    budget_grant(grant, caseworker, years=(1,))
    report_actuals(grant, director)
    changed = [dict(r) for r in BUDGET]
    changed[0]["budget_dkk"] = 6_500_000
    changed[4]["budget_dkk"] = 5_000_000
    set_budget(grant, 1, changed, actor=caseworker)
    line = BudgetLine.objects.get(grant=grant, year_number=1, cost_category="professional_salaries")
    assert (line.budget_dkk, line.actual_dkk) == (6_500_000, 6_000_000)


def test_set_budget_cannot_drop_a_line_with_actuals(grant, caseworker, director):
    budget_grant(grant, caseworker, years=(1,))
    report_actuals(grant, director)
    with pytest.raises(ValidationError) as exc:
        set_budget(grant, 1, BUDGET[1:4] + [{"line": "funding:grant", "budget_dkk": 4_500_000}],
                   actor=caseworker)
    assert "realiserede tal" in str(exc.value)
    assert BudgetLine.objects.filter(grant=grant, year_number=1).count() == 8


@pytest.mark.parametrize("bad, field, words", [
    ({"line": "cost:other_costs:lunch", "budget_dkk": 1}, "lines[8].line", "Ukendt budgetlinje"),
    ({"line": "funding:grant", "budget_dkk": 1}, "lines[8].line", "to gange"),
    ({"line": "funding:loan", "budget_dkk": 1}, "lines[8].line", "Ukendt"),
])
def test_set_budget_names_the_bad_line(grant, caseworker, bad, field, words):
    with pytest.raises(ValidationError) as exc:
        set_budget(grant, 1, [*BUDGET, bad], actor=caseworker)
    assert words in " ".join(exc.value.message_dict[field])
    assert not BudgetLine.objects.exists() and not BudgetEvent.objects.exists()


@pytest.mark.parametrize("amount, words", [(-1, "negativt"), (1.5, "hele kroner"),
                                           ("100", "hele kroner"), (None, "Udfyld"),
                                           (True, "hele kroner")])
def test_set_budget_amounts_are_whole_nonnegative_kroner(grant, caseworker, amount, words):
    lines = [dict(r) for r in BUDGET]
    lines[2]["budget_dkk"] = amount
    with pytest.raises(ValidationError) as exc:
        set_budget(grant, 1, lines, actor=caseworker)
    assert words in " ".join(exc.value.message_dict["lines[2].budget_dkk"])
    assert not BudgetLine.objects.exists()


def test_set_budget_must_balance_and_be_within_the_horizon(grant, caseworker):
    lines = [dict(r) for r in BUDGET]
    lines[0]["budget_dkk"] += 1
    with pytest.raises(ValidationError, match="balancerer ikke"):
        set_budget(grant, 1, lines, actor=caseworker)
    with pytest.raises(ValidationError, match="mellem 1 og 10"):
        set_budget(grant, 11, BUDGET, actor=caseworker)
    assert not BudgetLine.objects.exists()


def test_only_the_authority_sets_the_budget(grant, director, head_of_office):
    with pytest.raises(PermissionDenied):
        set_budget(grant, 1, BUDGET, actor=director)
    set_budget(grant, 1, BUDGET, actor=head_of_office)
    set_budget(grant, 2, BUDGET, actor=None)  # the system (award from an application, demo data)
    assert BudgetLine.objects.filter(grant=grant).count() == 16


def test_actuals_all_or_nothing_with_errors_per_line(grant, caseworker, director):
    budget_grant(grant, caseworker, years=(1,))
    lines = actuals_as_budget()
    lines[1]["actual_dkk"] = -5
    lines[3]["actual_dkk"] = 2_000_000  # 1,5 mio. above a 0,5 mio. budget: needs an explanation
    with pytest.raises(ValidationError) as exc:
        actuals_set(grant, 1, lines, actor=director)
    errors = exc.value.message_dict
    assert set(errors) == {"lines[1].actual_dkk", "lines[3].explanation"}
    assert "Forklar afvigelsen" in errors["lines[3].explanation"][0]
    assert not BudgetLine.objects.filter(actual_dkk__isnull=False).exists()
    lines[1]["actual_dkk"] = 3_000_000
    lines[3]["explanation"] = "Flere arrangementer end planlagt."
    actuals_set(grant, 1, lines, actor=director)
    assert BudgetLine.objects.filter(actual_dkk__isnull=False).count() == 8


def test_actuals_need_every_budget_line_and_the_own_cluster(grant, caseworker, director,
                                                            other_director):
    budget_grant(grant, caseworker, years=(1,))
    with pytest.raises(ValidationError, match="Mangler"):
        actuals_set(grant, 1, actuals_as_budget()[1:], actor=director)
    with pytest.raises(PermissionDenied):
        actuals_set(grant, 1, actuals_as_budget(), actor=other_director)
    with pytest.raises(PermissionDenied):
        actuals_set(grant, 1, actuals_as_budget(), actor=caseworker)


def test_small_deviation_needs_no_explanation(grant, caseworker, director, settings):
    settings.BUDGET_DEVIATION_THRESHOLD_PCT = 10
    settings.BUDGET_DEVIATION_MIN_DKK = 50_000
    budget_grant(grant, caseworker, years=(1,))
    # 6 % over on the largest line: under the threshold
    report_actuals(grant, director, **{"cost:professional_salaries:animation": 6_360_000})
    table = budget_table(grant_id=grant.pk, year_number=1)
    row = table["costs"][0] if table["costs"][0]["key"].endswith("animation") else None
    assert not any(r["needs_explanation"] for r in table["costs"] + table["funding"])
    assert row is None or row["deviation_dkk"] == 360_000


def test_database_refuses_malformed_lines(grant):
    bad = [
        {"kind": "cost", "cost_category": "other_costs", "aid_cost_type": "", "funding_source": ""},
        {"kind": "cost", "cost_category": "other_costs", "aid_cost_type": "marketing",
         "funding_source": "grant"},
        {"kind": "funding", "cost_category": "", "aid_cost_type": "", "funding_source": "loan"},
        {"kind": "funding", "funding_source": "grant", "budget_dkk": -1},
        {"kind": "funding", "funding_source": "grant", "actual_dkk": -1},
        {"kind": "funding", "funding_source": "grant", "year_number": 0},
    ]
    for fields in bad:
        with pytest.raises(IntegrityError), transaction.atomic():
            BudgetLine.objects.create(grant=grant, **{"year_number": 1, **fields})
    BudgetLine.objects.create(grant=grant, year_number=1, kind="funding", funding_source="grant")
    with pytest.raises(IntegrityError), transaction.atomic():
        BudgetLine.objects.create(grant=grant, year_number=1, kind="funding", funding_source="grant")


def test_budget_table_is_one_query(grant, caseworker, director, django_assert_num_queries):
    budget_grant(grant, caseworker)
    report_actuals(grant, director)
    with django_assert_num_queries(1):
        table = budget_table(grant_id=grant.pk, year_number=1)
    assert table["cost_totals"] == {"budget_dkk": 10_500_000, "actual_dkk": 10_500_000, "complete": True}
    assert len(table["costs"]) == 4 and len(table["funding"]) == 4


def test_aid_position_budget_then_actual_then_disbursed(grant, caseworker, director,
                                                        django_assert_num_queries):
    budget_grant(grant, caseworker)
    with django_assert_num_queries(2):
        position = grant_aid_position(grant=grant, up_to_year=2)
    # budget: public (4,5 + 0,5) × 2 over eligible 10 × 2 = exactly 50 %: not over
    assert (position.public_dkk, position.eligible_dkk) == (10_000_000, 20_000_000)
    assert str(position.pct) == "50.00" and not position.over
    report_actuals(grant, director, **{"funding:grant": 5_500_000, "funding:private_cash": 3_000_000})
    position = grant_aid_position(grant=grant, up_to_year=2)
    assert position.public_dkk == 11_000_000 and position.over and str(position.pct) == "55.00"
    # what is disbursed for a year counts instead of the accounts
    proposal_paid(grant, year=1, amount=4_000_000, caseworker=caseworker)
    position = grant_aid_position(grant=grant, up_to_year=2)
    assert position.public_dkk == 4_000_000 + 500_000 + 5_000_000 and not position.over


def proposal_paid(grant, *, year, amount, caseworker):
    from grants.cases.models import Case, Disbursement, TrancheProposal
    from grants.cases.services import case_open
    from tests.factories import UserFactory
    report = grant.reports.get(year_number=year)
    case = case_open(case_type="annual_report", subject="x", cluster=grant.cluster, report=report)
    tranche = grant.tranches.get(year_number=year)
    approver = UserFactory(role="head_of_office")
    proposal = TrancheProposal.objects.create(
        case=case, tranche=tranche, kind="release", amount_dkk=amount,
        pay_on=timezone.localdate(), proposed_by=caseworker, status="approved",
        decided_by=approver, decided_at=timezone.now())
    Disbursement.objects.create(tranche=tranche, proposal=proposal, amount_dkk=amount,
                                paid_on=timezone.localdate(), proposed_by=caseworker,
                                approved_by=approver)
    assert Case.objects.filter(pk=case.pk).exists()


def test_grant_without_budget_is_never_over(grant):
    position = grant_aid_position(grant=grant, up_to_year=3, replace_grant_funding={3: 10_000_000})
    assert not position.has_budget and not position.over


# -- the report's accounts section ----------------------------------------------------------------


def test_report_costs_save_bumps_the_version_and_records(grant, caseworker, director):
    budget_grant(grant, caseworker, years=(1,))
    report = grant.reports.get(year_number=1)
    before = report.version
    report_costs_save(report=report, lines=actuals_as_budget(), actor=director,
                      expected_version=before)
    report.refresh_from_db()
    assert report.version == before + 1
    assert ReportEvent.objects.filter(report=report, comment__startswith="Regnskab gemt").exists()
    assert BudgetEvent.objects.filter(action="actuals_set", actor=director).exists()


def test_submission_needs_the_accounts(grant, caseworker, director, media_root):
    budget_grant(grant, caseworker, years=(1,))
    report = fill_report(grant.reports.get(year_number=1), spent=4_500_000)
    missing = report_costs_missing(report=report)
    assert "costs" in missing and "Udfyld" in missing["costs"]
    with pytest.raises(ReportIncomplete) as exc:
        submit_report(report, director)
    assert "costs" in exc.value.message_dict
    # accounts in, but the grant line must agree with "grant spent"
    report_costs_save(report=report, lines=actuals_as_budget(**{
        "funding:grant": 4_000_000, "funding:private_cash": 4_500_000}), actor=director)
    assert "costs_grant" in report_costs_missing(report=report)
    report_costs_save(report=report, lines=actuals_as_budget(), actor=director)
    assert report_costs_missing(report=report) == {}
    submit_report(report, director)
    report.refresh_from_db()
    assert report.status == "submitted"
    assert len(report.versions.get().snapshot["costs"]) == 8
    with pytest.raises(ReportNotEditable):
        report_costs_save(report=report, lines=actuals_as_budget(), actor=director)


def test_unbalanced_accounts_block_submission(grant, caseworker, director):
    budget_grant(grant, caseworker, years=(1,))
    report = fill_report(grant.reports.get(year_number=1), spent=4_500_000)
    report_costs_save(report=report, lines=actuals_as_budget(**{"funding:in_kind": 1_400_000}),
                      actor=director)
    assert "balancerer ikke" in report_costs_missing(report=report)["costs_balance"]


def test_auditor_statement_threshold_per_call(grant, caseworker, director, settings):
    settings.AUDITOR_STATEMENT_THRESHOLD_DKK = 5_000_000
    budget_grant(grant, caseworker, years=(1,))
    report = fill_report(grant.reports.get(year_number=1), spent=4_500_000)
    report_costs_save(report=report, lines=actuals_as_budget(), actor=director)
    assert "auditor_statement" not in report_costs_missing(report=report)
    now = timezone.now()
    call = Call.objects.create(title="Opslag", kind="regular", opens_at=now - timedelta(days=9),
                               closes_at=now, auditor_statement_threshold_dkk=1_000_000)
    grant.application = Application.objects.create(
        call=call, applicant_name="A", applicant_cvr="12345678", proposed_area="B")
    grant.save(update_fields=["application"])
    report = grant.reports.get(year_number=1)
    assert "revisorerklæringen" in report_costs_missing(report=report)["auditor_statement"]
