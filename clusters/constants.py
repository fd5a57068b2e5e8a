from django.db import models
from django.utils.translation import gettext_lazy as _


class Region(models.TextChoices):
    NORDJYLLAND = "DK-81", _("Region Nordjylland")
    MIDTJYLLAND = "DK-82", _("Region Midtjylland")
    SYDDANMARK = "DK-83", _("Region Syddanmark")
    HOVEDSTADEN = "DK-84", _("Region Hovedstaden")
    SJAELLAND = "DK-85", _("Region Sjælland")


class ClusterStatus(models.TextChoices):
    ACTIVE = "active", _("Aktiv")
    CEASED = "ceased", _("Ophørt")
    WITHDRAWN = "withdrawn", _("Bevilling tilbagekaldt")


class SizeClass(models.TextChoices):
    """EU recommendation 2003/361: micro, small and medium are SMEs."""

    MICRO = "micro", _("Mikrovirksomhed (under 10 ansatte)")
    SMALL = "small", _("Lille virksomhed (10-49 ansatte)")
    MEDIUM = "medium", _("Mellemstor virksomhed (50-249 ansatte)")
    LARGE = "large", _("Stor virksomhed (250+ ansatte)")


SME_SIZE_CLASSES = (SizeClass.MICRO, SizeClass.SMALL, SizeClass.MEDIUM)


class InstitutionKind(models.TextChoices):
    UNIVERSITY = "university", _("Universitet")
    ACADEMY = "academy", _("Erhvervsakademi")
    UNIVERSITY_COLLEGE = "university_college", _("Professionshøjskole")
    ARTISTIC = "artistic", _("Kunstnerisk uddannelsesinstitution")
    GTS = "gts", _("GTS-institut")
    HOSPITAL = "hospital", _("Hospital/region")
    FOREIGN = "foreign", _("Udenlandsk videninstitution")


class ActivityType(models.TextChoices):
    KNOWLEDGE_SHARING = "knowledge_sharing", _("Videnspredning")
    MATCHMAKING = "matchmaking", _("Matchmaking")
    INNOVATION_PROJECT = "innovation_project", _("Innovationsprojekt")
    INTERNATIONALISATION = "internationalisation", _("Internationalisering")
    INCUBATION = "incubation", _("Inkubation")
    RD_APPLICATION = "rd_application", _("Fælles FoU-ansøgning")


class FacilitatedProjectStatus(models.TextChoices):
    APPLIED = "applied", _("Ansøgt")
    GRANTED = "granted", _("Bevilget")
    REJECTED = "rejected", _("Afslået")


class FunderKind(models.TextChoices):
    EU = "eu", _("EU-program")
    NATIONAL_PUBLIC = "national_public", _("Nationale offentlige projektmidler")
    FOUNDATION = "foundation", _("Private fonde")
    COMPANY = "company", _("Virksomheder")
    OTHER = "other", _("Andet")


class ImportJobStatus(models.TextChoices):
    INVALID = "invalid", _("Fejl i filen")
    VALIDATED = "validated", _("Klar til import")
    QUEUED = "queued", _("I kø")
    RUNNING = "running", _("Importerer")
    DONE = "done", _("Importeret")
    FAILED = "failed", _("Mislykkedes")


class DataEventAction(models.TextChoices):
    CREATED = "created", _("Oprettet")
    UPDATED = "updated", _("Ændret")
    DELETED = "deleted", _("Slettet")
    IMPORTED = "imported", _("Importeret")


# A company's employee count, the same bound for the form, the import, the API and the
# database (CheckConstraint company_employees_max): Denmark's largest employer is far below it.
MAX_EMPLOYEES = 1_000_000


class CompanySource(models.TextChoices):
    """Where a company's industry, address and size come from."""

    CVR = "cvr", _("CVR-registret")
    CLUSTER = "cluster", _("Indtastet af klyngen")
    UNKNOWN = "unknown", _("Ukendt")


class CompanyStatus(models.TextChoices):
    ACTIVE = "active", _("Aktiv")
    CEASED = "ceased", _("Ophørt")
    UNKNOWN = "", _("Ukendt")


class SizeBasis(models.TextChoices):
    """What the company's size class (SMV) rests on."""

    REGISTER = "register", _("CVR-registrets antal ansatte")
    REGISTER_BAND = "register_band", _("CVR-registrets interval for antal ansatte")
    CLUSTER = "cluster", _("Klyngens oplyste antal ansatte")


class FeeBasis(models.TextChoices):
    """What an activity's participant fee (deltagerbetaling) is set from (issue 15)."""

    FREE = "free", _("Gratis")
    COST = "cost", _("Omkostningsdækkende pris")
    MARKET = "market", _("Markedspris")


class AidLegalBasis(models.TextChoices):
    """The legal basis of the aid a company receives through a free or subsidised service."""

    DE_MINIMIS = "de_minimis", _("De minimis-støtte (forordning 2023/2831)")
    CLUSTER_ACCESS = "cluster_access", _("Støtte til adgang til klyngens ydelser (gruppefritagelsen)")
