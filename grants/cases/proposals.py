from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from grants.budgets.selectors import grant_aid_position
from grants.cases.hearing import hearing_conclude
from grants.cases.models import Case, Disbursement, TrancheProposal
from grants.cases.services import (
    CaseActionError,
    _decide,
    _event,
    _lock,
    _notify_approvers,
    _report_of,
    _require_handler,
    _require_status,
    _save,
    format_kr_number,
)
from grants.cases.tranches import (
    AwardNotAccepted,
    GrantNotActive,
    proposal_transition,
    tranche_transition,
    year_tranche,
)
from grants.constants import (
    CaseEventKind,
    CaseStatus,
    CaseType,
    GrantStatus,
    HearingSubject,
    LetterKind,
    ProposalKind,
    ProposalStatus,
    ReportStatus,
    TrancheStatus,
)
from grants.core.models import Grant, Tranche
from grants.reports.workflows import TRANCHE_WORKFLOW
from klyngeadmin.kernel.dates import format_date
from klyngeadmin.kernel.errors import FourEyesViolation
from klyngeadmin.kernel.formatting import number
from klyngeadmin.kernel.i18n import RECORD_LANGUAGE, record_text
from klyngeadmin.kernel.predicates import is_head_of_office


def case_tranche(case: Case) -> Tranche | None:
    if case.case_type != CaseType.ANNUAL_REPORT or case.report_id is None:
        return None
    return year_tranche(case.report)



def release_aid_position(*, tranche: Tranche, amount_dkk: int):
    """The grant's cumulative aid intensity up to the tranche's year if `amount_dkk` is paid
    for it (in place of that year's reported or budgeted grant funding)."""
    return grant_aid_position(grant=tranche.grant, up_to_year=tranche.year_number,
                              replace_grant_funding={tranche.year_number: amount_dkk})


def _open_proposal_exists(case: Case) -> bool:
    return case.proposals.filter(status=ProposalStatus.PROPOSED).exists()



@transaction.atomic
def tranche_propose_release(
    *, case: Case, actor, amount_dkk: int, pay_on: date, justification: str = "",
    expected_version: int | None = None,
) -> TrancheProposal:
    """Propose releasing the year's tranche (planned -> proposed) once the report is approved.
    The head of office approves it (tranche_proposal_approve). A release that would take the
    grant's cumulative public aid intensity above the ceiling (grants.budgets) is refused
    without a written justification; with one, it is recorded on the proposal for the head of
    office's approval."""
    _require_handler(actor)
    locked = _lock(case, expected_version)
    report = _report_of(locked)
    _require_status(locked, CaseStatus.IN_PROGRESS)
    if report.status != ReportStatus.APPROVED:
        raise CaseActionError(_("Årsrapporten skal være godkendt, før raten kan indstilles."))
    tranche = Tranche.objects.select_for_update().get(
        grant_id=report.grant_id, year_number=report.year_number
    )
    if not TRANCHE_WORKFLOW.is_allowed(tranche.status, TrancheStatus.PROPOSED, actor):
        raise CaseActionError(
            _("Raten for %(year)s har status »%(status)s« og kan ikke indstilles.")
            % {"year": tranche.year, "status": tranche.get_status_display()}
        )
    _require_active_grant(report.grant_id)
    if amount_dkk is None or amount_dkk <= 0 or amount_dkk > tranche.amount_dkk:
        raise CaseActionError(
            _("Beløbet skal være større end 0 og højst %(max)s kr.")
            % {"max": format_kr_number(tranche.amount_dkk)}
        )
    if _open_proposal_exists(locked):
        raise CaseActionError(_("Der er allerede en indstilling, som venter på godkendelse."))
    aid = release_aid_position(tranche=tranche, amount_dkk=amount_dkk)
    justification = (justification or "").strip()
    if aid.over and not justification:
        raise CaseActionError(
            _("Udbetalingen bringer den offentlige støtteintensitet op på %(pct)s %% (loft "
              "%(ceiling)s %%). Skriv en begrundelse for at overskride loftet; kontorchefen "
              "skal godkende.")
            % {"pct": number(aid.pct, 1) if aid.pct is not None else "–",
               "ceiling": aid.ceiling_pct})
    tranche_transition(tranche=tranche, to=TrancheStatus.PROPOSED, actor=actor,
                       text=record_text("Indstillet til udbetaling i sag %(j)s.",
                                        {"j": locked.journal_number}))
    proposal = TrancheProposal.objects.create(
        case=locked, tranche=tranche, kind=ProposalKind.RELEASE, amount_dkk=amount_dkk,
        pay_on=pay_on, proposed_by=actor, justification=justification if aid.over else "",
        aid_intensity_pct=aid.pct,
    )
    _save(locked, [], case)
    text = record_text(
        "Indstiller udbetaling af raten for %(year)s: %(amount)s kr. den %(date)s.",
        {"year": tranche.year, "amount": format_kr_number(amount_dkk),
         "date": format_date(pay_on, language=RECORD_LANGUAGE)})
    if aid.over:
        text += " " + record_text(
            "Støtteintensiteten bliver %(pct)s %% (loft %(ceiling)s %%). Begrundelse: %(why)s",
            {"pct": number(aid.pct, 1) if aid.pct is not None else "–",
             "ceiling": aid.ceiling_pct, "why": justification})
    _event(locked, actor, CaseEventKind.PROPOSAL, internal=True, text=text)
    _notify_approvers(locked, lambda: _("Indstilling til godkendelse i sag %(j)s") % {
        "j": locked.journal_number}, locked.subject, exclude=actor)
    return proposal



@transaction.atomic
def tranche_propose_cancellation(
    *, case: Case, actor, reason: str, expected_version: int | None = None
) -> TrancheProposal:
    """Propose cancelling the year's tranche (a decision that cancels money): the head of
    office must approve it."""
    _require_handler(actor)
    reason = (reason or "").strip()
    if not reason:
        raise CaseActionError(_("Skriv en begrundelse for annulleringen."))
    locked = _lock(case, expected_version)
    report = _report_of(locked)
    _require_status(locked, CaseStatus.IN_PROGRESS)
    tranche = Tranche.objects.select_for_update().get(
        grant_id=report.grant_id, year_number=report.year_number
    )
    if tranche.status != TrancheStatus.PLANNED:
        raise CaseActionError(_("Kun en planlagt rate kan indstilles til annullering."))
    _require_active_grant(report.grant_id, payment=False)
    if _open_proposal_exists(locked):
        raise CaseActionError(_("Der er allerede en indstilling, som venter på godkendelse."))
    proposal = TrancheProposal.objects.create(
        case=locked, tranche=tranche, kind=ProposalKind.CANCEL, amount_dkk=tranche.amount_dkk,
        reason=reason, proposed_by=actor,
    )
    _save(locked, [], case)
    _event(locked, actor, CaseEventKind.PROPOSAL, internal=True,
           text=record_text("Indstiller annullering af raten for %(year)s: %(reason)s",
                            {"year": tranche.year, "reason": reason}))
    _notify_approvers(locked, lambda: _("Indstilling til godkendelse i sag %(j)s") % {
        "j": locked.journal_number}, locked.subject, exclude=actor)
    return proposal



def _lock_proposal(proposal: TrancheProposal, actor, expected_version):
    if not is_head_of_office(actor):
        raise CaseActionError(_("Kun kontorchefen kan godkende eller afvise en indstilling."))
    locked_case = _lock(proposal.case, expected_version)
    locked = TrancheProposal.objects.select_for_update().select_related("tranche").get(
        pk=proposal.pk
    )
    if locked.status != ProposalStatus.PROPOSED:
        raise CaseActionError(_("Indstillingen er allerede afgjort."))
    if locked.proposed_by_id == actor.pk:
        raise FourEyesViolation(
            _("Du har selv indstillet denne afgørelse. En anden skal godkende den (fire øjne).")
        )
    return locked_case, locked



@transaction.atomic
def tranche_proposal_approve(
    *, proposal: TrancheProposal, actor, expected_version: int | None = None
) -> TrancheProposal:
    """The head of office approves a proposal (never their own): a release records the
    disbursement and releases the tranche, a cancellation cancels it. The case is decided and
    the decision letter is generated and stored with it."""
    case, locked = _lock_proposal(proposal, actor, expected_version)
    hearing_text = ""
    if locked.kind == ProposalKind.CANCEL:  # an adverse decision: only after the hearing
        hearing_text = hearing_conclude(case=case, subject_kind=HearingSubject.TRANCHE_CANCELLATION,
                                        actor=actor)
    _require_status(case, CaseStatus.IN_PROGRESS)
    tranche = Tranche.objects.select_for_update().get(pk=locked.tranche_id)
    target = TrancheStatus.RELEASED if locked.kind == ProposalKind.RELEASE else TrancheStatus.CANCELLED
    if not TRANCHE_WORKFLOW.is_allowed(tranche.status, target, actor):
        raise CaseActionError(
            _("Raten for %(year)s har status »%(status)s«; indstillingen kan ikke godkendes.")
            % {"year": tranche.year, "status": tranche.get_status_display()}
        )
    if locked.kind == ProposalKind.RELEASE:
        _require_active_grant(tranche.grant_id)
    locked = proposal_transition(proposal=locked, to=ProposalStatus.APPROVED, actor=actor)
    if locked.kind == ProposalKind.RELEASE:
        tranche_transition(tranche=tranche, to=TrancheStatus.RELEASED, actor=actor,
                           released_on=locked.pay_on,
                           text=record_text("Udbetalt efter godkendt indstilling i sag %(j)s.",
                                            {"j": case.journal_number}))
        Disbursement.objects.create(
            tranche=tranche, proposal=locked, amount_dkk=locked.amount_dkk,
            paid_on=locked.pay_on, proposed_by_id=locked.proposed_by_id, approved_by=actor,
        )
        kind = LetterKind.TRANCHE_RELEASED
        text = record_text("Raten for %(year)s udbetales: %(amount)s kr. den %(date)s.", {
            "year": tranche.year, "amount": format_kr_number(locked.amount_dkk),
            "date": format_date(locked.pay_on, language=RECORD_LANGUAGE)})
    else:
        tranche_transition(tranche=tranche, to=TrancheStatus.CANCELLED, actor=actor,
                           text=record_text("Annulleret efter godkendt indstilling i sag %(j)s.",
                                            {"j": case.journal_number}))
        kind = LetterKind.TRANCHE_CANCELLED
        text = record_text(
            "Raten for %(year)s på %(amount)s kr. annulleres. Begrundelse: %(reason)s", {
                "year": tranche.year, "amount": format_kr_number(locked.amount_dkk),
                "reason": locked.reason})
        text += "\n\n" + hearing_text
    _decide(case, actor, kind, text, proposal=locked)
    proposal.__dict__.update(status=locked.status, decided_by_id=actor.pk,
                             decided_at=locked.decided_at)
    return locked



@transaction.atomic
def tranche_proposal_reject(
    *, proposal: TrancheProposal, actor, reason: str, expected_version: int | None = None
) -> TrancheProposal:
    """The head of office sends a proposal back; a proposed tranche returns to planned."""
    reason = (reason or "").strip()
    if not reason:
        raise CaseActionError(_("Skriv en begrundelse for afvisningen."))
    case, locked = _lock_proposal(proposal, actor, expected_version)
    locked = proposal_transition(proposal=locked, to=ProposalStatus.REJECTED, actor=actor)
    _back_to_planned(locked, actor, record_text("Indstillingen er afvist: %(reason)s",
                                                {"reason": reason}))
    _save(case, [])
    _event(case, actor, CaseEventKind.PROPOSAL, internal=True,
           text=record_text("Indstillingen er afvist: %(reason)s", {"reason": reason}))
    return locked



def _back_to_planned(proposal: TrancheProposal, actor, text: str) -> None:
    tranche = Tranche.objects.select_for_update().get(pk=proposal.tranche_id)
    if tranche.status == TrancheStatus.PROPOSED:
        tranche_transition(tranche=tranche, to=TrancheStatus.PLANNED, actor=actor, text=text)



def _require_active_grant(grant_id: int, *, payment: bool = True) -> None:
    """A proposal needs a running grant; a payment also needs the award letter accepted."""
    grant = Grant.objects.get(pk=grant_id)
    if grant.status != GrantStatus.ACTIVE:
        raise CaseActionError(str(GrantNotActive(grant)))
    if payment and grant.award_accepted_at is None:
        raise CaseActionError(str(AwardNotAccepted(grant)))



@transaction.atomic
def proposal_close(*, proposal: TrancheProposal, actor, reason: str) -> TrancheProposal:
    """Close an open proposal because its grant is withdrawn (proposed -> withdrawn), under its
    case's lock and with the case event; a proposed tranche returns to planned. Part of the
    withdrawal (evaluations.services.grant_withdraw): no approval, so no four eyes."""
    case = _lock(proposal.case, None)
    locked = proposal_transition(proposal=proposal, to=ProposalStatus.WITHDRAWN, actor=actor)
    _back_to_planned(locked, actor, reason)
    _save(case, [])
    _event(case, actor, CaseEventKind.PROPOSAL, internal=True,
           text=record_text("Indstillingen er bortfaldet: %(reason)s", {"reason": reason}))
    return locked

