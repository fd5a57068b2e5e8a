"""Every write to a cluster's activities and facilitated projects goes through a function here:
keyword-only arguments, a required `actor` (a saved user: the person at the form, the person
who uploaded an import file, the person an API key acts as, see klyngeadmin.accounts.api.actors), one
transaction each, an audit row (ClusterDataEvent) in the same transaction, and the same checks
whichever door called: the browser form, the import (and its Celery task) and the API.

The row checks (`activity_rows_check`) and the bulk upsert (`activity_bulk_upsert`) are shared by
the browser import and any other bulk channel: rows are plain `ActivityRow` values, errors are
`RowError(index, field, message)` with Danish messages."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from clusters.companies.services import lookup_after_commit
from clusters.constants import (
    MAX_EMPLOYEES,
    ActivityType,
    DataEventAction,
)
from clusters.cvr import is_valid_cvr
from clusters.ingest import (
    IngestValidationError,
    ParsedActivity,
    UpsertResult,
    activities_parse,
    activities_write,
    lock_cluster_activities,
)
from clusters.models import (
    Activity,
    ClusterDataEvent,
    ClusterOrganisation,
    Company,
    CompanyParticipation,
    InstitutionParticipation,
    KnowledgeInstitution,
)
from clusters.sme import sme_size_class
from klyngeadmin.kernel.dates import format_date
from klyngeadmin.kernel.errors import ActionRefused, StaleVersion
from klyngeadmin.kernel.formatting import number
from klyngeadmin.kernel.runtime import gc_paused
from klyngeadmin.kernel.signals import announce_figures_changed

if TYPE_CHECKING:
    from klyngeadmin.accounts.models import User

def require_actor(actor) -> None:
    """Every write names who made it: a saved user, never None or an API key principal."""
    if not isinstance(actor, get_user_model()) or actor.pk is None:
        raise TypeError(f"A cluster data write needs a saved user as actor, not {actor!r}.")


# -- value types ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CompanyRef:
    """A participating company: its CVR, and for a company not yet known, its name and size."""

    cvr: str
    name: str = ""
    employees: int | None = None


@dataclass(frozen=True)
class ActivityRow:
    external_id: str
    title: str
    activity_type: str
    start_date: date
    end_date: date
    international: bool = False
    eu_funded: bool = False
    companies: tuple[CompanyRef, ...] = ()
    institutions: tuple[str, ...] = ()  # KnowledgeInstitution.code

    def to_json(self) -> dict:
        return {
            "external_id": self.external_id, "title": self.title,
            "activity_type": self.activity_type,
            "start_date": self.start_date.isoformat(), "end_date": self.end_date.isoformat(),
            "international": self.international, "eu_funded": self.eu_funded,
            "companies": [[c.cvr, c.name, c.employees] for c in self.companies],
            "institutions": list(self.institutions),
        }

    @classmethod
    def from_json(cls, d: dict) -> ActivityRow:
        return cls(
            external_id=d["external_id"], title=d["title"], activity_type=d["activity_type"],
            start_date=date.fromisoformat(d["start_date"]), end_date=date.fromisoformat(d["end_date"]),
            international=d["international"], eu_funded=d["eu_funded"],
            companies=tuple(CompanyRef(cvr, name, emp) for cvr, name, emp in d["companies"]),
            institutions=tuple(d["institutions"]),
        )


@dataclass(frozen=True)
class RowError:
    index: int  # the caller's row number (file row, request index)
    field: str
    message: str

    def to_json(self) -> dict:
        return {"row": self.index, "field": self.field, "message": self.message}


# -- companies ------------------------------------------------------------------------------


def cvr_error(cvr: str) -> str | None:
    """The Danish message for a bad CVR number (naming it), or None when it is valid."""
    if len(cvr) != 8 or not cvr.isdigit():
        return _("CVR-nummeret %(cvr)s er ugyldigt: et CVR-nummer består af præcis 8 cifre.") % {
            "cvr": cvr or "''"
        }
    if not is_valid_cvr(cvr):
        return _("CVR-nummeret %(cvr)s er ugyldigt (kontrolcifferet passer ikke).") % {"cvr": cvr}
    return None


def unknown_company_error(ref: CompanyRef) -> str | None:
    """For a CVR not in the register: the message when the name or employee count is missing."""
    if not ref.name.strip():
        return _(
            "Virksomheden med CVR-nummer %(cvr)s er ikke registreret: angiv navn og antal ansatte."
        ) % {"cvr": ref.cvr}
    if ref.employees is None or ref.employees < 0 or ref.employees > MAX_EMPLOYEES:
        return _(
            "Virksomheden med CVR-nummer %(cvr)s er ikke registreret: angiv antal ansatte som et "
            "helt tal fra 0 til %(max)s."
        ) % {"cvr": ref.cvr, "max": number(MAX_EMPLOYEES)}
    return None


def _new_company(ref: CompanyRef) -> Company:
    return Company(
        cvr=ref.cvr, name=ref.name.strip()[:200], employees=ref.employees,
        size_class=sme_size_class(ref.employees),
    )


def companies_resolve(*, refs: Iterable[CompanyRef]) -> dict[str, int]:
    """CVR -> company id for every ref, creating the unknown ones (name, employees, size class
    from clusters.sme). Existing companies are not changed: the register is shared by every
    cluster. Call inside a transaction; raises ValidationError naming the first bad CVR."""
    by_cvr: dict[str, CompanyRef] = {}
    for ref in refs:
        if message := cvr_error(ref.cvr):
            raise ValidationError(message, code="cvr")
        if ref.cvr not in by_cvr or (ref.name and not by_cvr[ref.cvr].name):
            by_cvr[ref.cvr] = ref  # the ref that names a new company wins
    ids: dict[str, int] = {}
    cvrs = list(by_cvr)
    for i in range(0, len(cvrs), 5000):
        ids.update(Company.objects.filter(cvr__in=cvrs[i : i + 5000]).values_list("cvr", "id"))
    missing = [by_cvr[c] for c in cvrs if c not in ids]
    for ref in missing:
        if message := unknown_company_error(ref):
            raise ValidationError(message, code="company_unknown")
    if missing:
        # ignore_conflicts: a company created meanwhile by someone else is simply used.
        Company.objects.bulk_create([_new_company(r) for r in missing], batch_size=2000,
                                    ignore_conflicts=True)
        lookup_after_commit(r.cvr for r in missing)  # the register's data, after commit
        ids.update(Company.objects.filter(cvr__in=[r.cvr for r in missing]).values_list("cvr", "id"))
    return ids


def company_get_or_create(*, cvr: str, name: str = "", employees: int | None = None) -> Company:
    """The company with this CVR; an unknown CVR creates it with its name and employee count
    (size class from clusters.sme). A bad CVR raises ValidationError naming it."""
    ref = CompanyRef(cvr=cvr.strip(), name=name, employees=employees)
    with transaction.atomic():
        company_id = companies_resolve(refs=[ref])[ref.cvr]
    return Company.objects.get(pk=company_id)


# -- audit ------------------------------------------------------------------------------------


def _event(*, cluster_id: int, actor: User, action: str, obj=None, object_type: str = "",
           summary: str = ""):
    require_actor(actor)
    ClusterDataEvent.objects.create(
        cluster_id=cluster_id, actor=actor, action=action,
        object_type=object_type or (obj._meta.model_name if obj is not None else ""),
        object_id=getattr(obj, "pk", None), external_id=getattr(obj, "external_id", "") or "",
        summary=summary,
    )
    # every change to a cluster's data may change the programme's figures (after commit)
    announce_figures_changed(cluster_id=cluster_id)


# -- activities: single -----------------------------------------------------------------------

ACTIVITY_FIELDS = ("external_id", "title", "activity_type", "start_date", "end_date",
                   "international", "eu_funded")


def _check_activity_fields(*, cluster_id: int, external_id: str, start_date, end_date,
                           activity_type: str, exclude_pk: int | None = None) -> None:
    errors: dict[str, list[str]] = {}
    if end_date < start_date:
        errors["end_date"] = [_("Slutdatoen ligger før startdatoen.")]
    if activity_type not in ActivityType.values:
        errors["activity_type"] = [_("Ukendt aktivitetstype: %(t)s.") % {"t": activity_type}]
    taken = Activity.objects.filter(cluster_id=cluster_id, external_id=external_id)
    if exclude_pk:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        errors["external_id"] = [
            _("Klyngen har allerede en aktivitet med det eksterne id %(id)s.") % {"id": external_id}
        ]
    if errors:
        raise ValidationError(errors)


def _set_participants(activity: Activity, company_ids: Iterable[int], institution_ids: Iterable[int]):
    CompanyParticipation.objects.filter(activity=activity).delete()
    InstitutionParticipation.objects.filter(activity=activity).delete()
    CompanyParticipation.objects.bulk_create(
        CompanyParticipation(activity=activity, company_id=c) for c in sorted(set(company_ids))
    )
    InstitutionParticipation.objects.bulk_create(
        InstitutionParticipation(activity=activity, institution_id=i) for i in sorted(set(institution_ids))
    )


@transaction.atomic
def activity_create(
    *,
    cluster: ClusterOrganisation,
    actor: User,
    external_id: str,
    title: str,
    activity_type: str,
    start_date: date,
    end_date: date,
    international: bool = False,
    eu_funded: bool = False,
    companies: Sequence[CompanyRef] = (),
    institution_ids: Sequence[int] = (),
) -> Activity:
    """Register an activity with its participants. Unknown CVRs create the company."""
    require_actor(actor)
    lock_cluster_activities(cluster.pk)
    _check_activity_fields(cluster_id=cluster.pk, external_id=external_id, start_date=start_date,
                           end_date=end_date, activity_type=activity_type)
    company_ids = companies_resolve(refs=companies)
    activity = Activity.objects.create(
        cluster=cluster, external_id=external_id, title=title, activity_type=activity_type,
        start_date=start_date, end_date=end_date, international=international, eu_funded=eu_funded,
    )
    _set_participants(activity, company_ids.values(), institution_ids)
    _event(cluster_id=cluster.pk, actor=actor, action=DataEventAction.CREATED, obj=activity,
           summary=f"{len(company_ids)} virksomheder, {len(set(institution_ids))} videninstitutioner")
    return activity


@transaction.atomic
def activity_update(
    *,
    activity: Activity,
    actor: User,
    expected_version: int,
    external_id: str,
    title: str,
    activity_type: str,
    start_date: date,
    end_date: date,
    international: bool = False,
    eu_funded: bool = False,
    companies: Sequence[CompanyRef] = (),
    institution_ids: Sequence[int] = (),
) -> Activity:
    """Change an activity and replace its participants, refusing a stale version."""
    require_actor(actor)
    lock_cluster_activities(activity.cluster_id)
    locked = Activity.objects.select_for_update().get(pk=activity.pk)
    if locked.version != expected_version:
        raise StaleVersion()
    _check_activity_fields(cluster_id=locked.cluster_id, external_id=external_id,
                           start_date=start_date, end_date=end_date, activity_type=activity_type,
                           exclude_pk=locked.pk)
    company_ids = companies_resolve(refs=companies)
    for name, value in (("external_id", external_id), ("title", title),
                        ("activity_type", activity_type), ("start_date", start_date),
                        ("end_date", end_date), ("international", international),
                        ("eu_funded", eu_funded)):
        setattr(locked, name, value)
    locked.version += 1
    locked.save(update_fields=[*ACTIVITY_FIELDS, "version", "updated_at"])
    locked.refresh_from_db(fields=["year"])
    _set_participants(locked, company_ids.values(), institution_ids)
    _event(cluster_id=locked.cluster_id, actor=actor, action=DataEventAction.UPDATED, obj=locked,
           summary=f"{len(company_ids)} virksomheder, {len(set(institution_ids))} videninstitutioner")
    return locked


@transaction.atomic
def activity_delete(*, activity: Activity, actor: User, expected_version: int | None) -> None:
    """Delete an activity (its participations cascade). The form passes the version it showed
    and a stale one is refused; the API's DELETE, which carries no version, passes None."""
    require_actor(actor)
    lock_cluster_activities(activity.cluster_id)
    locked = Activity.objects.select_for_update().get(pk=activity.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleVersion()
    if locked.aid_records.exists():  # a record of aid granted stays (PROTECT in the database too)
        raise ActionRefused(_("Aktiviteten kan ikke slettes, fordi der er registreret statsstøtte fra den. "
                              "Slet støtten på aktivitetens side om statsstøtte først."))
    _event(cluster_id=locked.cluster_id, actor=actor, action=DataEventAction.DELETED, obj=locked,
           summary=locked.title)
    locked.delete()


# -- activities: bulk ------------------------------------------------------------------------


def activity_rows_check(*, cluster: ClusterOrganisation, rows: Sequence[tuple[int, ActivityRow]]
                        ) -> list[RowError]:
    """Every problem in a batch of rows (index, row), in row order: bad CVR check digit, unknown
    CVR without name and employees, unknown institution code, end before start, unknown type,
    duplicate external_id in the batch. A fixed number of queries whatever the batch size."""
    errors: list[RowError] = []
    codes = {code for _, row in rows for code in row.institutions}
    known_codes = set(KnowledgeInstitution.objects.filter(code__in=codes).values_list("code", flat=True))
    cvrs = {c.cvr for _, row in rows for c in row.companies if is_valid_cvr(c.cvr)}
    known_cvrs: set[str] = set()
    cvr_list = list(cvrs)
    for i in range(0, len(cvr_list), 5000):
        known_cvrs.update(Company.objects.filter(cvr__in=cvr_list[i : i + 5000])
                          .values_list("cvr", flat=True))
    # A new CVR needs its name and size once in the batch; other rows may give the CVR alone.
    described = {c.cvr for _, row in rows for c in row.companies
                 if c.cvr not in known_cvrs and unknown_company_error(c) is None}
    first_seen: dict[str, int] = {}
    for index, row in rows:
        if not row.external_id:
            errors.append(RowError(index, "external_id", _("Eksternt id mangler.")))
        elif row.external_id in first_seen:
            errors.append(RowError(index, "external_id", _(
                "Det eksterne id %(id)s står også i række %(other)s: hvert id må kun stå én gang."
            ) % {"id": row.external_id, "other": first_seen[row.external_id]}))
        else:
            first_seen[row.external_id] = index
        if not row.title.strip():
            errors.append(RowError(index, "title", _("Titel mangler.")))
        if row.activity_type not in ActivityType.values:
            errors.append(RowError(index, "activity_type", _(
                "Ukendt aktivitetstype: %(t)s. Brug en af: %(valid)s."
            ) % {"t": row.activity_type, "valid": ", ".join(ActivityType.values)}))
        if row.end_date < row.start_date:
            errors.append(RowError(index, "end_date", _(
                "Slutdatoen %(end)s ligger før startdatoen %(start)s."
            ) % {"end": format_date(row.end_date), "start": format_date(row.start_date)}))
        for ref in row.companies:
            message = cvr_error(ref.cvr)
            if message is None and ref.cvr not in known_cvrs and ref.cvr not in described:
                message = unknown_company_error(ref)
            if message:
                errors.append(RowError(index, "companies", message))
        for code in row.institutions:
            if code not in known_codes:
                errors.append(RowError(index, "institutions", _(
                    "Ukendt videninstitutionskode: %(code)s."
                ) % {"code": code}))
    return errors


class RowsInvalid(Exception):
    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__(f"{len(errors)} fejl")


@transaction.atomic
def activity_bulk_upsert(
    *,
    cluster: ClusterOrganisation,
    actor: User,
    rows: Sequence[ActivityRow],
    progress: Callable[[int], None] | None = None,
    chunk_size: int = 500,
    summary: str = "",
) -> UpsertResult:
    """Create or update a batch of activities by (cluster, external_id), with their
    participants, in one transaction: all or nothing. A row equal to what is stored (fields and
    participant sets) is left alone and counted as unchanged; a changed one gets version + 1.
    The rows are written by the API's writer (clusters.ingest.activities_write), `chunk_size`
    at a time, calling `progress(done_rows)` after each chunk.

    Every created or changed activity gets its own ClusterDataEvent naming `actor` (written by
    the bulk writer), and the batch one more (IMPORTED, with the counts and `summary`).

    Raises RowsInvalid (nothing written) when `activity_rows_check` finds anything."""
    require_actor(actor)
    lock_cluster_activities(cluster.pk)
    errors = activity_rows_check(cluster=cluster, rows=list(enumerate(rows, start=1)))
    if errors:
        raise RowsInvalid(errors)
    institution_ids = dict(KnowledgeInstitution.objects.filter(
        code__in={c for r in rows for c in r.institutions}).values_list("code", "id"))
    # A new company is described (name, employees) once in the batch; other rows may give its
    # CVR alone. Known companies are never changed, so they need no description.
    described: dict[str, tuple[str, int]] = {}
    for row in rows:
        for ref in row.companies:
            if ref.name.strip() and ref.employees is not None:
                described.setdefault(ref.cvr, (ref.name.strip()[:200], ref.employees))
    created = updated = unchanged = 0
    for start in range(0, len(rows), chunk_size):
        parsed = [
            ParsedActivity(
                index=index, external_id=row.external_id, title=row.title,
                activity_type=row.activity_type, start_date=row.start_date,
                end_date=row.end_date, international=row.international, eu_funded=row.eu_funded,
                companies={ref.cvr: described.get(ref.cvr, ("", 0)) for ref in row.companies},
                institutions=list(dict.fromkeys(row.institutions)),
            )
            for index, row in enumerate(rows[start : start + chunk_size], start=start + 1)
        ]
        part = activities_write(cluster=cluster, actor=actor, parsed=parsed,
                                institution_ids=institution_ids)
        created, updated, unchanged = (created + part.created, updated + part.updated,
                                       unchanged + part.unchanged)
        if progress:
            progress(min(start + chunk_size, len(rows)))
    _event(cluster_id=cluster.pk, actor=actor, action=DataEventAction.IMPORTED,
           object_type="activity",
           summary=(summary + " " if summary else "")
           + f"oprettet {created}, ændret {updated}, uændret {unchanged}")
    return UpsertResult(created=created, updated=updated, unchanged=unchanged)


def activity_ingest(*, cluster: ClusterOrganisation, actor: User, items: list,
                    summary: str = "API:") -> UpsertResult:
    """The API's bulk create-or-update (activity dicts as a CRM sends them): every problem by
    index and field (IngestValidationError, nothing written), then the bulk writer in one
    transaction under the cluster's lock: one event per created or changed activity, one for
    the batch. Why both: an auditor asks "who changed activity X, and when" (the row events
    answer it by external id) and "what did this request do" (the batch event)."""
    return _ingest(cluster=cluster, actor=actor, items=items, summary=summary)


def _ingest(*, cluster, actor, items, summary: str | None) -> UpsertResult:
    require_actor(actor)
    # thousands of short-lived dicts and tuples, no cycles: no collector passes meanwhile
    with gc_paused():
        parsed, institution_ids = activities_parse(items)
    with transaction.atomic():
        lock_cluster_activities(cluster.pk)
        with gc_paused():
            result = (
                activities_write(cluster=cluster, actor=actor, parsed=parsed,
                                 institution_ids=institution_ids)
                if parsed else UpsertResult(0, 0, 0)
            )
        if summary is not None:
            _event(cluster_id=cluster.pk, actor=actor, action=DataEventAction.IMPORTED,
                   object_type="activity",
                   summary=f"{summary} oprettet {result.created}, ændret {result.updated}, "
                           f"uændret {result.unchanged}")
    return result


def activity_put(*, cluster: ClusterOrganisation, actor: User, external_id: str, data
                 ) -> tuple[Activity, bool]:
    """Create or replace one activity by external id (idempotent): the bulk door with one item,
    so the same checks and the same event (none when nothing changed). Returns (activity,
    created)."""
    body_id = data.get("external_id") if isinstance(data, dict) else None
    if body_id is not None and body_id != external_id:
        raise IngestValidationError([{
            "index": 0, "field": "external_id",
            "detail": _("external_id i forespørgslen skal være det samme som i adressen."),
        }])
    item = {**data, "external_id": external_id} if isinstance(data, dict) else data
    result = _ingest(cluster=cluster, actor=actor, items=[item], summary=None)
    activity = Activity.objects.get(cluster=cluster, external_id=external_id)
    return activity, external_id in result.created_ids


# -- facilitated projects --------------------------------------------------------------------


# -- the cluster organisation's status ----------------------------------------------------------


@transaction.atomic
def cluster_status_set(*, cluster_id: int, actor: User, to: str, reason: str) -> ClusterOrganisation:
    """Change a cluster organisation's status (e.g. withdrawn when its grant is withdrawn after
    the midway evaluation), with a ClusterDataEvent naming who decided it and why."""
    require_actor(actor)
    locked = ClusterOrganisation.objects.select_for_update().get(pk=cluster_id)
    source = locked.status
    if source == to:
        return locked
    locked.status = to
    locked.save(update_fields=["status"])
    _event(cluster_id=locked.pk, actor=actor, action=DataEventAction.UPDATED, obj=locked,
           summary=f"Status: {source} -> {to}. {reason}".strip())
    return locked
