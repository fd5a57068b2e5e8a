"""The budget's vocabulary: the programme's cost categories, the block exemption's operating-aid
cost types they are mapped to, and the funding sources. Values are stored; labels are Danish."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CostCategory(models.TextChoices):
    """The programme's cost types (omkostningsarter)."""

    PROFESSIONAL_SALARIES = "professional_salaries", _("Løn til faglige aktiviteter")
    SECRETARIAT_SALARIES = "secretariat_salaries", _("Løn til sekretariat")
    OTHER_COSTS = "other_costs", _("Øvrige omkostninger")


class AidCostType(models.TextChoices):
    """Eligible operating-aid cost types for innovation clusters (GBER art. 27(8)), and a type
    for costs that are not eligible."""

    ANIMATION = "animation", _("Animering af klyngen")
    MARKETING = "marketing", _("Markedsføring af klyngen")
    FACILITY_MANAGEMENT = "facility_management", _("Drift af klyngens faciliteter")
    TRAINING = "training", _("Uddannelse, workshops og konferencer")
    NOT_ELIGIBLE = "not_eligible", _("Ikke støtteberettiget")


class FundingSource(models.TextChoices):
    GRANT = "grant", _("Klyngebevilling")
    PRIVATE_CASH = "private_cash", _("Privat kontant medfinansiering")
    IN_KIND = "in_kind", _("Medfinansiering i form af timer (in kind)")
    OTHER_PUBLIC = "other_public", _("Anden offentlig finansiering")


class LineKind(models.TextChoices):
    COST = "cost", _("Omkostning")
    FUNDING = "funding", _("Finansiering")


# Public money: what counts in the numerator of the aid intensity.
PUBLIC_SOURCES = (FundingSource.GRANT, FundingSource.OTHER_PUBLIC)
