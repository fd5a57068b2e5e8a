"""The open call for emerging areas (uspecificeret opslag): publishing a call, registering a new
organisation, applying, and the decision that creates the cluster and its 10-year grant.

Applications are scored with the same panel machinery as the midway evaluation
(evaluations.midway.services: panel_join, scores_save, consensus_save)."""

from __future__ import annotations

from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from clusters.constants import Region
from clusters.cvr import is_valid_cvr
from clusters.models import ClusterOrganisation, KnowledgeInstitution, StrengthPosition
from evaluations.constants import ApplicationOutcome, EvaluationEventKind, RubricPurpose
from evaluations.midway.schedule import grant_create
from evaluations.midway.services import latest_case
from evaluations.midway.workflows import APPLICATION_WORKFLOW
from evaluations.models import (
    Applicant,
    ApplicationDecision,
    ApplicationProposal,
    ConsortiumCompany,
    ConsortiumInstitution,
    EvaluationEvent,
    Panel,
    Recommendation,
)
from evaluations.panels.rubrics import EVALUATION_CHANGED, active_rubric, rubric_lock
from grants.calls.models import Application, Call
from grants.cases.award import award_letter_issue
from grants.cases.hearing import hearing_conclude, hearing_drop
from grants.cases.letters import decision_letter_create
from grants.cases.services import case_follow, case_open
from grants.constants import (
    PROGRAMME_HORIZON_YEARS,
    PROGRAMME_MIDWAY_YEAR,
    ApplicationStatus,
    CallKind,
    CallStatus,
    CaseStatus,
    CaseType,
    HearingSubject,
    LetterKind,
)
from grants.notifications.services import notify
from grants.targets.services import targets_set_at_award
from klyngeadmin.kernel.errors import FourEyesViolation, StaleVersion
from klyngeadmin.kernel.i18n import record_text
from klyngeadmin.kernel.roles import Role

A = ApplicationStatus


@transaction.atomic
def call_create(*, title: str, description: str, opens_at: datetime, closes_at: datetime,
                budget_dkk: int, actor, kind: str = CallKind.OPEN_EMERGING) -> Call:
    if closes_at <= opens_at:
        raise ValidationError({"closes_at": [_("Ansøgningsfristen skal ligge efter åbningstidspunktet.")]})
    if budget_dkk < 0:
        raise ValidationError({"budget_dkk": [_("Rammen kan ikke være negativ.")]})
    return Call.objects.create(title=title.strip(), description=description.strip(), kind=kind,
                               opens_at=opens_at, closes_at=closes_at, budget_dkk=budget_dkk)


@transaction.atomic
def call_publish(*, call: Call, actor) -> Call:
    locked = Call.objects.select_for_update().get(pk=call.pk)
    if locked.status != CallStatus.DRAFT:
        raise ValidationError(_("Opslaget er allerede offentliggjort."))
    locked.status = CallStatus.PUBLISHED
    locked.save(update_fields=["status", "updated_at"])
    return locked


def call_is_open(call: Call, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return call.status == CallStatus.PUBLISHED and call.opens_at <= now < call.closes_at


@transaction.atomic
def applicant_register(*, username: str, email: str, password: str, first_name: str, last_name: str,
                       organisation_name: str, cvr: str, city: str, region: str) -> Applicant:
    """A new organisation registers: a user with the applicant role (no cluster) and its
    applicant record."""
    errors: dict = {}
    User = get_user_model()
    if User.objects.filter(username__iexact=username).exists():
        errors["username"] = [_("Brugernavnet er optaget.")]
    if not is_valid_cvr(cvr):
        errors["cvr"] = [_("CVR-nummeret er ugyldigt (8 cifre med korrekt kontrolciffer).")]
    elif ClusterOrganisation.objects.filter(cvr=cvr).exists() or Applicant.objects.filter(cvr=cvr).exists():
        errors["cvr"] = [_("Organisationen med dette CVR-nummer er allerede registreret.")]
    if region not in Region.values:
        errors["region"] = [_("Vælg en region.")]
    if errors:
        raise ValidationError(errors)
    user = User(username=username, email=email, role=Role.APPLICANT, first_name=first_name,
                last_name=last_name)
    user.set_password(password)
    user.save()
    return Applicant.objects.create(user=user, organisation_name=organisation_name.strip(), cvr=cvr,
                                    city=city.strip(), region=region)


def parse_companies(text: str) -> tuple[list[tuple[str, str]], list[str]]:
    """'CVR;Navn' per line -> [(cvr, name)], [errors naming the line]."""
    rows, errors, seen = [], [], set()
    for n, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        cvr, _sep, name = (part.strip() for part in line.partition(";"))
        if not is_valid_cvr(cvr):
            errors.append(_("Linje %(n)s: CVR-nummeret %(cvr)s er ugyldigt.") % {"n": n, "cvr": cvr})
        elif not name:
            errors.append(_("Linje %(n)s: skriv virksomhedens navn efter semikolon.") % {"n": n})
        elif cvr in seen:
            errors.append(_("Linje %(n)s: CVR-nummeret %(cvr)s står der to gange.") % {"n": n, "cvr": cvr})
        else:
            seen.add(cvr)
            rows.append((cvr, name))
    return rows, errors


def _event(application, actor, kind, from_status="", to_status="", text=""):
    EvaluationEvent.objects.create(application=application, actor=actor, kind=kind,
                                   from_status=from_status, to_status=to_status, text=text)


@transaction.atomic
def application_transition(*, application: Application, to: str, actor=None, comment: str = "") -> Application:
    locked = Application.objects.select_for_update().get(pk=application.pk)
    source = locked.status
    APPLICATION_WORKFLOW.check(source, to, actor)
    locked.status = to
    fields = ["status", "updated_at"]
    if to == A.SCORING:
        locked.submitted_at = timezone.now()
        fields.append("submitted_at")
    locked.save(update_fields=fields)
    _event(locked, actor, EvaluationEventKind.TRANSITION, source, to, comment)
    application.status = to
    return locked


@transaction.atomic
def application_save(
    *, call: Call, applicant: Applicant, actor, proposed_area: str, description: str, budget_dkk: int,
    requested_annual_dkk: int, cofinancing_dkk: int, companies_text: str,
    institution_ids: list[int], version: int | None, submit: bool = False,
    proposed_targets: list[dict] | None = None,
) -> Application:
    """Create or update the applicant's draft application to a call; with `submit`, submit it
    in the same transaction (checked complete first: nothing is saved if it is not)."""
    if not call_is_open(call):
        raise ValidationError(_("Opslaget er ikke åbent for ansøgninger."))
    companies, company_errors = parse_companies(companies_text)
    errors: dict = {}
    if company_errors:
        errors["companies"] = company_errors
    if requested_annual_dkk > budget_dkk:
        errors["requested_annual_dkk"] = [_("Det ansøgte beløb kan ikke være større end budgettet.")]
    if requested_annual_dkk < 1:
        errors["requested_annual_dkk"] = [_("Angiv det ansøgte årlige beløb i hele kroner.")]
    institutions = list(KnowledgeInstitution.objects.filter(pk__in=institution_ids))
    if submit:
        if not companies:
            errors.setdefault("companies", []).append(_("Konsortiet skal have mindst én virksomhed."))
        if not institutions:
            errors["institutions"] = [_("Konsortiet skal have mindst én videninstitution.")]
        if not description.strip():
            errors["description"] = [_("Beskriv det spirende område.")]
    if errors:
        raise ValidationError(errors)
    proposal = (
        ApplicationProposal.objects.select_for_update().select_related("application")
        .filter(applicant=applicant, application__call=call).first()
    )
    if proposal is None:
        application = Application.objects.create(
            call=call, applicant_name=applicant.organisation_name, applicant_cvr=applicant.cvr,
            proposed_area=proposed_area.strip(),
        )
        proposal = ApplicationProposal(application=application, applicant=applicant, version=0)
    else:
        application = proposal.application
        if application.status != A.DRAFT:
            raise ValidationError(_("Ansøgningen er indsendt og kan ikke længere ændres."))
        if version is not None and int(version) != proposal.version:
            raise StaleVersion(EVALUATION_CHANGED)
        application.proposed_area = proposed_area.strip()
        application.save(update_fields=["proposed_area", "updated_at"])
    proposal.description = description.strip()
    proposal.budget_dkk, proposal.requested_annual_dkk = budget_dkk, requested_annual_dkk
    proposal.cofinancing_dkk = cofinancing_dkk
    if proposed_targets is not None:
        proposal.proposed_targets = proposed_targets
    proposal.version += 1
    proposal.save()
    proposal.companies.all().delete()
    ConsortiumCompany.objects.bulk_create(
        ConsortiumCompany(proposal=proposal, cvr=cvr, name=name) for cvr, name in companies
    )
    proposal.institutions.all().delete()
    ConsortiumInstitution.objects.bulk_create(
        ConsortiumInstitution(proposal=proposal, institution=i) for i in institutions
    )
    if submit:
        application_submit(application=application, actor=actor)
    return application


@transaction.atomic
def application_submit(*, application: Application, actor) -> Application:
    """draft -> scoring: the application is fixed, a panel is set up on the active application
    rubric (locked from now) and a case is opened."""
    rubric = active_rubric(RubricPurpose.APPLICATION)
    application_transition(application=application, to=A.SCORING, actor=actor,
                           comment=record_text("Ansøgning indsendt"))
    rubric_lock(rubric)
    Panel.objects.create(rubric=rubric, application=application)
    case_open(case_type=CaseType.APPLICATION, cluster=None, actor=actor,
              subject=f"Ansøgning: {application.applicant_name} – {application.proposed_area}",
              application=application)
    return application


@transaction.atomic
def application_propose(*, application: Application, actor, outcome: str, reasons: str) -> ApplicationDecision:
    """The caseworker proposes approval or rejection once the panel has reached consensus."""
    if actor.role != Role.CASEWORKER:
        raise ValidationError(_("Kun en sagsbehandler kan indstille."))
    errors = {}
    if outcome not in ApplicationOutcome.values:
        errors["outcome"] = [_("Vælg bevilling eller afslag.")]
    if not reasons.strip():
        errors["reasons"] = [_("Begrund indstillingen.")]
    if errors:
        raise ValidationError(errors)
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if locked.status != A.SCORING:
        raise ValidationError(_("Ansøgningen er ikke under bedømmelse."))
    recommendation = Recommendation.objects.filter(panel__application=locked).first()
    if recommendation is None:
        raise ValidationError(_("Panelet skal fastlægge konsensus, før der kan indstilles."))
    decision, _created = ApplicationDecision.objects.update_or_create(
        application=locked,
        defaults={"outcome": outcome, "reasons": reasons.strip(), "total": recommendation.adjusted_total,
                  "proposed_by": actor, "proposed_at": timezone.now(), "approved_by": None,
                  "approved_at": None},
    )
    _event(locked, actor, EvaluationEventKind.PROPOSAL, text=outcome)
    case_follow(case=latest_case(locked), actor=actor, to=CaseStatus.IN_PROGRESS)
    return decision


def _unique_slug(model, base: str) -> str:
    base = slugify(base)[:40] or "klynge"
    slug, n = base, 2
    while model.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def application_decide(*, application: Application, actor, start_year: int | None = None) -> Application:
    """The head of office (never the proposer) approves the proposal. Approval creates the
    emerging strength position, the cluster organisation and its 10-year grant (grant_create:
    tranches, report obligations and the midway evaluation); the applicant becomes the
    cluster's director; a rejection hearing still open is dropped. A rejection is adverse: it
    is decided only after the applicant's hearing (grants.cases.hearing: answered, or the
    deadline passed; HearingPending before), and its decision letter - to the applicant's
    Digital Post - quotes the hearing's receipt. The applicant is told either way."""
    decision = ApplicationDecision.objects.select_for_update().filter(application=application).first()
    if decision is None:
        raise ValidationError(_("Der er ingen indstilling at afgøre endnu."))
    if decision.approved_at:
        raise ValidationError(_("Ansøgningen er allerede afgjort."))
    if decision.proposed_by_id == actor.pk:
        raise FourEyesViolation()
    approve = decision.outcome == ApplicationOutcome.APPROVE
    case = latest_case(application)
    hearing_sentence = ""
    if not approve:  # the guard first: nothing changes before the hearing is over
        hearing_sentence = hearing_conclude(
            case=case, subject_kind=HearingSubject.APPLICATION_REJECTION, actor=actor)
    application_transition(application=application, to=A.APPROVED if approve else A.REJECTED, actor=actor)
    decision.approved_by, decision.approved_at = actor, timezone.now()
    decision.save(update_fields=["approved_by", "approved_at", "updated_at"])
    _event(application, actor, EvaluationEventKind.DECISION, text=decision.outcome)
    if approve and case is not None:
        hearing_drop(case=case, subject_kind=HearingSubject.APPLICATION_REJECTION, actor=actor,
                     reason=record_text("Partshøringen er bortfaldet: ansøgningen imødekommes."))
    case_follow(case=case, actor=actor, to=CaseStatus.DECIDED)
    proposal = ApplicationProposal.objects.select_related("applicant__user").get(application=application)
    applicant = proposal.applicant
    body = decision.reasons
    if approve:
        start = start_year or timezone.localdate().year + 1
        area_name = application.proposed_area
        position = StrengthPosition.objects.filter(name=area_name).first() or StrengthPosition.objects.create(
            slug=_unique_slug(StrengthPosition, area_name), name=area_name, emerging=True
        )
        cluster = ClusterOrganisation.objects.create(
            slug=_unique_slug(ClusterOrganisation, applicant.organisation_name),
            name=applicant.organisation_name, cvr=applicant.cvr, city=applicant.city,
            region=applicant.region, strength_position=position, designated_from=date(start, 1, 1),
        )
        Application.objects.filter(pk=application.pk).update(cluster=cluster)
        grant = grant_create(
            cluster=cluster, reference=f"KP-{start}-S{application.pk:03d}", start_year=start,
            horizon_years=PROGRAMME_HORIZON_YEARS, midway_year=PROGRAMME_MIDWAY_YEAR,
            annual_amount_dkk=proposal.requested_annual_dkk, application=application,
        )
        if proposal.proposed_targets:  # the application's targets are the grant's (issue 15)
            targets_set_at_award(grant=grant, actor=actor, basis="tilsagn (fra ansøgningen)", rows=[
                {"year_number": n, "indicator": t["indicator"], "target": t["target"],
                 "baseline": t.get("baseline")}
                for t in proposal.proposed_targets for n in range(1, grant.horizon_years + 1)])
        get_user_model().objects.filter(pk=applicant.user_id).update(role=Role.DIRECTOR, cluster=cluster)
        award_letter_issue(grant=grant, actor=actor)  # the director accepts it before any payment
        def subject():
            return _("Jeres ansøgning er imødekommet: %(name)s er nu en klyngeorganisation") % {
                "name": cluster.name}
    else:
        body = record_text(
            "Erhvervsstyrelsen giver afslag på ansøgningen om %(area)s.\n\nBegrundelse: "
            "%(reasons)s\n\n%(hearing)s",
            {"area": application.proposed_area, "reasons": decision.reasons,
             "hearing": hearing_sentence})
        decision_letter_create(case=case, kind=LetterKind.APPLICATION_REJECTED, body=body,
                               actor=actor)
        def subject():
            return _("Afgørelse om jeres ansøgning: afslag")
    notify(recipient=applicant.user, kind="application_decision", subject=subject, body=body)
    return application
