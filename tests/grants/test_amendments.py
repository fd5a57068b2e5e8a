"""Amendment cases (issue 16 item 4; issue 15: targets change only this way): four eyes where
money or targets change, the grant's history, the letter, and the pages both ways."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from grants.cases.amendments import (
    CHANGE_KINDS,
    AmendmentError,
    amendment_approve,
    amendment_propose,
    amendment_reject,
    amendments_awaiting_approval,
)
from grants.cases.models import Amendment
from grants.constants import (
    AmendmentStatus,
    CaseStatus,
    CaseType,
    LetterKind,
    ReportStatus,
    TrancheStatus,
)
from grants.core.models import GrantEvent
from grants.targets.models import GrantTarget, TargetEvent
from grants.targets.services import targets_set_at_award
from klyngeadmin.kernel.errors import FourEyesViolation
from klyngeadmin.kernel.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def awarded(grant, caseworker):
    targets_set_at_award(grant=grant, actor=caseworker, rows=[
        {"year_number": n, "indicator": "companies", "target": 100} for n in range(1, 11)])
    return grant


TARGETS = {"targets": {"rows": [{"year_number": 3, "indicator": "companies", "target": "80"},
                                {"year_number": 4, "indicator": "companies", "target": "80"}]}}


def test_target_amendment_needs_another_persons_approval(awarded, caseworker, head_of_office):
    a = amendment_propose(grant=awarded, changes=TARGETS, reason="Lavere tilgang", actor=caseworker)
    assert a.four_eyes and a.status == AmendmentStatus.PROPOSED
    assert a.case.case_type == CaseType.AMENDMENT and a.case.grant_id == awarded.pk
    assert a.case.status == CaseStatus.IN_PROGRESS
    # not yet changed
    assert GrantTarget.objects.get(grant=awarded, year_number=3).target == 100
    with pytest.raises(AmendmentError, match="kontorchefen"):
        amendment_approve(amendment=a, actor=caseworker)
    amendment_approve(amendment=a, actor=head_of_office)
    a.refresh_from_db()
    assert a.status == AmendmentStatus.APPROVED and a.decided_by == head_of_office
    assert GrantTarget.objects.get(grant=awarded, year_number=3).target == 80
    assert GrantTarget.objects.get(grant=awarded, year_number=5).target == 100
    events = TargetEvent.objects.filter(grant=awarded, field="target", old_value=100)
    assert events.count() == 2 and events.first().basis.startswith("Ændringssag")
    assert GrantEvent.objects.filter(grant=awarded, text__contains="Måltal ændres").exists()
    letter = a.case.letters.get()
    assert letter.kind == LetterKind.AMENDMENT_APPROVED
    assert "Deltagende virksomheder, bevillingsår 3: 100 → 80" in letter.body
    a.case.refresh_from_db()
    assert a.case.status == CaseStatus.DECIDED


def test_the_proposer_cannot_approve_own_amendment(awarded, head_of_office):
    a = amendment_propose(grant=awarded, changes=TARGETS, reason="r", actor=head_of_office)
    with pytest.raises(FourEyesViolation):
        amendment_approve(amendment=a, actor=head_of_office)
    assert GrantTarget.objects.get(grant=awarded, year_number=3).target == 100
    assert amendments_awaiting_approval(user=head_of_office).count() == 0  # own proposal
    other = UserFactory(role=Role.HEAD_OF_OFFICE)
    assert list(amendments_awaiting_approval(user=other)) == [a]


def test_database_enforces_four_eyes(awarded, caseworker):
    a = amendment_propose(grant=awarded, changes=TARGETS, reason="r", actor=caseworker)
    with pytest.raises(IntegrityError), transaction.atomic():
        Amendment.objects.filter(pk=a.pk).update(
            status=AmendmentStatus.APPROVED, decided_by=caseworker, decided_at=timezone.now())


def test_one_open_amendment_per_grant(awarded, caseworker):
    amendment_propose(grant=awarded, changes=TARGETS, reason="r", actor=caseworker)
    with pytest.raises(AmendmentError, match="afventer"):
        amendment_propose(grant=awarded, changes=TARGETS, reason="r", actor=caseworker)


def test_amount_change_updates_planned_tranches_only(grant, caseworker, head_of_office):
    t1 = grant.tranches.get(year_number=1)
    t1.status = TrancheStatus.RELEASED
    t1.released_on = timezone.localdate()
    t1.save()
    a = amendment_propose(grant=grant, reason="Besparelse", actor=caseworker,
                          changes={"amount": {"annual_amount_dkk": 8_000_000, "from_year": 1}})
    amendment_approve(amendment=a, actor=head_of_office)
    grant.refresh_from_db()
    assert grant.annual_amount_dkk == 8_000_000
    amounts = dict(grant.tranches.values_list("year_number", "amount_dkk"))
    assert amounts[1] == 10_000_000 and all(amounts[n] == 8_000_000 for n in range(2, 11))


def test_period_shortened_cancels_later_years_and_extended_again(grant, caseworker,
                                                                 head_of_office):
    a = amendment_propose(grant=grant, changes={"period": {"horizon_years": 8}}, reason="r",
                          actor=caseworker)
    amendment_approve(amendment=a, actor=head_of_office)
    grant.refresh_from_db()
    assert grant.horizon_years == 8
    assert grant.tranches.get(year_number=9).status == TrancheStatus.CANCELLED
    assert grant.reports.get(year_number=10).status == ReportStatus.CANCELLED
    with pytest.raises(AmendmentError, match="midtvejsevalueringen"):
        amendment_propose(grant=grant, changes={"period": {"horizon_years": 5}}, reason="r",
                          actor=caseworker)
    with pytest.raises(AmendmentError, match="genåbnes"):
        amendment_propose(grant=grant, changes={"period": {"horizon_years": 10}}, reason="r",
                          actor=caseworker)


def test_period_extended_lays_out_the_new_years(caseworker, head_of_office, cluster):
    from evaluations.midway.schedule import grant_create

    short = grant_create(cluster=cluster, reference="KP-KORT", start_year=2025, horizon_years=8,
                         annual_amount_dkk=1_000_000)
    a = amendment_propose(grant=short, changes={"period": {"horizon_years": 10}}, reason="r",
                          actor=caseworker)
    amendment_approve(amendment=a, actor=head_of_office)
    short.refresh_from_db()
    assert short.horizon_years == 10 and short.end_year == 2034
    assert short.tranches.count() == 10 and short.reports.get(year_number=10).year == 2034
    assert short.reports.get(year_number=10).deadline.due_at.year == 2035


def test_director_change_is_decided_by_the_caseworker(grant, director, staff_member, caseworker):
    a = amendment_propose(grant=grant, changes={"director": {"user_id": staff_member.pk}},
                          reason="Ny direktør", actor=caseworker)
    assert not a.four_eyes
    amendment_approve(amendment=a, actor=caseworker)
    director.refresh_from_db()
    staff_member.refresh_from_db()
    assert staff_member.role == Role.DIRECTOR and director.role == Role.CLUSTER_STAFF


def test_bad_proposals_are_refused_naming_the_field(grant, caseworker, other_director):
    cases = [
        ({"amount": {"annual_amount_dkk": -1, "from_year": 1}}, "annual_amount_dkk"),
        ({"period": {"horizon_years": 10}}, "horizon_years"),
        ({"targets": {"rows": [{"year_number": 1, "indicator": "x", "target": 1}]}},
         "target_value"),
        ({"director": {"user_id": other_director.pk}}, "director"),  # another cluster's user
    ]
    for changes, field in cases:
        with pytest.raises(AmendmentError) as exc:
            amendment_propose(grant=grant, changes=changes, reason="r", actor=caseworker)
        assert exc.value.field == field
    assert not Amendment.objects.exists()


def test_reject_needs_a_reason_and_changes_nothing(awarded, caseworker, head_of_office):
    a = amendment_propose(grant=awarded, changes=TARGETS, reason="r", actor=caseworker)
    with pytest.raises(AmendmentError):
        amendment_reject(amendment=a, actor=head_of_office, note="")
    amendment_reject(amendment=a, actor=head_of_office, note="Ikke begrundet")
    assert GrantTarget.objects.get(grant=awarded, year_number=3).target == Decimal(100)
    assert a.case.letters.get().kind == LetterKind.AMENDMENT_REJECTED


def test_change_kinds_are_a_registry():
    assert set(CHANGE_KINDS) == {"amount", "period", "targets", "director", "budget"}
    assert [k for k, c in CHANGE_KINDS.items() if not c.four_eyes] == ["director"]


# -- pages -----------------------------------------------------------------------------------


def test_grant_page_and_amendment_pages_both_ways(client, awarded, director, caseworker,
                                                  head_of_office):
    ref = awarded.reference
    client.force_login(director)
    assert client.get(f"/bevillinger/{ref}/maaltal/").status_code == 404
    assert client.get(f"/bevillinger/{ref}/aendring/").status_code == 404
    client.force_login(caseworker)
    page = client.get(f"/bevillinger/{ref}/maaltal/")
    assert page.status_code == 200 and "Måltal og målopfyldelse" in page.content.decode()
    assert client.get("/bevillinger/NOPE/maaltal/").status_code == 404
    r = client.post(f"/bevillinger/{ref}/aendring/", {"kinds": ["targets"], "reason": "r",
                                                      "target_indicator": "companies"})
    assert r.status_code == 400 and "Udfyld feltet, når måltal ændres." in r.content.decode()
    assert not Amendment.objects.exists()
    r = client.post(f"/bevillinger/{ref}/aendring/", {
        "kinds": ["targets"], "reason": "Lavere tilgang", "target_indicator": "companies",
        "target_year_from": 2, "target_year_to": 3, "target_value": "75"})
    a = Amendment.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/aendringer/{a.pk}/"
    detail = client.get(f"/aendringer/{a.pk}/").content.decode()
    assert "afventer kontorchefens afgørelse" in detail
    # the proposer's approval is refused (not decidable for them): nothing changes
    r = client.post(f"/aendringer/{a.pk}/godkend/", {"version": a.case.version, "note": ""})
    assert r.status_code == 400
    client.force_login(director)
    assert client.get(f"/aendringer/{a.pk}/").status_code == 404
    client.force_login(head_of_office)
    a.case.refresh_from_db()
    r = client.post(f"/aendringer/{a.pk}/godkend/", {"version": a.case.version, "note": ""})
    assert r.status_code == 302
    assert GrantTarget.objects.get(grant=awarded, year_number=2).target == 75


def test_the_amendment_case_page_and_queue(client, awarded, caseworker):
    a = amendment_propose(grant=awarded, changes=TARGETS, reason="r", actor=caseworker)
    client.force_login(caseworker)
    page = client.get(f"/sager/{a.case.journal_number}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f"/aendringer/{a.pk}/" in html and f"/bevillinger/{awarded.reference}/maaltal/" in html
    queue = client.get("/sager/?fane=alle").content.decode()
    assert a.case.journal_number in queue


def test_an_amendment_of_targets_awaits_the_head_of_office_in_til_godkendelse(
        awarded, caseworker, head_of_office, django_assert_max_num_queries):
    from grants.cases.selectors import APPROVAL_SOURCES, QueueParams, approval_items, case_queue

    def awaiting():
        return list(case_queue(user=head_of_office, params=QueueParams(tab="godkendelse")))

    a = amendment_propose(grant=awarded, changes=TARGETS, reason="Lavere tilgang", actor=caseworker)
    assert [c.pk for c in awaiting()] == [a.case_id]
    with django_assert_max_num_queries(len(APPROVAL_SOURCES)):  # one query per source
        [item] = approval_items([a.case_id])[a.case_id]
    assert item["proposer"] == caseworker and item["amendment_id"] == a.pk
    assert "måltal" in str(item["label"])
    amendment_approve(amendment=a, actor=head_of_office)
    assert awaiting() == []


# -- the budget (grants.budgets) ---------------------------------------------------------------


def _new_budget(**changes) -> list[dict]:
    from tests.budgets.helpers import BUDGET

    return [{"line": r["line"], "budget_dkk": changes.get(r["line"], r["budget_dkk"])} for r in BUDGET]


def test_a_budget_amendment_is_checked_at_proposal_and_set_at_approval(grant, caseworker,
                                                                      head_of_office):
    from grants.budgets.models import BudgetLine
    from tests.budgets.helpers import budget_grant

    budget_grant(grant, caseworker, years=(1,))
    unbalanced = {"budget": {"year_number": 1, "lines": _new_budget(**{"funding:grant": 1})}}
    with pytest.raises(AmendmentError, match="balancerer ikke") as refused:
        amendment_propose(grant=grant, changes=unbalanced, reason="r", actor=caseworker)
    assert refused.value.field == "budget_year" and not Amendment.objects.exists()
    assert BudgetLine.objects.get(grant=grant, year_number=1, funding_source="grant").budget_dkk == 4_500_000

    new = _new_budget(**{"cost:other_costs:marketing": 2_000_000, "funding:grant": 5_500_000})
    a = amendment_propose(grant=grant, changes={"budget": {"year_number": 1, "lines": new}},
                          reason="Mere markedsføring", actor=caseworker)
    assert a.four_eyes and a.kinds == ["budget"]
    # not set before the head of office approves
    assert BudgetLine.objects.get(grant=grant, year_number=1, funding_source="grant").budget_dkk == 4_500_000
    with pytest.raises(AmendmentError):
        amendment_approve(amendment=a, actor=caseworker)
    amendment_approve(amendment=a, actor=head_of_office)
    assert BudgetLine.objects.get(grant=grant, year_number=1, funding_source="grant").budget_dkk == 5_500_000
    letter = a.case.letters.get()
    assert "Budgettet for bevillingsår 1 ændres: omkostninger 11.500.000 kr. (før 10.500.000 kr.)" in letter.body
    assert GrantEvent.objects.filter(grant=grant, text__contains="Budgettet for bevillingsår 1").exists()


def test_the_budget_amendment_form(client, grant, caseworker):
    from grants.cases.amendment_forms import budget_field
    from tests.budgets.helpers import budget_grant

    budget_grant(grant, caseworker, years=(1,))
    client.force_login(caseworker)
    url = f"/bevillinger/{grant.reference}/aendring/"
    page = client.get(url).content.decode()
    assert f'name="{budget_field("cost:other_costs:marketing")}"' in page  # every line has its field
    lines = {budget_field(r["line"]): r["budget_dkk"] for r in _new_budget(**{"funding:grant": 1})}
    r = client.post(url, {"kinds": ["budget"], "reason": "r", "budget_year": 1, **lines})
    assert r.status_code == 400 and "balancerer ikke" in r.content.decode()
    assert not Amendment.objects.exists()
    lines = {budget_field(r["line"]): r["budget_dkk"] for r in _new_budget()}
    lines[budget_field("funding:private_cash")] = 3_000_000
    lines[budget_field("funding:in_kind")] = 2_500_000
    r = client.post(url, {"kinds": ["budget"], "reason": "Mere egenindsats", "budget_year": 1, **lines})
    a = Amendment.objects.get()
    assert r.status_code == 302 and a.changes["budget"]["year_number"] == 1
    assert {x["line"]: x["budget_dkk"] for x in a.changes["budget"]["lines"]}["funding:in_kind"] == 2_500_000
