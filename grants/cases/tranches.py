"""State changes of a grant, its tranches and the tranche proposals: one function each, under
the row's lock, checked against the transition table (grants.reports.workflows TRANCHE_WORKFLOW and
PROPOSAL_WORKFLOW) and recorded in the same transaction (GrantEvent for a tranche or the
grant; the proposal's case records its own event, see grants.cases.services).

Callers are services that hold the transaction (grants.cases.services for proposals and their
approval, evaluations.services.grant_withdraw for a withdrawal); nothing else writes these
state columns."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grants.cases.models import TrancheProposal
from grants.constants import GrantStatus, TrancheStatus
from grants.core.models import Grant, GrantEvent, Tranche
from grants.reports.workflows import PROPOSAL_WORKFLOW, TRANCHE_WORKFLOW
from klyngeadmin.kernel.workflow import TransitionNotAllowed

# A payment, or a proposal of one, needs a grant that is still running.
_NEEDS_ACTIVE_GRANT = (TrancheStatus.PROPOSED, TrancheStatus.RELEASED)


def year_tranche(report) -> Tranche | None:
    """The tranche of an annual report's grant year (grant and year number are unique together):
    what the case page offers, what the proposals act on, and whether a report case is done."""
    return Tranche.objects.filter(grant_id=report.grant_id, year_number=report.year_number).first()


class GrantNotActive(Exception):
    """A tranche of a withdrawn or completed grant cannot be proposed for payment or paid."""

    def __init__(self, grant: Grant):
        self.grant = grant
        super().__init__(
            _("Bevillingen %(ref)s er %(status)s; der kan ikke udbetales rater på den.")
            % {"ref": grant.reference, "status": grant.get_status_display().lower()}
        )


class AwardNotAccepted(Exception):
    """No tranche is proposed or released before the award letter is accepted (issue 16)."""

    def __init__(self, grant: Grant):
        self.grant = grant
        super().__init__(
            _("Tilsagnet for bevillingen %(ref)s er endnu ikke accepteret af klyngedirektøren; "
              "der kan ikke udbetales rater, før det er accepteret.") % {"ref": grant.reference}
        )


@transaction.atomic
def tranche_transition(*, tranche: Tranche, to: str, actor, text: str = "",
                       released_on=None) -> Tranche:
    """Move a tranche along TRANCHE_WORKFLOW (raises TransitionNotAllowed: a released tranche
    is never released again), refusing payment on a grant that is not active (GrantNotActive)
    or whose award letter is not accepted (AwardNotAccepted).
    Writes the GrantEvent. `released_on` is the payment date of a release."""
    # the tranche's row only: the grant is locked below, when the step needs it active
    locked = Tranche.objects.select_for_update(of=("self",)).select_related("grant").get(
        pk=tranche.pk)
    source = locked.status
    TRANCHE_WORKFLOW.check(source, to, actor)
    if to in _NEEDS_ACTIVE_GRANT:
        grant = Grant.objects.select_for_update().get(pk=locked.grant_id)
        if grant.status != GrantStatus.ACTIVE:
            raise GrantNotActive(grant)
        if grant.award_accepted_at is None:
            raise AwardNotAccepted(grant)
    locked.status = to
    fields = ["status"]
    if to == TrancheStatus.RELEASED:
        locked.released_on = released_on
        fields.append("released_on")
    locked.save(update_fields=fields)
    GrantEvent.objects.create(grant_id=locked.grant_id, tranche=locked, actor=actor,
                              from_status=source, to_status=to, text=text)
    tranche.__dict__.update({f: getattr(locked, f) for f in fields})
    return locked


def proposal_transition(*, proposal: TrancheProposal, to: str, actor) -> TrancheProposal:
    """Decide a proposal along PROPOSAL_WORKFLOW. Call with the proposal's case locked (the
    services in grants.cases.services do); the case event is theirs to write."""
    locked = TrancheProposal.objects.select_for_update().get(pk=proposal.pk)
    PROPOSAL_WORKFLOW.check(locked.status, to, actor)
    locked.status = to
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "decided_by", "decided_at"])
    proposal.__dict__.update(status=locked.status, decided_by_id=locked.decided_by_id,
                             decided_at=locked.decided_at)
    return locked


@transaction.atomic
def grant_status_set(*, grant: Grant, to: str, actor, text: str = "") -> Grant:
    """Change the grant's own status (active -> withdrawn or completed), with its GrantEvent."""
    locked = Grant.objects.select_for_update().get(pk=grant.pk)
    source = locked.status
    if source != GrantStatus.ACTIVE or to == GrantStatus.ACTIVE:
        raise TransitionNotAllowed("grant", source, to, actor)
    locked.status = to
    locked.save(update_fields=["status", "updated_at"])
    GrantEvent.objects.create(grant=locked, actor=actor, from_status=source, to_status=to, text=text)
    grant.__dict__.update(status=to, updated_at=locked.updated_at)
    return locked

