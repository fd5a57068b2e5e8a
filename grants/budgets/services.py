"""The one write door of budgets and accounts. Each function is one transaction, validates
every line before it writes any (all or nothing), and records a BudgetEvent.

Errors are a ValidationError keyed "lines[<index>].<field>" (index into the list the caller
gave), so a form marks the row and the API answers 400 naming field and line."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from grants.budgets.constants import LineKind
from grants.budgets.lines import key_of, parse_key
from grants.budgets.maths import deviation_needs_explanation
from grants.budgets.models import BudgetEvent, BudgetLine
from grants.core.models import Grant
from klyngeadmin.kernel.formatting import number
from klyngeadmin.kernel.i18n import record_text
from klyngeadmin.kernel.predicates import in_role, is_caseworker, is_cluster_user, is_system

MAX_AMOUNT_DKK = 10_000_000_000  # ten billion kroner: anything larger is a typing error


def _amount(value, errors: dict, field: str, *, required: bool = True) -> int | None:
    if value is None or value == "":
        if required:
            errors[field] = _("Udfyld beløbet (skriv 0, hvis der ikke er noget).")
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        errors[field] = _("Skriv beløbet i hele kroner uden decimaler.")
        return None
    if value < 0:
        errors[field] = _("Beløbet kan ikke være negativt.")
        return None
    if value > MAX_AMOUNT_DKK:
        errors[field] = _("Beløbet er for stort.")
        return None
    return value


def _check_year(grant: Grant, year_number) -> None:
    if not isinstance(year_number, int) or not 1 <= year_number <= grant.horizon_years:
        raise ValidationError({"year_number": _("Bevillingsåret skal være mellem 1 og %(n)s.")
                               % {"n": grant.horizon_years}})


def _parse_lines(lines, errors: dict) -> list[tuple[int, dict, dict]]:
    """(index, model fields, raw row) per valid line key; errors for bad or repeated keys."""
    parsed, seen = [], {}
    if not isinstance(lines, list | tuple):
        errors["lines"] = _("Angiv linjerne som en liste.")
        return parsed
    for i, row in enumerate(lines):
        if not isinstance(row, dict):
            errors[f"lines[{i}]"] = _("Linjen er ikke udfyldt korrekt.")
            continue
        fields = parse_key(row.get("line"))
        if fields is None:
            errors[f"lines[{i}].line"] = _("Ukendt budgetlinje: %(key)s.") % {"key": row.get("line")}
            continue
        key = key_of(fields)
        if key in seen:
            errors[f"lines[{i}].line"] = _("Linjen står to gange (også i linje %(n)s).") % {
                "n": seen[key] + 1}
            continue
        seen[key] = i
        parsed.append((i, fields, row))
    return parsed


@transaction.atomic
def set_budget(grant: Grant, year: int, lines, *, actor, text: str = "") -> list[BudgetLine]:
    """Set (replace) the budget of grant year `year` (1…horizon): `lines` is a list of
    {"line": key, "budget_dkk": int} (keys from grants.budgets.lines). Total funding must equal
    total costs. Actual amounts already reported on a kept line stay; a line with actuals cannot
    be removed. Caseworkers (at award, or through an amendment case) and the system may set it.
    Raises PermissionDenied or ValidationError (nothing written)."""
    if not (is_caseworker(in_role(actor)) or is_system(actor)):
        raise PermissionDenied(_("Kun Erhvervsstyrelsen kan fastsætte budgettet."))
    grant = Grant.objects.select_for_update().get(pk=grant.pk)
    _check_year(grant, year)
    errors: dict = {}
    parsed = _parse_lines(lines, errors)
    amounts = {}
    for i, fields, row in parsed:
        amount = _amount(row.get("budget_dkk"), errors, f"lines[{i}].budget_dkk")
        if amount is not None:
            amounts[key_of(fields)] = (i, fields, amount)
    existing = {line.key: line for line in
                BudgetLine.objects.select_for_update().filter(grant=grant, year_number=year)}
    for key, line in existing.items():
        if key not in amounts and line.actual_dkk is not None and not errors:
            errors["lines"] = _("Linjen »%(label)s« har realiserede tal og kan ikke fjernes.") % {
                "label": line.label}
    if not errors:
        costs = sum(a for _i, f, a in amounts.values() if f["kind"] == LineKind.COST)
        funding = sum(a for _i, f, a in amounts.values() if f["kind"] == LineKind.FUNDING)
        if costs != funding:
            errors["lines"] = _(
                "Budgettet balancerer ikke: omkostninger %(c)s kr., finansiering %(f)s kr.") % {
                "c": number(costs), "f": number(funding)}
    if errors:
        raise ValidationError(errors)
    kept = []
    for key, (_i, fields, amount) in amounts.items():
        line = existing.pop(key, None)
        if line is None:
            line = BudgetLine.objects.create(grant=grant, year_number=year, budget_dkk=amount, **fields)
        elif line.budget_dkk != amount:
            line.budget_dkk = amount
            line.save(update_fields=["budget_dkk"])
        kept.append(line)
    BudgetLine.objects.filter(pk__in=[line.pk for line in existing.values()]).delete()
    BudgetEvent.objects.create(
        grant=grant, year_number=year, actor=actor, action="budget_set",
        lines=[{"line": key, "budget_dkk": a} for key, (_i, _f, a) in amounts.items()],
        text=text or record_text("Budget for bevillingsår %(n)s fastsat.", {"n": year}),
    )
    return kept


def _deviation_settings() -> dict:
    return {"threshold_pct": settings.BUDGET_DEVIATION_THRESHOLD_PCT,
            "min_dkk": settings.BUDGET_DEVIATION_MIN_DKK}


@transaction.atomic
def actuals_set(grant: Grant, year: int, lines, *, actor, text: str = "") -> list[BudgetLine]:
    """Record the actual costs and funding of grant year `year` (the annual report's accounts):
    `lines` is a list of {"line": key, "actual_dkk": int, "explanation": str}, one per budget
    line (every budgeted line must be there); a key not in the budget adds an unbudgeted line.
    A deviation above the configured threshold needs an explanation. Only the cluster's own
    people (or the system) may; callers check the report is editable
    (grants.reports.costs). Raises PermissionDenied or ValidationError (nothing written)."""
    who = in_role(actor)
    if not (is_system(actor) or (is_cluster_user(who) and who.cluster_id == grant.cluster_id)):
        raise PermissionDenied(_("Kun klyngens egne medarbejdere kan indberette regnskabet."))
    grant = Grant.objects.select_for_update().get(pk=grant.pk)
    _check_year(grant, year)
    errors: dict = {}
    parsed = _parse_lines(lines, errors)
    existing = {line.key: line for line in
                BudgetLine.objects.select_for_update().filter(grant=grant, year_number=year)}
    given = {key_of(f) for _i, f, _r in parsed}
    missing = [line.label for key, line in existing.items() if key not in given]
    if missing and not any(k.startswith("lines[") and k.endswith(".line") for k in errors):
        errors["lines"] = _("Udfyld alle budgetlinjer. Mangler: %(lines)s.") % {
            "lines": "; ".join(missing)}
    rows = []
    for i, fields, row in parsed:
        actual = _amount(row.get("actual_dkk"), errors, f"lines[{i}].actual_dkk")
        explanation = row.get("explanation") or ""
        if not isinstance(explanation, str):
            errors[f"lines[{i}].explanation"] = _("Forklaringen skal være tekst.")
            continue
        explanation = explanation.strip()
        line = existing.get(key_of(fields))
        budget = line.budget_dkk if line else 0
        if actual is not None and not explanation and deviation_needs_explanation(
                budget, actual, **_deviation_settings()):
            errors[f"lines[{i}].explanation"] = _(
                "Forklar afvigelsen: realiseret %(a)s kr. mod budget %(b)s kr.") % {
                "a": number(actual), "b": number(budget)}
        rows.append((fields, line, actual, explanation))
    if errors:
        raise ValidationError(errors)
    saved = []
    for fields, line, actual, explanation in rows:
        if line is None:
            line = BudgetLine.objects.create(grant=grant, year_number=year, budget_dkk=0,
                                             actual_dkk=actual, explanation=explanation, **fields)
        elif (line.actual_dkk, line.explanation) != (actual, explanation):
            line.actual_dkk, line.explanation = actual, explanation
            line.save(update_fields=["actual_dkk", "explanation"])
        saved.append(line)
    BudgetEvent.objects.create(
        grant=grant, year_number=year, actor=actor, action="actuals_set",
        lines=[{"line": line.key, "actual_dkk": line.actual_dkk} for line in saved],
        text=text or record_text("Regnskab for bevillingsår %(n)s indberettet.", {"n": year}),
    )
    return saved
