"""Settlement (slutafregning): the approved final report closes the grant. Unspent grant
money (disbursed minus the grant funding the accounts show spent) and grant money spent on
ineligible costs become a repayment claim with its own case (type repayment_claim, on the final
report); the head of office decides the claim (four eyes), and the decision letter goes to the
cluster through grants.cases.letters (via the case's _decide).

Before the claim is decided — an adverse decision — the cluster must have been heard
(partshøring, grants.cases.hearing): the decision is refused until the cluster has answered the
hearing letter or its deadline has passed, and the letter quotes the answer's receipt."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from grants.budgets.constants import AidCostType, FundingSource, LineKind
from grants.budgets.models import BudgetLine
from grants.cases.models import Disbursement, RepaymentClaim
from grants.cases.services import (
    CaseActionError,
    _decide,
    _event,
    _lock,
    _notify_approvers,
    _require_handler,
    _require_status,
    case_follow,
    case_open,
    format_kr_number,
    hearing_conclude,
)
from grants.cases.tranches import grant_status_set
from grants.constants import (
    CaseEventKind,
    CaseStatus,
    CaseType,
    GrantStatus,
    HearingSubject,
    LetterKind,
    RepaymentStatus,
    ReportStatus,
)
from grants.core.models import Grant
from grants.reports.models import AnnualReport
from klyngeadmin.kernel.errors import FourEyesViolation
from klyngeadmin.kernel.i18n import record_text
from klyngeadmin.kernel.predicates import is_head_of_office


def settlement_figures(grant: Grant) -> dict:
    """Disbursed, spent (grant funding in the accounts, actual), unspent and ineligible (grant
    money that went to costs of no eligible aid cost type, at most what was spent), in kroner."""
    disbursed = Disbursement.objects.filter(tranche__grant=grant).aggregate(
        s=Sum("amount_dkk"))["s"] or 0
    lines = BudgetLine.objects.filter(grant=grant, actual_dkk__isnull=False)
    spent = lines.filter(kind=LineKind.FUNDING, funding_source=FundingSource.GRANT).aggregate(
        s=Sum("actual_dkk"))["s"] or 0
    ineligible_costs = lines.filter(kind=LineKind.COST, aid_cost_type=AidCostType.NOT_ELIGIBLE).aggregate(
        s=Sum("actual_dkk"))["s"] or 0
    unspent = max(disbursed - spent, 0)
    ineligible = min(ineligible_costs, spent, disbursed)
    return {"disbursed_dkk": disbursed, "spent_dkk": spent, "unspent_dkk": unspent,
            "ineligible_dkk": ineligible, "amount_dkk": unspent + ineligible}


@transaction.atomic
def grant_settle(*, report: AnnualReport, actor) -> RepaymentClaim | None:
    """Settle the grant on its approved final report (the last grant year): the grant becomes
    completed; a repayment claim (its own case, proposed to the head of office) is raised when
    money is to be paid back. Returns the claim, or None when nothing is owed."""
    _require_handler(actor)
    report = AnnualReport.objects.select_for_update().select_related("grant__cluster").get(pk=report.pk)
    grant = report.grant
    if report.year_number != grant.horizon_years:
        raise CaseActionError(_("Kun slutrapporten (bevillingens sidste år) kan afslutte bevillingen."))
    if report.status != ReportStatus.APPROVED:
        raise CaseActionError(_("Slutrapporten skal være godkendt, før bevillingen kan afsluttes."))
    if grant.status != GrantStatus.ACTIVE:
        raise CaseActionError(_("Bevillingen er allerede afsluttet eller tilbagekaldt."))
    figures = settlement_figures(grant)
    grant_status_set(grant=grant, to=GrantStatus.COMPLETED, actor=actor, text=record_text(
        "Afsluttet ved slutafregning af årsrapport %(year)s.", {"year": report.year}))
    if figures["amount_dkk"] <= 0:
        return None
    case = case_open(
        case_type=CaseType.REPAYMENT_CLAIM, report=report, cluster=grant.cluster, actor=actor,
        subject=record_text("Tilbagebetalingskrav – %(ref)s, %(cluster)s",
                            {"ref": grant.reference, "cluster": grant.cluster.name}),
    )
    case = case_follow(case=case, actor=actor, to=CaseStatus.IN_PROGRESS)
    claim = RepaymentClaim.objects.create(case=case, grant=grant, report=report,
                                          proposed_by=actor, **figures)
    _event(case, actor, CaseEventKind.PROPOSAL, internal=True, text=_claim_text(claim))
    _notify_approvers(case, lambda: _("Tilbagebetalingskrav til godkendelse i sag %(j)s") % {
        "j": case.journal_number}, case.subject, exclude=actor)
    return claim


def _claim_text(claim: RepaymentClaim) -> str:
    return record_text(
        "Krav om tilbagebetaling af %(amount)s kr.: udbetalt %(disbursed)s kr., forbrugt "
        "%(spent)s kr., ikke forbrugt %(unspent)s kr., brugt på ikke støtteberettigede "
        "omkostninger %(ineligible)s kr.",
        {"amount": format_kr_number(claim.amount_dkk),
         "disbursed": format_kr_number(claim.disbursed_dkk),
         "spent": format_kr_number(claim.spent_dkk),
         "unspent": format_kr_number(claim.unspent_dkk),
         "ineligible": format_kr_number(claim.ineligible_dkk)})


@transaction.atomic
def repayment_claim_decide(*, claim: RepaymentClaim, actor,
                           expected_version: int | None = None) -> RepaymentClaim:
    """The head of office decides the claim (never the one who raised it): the case is decided
    and the decision letter is generated and sent to the cluster."""
    if not is_head_of_office(actor):
        raise CaseActionError(_("Kun kontorchefen kan afgøre et tilbagebetalingskrav."))
    case = _lock(claim.case, expected_version)
    locked = RepaymentClaim.objects.select_for_update().get(pk=claim.pk)
    if locked.status != RepaymentStatus.PROPOSED:
        raise CaseActionError(_("Tilbagebetalingskravet er allerede afgjort."))
    if locked.proposed_by_id == actor.pk:
        raise FourEyesViolation(
            _("Du har selv rejst dette krav. En anden skal godkende det (fire øjne)."))
    # an adverse decision: only after the hearing (answered, or its deadline passed)
    hearing_text = hearing_conclude(case=case, subject_kind=HearingSubject.REPAYMENT_CLAIM, actor=actor)
    _require_status(case, CaseStatus.IN_PROGRESS)
    locked.status = RepaymentStatus.DECIDED
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "decided_by", "decided_at"])
    _decide(case, actor, LetterKind.REPAYMENT_CLAIM, _claim_text(locked) + "\n\n" + hearing_text)
    claim.__dict__.update(status=locked.status, decided_by_id=actor.pk, decided_at=locked.decided_at)
    return locked
