"""Every write to targets and reported values: one transaction each, a required actor, and a
TargetEvent per changed value (the history the grant keeps).

- ``targets_set_at_award``: baseline and target per grant year, once, when the grant is awarded
  (for an open-call grant from the application's proposed targets).
- ``targets_change``: the only way to change them afterwards; called by an approved amendment
  case (grants.cases.amendments), never by a form directly.
- ``reported_values_set``: the realised value of hand-reported indicators, from the annual
  report's target section (grants.reports.target_section checks the report is editable)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grants.core.models import Grant
from grants.targets.catalogue import CATALOGUE, REPORTED_INDICATORS
from grants.targets.models import GrantTarget, ReportedIndicatorValue, TargetEvent
from klyngeadmin.kernel.errors import ActionRefused
from klyngeadmin.kernel.signals import announce_figures_changed


class TargetError(ActionRefused):
    """Refused target input; the Danish message names the indicator and year."""


@dataclass(frozen=True)
class TargetRow:
    year_number: int
    indicator: str
    target: Decimal
    baseline: Decimal | None = None


def _decimal(value, *, what: str) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, float):
        raise TargetError(_("%(what)s skal angives som et helt tal eller en decimal, ikke float.")
                          % {"what": what})
    try:
        d = Decimal(str(value))
    except InvalidOperation as exc:
        raise TargetError(_("%(what)s er ikke et tal.") % {"what": what}) from exc
    if not d.is_finite() or d < 0:
        raise TargetError(_("%(what)s må ikke være negativ.") % {"what": what})
    if d >= Decimal("1e12"):
        raise TargetError(_("%(what)s er for stor.") % {"what": what})
    return d


def clean_rows(grant: Grant, rows: Iterable) -> list[TargetRow]:
    """Validate target rows against the catalogue and the grant's horizon (Danish errors)."""
    out, seen = [], set()
    for r in rows:
        r = r if isinstance(r, TargetRow) else TargetRow(**r)
        if r.indicator not in CATALOGUE:
            raise TargetError(_("Ukendt indikator: %(code)s.") % {"code": r.indicator})
        name = CATALOGUE[r.indicator].name
        if not 1 <= int(r.year_number) <= grant.horizon_years:
            raise TargetError(
                _("Bevillingsår %(year)s for »%(name)s« ligger uden for bevillingens løbetid "
                  "(1-%(horizon)s).") % {"year": r.year_number, "name": name,
                                          "horizon": grant.horizon_years})
        key = (int(r.year_number), r.indicator)
        if key in seen:
            raise TargetError(_("»%(name)s« er angivet to gange for bevillingsår %(year)s.")
                              % {"name": name, "year": r.year_number})
        seen.add(key)
        target = _decimal(r.target, what=_("Måltallet for »%(name)s«") % {"name": name})
        if target is None:
            raise TargetError(_("Måltallet for »%(name)s« i bevillingsår %(year)s mangler.")
                              % {"name": name, "year": r.year_number})
        baseline = _decimal(r.baseline, what=_("Udgangspunktet for »%(name)s«") % {"name": name})
        out.append(TargetRow(int(r.year_number), r.indicator, target, baseline))
    return out


def _event(grant, row: TargetRow, field: str, old, new, actor, basis: str) -> TargetEvent:
    return TargetEvent(grant=grant, year_number=row.year_number, indicator=row.indicator,
                       field=field, old_value=old, new_value=new, actor=actor, basis=basis)


@transaction.atomic
def targets_set_at_award(*, grant: Grant, rows: Iterable, actor, basis: str = "tilsagn") -> int:
    """Lay down a grant's targets at award. Refused when the grant already has targets: after
    the award they change only through an amendment case."""
    locked = Grant.objects.select_for_update().get(pk=grant.pk)
    if GrantTarget.objects.filter(grant=locked).exists():
        raise TargetError(_("Bevillingen %(ref)s har allerede måltal; de kan kun ændres ved en "
                            "ændringssag.") % {"ref": locked.reference})
    cleaned = clean_rows(locked, rows)
    GrantTarget.objects.bulk_create(
        GrantTarget(grant=locked, year_number=r.year_number, indicator=r.indicator,
                    baseline=r.baseline, target=r.target) for r in cleaned
    )
    events = [_event(locked, r, "target", None, r.target, actor, basis) for r in cleaned]
    events += [_event(locked, r, "baseline", None, r.baseline, actor, basis)
               for r in cleaned if r.baseline is not None]
    TargetEvent.objects.bulk_create(events)
    announce_figures_changed(cluster_id=locked.cluster_id)  # the target attainment
    return len(cleaned)


@transaction.atomic
def targets_change(*, grant: Grant, rows: Iterable, actor, basis: str) -> list[dict]:
    """Set the given (year, indicator) targets (and baselines where given), creating missing
    ones. Only an approved amendment case calls this (four eyes are checked there). Returns the
    changes made: year, indicator, old and new target."""
    locked = Grant.objects.select_for_update().get(pk=grant.pk)
    cleaned = clean_rows(locked, rows)
    existing = {
        (t.year_number, t.indicator): t
        for t in GrantTarget.objects.select_for_update().filter(grant=locked)
    }
    events, changes, now = [], [], timezone.now()
    for r in cleaned:
        current = existing.get((r.year_number, r.indicator))
        if current is None:
            GrantTarget.objects.create(grant=locked, year_number=r.year_number,
                                       indicator=r.indicator, target=r.target, baseline=r.baseline)
            old_target, old_baseline = None, None
        else:
            old_target, old_baseline = current.target, current.baseline
            current.target = r.target
            if r.baseline is not None:
                current.baseline = r.baseline
            current.updated_at = now
            current.save(update_fields=["target", "baseline", "updated_at"])
        if old_target != r.target:
            events.append(_event(locked, r, "target", old_target, r.target, actor, basis))
        if r.baseline is not None and old_baseline != r.baseline:
            events.append(_event(locked, r, "baseline", old_baseline, r.baseline, actor, basis))
        changes.append({"year_number": r.year_number, "indicator": r.indicator,
                        "old": old_target, "new": r.target})
    TargetEvent.objects.bulk_create(events)
    if events:
        announce_figures_changed(cluster_id=locked.cluster_id)  # the target attainment
    return changes


@transaction.atomic
def reported_values_set(*, grant: Grant, year_number: int, values: dict, actor,
                        basis: str = "årsrapport") -> int:
    """Store the realised values of hand-reported indicators for a grant year (blank removes
    nothing and sets nothing). Returns the number of values changed."""
    changed = 0
    for code, raw in values.items():
        if code not in REPORTED_INDICATORS:
            raise TargetError(_("»%(code)s« indberettes ikke i hånden.") % {"code": code})
        value = _decimal(raw, what=CATALOGUE[code].name)
        if value is None:
            continue
        current = (ReportedIndicatorValue.objects.select_for_update()
                   .filter(grant=grant, year_number=year_number, indicator=code).first())
        old = current.value if current else None
        if old == value:
            continue
        ReportedIndicatorValue.objects.update_or_create(
            grant=grant, year_number=year_number, indicator=code,
            defaults={"value": value, "updated_at": timezone.now()},
        )
        TargetEvent.objects.create(grant=grant, year_number=year_number, indicator=code,
                                   field="reported", old_value=old, new_value=value, actor=actor,
                                   basis=basis)
        changed += 1
    if changed:
        announce_figures_changed(cluster_id=grant.cluster_id)  # the target attainment
    return changed
