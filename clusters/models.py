from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clusters.constants import (
    MAX_EMPLOYEES,
    ActivityType,
    AidLegalBasis,
    ClusterStatus,
    CompanySource,
    CompanyStatus,
    DataEventAction,
    FacilitatedProjectStatus,
    FeeBasis,
    FunderKind,
    ImportJobStatus,
    InstitutionKind,
    Region,
    SizeBasis,
    SizeClass,
)
from clusters.cvr import validate_cvr

CVR_SQL_FORMAT = r"^[1-9][0-9]{7}$"
db07_validator = RegexValidator(r"^[0-9]{6}$", _("En DB07-branchekode består af 6 cifre."))


def choices_check(name: str, field: str, choices) -> models.CheckConstraint:
    """A CHECK constraint keeping a TextChoices column inside its choices."""
    return models.CheckConstraint(
        name=name, condition=Q(**{f"{field}__in": [c.value for c in choices]})
    )


class TimestampedModel(models.Model):
    created_at = models.DateTimeField(_("oprettet"), auto_now_add=True)
    updated_at = models.DateTimeField(_("ændret"), auto_now=True)

    class Meta:
        abstract = True


class StrengthPosition(models.Model):
    """A Danish strength position (styrkeposition) or an emerging area (spirende område)."""

    slug = models.SlugField(unique=True)
    name = models.CharField(_("navn"), max_length=200, unique=True)
    emerging = models.BooleanField(_("spirende område"), default=False)
    db07_divisions = ArrayField(
        models.CharField(max_length=2),
        verbose_name=_("DB07-hovedgrupper inden for styrkepositionen"),
        help_text=_("To-cifrede DB07-hovedgrupper (fx 10 for fødevareindustri)."),
        default=list,
        blank=True,
    )

    class Meta:
        verbose_name = _("styrkeposition")
        verbose_name_plural = _("styrkepositioner")
        ordering = ["name"]

    def __str__(self):
        return self.name


class ClusterOrganisation(TimestampedModel):
    slug = models.SlugField(unique=True)
    name = models.CharField(_("navn"), max_length=200, unique=True)
    cvr = models.CharField(_("CVR-nummer"), max_length=8, unique=True, validators=[validate_cvr])
    city = models.CharField(_("by"), max_length=100)
    region = models.CharField(_("region"), max_length=5, choices=Region.choices)
    strength_position = models.ForeignKey(
        StrengthPosition,
        verbose_name=_("styrkeposition"),
        on_delete=models.PROTECT,
        related_name="clusters",
    )
    designated_from = models.DateField(_("udpeget fra"))
    designated_to = models.DateField(_("udpeget til"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ClusterStatus.choices, default=ClusterStatus.ACTIVE
    )

    class Meta:
        verbose_name = _("klyngeorganisation")
        verbose_name_plural = _("klyngeorganisationer")
        ordering = ["name"]
        constraints = [
            choices_check("cluster_status_valid", "status", ClusterStatus),
            choices_check("cluster_region_valid", "region", Region),
            models.CheckConstraint(name="cluster_cvr_format", condition=Q(cvr__regex=CVR_SQL_FORMAT)),
            models.CheckConstraint(
                name="cluster_designation_order",
                condition=Q(designated_to__isnull=True) | Q(designated_to__gte=F("designated_from")),
            ),
        ]

    def __str__(self):
        return self.name


class Company(TimestampedModel):
    # Unique by the constraint below, not unique=True: that would add a varchar_pattern_ops
    # (LIKE) index no query uses, which every company insert pays for (docs/ingest.md).
    cvr = models.CharField(_("CVR-nummer"), max_length=8, validators=[validate_cvr])
    name = models.CharField(_("navn"), max_length=200)
    employees = models.PositiveIntegerField(_("antal ansatte"))
    turnover_dkk = models.BigIntegerField(_("omsætning (kr.)"), null=True, blank=True)
    balance_dkk = models.BigIntegerField(_("balance (kr.)"), null=True, blank=True)
    size_class = models.CharField(_("størrelse"), max_length=10, choices=SizeClass.choices)
    db07_code = models.CharField(
        _("DB07-branchekode"), max_length=6, blank=True, validators=[db07_validator]
    )
    municipality_code = models.PositiveSmallIntegerField(_("kommunekode"), null=True, blank=True)
    region = models.CharField(_("region"), max_length=5, choices=Region.choices, blank=True)
    # From the CVR register (clusters/cvr/, clusters/companies.py). `employees` above is the
    # number the cluster gave; the register's number (or band) sits beside it and wins for
    # the size class. Every column has a database default: the COPY ingest leaves them out.
    industry = models.CharField(_("branche"), max_length=200, blank=True, default="", db_default="")
    postal_code = models.CharField(_("postnummer"), max_length=4, blank=True, default="", db_default="")
    municipality = models.CharField(_("kommune"), max_length=100, blank=True, default="", db_default="")
    register_employees = models.PositiveIntegerField(
        _("antal ansatte ifølge CVR"), null=True, blank=True
    )
    employees_band = models.CharField(
        _("interval for antal ansatte ifølge CVR"), max_length=30, blank=True, default="", db_default=""
    )
    size_basis = models.CharField(
        _("størrelsen bygger på"), max_length=15, choices=SizeBasis.choices,
        default=SizeBasis.CLUSTER, db_default=SizeBasis.CLUSTER,
    )
    status = models.CharField(
        _("status i CVR"), max_length=10, choices=CompanyStatus.choices, blank=True, default="",
        db_default="",
    )
    source = models.CharField(
        _("kilde"), max_length=10, choices=CompanySource.choices,
        default=CompanySource.CLUSTER, db_default=CompanySource.CLUSTER,
    )
    fetched_at = models.DateTimeField(_("hentet fra CVR"), null=True, blank=True)
    reklamebeskyttet = models.BooleanField(_("reklamebeskyttet"), null=True, blank=True)

    class Meta:
        verbose_name = _("virksomhed")
        verbose_name_plural = _("virksomheder")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["cvr"], name="company_cvr_unique"),
            models.CheckConstraint(name="company_cvr_format", condition=Q(cvr__regex=CVR_SQL_FORMAT)),
            choices_check("company_size_class_valid", "size_class", SizeClass),
            models.CheckConstraint(
                name="company_db07_format", condition=Q(db07_code="") | Q(db07_code__regex=r"^[0-9]{6}$")
            ),
            models.CheckConstraint(
                name="company_employees_max", condition=Q(employees__lte=MAX_EMPLOYEES)
            ),
            models.CheckConstraint(
                name="company_turnover_nonnegative",
                condition=Q(turnover_dkk__isnull=True) | Q(turnover_dkk__gte=0),
            ),
            choices_check("company_source_valid", "source", CompanySource),
            choices_check("company_status_valid", "status", CompanyStatus),
            choices_check("company_size_basis_valid", "size_basis", SizeBasis),
        ]
        indexes = [models.Index(fields=["fetched_at"], name="company_fetched_at")]

    def __str__(self):
        return f"{self.name} ({self.cvr})"

    @property
    def db07_division(self) -> str:
        return self.db07_code[:2]


class CompanyRecordEvent(models.Model):
    """Append-only trail of what the CVR register changed on a company record, and who asked
    (None: the after-commit lookup or the nightly refresh)."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="record_events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField(max_length=10, choices=CompanySource.choices)
    changes = models.JSONField(default=dict)  # {"field": [old, new]}
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("ændring fra CVR")
        verbose_name_plural = _("ændringer fra CVR")
        ordering = ["created_at", "id"]


class KnowledgeInstitution(models.Model):
    code = models.SlugField(_("kode"), max_length=40, unique=True)
    name = models.CharField(_("navn"), max_length=200)
    kind = models.CharField(_("type"), max_length=20, choices=InstitutionKind.choices)
    cvr = models.CharField(_("CVR-nummer"), max_length=8, blank=True, validators=[validate_cvr])
    country = models.CharField(_("land"), max_length=2, default="DK")

    class Meta:
        verbose_name = _("videninstitution")
        verbose_name_plural = _("videninstitutioner")
        ordering = ["name"]
        constraints = [choices_check("institution_kind_valid", "kind", InstitutionKind)]

    def __str__(self):
        return self.name


class Membership(models.Model):
    """A company's membership of a cluster in a year, with the fee paid (kontingent)."""

    cluster = models.ForeignKey(ClusterOrganisation, on_delete=models.CASCADE, related_name="memberships")
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="memberships")
    year = models.PositiveSmallIntegerField(_("år"))
    fee_dkk = models.PositiveIntegerField(_("kontingent (kr.)"), default=0)

    class Meta:
        verbose_name = _("medlemskab")
        verbose_name_plural = _("medlemskaber")
        constraints = [
            models.UniqueConstraint(fields=["cluster", "company", "year"], name="membership_unique")
        ]


class Activity(TimestampedModel):
    # No index of its own: (cluster, external_id) and (cluster, year) lead with it (docs/ingest.md).
    cluster = models.ForeignKey(
        ClusterOrganisation, verbose_name=_("klynge"), on_delete=models.PROTECT, related_name="activities",
        db_index=False,
    )
    external_id = models.CharField(_("eksternt id"), max_length=100)
    title = models.CharField(_("titel"), max_length=300)
    activity_type = models.CharField(_("aktivitetstype"), max_length=30, choices=ActivityType.choices)
    start_date = models.DateField(_("startdato"))
    end_date = models.DateField(_("slutdato"))
    year = models.GeneratedField(
        expression=ExtractYear("start_date"), output_field=models.IntegerField(), db_persist=True
    )
    international = models.BooleanField(_("international"), default=False)
    eu_funded = models.BooleanField(_("EU-finansieret"), default=False)
    # Participant fee and state aid (clusters/stateaid/). Database defaults: the COPY ingest
    # (clusters/ingest.py) leaves these columns out, and a re-import keeps what was set.
    fee_per_participant_dkk = models.PositiveIntegerField(
        _("deltagerbetaling pr. deltager (kr.)"), default=0, db_default=0
    )
    fee_basis = models.CharField(
        _("grundlag for deltagerbetalingen"), max_length=10, choices=FeeBasis.choices,
        default=FeeBasis.FREE, db_default=FeeBasis.FREE,
    )
    individual_service = models.BooleanField(
        _("individuel ydelse til én virksomhed"), default=False, db_default=False
    )
    version = models.PositiveIntegerField(default=1)
    companies = models.ManyToManyField(Company, through="CompanyParticipation", related_name="activities")
    institutions = models.ManyToManyField(
        KnowledgeInstitution, through="InstitutionParticipation", related_name="activities"
    )

    class Meta:
        verbose_name = _("aktivitet")
        verbose_name_plural = _("aktiviteter")
        ordering = ["-start_date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cluster", "external_id"], name="activity_external_id_unique"),
            choices_check("activity_type_valid", "activity_type", ActivityType),
            models.CheckConstraint(name="activity_dates_order", condition=Q(end_date__gte=F("start_date"))),
            choices_check("activity_fee_basis_valid", "fee_basis", FeeBasis),
            # free means no fee; a fee set from cost or market price is a positive amount
            models.CheckConstraint(
                name="activity_fee_matches_basis",
                condition=(Q(fee_basis=FeeBasis.FREE, fee_per_participant_dkk=0)
                           | (~Q(fee_basis=FeeBasis.FREE) & Q(fee_per_participant_dkk__gt=0))),
            ),
        ]
        indexes = [models.Index(fields=["cluster", "year"], name="activity_cluster_year")]

    def __str__(self):
        return self.title


class CompanyParticipation(models.Model):
    # No index of its own: the UNIQUE (activity, company) leads with it (docs/ingest.md).
    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="company_participations", db_index=False
    )
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="participations")

    class Meta:
        verbose_name = _("virksomhedsdeltagelse")
        verbose_name_plural = _("virksomhedsdeltagelser")
        constraints = [
            models.UniqueConstraint(fields=["activity", "company"], name="company_participation_unique")
        ]


class InstitutionParticipation(models.Model):
    # No index of its own: the UNIQUE (activity, institution) leads with it (docs/ingest.md).
    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="institution_participations", db_index=False
    )
    institution = models.ForeignKey(
        KnowledgeInstitution, on_delete=models.PROTECT, related_name="participations"
    )

    class Meta:
        verbose_name = _("videninstitutionsdeltagelse")
        verbose_name_plural = _("videninstitutionsdeltagelser")
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "institution"], name="institution_participation_unique"
            )
        ]


class FacilitatedProject(TimestampedModel):
    """An externally financed project the cluster facilitated (not funded by the cluster grant)."""

    cluster = models.ForeignKey(
        ClusterOrganisation, on_delete=models.PROTECT, related_name="facilitated_projects"
    )
    external_id = models.CharField(_("eksternt id"), max_length=100)
    title = models.CharField(_("titel"), max_length=300)
    funder = models.CharField(_("bevillingsgiver"), max_length=200)
    funder_kind = models.CharField(_("type af bevillingsgiver"), max_length=20, choices=FunderKind.choices)
    year = models.PositiveSmallIntegerField(_("år"))
    amount_applied_dkk = models.BigIntegerField(_("ansøgt beløb (kr.)"))
    amount_granted_dkk = models.BigIntegerField(_("bevilget beløb (kr.)"), default=0)
    cluster_share_dkk = models.BigIntegerField(_("klyngens andel (kr.)"), default=0)
    status = models.CharField(
        _("status"), max_length=10, choices=FacilitatedProjectStatus.choices,
        default=FacilitatedProjectStatus.APPLIED,
    )
    partner_companies = models.ManyToManyField(Company, blank=True, related_name="facilitated_projects")
    partner_institutions = models.ManyToManyField(
        KnowledgeInstitution, blank=True, related_name="facilitated_projects"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("faciliteret projekt")
        verbose_name_plural = _("faciliterede projekter")
        ordering = ["-year", "title"]
        constraints = [
            models.UniqueConstraint(fields=["cluster", "external_id"], name="facilitated_external_id_unique"),
            choices_check("facilitated_status_valid", "status", FacilitatedProjectStatus),
            choices_check("facilitated_funder_kind_valid", "funder_kind", FunderKind),
            models.CheckConstraint(
                name="facilitated_amounts_nonnegative",
                condition=Q(amount_applied_dkk__gte=0, amount_granted_dkk__gte=0, cluster_share_dkk__gte=0),
            ),
            models.CheckConstraint(
                name="facilitated_granted_only_when_granted",
                condition=Q(status="granted") | Q(amount_granted_dkk=0),
            ),
        ]

    def __str__(self):
        return self.title


class ClusterDataEvent(models.Model):
    """Append-only audit trail of a cluster's registered data: who created, changed, deleted or
    imported which activity or facilitated project, written in the same transaction."""

    cluster = models.ForeignKey(ClusterOrganisation, on_delete=models.PROTECT, related_name="data_events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=10, choices=DataEventAction.choices)
    object_type = models.CharField(max_length=40)  # "activity", "facilitatedproject", "importjob"
    object_id = models.BigIntegerField(null=True, blank=True)
    external_id = models.CharField(max_length=100, blank=True)
    summary = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("datahændelse")
        verbose_name_plural = _("datahændelser")
        ordering = ["created_at", "id"]
        constraints = [choices_check("cluster_data_event_action_valid", "action", DataEventAction)]


class ImportJob(models.Model):
    """One uploaded activity file: its parsed rows while it waits for confirmation, every bad
    row found, and the progress of the import (read by the progress page while a worker runs)."""

    cluster = models.ForeignKey(ClusterOrganisation, on_delete=models.CASCADE, related_name="import_jobs")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="activity_import_jobs"
    )
    file_name = models.CharField(_("filnavn"), max_length=255)
    status = models.CharField(
        _("status"), max_length=10, choices=ImportJobStatus.choices, default=ImportJobStatus.INVALID
    )
    total_rows = models.PositiveIntegerField(_("rækker i alt"), default=0)
    done_rows = models.PositiveIntegerField(_("rækker importeret"), default=0)
    rows = models.JSONField(default=list, blank=True)  # normalised rows, cleared after the import
    errors = models.JSONField(default=list, blank=True)  # [{"row": 3, "field": "cvr", "message": "…"}]
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    failure = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # A running import's heartbeat and how many runs it has had (clusters/import_sweep.py).
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    run_attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("importjob")
        verbose_name_plural = _("importjobs")
        ordering = ["-created_at", "-id"]
        constraints = [
            choices_check("import_job_status_valid", "status", ImportJobStatus),
            models.CheckConstraint(name="import_job_progress_bounded", condition=Q(done_rows__lte=F("total_rows"))),
        ]

    def __str__(self):
        return self.file_name

    @property
    def percent(self) -> int:
        return 100 if not self.total_rows else self.done_rows * 100 // self.total_rows


# -- state aid (issue 15; services, selectors and pages in clusters/stateaid/) ------------------


class StateAidCeiling(models.Model):
    """The de minimis ceiling per single undertaking in force from `valid_from` (to `valid_to`,
    both included): configuration with its validity dates, never code. Seeded by a migration
    with EUR 200,000 (Regulation 1407/2013, to 31 Dec 2023) and EUR 300,000 (Regulation
    2023/2831, from 1 Jan 2024); a new regulation is a new row in the admin."""

    regulation = models.CharField(_("forordning"), max_length=100)
    amount_eur = models.DecimalField(_("loft (EUR)"), max_digits=14, decimal_places=2)
    period_years = models.PositiveSmallIntegerField(_("periode (år)"), default=3)
    valid_from = models.DateField(_("gælder fra"))
    valid_to = models.DateField(_("gælder til"), null=True, blank=True)

    class Meta:
        verbose_name = _("de minimis-loft")
        verbose_name_plural = _("de minimis-lofter")
        ordering = ["valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["valid_from"], name="stateaid_ceiling_from_unique"),
            models.CheckConstraint(name="stateaid_ceiling_positive", condition=Q(amount_eur__gt=0)),
            models.CheckConstraint(name="stateaid_ceiling_period_positive", condition=Q(period_years__gt=0)),
            models.CheckConstraint(
                name="stateaid_ceiling_dates_order",
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
            ),
        ]

    def __str__(self):
        return f"{self.regulation}: EUR {self.amount_eur}"


class ExchangeRate(models.Model):
    """The stored DKK per EUR rate in force from `valid_from` (the rate on the day aid is
    granted converts it). Seeded with the ERM II central rate 7.46038."""

    dkk_per_eur = models.DecimalField(_("kroner pr. euro"), max_digits=10, decimal_places=5)
    valid_from = models.DateField(_("gælder fra"), unique=True)
    source = models.CharField(_("kilde"), max_length=200)

    class Meta:
        verbose_name = _("valutakurs")
        verbose_name_plural = _("valutakurser")
        ordering = ["valid_from"]
        constraints = [models.CheckConstraint(name="exchange_rate_positive", condition=Q(dkk_per_eur__gt=0))]

    def __str__(self):
        return f"{self.dkk_per_eur} DKK/EUR ({self.valid_from})"


class StateAidRecord(models.Model):
    """The aid a company received from one activity: the value of a free or subsidised service,
    in integer kroner, with its legal basis and the day it was granted."""

    cluster = models.ForeignKey(ClusterOrganisation, on_delete=models.PROTECT, related_name="aid_records")
    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="aid_records")
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="aid_records")
    legal_basis = models.CharField(_("retsgrundlag"), max_length=20, choices=AidLegalBasis.choices)
    amount_dkk = models.PositiveBigIntegerField(_("støttens værdi (kr.)"))
    granted_on = models.DateField(_("tildelt den"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("statsstøtte")
        verbose_name_plural = _("statsstøtte")
        ordering = ["granted_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "company"], name="aid_record_once_per_activity"),
            models.CheckConstraint(name="aid_record_amount_positive", condition=Q(amount_dkk__gt=0)),
            choices_check("aid_record_legal_basis_valid", "legal_basis", AidLegalBasis),
        ]
        indexes = [models.Index(fields=["company", "granted_on"], name="aid_record_company_day")]


class DeMinimisDeclaration(models.Model):
    """A company's de minimis declaration (erklæring) given to a cluster before the aid: the de
    minimis aid it has had from others in the last three years, and the other companies that
    form one single undertaking with it (their aid counts together)."""

    cluster = models.ForeignKey(ClusterOrganisation, on_delete=models.PROTECT, related_name="deminimis_declarations")
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="deminimis_declarations")
    declared_on = models.DateField(_("erklæret den"))
    other_aid_dkk = models.PositiveBigIntegerField(_("anden de minimis-støtte de seneste tre år (kr.)"), default=0)
    linked_cvrs = ArrayField(
        models.CharField(max_length=8), verbose_name=_("CVR-numre i samme enkelte virksomhed"),
        default=list, blank=True,
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("de minimis-erklæring")
        verbose_name_plural = _("de minimis-erklæringer")
        ordering = ["-declared_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "cluster", "declared_on"], name="deminimis_declaration_once_a_day"),
        ]
