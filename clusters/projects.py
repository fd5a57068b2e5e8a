from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from clusters.constants import DataEventAction, FacilitatedProjectStatus, FunderKind
from clusters.ingest import lock_cluster_activities
from clusters.models import ClusterOrganisation, FacilitatedProject
from clusters.services import CompanyRef, _event, companies_resolve, require_actor
from klyngeadmin.accounts.models import User
from klyngeadmin.kernel.errors import StaleVersion

PROJECT_FIELDS = ("external_id", "title", "funder", "funder_kind", "year", "amount_applied_dkk",
                  "amount_granted_dkk", "cluster_share_dkk", "status")



def facilitated_project_check(*, cluster_id: int, exclude_pk: int | None = None, **values) -> None:
    """Danish errors by field: granted amount only when granted and at most the amount applied
    for; the cluster's share at most the granted (or, before a grant, the applied) amount."""
    errors: dict[str, list[str]] = {}
    status = values["status"]
    applied, granted, share = (values["amount_applied_dkk"], values["amount_granted_dkk"],
                               values["cluster_share_dkk"])
    if status not in FacilitatedProjectStatus.values:
        errors["status"] = [_("Ukendt status.")]
    if values["funder_kind"] not in FunderKind.values:
        errors["funder_kind"] = [_("Ukendt type af bevillingsgiver.")]
    for name, amount in (("amount_applied_dkk", applied), ("amount_granted_dkk", granted),
                         ("cluster_share_dkk", share)):
        if amount is None or amount < 0:
            errors[name] = [_("Beløbet skal være 0 kr. eller derover.")]
    if "amount_granted_dkk" not in errors and "amount_applied_dkk" not in errors:
        if status != FacilitatedProjectStatus.GRANTED and granted:
            errors["amount_granted_dkk"] = [
                _("Et bevilget beløb kan kun angives, når status er »Bevilget«.")
            ]
        elif status == FacilitatedProjectStatus.GRANTED and granted > applied:
            errors["amount_granted_dkk"] = [
                _("Det bevilgede beløb kan ikke være større end det ansøgte beløb.")
            ]
        elif status == FacilitatedProjectStatus.GRANTED and not granted:
            errors["amount_granted_dkk"] = [_("Angiv det bevilgede beløb, når status er »Bevilget«.")]
    if not errors:
        ceiling = granted if status == FacilitatedProjectStatus.GRANTED else applied
        if share > ceiling:
            errors["cluster_share_dkk"] = [
                _("Klyngens andel kan ikke være større end det bevilgede beløb.")
                if status == FacilitatedProjectStatus.GRANTED
                else _("Klyngens andel kan ikke være større end det ansøgte beløb.")
            ]
    taken = FacilitatedProject.objects.filter(cluster_id=cluster_id, external_id=values["external_id"])
    if exclude_pk:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        errors["external_id"] = [
            _("Klyngen har allerede et projekt med det eksterne id %(id)s.") % {"id": values["external_id"]}
        ]
    if errors:
        raise ValidationError(errors)



@transaction.atomic
def facilitated_project_create(
    *,
    cluster: ClusterOrganisation,
    actor: User,
    external_id: str,
    title: str,
    funder: str,
    funder_kind: str,
    year: int,
    amount_applied_dkk: int,
    amount_granted_dkk: int = 0,
    cluster_share_dkk: int = 0,
    status: str = FacilitatedProjectStatus.APPLIED,
    partner_companies: Sequence[CompanyRef] = (),
    partner_institution_ids: Sequence[int] = (),
) -> FacilitatedProject:
    values = {k: v for k, v in locals().items() if k in PROJECT_FIELDS}
    require_actor(actor)
    facilitated_project_check(cluster_id=cluster.pk, **values)
    company_ids = companies_resolve(refs=partner_companies)
    try:
        with transaction.atomic():
            project = FacilitatedProject.objects.create(cluster=cluster, **values)
    except IntegrityError as exc:  # a concurrent create with the same external id
        raise ValidationError({"external_id": [_("Det eksterne id er allerede brugt.")]}) from exc
    project.partner_companies.set(sorted(set(company_ids.values())))
    project.partner_institutions.set(sorted(set(partner_institution_ids)))
    _event(cluster_id=cluster.pk, actor=actor, action=DataEventAction.CREATED, obj=project,
           summary=project.title)
    return project



@transaction.atomic
def facilitated_project_update(
    *,
    project: FacilitatedProject,
    actor: User,
    expected_version: int,
    external_id: str,
    title: str,
    funder: str,
    funder_kind: str,
    year: int,
    amount_applied_dkk: int,
    amount_granted_dkk: int = 0,
    cluster_share_dkk: int = 0,
    status: str = FacilitatedProjectStatus.APPLIED,
    partner_companies: Sequence[CompanyRef] = (),
    partner_institution_ids: Sequence[int] = (),
) -> FacilitatedProject:
    values = {k: v for k, v in locals().items() if k in PROJECT_FIELDS}
    require_actor(actor)
    locked = FacilitatedProject.objects.select_for_update().get(pk=project.pk)
    if locked.version != expected_version:
        raise StaleVersion()
    facilitated_project_check(cluster_id=locked.cluster_id, exclude_pk=locked.pk, **values)
    company_ids = companies_resolve(refs=partner_companies)
    for k, v in values.items():
        setattr(locked, k, v)
    locked.version += 1
    locked.save(update_fields=[*PROJECT_FIELDS, "version", "updated_at"])
    locked.partner_companies.set(sorted(set(company_ids.values())))
    locked.partner_institutions.set(sorted(set(partner_institution_ids)))
    _event(cluster_id=locked.cluster_id, actor=actor, action=DataEventAction.UPDATED, obj=locked,
           summary=locked.title)
    return locked



@transaction.atomic
def facilitated_project_put(
    *, cluster: ClusterOrganisation, actor: User, external_id: str, data: dict
) -> tuple[FacilitatedProject, bool]:
    """The API's create-or-replace by (cluster, external_id): through facilitated_project_create
    or _update, so the same checks (facilitated_project_check) and the same event; a PUT equal
    to what is stored changes nothing and records nothing. The partners are not part of the
    API's body and are kept. Returns (project, created)."""
    require_actor(actor)
    fields = {
        "title": data["title"], "funder": data["funder"], "funder_kind": data["funder_kind"],
        "year": data["year"], "amount_applied_dkk": data["amount_applied_dkk"],
        "amount_granted_dkk": data.get("amount_granted_dkk", 0),
        "cluster_share_dkk": data.get("cluster_share_dkk", 0),
        "status": data.get("status", FacilitatedProjectStatus.APPLIED),
    }
    lock_cluster_activities(cluster.pk)
    project = FacilitatedProject.objects.filter(cluster=cluster, external_id=external_id).first()
    if project is None:
        return facilitated_project_create(cluster=cluster, actor=actor, external_id=external_id,
                                          **fields), True
    if all(getattr(project, k) == v for k, v in fields.items()):
        return project, False
    return facilitated_project_update(
        project=project, actor=actor, expected_version=project.version, external_id=external_id,
        partner_companies=[CompanyRef(cvr=c) for c in
                           project.partner_companies.values_list("cvr", flat=True)],
        partner_institution_ids=list(project.partner_institutions.values_list("id", flat=True)),
        **fields,
    ), False

