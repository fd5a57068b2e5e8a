"""Company records from the CVR register: the one door through which register data reaches a
company (after-commit lookup, nightly refresh, `manage.py cvr_refresh`, "Opdatér fra CVR").

What the register says wins over what a cluster typed: name, DB07 code and text, address
(postal code, municipality, region), status, reklamebeskyttet, and the employees (a number or
a band) from which the SME class follows. The cluster's own number stays in
``Company.employees``, beside the register's ``register_employees``/``employees_band``;
``size_basis`` says which one the size class rests on. Every change writes a
``CompanyRecordEvent`` (field: [old, new]) in the same transaction and announces changed
figures (``figures_changed``, after commit: the size classes and industries they count).

A register that is down delays data, never a write: ``companies_refresh`` raises
``RegisterUnavailable`` for the batch it could not look up (the batches before it are kept),
the after-commit task retries, and the nightly refresh takes every company never fetched or
fetched more than ``CVR_REFRESH_AFTER_DAYS`` ago.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from clusters.constants import CompanySource, SizeBasis
from clusters.cvr import is_valid_cvr
from clusters.cvr.client import RegisterUnavailable, get_register
from clusters.cvr.records import CvrRecord, band_size_class
from clusters.models import Company, CompanyRecordEvent
from clusters.sme import sme_size_class
from klyngeadmin.kernel.signals import announce_figures_changed

log = logging.getLogger(__name__)

LOOKUP_TASK = "clusters.tasks.cvr_lookup"
RECORD_FIELDS = (
    "name", "db07_code", "industry", "postal_code", "municipality_code", "municipality", "region",
    "register_employees", "employees_band", "size_class", "size_basis", "status",
    "reklamebeskyttet", "source",
)


@dataclass
class RefreshResult:
    looked_up: int = 0
    changed: list[tuple[str, dict]] = field(default_factory=list)  # (cvr, {field: [old, new]})
    unchanged: int = 0
    not_found: list[str] = field(default_factory=list)
    configured: bool = True


def size_of(company: Company) -> tuple[str, str]:
    """(size class, basis): the register's number, else its band, else the cluster's number."""
    if company.register_employees is not None:
        return (str(sme_size_class(company.register_employees, company.turnover_dkk,
                                   company.balance_dkk)), SizeBasis.REGISTER)
    band_class = band_size_class(company.employees_band)
    if band_class is not None:
        return str(band_class), SizeBasis.REGISTER_BAND
    return (str(sme_size_class(company.employees, company.turnover_dkk, company.balance_dkk)),
            SizeBasis.CLUSTER)


def _apply(company: Company, record: CvrRecord) -> dict:
    """Sets the register's facts on the company (not saved); returns {field: [old, new]}."""
    before = {name: getattr(company, name) for name in RECORD_FIELDS}
    company.name = record.name or company.name
    if record.db07_code:
        company.db07_code, company.industry = record.db07_code, record.industry
    if record.municipality_code:
        company.municipality_code = record.municipality_code
        company.municipality = record.municipality
        company.region = record.region or company.region
        company.postal_code = record.postal_code[:4]
    company.register_employees = record.employees
    company.employees_band = record.employees_band if record.employees is None else ""
    company.status = record.status
    company.reklamebeskyttet = record.reklamebeskyttet
    company.source = CompanySource.CVR
    company.size_class, company.size_basis = size_of(company)
    after = {name: getattr(company, name) for name in RECORD_FIELDS}
    return {k: [before[k], after[k]] for k in RECORD_FIELDS if before[k] != after[k]}


def companies_due_for_refresh(*, now=None) -> QuerySet[Company]:
    """Companies never looked up, or looked up more than CVR_REFRESH_AFTER_DAYS ago."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.CVR_REFRESH_AFTER_DAYS)
    return Company.objects.filter(Q(fetched_at__isnull=True) | Q(fetched_at__lt=cutoff))


def companies_refresh(*, cvrs: Iterable[str] | None = None, companies: QuerySet | None = None,
                      actor=None, register=None, batch_size: int | None = None) -> RefreshResult:
    """Looks the companies up in the register and stores what it says, batch by batch (each
    batch its own transaction). Raises RegisterUnavailable when the register cannot answer;
    the batches already done stay done."""
    register = register or get_register()
    result = RefreshResult(configured=register.configured)
    if not register.configured:
        return result
    if companies is None:
        wanted = sorted({c for c in (cvrs or ()) if is_valid_cvr(c)})
        companies = Company.objects.filter(cvr__in=wanted)
    batch_size = batch_size or settings.CVR_BATCH_SIZE
    all_cvrs = list(companies.order_by("cvr").values_list("cvr", flat=True))
    for i in range(0, len(all_cvrs), batch_size):
        batch = all_cvrs[i : i + batch_size]
        records = register.lookup_many(batch)  # may raise RegisterUnavailable
        now = timezone.now()
        with transaction.atomic():
            events, only_fetched = [], []
            for company in Company.objects.select_for_update().filter(cvr__in=batch).order_by("cvr"):
                result.looked_up += 1
                record = records.get(company.cvr)
                changes = _apply(company, record) if record is not None else {}
                if record is None:
                    result.not_found.append(company.cvr)
                elif not changes:
                    result.unchanged += 1
                if not changes:
                    only_fetched.append(company.pk)
                    continue
                company.fetched_at = now
                company.save(update_fields=[*RECORD_FIELDS, "fetched_at", "updated_at"])
                result.changed.append((company.cvr, changes))
                events.append(CompanyRecordEvent(
                    company=company, actor=actor, source=CompanySource.CVR,
                    changes={k: [_json(v) for v in pair] for k, pair in changes.items()},
                    created_at=now,
                ))
            Company.objects.filter(pk__in=only_fetched).update(fetched_at=now)
            CompanyRecordEvent.objects.bulk_create(events)
            if events:
                # a size class or an industry may have changed: every cluster's figures
                announce_figures_changed()
    return result


def _json(value):
    return value if value is None or isinstance(value, bool | int | str) else str(value)


def lookup_after_commit(cvrs: Iterable[str]) -> None:
    """Queue a register lookup of these (new) CVRs once the current transaction commits: never
    inside the request or the bulk transaction. A broker that cannot take the task loses
    nothing: the nightly refresh takes every company never looked up."""
    cvrs = sorted(set(cvrs))
    if not cvrs:
        return

    def send():
        try:
            current_app.send_task(LOOKUP_TASK, args=[cvrs])
        except Exception:  # noqa: BLE001 - the broker is down: the nightly refresh catches up
            log.warning("cvr lookup not queued for %s companies; the nightly refresh will", len(cvrs))

    transaction.on_commit(send)


def company_refresh_one(*, company: Company, actor) -> RefreshResult:
    """"Opdatér fra CVR" on the company page: look this one company up now."""
    return companies_refresh(cvrs=[company.cvr], actor=actor)


__all__ = [
    "RefreshResult", "RegisterUnavailable", "companies_due_for_refresh", "companies_refresh",
    "company_refresh_one", "lookup_after_commit", "size_of",
]
