"""Every write of fees, aid records and de minimis declarations: keyword-only, a required actor,
one transaction, a ClusterDataEvent in the same transaction, Danish errors naming the field
(ValidationError with an error dict), nothing changed on an error."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from clusters.constants import AidLegalBasis, DataEventAction, FeeBasis
from clusters.cvr import is_valid_cvr
from clusters.models import (
    Activity,
    ClusterDataEvent,
    ClusterOrganisation,
    Company,
    CompanyParticipation,
    DeMinimisDeclaration,
    ExchangeRate,
    StateAidRecord,
)
from clusters.services import require_actor
from clusters.stateaid import selectors
from clusters.stateaid.deminimis import Standing
from klyngeadmin.kernel.formatting import kr
from klyngeadmin.kernel.signals import announce_figures_changed

MAX_AMOUNT_DKK = 10**12


def _event(*, cluster_id: int, actor, action: str, object_type: str, object_id, summary: str) -> None:
    ClusterDataEvent.objects.create(cluster_id=cluster_id, actor=actor, action=action,
                                    object_type=object_type, object_id=object_id, summary=summary)
    # fees are programme figures too (the public statistics' stored aggregates, after commit)
    announce_figures_changed(cluster_id=cluster_id)


def fee_errors(*, fee_per_participant_dkk, fee_basis: str) -> dict[str, str]:
    if fee_basis not in FeeBasis.values:
        return {"fee_basis": _("Vælg gratis, omkostningsdækkende pris eller markedspris.")}
    if not isinstance(fee_per_participant_dkk, int) or isinstance(fee_per_participant_dkk, bool) \
            or not 0 <= fee_per_participant_dkk <= MAX_AMOUNT_DKK:
        return {"fee_per_participant_dkk": _("Deltagerbetalingen skal være et helt antal kroner fra 0.")}
    if fee_basis == FeeBasis.FREE and fee_per_participant_dkk:
        return {"fee_per_participant_dkk": _("En gratis aktivitet har ingen deltagerbetaling: sæt beløbet "
                                             "til 0 eller vælg et andet grundlag.")}
    if fee_basis != FeeBasis.FREE and not fee_per_participant_dkk:
        return {"fee_per_participant_dkk": _("Angiv deltagerbetalingen pr. deltager, eller vælg gratis.")}
    return {}


@transaction.atomic
def activity_fee_set(*, activity: Activity, actor, fee_per_participant_dkk: int, fee_basis: str,
                     individual_service: bool) -> Activity:
    require_actor(actor)
    errors = fee_errors(fee_per_participant_dkk=fee_per_participant_dkk, fee_basis=fee_basis)
    if errors:
        raise ValidationError(errors)
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    activity.fee_per_participant_dkk = fee_per_participant_dkk
    activity.fee_basis = fee_basis
    activity.individual_service = bool(individual_service)
    activity.version += 1
    activity.save(update_fields=["fee_per_participant_dkk", "fee_basis", "individual_service",
                                 "version", "updated_at"])
    _event(cluster_id=activity.cluster_id, actor=actor, action=DataEventAction.UPDATED,
           object_type="activity", object_id=activity.pk,
           summary=f"Deltagerbetaling: {kr(fee_per_participant_dkk)} ({fee_basis})"
                   + (", individuel ydelse" if individual_service else ""))
    return activity


@transaction.atomic
def aid_record_set(*, activity: Activity, company: Company, actor, legal_basis: str, amount_dkk: int,
                   granted_on: date | None = None) -> tuple[StateAidRecord, Standing]:
    """Record (or replace) the aid `company` received from `activity`. De minimis aid needs the
    company's prior declaration to this cluster. Returns the record and the company's de
    minimis standing afterwards (the page warns at the ceiling; recording is not refused,
    the register decides)."""
    require_actor(actor)
    granted_on = granted_on or activity.start_date
    errors = {}
    if legal_basis not in AidLegalBasis.values:
        errors["legal_basis"] = _("Vælg de minimis-støtte eller støtte til adgang til klyngens ydelser.")
    if not isinstance(amount_dkk, int) or isinstance(amount_dkk, bool) or not 0 < amount_dkk <= MAX_AMOUNT_DKK:
        errors["amount_dkk"] = _("Støttens værdi skal være et helt antal kroner over 0.")
    if not CompanyParticipation.objects.filter(activity=activity, company=company).exists():
        errors["company"] = _("Virksomheden deltager ikke i aktiviteten.")
    if legal_basis == AidLegalBasis.DE_MINIMIS and not DeMinimisDeclaration.objects.filter(
        cluster_id=activity.cluster_id, company=company, declared_on__lte=granted_on
    ).exists():
        errors["legal_basis"] = _("De minimis-støtte kræver virksomhedens de minimis-erklæring, afgivet "
                                  "senest den dag, støtten gives. Registrér erklæringen først.")
    if "amount_dkk" not in errors and not ExchangeRate.objects.filter(valid_from__lte=granted_on).exists():
        errors["granted_on"] = _("Der er ingen gemt eurokurs for den dag, støtten gives. En administrator "
                                 "skal registrere kursen, før støtten kan registreres.")
    if errors:
        raise ValidationError(errors)
    record, created = StateAidRecord.objects.update_or_create(
        activity=activity, company=company,
        defaults={"cluster_id": activity.cluster_id, "legal_basis": legal_basis, "amount_dkk": amount_dkk,
                  "granted_on": granted_on, "created_by": actor},
    )
    _event(cluster_id=activity.cluster_id, actor=actor,
           action=DataEventAction.CREATED if created else DataEventAction.UPDATED,
           object_type="stateaidrecord", object_id=record.pk,
           summary=f"{company.cvr}: {kr(amount_dkk)} ({legal_basis}) fra aktivitet {activity.external_id}")
    standing = selectors.standings(companies=[company], on=granted_on)[company.pk]
    return record, standing


@transaction.atomic
def aid_record_delete(*, record: StateAidRecord, actor) -> None:
    require_actor(actor)
    _event(cluster_id=record.cluster_id, actor=actor, action=DataEventAction.DELETED,
           object_type="stateaidrecord", object_id=record.pk,
           summary=f"{record.company.cvr}: {kr(record.amount_dkk)} ({record.legal_basis})")
    record.delete()


@transaction.atomic
def deminimis_declaration_record(*, cluster: ClusterOrganisation, company: Company, actor, declared_on: date,
                                 other_aid_dkk: int, linked_cvrs: list[str]) -> DeMinimisDeclaration:
    require_actor(actor)
    errors = {}
    if not isinstance(other_aid_dkk, int) or isinstance(other_aid_dkk, bool) or not 0 <= other_aid_dkk <= MAX_AMOUNT_DKK:
        errors["other_aid_dkk"] = _("Anden de minimis-støtte skal være et helt antal kroner fra 0.")
    bad = [c for c in linked_cvrs if not is_valid_cvr(c)]
    if bad:
        errors["linked_cvrs"] = _("Ugyldigt CVR-nummer: %(cvr)s.") % {"cvr": ", ".join(bad)}
    elif company.cvr in linked_cvrs:
        errors["linked_cvrs"] = _("Virksomhedens eget CVR-nummer skal ikke stå blandt de tilknyttede.")
    if DeMinimisDeclaration.objects.filter(cluster=cluster, company=company, declared_on=declared_on).exists():
        errors["declared_on"] = _("Virksomheden har allerede afgivet en erklæring den dag.")
    if errors:
        raise ValidationError(errors)
    declaration = DeMinimisDeclaration.objects.create(
        cluster=cluster, company=company, declared_on=declared_on, other_aid_dkk=other_aid_dkk,
        linked_cvrs=sorted(set(linked_cvrs)), created_by=actor,
    )
    _event(cluster_id=cluster.pk, actor=actor, action=DataEventAction.CREATED,
           object_type="deminimisdeclaration", object_id=declaration.pk,
           summary=f"{company.cvr}: erklæring {declared_on.isoformat()}, anden støtte {kr(other_aid_dkk)}")
    return declaration
