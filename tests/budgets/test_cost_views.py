"""The accounts page (/rapporter/<pk>/regnskab/), the report page's budget section and the case
page's aid intensity: allowed and denied both ways, Danish errors per line, nothing half-saved."""

import pytest
from django.urls import reverse

from grants.budgets.models import BudgetLine
from tests.budgets.helpers import BUDGET, budget_grant
from tests.grants.case_fixtures import fill_report, submit_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(grant, caseworker):
    budget_grant(grant, caseworker, years=(1,))
    return grant.reports.get(year_number=1)


def costs_url(report):
    return reverse("grants:report_costs", kwargs={"pk": report.pk})


def post_data(report, **amounts):
    data = {"version": report.version, "costs-TOTAL_FORMS": len(BUDGET),
            "costs-INITIAL_FORMS": len(BUDGET)}
    # the page lists costs, then funding, in the table's order
    from grants.budgets.selectors import budget_table
    table = budget_table(grant_id=report.grant_id, year_number=report.year_number)
    for i, row in enumerate(table["costs"] + table["funding"]):
        data[f"costs-{i}-line"] = row["key"]
        data[f"costs-{i}-actual_dkk"] = amounts.get(row["key"], f"{row['budget_dkk']:,}".replace(",", "."))
        data[f"costs-{i}-explanation"] = ""
    return data


def test_director_fills_the_accounts(client, director, report):
    client.force_login(director)
    page = client.get(costs_url(report))
    assert page.status_code == 200
    assert "Løn til faglige aktiviteter – Animering af klyngen" in page.content.decode()
    r = client.post(costs_url(report), post_data(report))
    assert r.status_code == 302 and r["Location"].endswith("#regnskab")
    assert BudgetLine.objects.filter(actual_dkk__isnull=False).count() == 8
    detail = client.get(reverse("grants:report_detail", kwargs={"pk": report.pk})).content.decode()
    assert 'data-testid="budget-vs-actual"' in detail and "50,0 %" in detail


def test_errors_per_line_in_danish_and_nothing_saved(client, director, report):
    client.force_login(director)
    r = client.post(costs_url(report), post_data(report, **{
        "cost:other_costs:marketing": "tusind", "cost:other_costs:not_eligible": "2.000.000"}))
    assert r.status_code == 400
    html = r.content.decode()
    assert "Regnskabet er ikke gemt" in html
    assert "Skriv et beløb i hele kroner" in html
    assert not BudgetLine.objects.filter(actual_dkk__isnull=False).exists()
    # the amount parses now; the service asks for the explanation on its line
    r = client.post(costs_url(report), post_data(report, **{"cost:other_costs:not_eligible": "2.000.000"}))
    assert r.status_code == 400
    assert "Forklar afvigelsen: realiseret 2.000.000 kr. mod budget 500.000 kr." in r.content.decode()
    assert not BudgetLine.objects.filter(actual_dkk__isnull=False).exists()


def test_another_cluster_gets_404_and_the_authority_cannot_edit(client, other_director, caseworker,
                                                                report):
    client.force_login(other_director)
    assert client.get(costs_url(report)).status_code == 404
    assert client.post(costs_url(report), post_data(report)).status_code == 404
    client.force_login(caseworker)
    assert client.get(costs_url(report)).status_code == 403
    assert client.post(costs_url(report), post_data(report)).status_code == 403
    client.logout()
    assert client.get(costs_url(report)).status_code == 302  # to sign-in
    assert not BudgetLine.objects.filter(actual_dkk__isnull=False).exists()


def test_submitted_report_cannot_change_its_accounts(client, director, report, media_root):
    from tests.budgets.helpers import report_actuals
    report_actuals(report.grant, director)
    submit_report(fill_report(report, spent=4_500_000), director)
    client.force_login(director)
    assert client.post(costs_url(report), post_data(report)).status_code == 403
    version = client.get(reverse("grants:report_version", kwargs={"pk": report.pk, "number": 1}))
    assert 'data-testid="version-costs"' in version.content.decode()
    assert "Klyngebevilling" in version.content.decode()


def test_caseworker_sees_budget_vs_actual_and_aid_intensity_on_the_case(client, director, caseworker,
                                                                        report, media_root,
                                                                        django_assert_max_num_queries):
    from tests.budgets.helpers import report_actuals
    report_actuals(report.grant, director, **{"funding:grant": 5_500_000,
                                              "funding:private_cash": 3_000_000})
    case = submit_report(fill_report(report, spent=5_500_000), director)
    client.force_login(caseworker)
    url = reverse("cases:detail", args=[case.journal_number])
    client.get(url)
    # the case page (at most 20, tests/grants/test_case_views.py) with its accounts section, whose
    # 3 queries do not grow with the lines
    with django_assert_max_num_queries(17):
        html = client.get(url).content.decode()
    assert 'data-testid="budget-vs-actual"' in html
    section = html[html.find("aid-intensity"):][:900]
    assert "60,0 %" in section and "Støtteloftet er overskredet" in section, section
    assert "kræver forklaring" in html


def test_grant_page_both_ways(client, director, other_director, caseworker, report, grant,
                              django_assert_max_num_queries):
    from tests.budgets.helpers import report_actuals
    report_actuals(grant, director, **{"funding:grant": 5_500_000, "funding:private_cash": 3_000_000})
    url = reverse("budgets:grant_detail", args=[grant.reference])
    for user in (director, caseworker):
        client.force_login(user)
        client.get(url)
        with django_assert_max_num_queries(12):
            r = client.get(url)
        html = r.content.decode()
        assert r.status_code == 200 and 'data-testid="grant-years"' in html
        assert "60,0 %" in html and "Støtteloftet er overskredet" in html
    client.force_login(other_director)
    assert client.get(url).status_code == 404
    assert client.get(reverse("budgets:grant_detail", args=["KP-FINDES-IKKE"])).status_code == 404
