"""A tranche proposal over the aid-intensity ceiling needs a justification and the head of
office; the final report's settlement raises a repayment claim with its own case and letter."""

from datetime import date

import pytest
from django.db import IntegrityError, transaction

from grants.cases import proposals, settlement
from grants.cases import services as svc
from grants.cases.models import Case, RepaymentClaim, TrancheProposal
from grants.constants import CaseStatus, CaseType, GrantStatus, ProposalStatus
from grants.notifications.models import Notification
from grants.reports.costs import report_costs_save
from klyngeadmin.kernel.errors import FourEyesViolation
from tests.budgets.helpers import BUDGET, actuals_as_budget, budget_grant
from tests.factories import UserFactory
from tests.grants.case_fixtures import fill_report, submit_report

pytestmark = pytest.mark.django_db


def _approved_case(grant, director, caseworker, year_number=1, spent=4_500_000, **overrides):
    report = fill_report(grant.reports.get(year_number=year_number), spent=spent)
    report_costs_save(report=report, lines=actuals_as_budget(**overrides), actor=director)
    case = submit_report(report, director)
    svc.case_take(case=case, actor=caseworker)
    svc.case_transition(case=case, to=CaseStatus.IN_PROGRESS, actor=caseworker)
    svc.case_approve_report(case=case, actor=caseworker)
    case.refresh_from_db()
    return case


def test_release_within_the_ceiling_needs_no_justification(grant, caseworker, director, media_root):
    budget_grant(grant, caseworker, years=(1,))
    case = _approved_case(grant, director, caseworker)
    proposal = proposals.tranche_propose_release(case=case, actor=caseworker,
                                                 amount_dkk=4_500_000, pay_on=date.today())
    assert proposal.justification == "" and str(proposal.aid_intensity_pct) == "50.00"


def test_release_over_the_ceiling_refused_without_justification(grant, caseworker, director,
                                                                head_of_office, media_root):
    budget_grant(grant, caseworker, years=(1,))
    case = _approved_case(grant, director, caseworker)
    with pytest.raises(svc.CaseActionError, match="begrundelse") as exc:
        proposals.tranche_propose_release(case=case, actor=caseworker, amount_dkk=6_000_000,
                                          pay_on=date.today(), justification="  ")
    assert "65,0 %" in str(exc.value) and "loft 50 %" in str(exc.value)
    assert not TrancheProposal.objects.exists()
    assert grant.tranches.get(year_number=1).status == "planned"
    proposal = proposals.tranche_propose_release(
        case=case, actor=caseworker, amount_dkk=6_000_000, pay_on=date.today(),
        justification="Ekstraordinære driftsudgifter godkendt af ministeriet.")
    assert proposal.justification.startswith("Ekstraordinære")
    assert str(proposal.aid_intensity_pct) == "65.00"
    assert "Støtteintensiteten bliver 65,0 %" in case.events.filter(kind="proposal").last().text
    # a caseworker cannot approve it; the head of office does
    with pytest.raises(svc.CaseActionError):
        proposals.tranche_proposal_approve(proposal=proposal, actor=UserFactory(role="caseworker"))
    proposals.tranche_proposal_approve(proposal=proposal, actor=head_of_office)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.APPROVED


def test_ceiling_is_configuration(grant, caseworker, director, settings, media_root):
    settings.AID_INTENSITY_CEILING_PCT = 70
    budget_grant(grant, caseworker, years=(1,))
    case = _approved_case(grant, director, caseworker)
    proposal = proposals.tranche_propose_release(case=case, actor=caseworker,
                                                 amount_dkk=6_000_000, pay_on=date.today())
    assert proposal.justification == ""


# -- settlement and the repayment claim -----------------------------------------------------------


@pytest.fixture
def final_grant(cluster, director):
    from evaluations.midway.schedule import grant_create
    from tests.builders import award_accepted
    return award_accepted(grant_create(
        cluster=cluster, reference=f"KP-SLUT-{cluster.pk}", start_year=2025, horizon_years=1,
        annual_amount_dkk=10_000_000, midway_year=None), director)


def test_settlement_raises_a_claim_with_its_own_case_and_letter(final_grant, caseworker, director,
                                                               head_of_office, media_root):
    budget_grant(final_grant, caseworker, years=(1,))
    case = _approved_case(final_grant, director, caseworker)
    release = proposals.tranche_propose_release(case=case, actor=caseworker, amount_dkk=5_000_000,
                                                pay_on=date.today(), justification="Forskud.")
    proposals.tranche_proposal_approve(proposal=release, actor=head_of_office)
    claim = settlement.grant_settle(report=case.report, actor=caseworker)
    # disbursed 5,0 mio., spent 4,5 mio.: 0,5 unspent; 0,5 mio. went to ineligible costs
    assert (claim.disbursed_dkk, claim.spent_dkk, claim.unspent_dkk, claim.ineligible_dkk,
            claim.amount_dkk) == (5_000_000, 4_500_000, 500_000, 500_000, 1_000_000)
    final_grant.refresh_from_db()
    assert final_grant.status == GrantStatus.COMPLETED
    claim_case = claim.case
    assert claim_case.case_type == CaseType.REPAYMENT_CLAIM and claim_case.status == CaseStatus.IN_PROGRESS
    assert claim_case.report_id == case.report_id and claim_case != case
    with pytest.raises(svc.CaseActionError, match="kontorchefen"):
        settlement.repayment_claim_decide(claim=claim, actor=caseworker)
    with pytest.raises(FourEyesViolation):
        settlement.repayment_claim_decide(claim=claim, actor=caseworker_as_head(claim))
    # an adverse decision: refused until the cluster has been heard and has answered
    with pytest.raises(svc.HearingPending):
        settlement.repayment_claim_decide(claim=claim, actor=head_of_office)
    from grants.cases.hearing import hearing_answer, hearing_start
    from grants.constants import HearingSubject
    hearing_start(case=claim_case, actor=claim.proposed_by, subject_kind=HearingSubject.REPAYMENT_CLAIM,
                  proposed_decision="Krav om tilbagebetaling af 1.000.000 kr.",
                  grounds="Ikke forbrugte og ikke støtteberettigede midler.")
    with pytest.raises(svc.HearingPending, match="løber til"):
        settlement.repayment_claim_decide(claim=claim, actor=head_of_office)
    hearing_answer(case=claim_case, actor=director, text="Vi har ingen bemærkninger.")
    settlement.repayment_claim_decide(claim=claim, actor=head_of_office)
    claim.refresh_from_db()
    claim_case.refresh_from_db()
    assert claim.status == "decided" and claim_case.status == CaseStatus.DECIDED
    letter = claim_case.letters.get(kind="repayment_claim")  # beside the hearing letter
    assert letter.kind == "repayment_claim" and letter.file.read(5) == b"%PDF-"
    assert "1.000.000 kr." in letter.body and letter.title.startswith("Afgørelse om tilbagebetaling")
    assert "høringssvar" in letter.body  # the letter quotes the answer's receipt
    assert Notification.objects.filter(recipient=director, subject__contains=claim_case.journal_number).exists()


def caseworker_as_head(claim):
    """The one who raised the claim, promoted to head of office: still not allowed (four eyes)."""
    user = claim.proposed_by
    user.role = "head_of_office"
    user.save(update_fields=["role"])
    return user


def test_settlement_with_nothing_owed_closes_without_claim(final_grant, caseworker, director,
                                                           head_of_office, media_root):
    lines = [dict(r) for r in BUDGET if r["line"] != "cost:other_costs:not_eligible"]
    lines[-1] = {"line": "funding:other_public", "budget_dkk": 0}
    from grants.budgets.services import set_budget
    set_budget(final_grant, 1, lines, actor=caseworker)
    report = fill_report(final_grant.reports.get(year_number=1), spent=4_500_000)
    report_costs_save(report=report, lines=[{"line": r["line"], "actual_dkk": r["budget_dkk"]}
                                            for r in lines], actor=director)
    case = submit_report(report, director)
    svc.case_take(case=case, actor=caseworker)
    svc.case_transition(case=case, to=CaseStatus.IN_PROGRESS, actor=caseworker)
    svc.case_approve_report(case=case, actor=caseworker)
    release = proposals.tranche_propose_release(case=Case.objects.get(pk=case.pk), actor=caseworker,
                                                amount_dkk=4_500_000, pay_on=date.today())
    proposals.tranche_proposal_approve(proposal=release, actor=head_of_office)
    assert settlement.grant_settle(report=report, actor=caseworker) is None
    final_grant.refresh_from_db()
    assert final_grant.status == GrantStatus.COMPLETED
    assert not RepaymentClaim.objects.exists()


def test_settlement_only_on_the_approved_final_report(grant, caseworker, director, media_root):
    budget_grant(grant, caseworker, years=(1,))
    case = _approved_case(grant, director, caseworker)
    with pytest.raises(svc.CaseActionError, match="slutrapporten"):
        settlement.grant_settle(report=case.report, actor=caseworker)
    with pytest.raises(svc.CaseActionError):
        settlement.grant_settle(report=case.report, actor=director)


def test_claim_amount_is_checked_by_the_database(final_grant, caseworker, director, media_root):
    report = final_grant.reports.get()
    case = svc.case_open(case_type=CaseType.REPAYMENT_CLAIM, subject="x", cluster=final_grant.cluster,
                         report=report)
    base = {"case": case, "grant": final_grant, "report": report, "disbursed_dkk": 1,
            "spent_dkk": 0, "proposed_by": caseworker}
    for bad in ({"unspent_dkk": 1, "ineligible_dkk": 0, "amount_dkk": 2},
                {"unspent_dkk": 0, "ineligible_dkk": 0, "amount_dkk": 0},
                {"unspent_dkk": 1, "ineligible_dkk": 0, "amount_dkk": 1, "decided_by": caseworker,
                 "status": "decided"}):
        with pytest.raises(IntegrityError), transaction.atomic():
            RepaymentClaim.objects.create(**base, **bad)


def test_settlement_and_claim_through_the_case_page(client, final_grant, caseworker, director,
                                                    head_of_office, media_root):
    from django.urls import reverse
    budget_grant(final_grant, caseworker, years=(1,))
    case = _approved_case(final_grant, director, caseworker)
    release = proposals.tranche_propose_release(case=case, actor=caseworker, amount_dkk=4_500_000,
                                                pay_on=date.today())
    proposals.tranche_proposal_approve(proposal=release, actor=head_of_office)
    case.refresh_from_db()
    client.force_login(caseworker)
    page = client.get(reverse("cases:detail", args=[case.journal_number])).content.decode()
    assert "Afslut bevillingen (slutafregning)" in page
    client.force_login(director)  # the cluster cannot settle
    assert client.post(reverse("cases:action", args=[case.journal_number, "afslut-bevilling"]),
                       {"afslut-bevilling-version": case.version}).status_code in (403, 404)
    client.force_login(caseworker)
    r = client.post(reverse("cases:action", args=[case.journal_number, "afslut-bevilling"]),
                    {"afslut-bevilling-version": case.version})
    assert r.status_code == 302
    claim = RepaymentClaim.objects.get()
    assert claim.amount_dkk == 500_000  # all spent, but half a million on ineligible costs
    url = reverse("cases:detail", args=[claim.case.journal_number])
    page = client.get(url).content.decode()
    assert 'data-testid="repayment-claim"' in page and "Afgør tilbagebetalingskravet" not in page
    decide = reverse("cases:action", args=[claim.case.journal_number, "afgoer-tilbagebetaling"])
    assert client.post(decide, {"afgoer-tilbagebetaling-version": claim.case.version}).status_code == 403
    client.force_login(head_of_office)
    assert "Afgør tilbagebetalingskravet" in client.get(url).content.decode()
    # before the hearing the decision is refused with the reason, and nothing changes
    r = client.post(decide, {"afgoer-tilbagebetaling-version": claim.case.version}, follow=True)
    assert "kræver en partshøring" in r.content.decode()
    claim.refresh_from_db()
    assert claim.status == "proposed"
    from grants.cases.hearing import hearing_answer, hearing_start
    from grants.constants import HearingSubject
    hearing_start(case=claim.case, actor=caseworker, subject_kind=HearingSubject.REPAYMENT_CLAIM,
                  proposed_decision="Krav om tilbagebetaling.", grounds="Ikke støtteberettigede udgifter.")
    hearing_answer(case=claim.case, actor=director, text="Vi er uenige.")
    claim.case.refresh_from_db()
    assert client.post(decide, {"afgoer-tilbagebetaling-version": claim.case.version}).status_code == 302
    claim.refresh_from_db()
    assert claim.status == "decided" and claim.case.letters.filter(kind="repayment_claim").count() == 1
