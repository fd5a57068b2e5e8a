from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from evaluations.constants import RubricPurpose
from evaluations.models import Criterion, Rubric
from evaluations.panels.defaults import ensure_default_rubrics
from klyngeadmin.kernel.errors import StaleVersion

# The evaluation pages' stale-form message (klyngeadmin.errors.StaleVersion carries it).
EVALUATION_CHANGED = gettext_lazy(
    "Siden er blevet ændret af en anden, siden du åbnede den. Genindlæs siden og prøv igen."
)



class RubricLocked(ValidationError):
    def __init__(self, rubric: Rubric):
        super().__init__(
            _("Bedømmelsesrammen %(rubric)s er i brug og kan ikke ændres. Opret en ny version.")
            % {"rubric": rubric},
            code="rubric_locked",
        )



def _check_version(current: int, expected: int | None) -> None:
    if expected is not None and int(expected) != current:
        raise StaleVersion(EVALUATION_CHANGED)



def _locked_rubric(rubric: Rubric) -> Rubric:
    locked = Rubric.objects.select_for_update().get(pk=rubric.pk)
    if locked.locked:
        raise RubricLocked(locked)
    return locked



@transaction.atomic
def rubric_create(*, purpose: str, name: str, description: str = "", actor,
                  normalise_per_grant_krone: bool = False, emerging_peer_group: bool = False) -> Rubric:
    if purpose not in RubricPurpose.values:
        raise ValidationError({"purpose": _("Vælg et gyldigt formål.")})
    if Rubric.objects.filter(purpose=purpose, name=name).exists():
        raise ValidationError({"name": _("Der findes allerede en bedømmelsesramme med det navn.")})
    return Rubric.objects.create(purpose=purpose, name=name, description=description,
                                 normalise_per_grant_krone=normalise_per_grant_krone,
                                 emerging_peer_group=emerging_peer_group)



@transaction.atomic
def rubric_new_version(*, rubric: Rubric, actor) -> Rubric:
    """A new, unlocked version with a copy of the criteria, to edit and then activate."""
    latest = (
        Rubric.objects.filter(purpose=rubric.purpose, name=rubric.name).aggregate(v=Max("version"))["v"]
    )
    new = Rubric.objects.create(
        purpose=rubric.purpose, name=rubric.name, version=latest + 1, description=rubric.description,
        normalise_per_grant_krone=rubric.normalise_per_grant_krone,
        emerging_peer_group=rubric.emerging_peer_group,
    )
    Criterion.objects.bulk_create(
        Criterion(rubric=new, key=c.key, position=c.position, title=c.title, guidance=c.guidance,
                  weight=c.weight, kind=c.kind, metric=c.metric)
        for c in rubric.criteria.all()
    )
    return new



@transaction.atomic
def rubric_update(*, rubric: Rubric, name: str, description: str, version: int | None, actor,
                  normalise_per_grant_krone: bool | None = None,
                  emerging_peer_group: bool | None = None) -> Rubric:
    """Change an unlocked rubric, including the starting-point choices recorded with the
    version (level per grant krone; emerging areas as their own peer group)."""
    locked = _locked_rubric(rubric)
    _check_version(locked.row_version, version)
    locked.name, locked.description = name, description
    if normalise_per_grant_krone is not None:
        locked.normalise_per_grant_krone = normalise_per_grant_krone
    if emerging_peer_group is not None:
        locked.emerging_peer_group = emerging_peer_group
    locked.row_version += 1
    locked.save(update_fields=["name", "description", "normalise_per_grant_krone",
                               "emerging_peer_group", "row_version", "updated_at"])
    return locked



@transaction.atomic
def criterion_save(*, rubric: Rubric, criterion: Criterion | None = None, actor, **fields) -> Criterion:
    """Add or change a criterion of an unlocked rubric (the DB trigger refuses it otherwise)."""
    _locked_rubric(rubric)
    target = criterion or Criterion(rubric=rubric)
    for name, value in fields.items():
        setattr(target, name, value)
    if target.kind != "data":  # judgement and target attainment have no key figure
        target.metric = ""
    target.full_clean(exclude=["rubric"])
    target.save()
    return target



@transaction.atomic
def criterion_delete(*, criterion: Criterion, actor) -> None:
    _locked_rubric(criterion.rubric)
    criterion.delete()



@transaction.atomic
def rubric_activate(*, rubric: Rubric, actor) -> Rubric:
    """Make this version the one new evaluations (or application assessments) start with."""
    if not rubric.criteria.exists():
        raise ValidationError(_("En bedømmelsesramme skal have mindst ét kriterium, før den kan aktiveres."))
    Rubric.objects.filter(purpose=rubric.purpose, active=True).exclude(pk=rubric.pk).update(active=False)
    Rubric.objects.filter(pk=rubric.pk).update(active=True)
    rubric.active = True
    return rubric



def rubric_lock(rubric: Rubric) -> None:
    """Called inside the transaction that first uses the rubric; from here it is immutable."""
    Rubric.objects.filter(pk=rubric.pk, locked=False).update(locked=True, locked_at=timezone.now())



def active_rubric(purpose: str) -> Rubric:

    ensure_default_rubrics()  # after a flush the migration's rows are gone; a no-op otherwise
    rubric = Rubric.objects.filter(purpose=purpose, active=True).first()
    if rubric is None:
        raise ValidationError(_("Der er ingen aktiv bedømmelsesramme. En administrator skal aktivere en."))
    return rubric

