"""Every write of outcomes, survey invitations and survey answers, and of Danmarks Statistik's
effect measurements: keyword-only, one transaction, an OutcomeEvent in the same transaction
(the actor is None only for a company answering its survey link, which is no user), Danish
errors naming the field, nothing changed on an error.

The rows checked here are shared by the report's outcome section and `POST /api/v1/outcomes/`:
`outcome_rows_check` returns [{"index", "field", "detail"}], like the activity ingest."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from clusters.cvr import is_valid_cvr
from clusters.ingest import IngestValidationError
from clusters.models import (
    Activity,
    ClusterOrganisation,
    Company,
    CompanyParticipation,
    FacilitatedProject,
)
from clusters.services import require_actor
from grants.notifications.models import Notification
from grants.notifications.services import absolute_url, notify_address
from grants.outcomes.constants import OutcomeKind, OutcomeSource
from grants.outcomes.effects import EffectFileInvalid
from grants.outcomes.models import CompanyOutcome, EffectMeasurement, OutcomeEvent, SurveyInvitation
from klyngeadmin.kernel.signals import announce_figures_changed

MAX_BULK_OUTCOMES = 5000
MAX_INVESTMENT_DKK = 10**12
SURVEY_VALID_DAYS = 60
SURVEY_KIND = "survey:invitation"


def _event(*, cluster_id: int, actor, action: str, summary: str) -> None:
    OutcomeEvent.objects.create(cluster_id=cluster_id, actor=actor, action=action, summary=summary)
    # outcomes are programme figures too (the public statistics' stored aggregates, after commit)
    announce_figures_changed(cluster_id=cluster_id)


# -- rows: the report section and the API ----------------------------------------------------


@dataclass(frozen=True)
class OutcomeRow:
    cvr: str
    kind: str
    activity: str = ""  # the activity's external_id
    project: str = ""  # the facilitated project's external_id
    investment_dkk: int | None = None


def _row_from(item, index: int, errors: list) -> OutcomeRow | None:
    if not isinstance(item, dict):
        errors.append({"index": index, "field": None, "detail": _("Hver række skal være et objekt.")})
        return None

    def text(name):
        value = item.get(name, "")
        if value is None:
            return ""
        if not isinstance(value, str):
            errors.append({"index": index, "field": name, "detail": _("Skal være tekst.")})
            return ""
        return value.strip()

    investment = item.get("investment_dkk")
    if investment is not None and (not isinstance(investment, int) or isinstance(investment, bool)):
        errors.append({"index": index, "field": "investment_dkk", "detail": _("Skal være et helt antal kroner.")})
        investment = None
    return OutcomeRow(cvr=text("cvr"), kind=text("kind"), activity=text("activity"), project=text("project"),
                      investment_dkk=investment)


def outcome_rows_check(*, cluster: ClusterOrganisation, rows: list[OutcomeRow], first_index: int = 0):
    """Check every row against the cluster's data; return (errors, resolved) where resolved is
    [(row, company, activity or None, project or None)]. Four queries for any number of rows."""
    errors: list[dict] = []
    activities = {a.external_id: a for a in Activity.objects.filter(
        cluster=cluster, external_id__in={r.activity for r in rows if r.activity})}
    projects = {p.external_id: p for p in FacilitatedProject.objects.filter(
        cluster=cluster, external_id__in={r.project for r in rows if r.project})}
    companies = {c.cvr: c for c in Company.objects.filter(cvr__in={r.cvr for r in rows})}
    participating = set(CompanyParticipation.objects.filter(
        activity__in=activities.values(), company__in=companies.values()).values_list("activity_id", "company_id"))
    partners = set(FacilitatedProject.partner_companies.through.objects.filter(
        facilitatedproject__in=projects.values(), company__in=companies.values()
    ).values_list("facilitatedproject_id", "company_id"))
    resolved = []
    seen = set()
    for i, row in enumerate(rows, start=first_index):
        def err(field, detail, i=i):
            errors.append({"index": i, "field": field, "detail": detail})

        if row.kind not in OutcomeKind.values:
            err("kind", _("Ukendt resultat. Brug en af: %(kinds)s.") % {"kinds": ", ".join(OutcomeKind.values)})
        if not is_valid_cvr(row.cvr):
            err("cvr", _("Ugyldigt CVR-nummer: 8 cifre med gyldigt kontrolciffer."))
        if bool(row.activity) == bool(row.project):
            err("activity", _("Angiv enten en aktivitet eller et faciliteret projekt (eksternt id)."))
        if row.kind == OutcomeKind.INVESTMENT:
            if row.investment_dkk is None or not 0 < row.investment_dkk <= MAX_INVESTMENT_DKK:
                err("investment_dkk", _("En udløst investering skal have sit beløb i hele kroner over 0."))
        elif row.investment_dkk is not None:
            err("investment_dkk", _("Kun en udløst investering har et beløb."))
        activity = activities.get(row.activity) if row.activity else None
        project = projects.get(row.project) if row.project else None
        company = companies.get(row.cvr)
        if row.activity and activity is None:
            err("activity", _("Klyngen har ingen aktivitet med eksternt id %(id)s.") % {"id": row.activity})
        if row.project and project is None:
            err("project", _("Klyngen har intet faciliteret projekt med eksternt id %(id)s.") % {"id": row.project})
        if is_valid_cvr(row.cvr) and company is None:
            err("cvr", _("Virksomheden %(cvr)s deltager ikke i klyngens aktiviteter.") % {"cvr": row.cvr})
        if company is not None and activity is not None and (activity.pk, company.pk) not in participating:
            err("cvr", _("Virksomheden %(cvr)s deltager ikke i aktiviteten.") % {"cvr": row.cvr})
        if company is not None and project is not None and (project.pk, company.pk) not in partners:
            err("cvr", _("Virksomheden %(cvr)s er ikke partner i projektet.") % {"cvr": row.cvr})
        key = (row.cvr, row.activity, row.project, row.kind)
        if key in seen:
            err("kind", _("Samme resultat står to gange for samme virksomhed og aktivitet."))
        seen.add(key)
        resolved.append((row, company, activity, project))
    return errors, resolved


def _subject_year(activity, project) -> int:
    return activity.start_date.year if activity is not None else project.year


@dataclass
class UpsertResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def as_dict(self) -> dict:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


@transaction.atomic
def outcomes_upsert(*, cluster: ClusterOrganisation, actor, items: list) -> UpsertResult:
    """Create or update outcomes registered by the cluster, all or nothing, by their natural
    key (company, activity or project, kind): sending the same rows twice changes nothing."""
    require_actor(actor)
    errors: list[dict] = []
    rows = [r for i, item in enumerate(items) if (r := _row_from(item, i, errors)) is not None]
    if errors:
        raise IngestValidationError(errors)
    errors, resolved = outcome_rows_check(cluster=cluster, rows=rows)
    if errors:
        raise IngestValidationError(errors)
    result = UpsertResult()
    existing = {
        (o.company_id, o.activity_id, o.project_id, o.kind): o
        for o in CompanyOutcome.objects.select_for_update().filter(cluster=cluster, source=OutcomeSource.CLUSTER)
    }
    new = []
    for row, company, activity, project in resolved:
        key = (company.pk, getattr(activity, "pk", None), getattr(project, "pk", None), row.kind)
        found = existing.get(key)
        if found is None:
            new.append(CompanyOutcome(
                cluster=cluster, company=company, activity=activity, project=project, kind=row.kind,
                source=OutcomeSource.CLUSTER, year=_subject_year(activity, project),
                investment_dkk=row.investment_dkk, created_by=actor))
        elif found.investment_dkk != row.investment_dkk:
            found.investment_dkk = row.investment_dkk
            found.save(update_fields=["investment_dkk"])
            result.updated += 1
        else:
            result.unchanged += 1
    CompanyOutcome.objects.bulk_create(new)
    result.created = len(new)
    if result.created or result.updated:
        _event(cluster_id=cluster.pk, actor=actor, action="outcomes_upserted",
               summary=f"{result.created} oprettet, {result.updated} ændret")
    return result


@transaction.atomic
def outcome_delete(*, outcome: CompanyOutcome, actor) -> None:
    require_actor(actor)
    _event(cluster_id=outcome.cluster_id, actor=actor, action="outcome_deleted",
           summary=f"{outcome.company.cvr}: {outcome.kind}")
    outcome.delete()


# -- the follow-up survey --------------------------------------------------------------------


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def survey_invite(*, cluster: ClusterOrganisation, actor, company: Company, contact_email: str,
                  contact_name: str = "", activity: Activity | None = None,
                  project: FacilitatedProject | None = None) -> SurveyInvitation:
    """A single-use survey link to the participant contact the cluster gives, mailed through
    the notification outbox after commit."""
    require_actor(actor)
    errors = {}
    if (activity is None) == (project is None):
        errors["activity"] = _("Vælg aktiviteten eller projektet, spørgeskemaet handler om.")
    elif activity is not None and (activity.cluster_id != cluster.pk or not CompanyParticipation.objects.filter(
            activity=activity, company=company).exists()):
        errors["cvr"] = _("Virksomheden deltager ikke i aktiviteten.")
    elif project is not None and (project.cluster_id != cluster.pk or not project.partner_companies.filter(
            pk=company.pk).exists()):
        errors["cvr"] = _("Virksomheden er ikke partner i projektet.")
    if not contact_email or "@" not in contact_email:
        errors["contact_email"] = _("Angiv kontaktpersonens e-mail.")
    if errors:
        raise ValidationError(errors)
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    invitation = SurveyInvitation.objects.create(
        cluster=cluster, company=company, activity=activity, project=project, contact_name=contact_name,
        contact_email=contact_email, token_sha256=token_hash(token), created_by=actor,
        created_at=now, expires_at=now + timedelta(days=SURVEY_VALID_DAYS),
    )
    subject_title = activity.title if activity is not None else project.title
    notify_address(
        email=contact_email, kind=SURVEY_KIND,
        subject=f"Hvad fik {company.name} ud af »{subject_title}«? Kort spørgeskema fra {cluster.name}",
        body=(f"{cluster.name} og Erhvervsstyrelsen vil gerne vide, hvad {company.name} fik ud af "
              f"»{subject_title}«. Det tager et minut. Linket virker én gang og udløber efter "
              f"{SURVEY_VALID_DAYS} dage."),
        url=absolute_url(reverse("outcomes:survey_answer", args=[token])),
    )
    _event(cluster_id=cluster.pk, actor=actor, action="survey_invited",
           summary=f"{company.cvr}: spørgeskema sendt ({subject_title})")
    return invitation


class SurveyLinkInvalid(Exception):
    """The link is unknown, used or expired: the page says which (`reason`)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def survey_for_token(token: str, *, lock: bool = False) -> SurveyInvitation:
    qs = SurveyInvitation.objects.select_related("company", "activity", "project", "cluster")
    if lock:
        qs = qs.select_for_update(of=("self",))
    invitation = qs.filter(token_sha256=token_hash(token)).first()
    if invitation is None:
        raise SurveyLinkInvalid("unknown")
    if invitation.answered_at is not None:
        raise SurveyLinkInvalid("used")
    if invitation.expires_at <= timezone.now():
        raise SurveyLinkInvalid("expired")
    return invitation


@transaction.atomic
def survey_answer(*, token: str, kinds: list[str], investment_dkk: int | None) -> SurveyInvitation:
    """The company's answer: one outcome row per kind it names, stored per CVR (source survey),
    and the link used up. A second answer with the same link is refused."""
    invitation = survey_for_token(token, lock=True)
    errors = {}
    if any(k not in OutcomeKind.values for k in kinds):
        errors["kinds"] = _("Ukendt resultat.")
    if OutcomeKind.INVESTMENT in kinds and (investment_dkk is None or not 0 < investment_dkk <= MAX_INVESTMENT_DKK):
        errors["investment_dkk"] = _("Angiv investeringens størrelse i hele kroner.")
    if errors:
        raise ValidationError(errors)
    year = _subject_year(invitation.activity, invitation.project)
    CompanyOutcome.objects.bulk_create([
        CompanyOutcome(
            cluster_id=invitation.cluster_id, company_id=invitation.company_id, activity=invitation.activity,
            project=invitation.project, kind=kind, source=OutcomeSource.SURVEY, year=year,
            investment_dkk=investment_dkk if kind == OutcomeKind.INVESTMENT else None, invitation=invitation,
        ) for kind in sorted(set(kinds))
    ], ignore_conflicts=True)
    invitation.answered_at = timezone.now()
    invitation.save(update_fields=["answered_at"])
    _event(cluster_id=invitation.cluster_id, actor=None, action="survey_answered",
           summary=f"{invitation.company.cvr}: {len(set(kinds))} resultat(er)")
    return invitation


def survey_contacts_forget(*, now=None, dry_run: bool = False) -> int:
    """The retention rule (docs/personal-data.md): a participant contact's name and e-mail are
    cleared SURVEY_CONTACT_RETENTION_DAYS after the survey was answered or expired, and the
    outbox rows that mailed them the link are deleted. Safe to run twice."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.SURVEY_CONTACT_RETENTION_DAYS)
    due = SurveyInvitation.objects.filter(contact_forgotten_at__isnull=True).filter(
        Q(answered_at__lt=cutoff) | Q(answered_at__isnull=True, expires_at__lt=cutoff))
    count = 0
    for invitation in due.order_by("id"):
        if dry_run:
            count += 1
            continue
        with transaction.atomic():
            if invitation.contact_email:
                Notification.objects.filter(recipient__isnull=True, to_email=invitation.contact_email,
                                            kind=SURVEY_KIND).delete()
            invitation.contact_name = ""
            invitation.contact_email = ""
            invitation.contact_forgotten_at = now
            invitation.save(update_fields=["contact_name", "contact_email", "contact_forgotten_at"])
        count += 1
    return count


# -- Danmarks Statistik's effect measurement -------------------------------------------------


@transaction.atomic
def effect_measurements_load(*, rows, actor) -> int:
    """Load the parsed rows (grants.outcomes.effects), replacing a (cluster, year, indicator)
    loaded before; all or nothing: a row naming an unknown cluster refuses the file."""
    require_actor(actor)
    clusters = {c.cvr: c for c in ClusterOrganisation.objects.filter(cvr__in={r.cluster_cvr for r in rows})}
    unknown = [r for r in rows if r.cluster_cvr not in clusters]
    if unknown:
        raise EffectFileInvalid([
            _("Række %(line)d: ingen klynge med CVR-nummer %(cvr)s.") % {"line": r.line, "cvr": r.cluster_cvr}
            for r in unknown[:50]])
    for r in rows:
        EffectMeasurement.objects.update_or_create(
            cluster=clusters[r.cluster_cvr], year=r.year, indicator=r.indicator,
            defaults={"treated_value": r.treated_value, "control_value": r.control_value,
                      "treated_firms": r.treated_firms, "control_firms": r.control_firms,
                      "loaded_by": actor, "loaded_at": timezone.now()},
        )
    for cluster in {clusters[r.cluster_cvr] for r in rows}:
        _event(cluster_id=cluster.pk, actor=actor, action="effects_loaded",
               summary=f"{sum(1 for r in rows if r.cluster_cvr == cluster.cvr)} rækker fra Danmarks Statistik")
    return len(rows)
