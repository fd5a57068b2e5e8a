from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clusters.constants import FunderKind
from clusters.models import ClusterOrganisation, TimestampedModel, choices_check

from .constants import (
    ApplicationStatus,
    AttachmentKind,
    CallKind,
    CallStatus,
    CaseEventKind,
    CaseStatus,
    CaseType,
    DeadlineKind,
    ExtensionStatus,
    Funder,
    GrantStatus,
    GrantType,
    LetterKind,
    NotificationCategory,
    NotificationDelivery,
    NotificationStatus,
    ProposalKind,
    ProposalStatus,
    ReportStatus,
    TrancheStatus,
)


class Call(TimestampedModel):
    """An opslag: a regular call, or the open call for new emerging areas."""

    title = models.CharField(_("titel"), max_length=300)
    kind = models.CharField(_("type"), max_length=20, choices=CallKind.choices)
    status = models.CharField(_("status"), max_length=20, choices=CallStatus.choices, default=CallStatus.DRAFT)
    opens_at = models.DateTimeField(_("åbner"))
    closes_at = models.DateTimeField(_("ansøgningsfrist"))
    budget_dkk = models.BigIntegerField(_("ramme (kr.)"), default=0)
    description = models.TextField(_("beskrivelse"), blank=True)

    class Meta:
        verbose_name = _("opslag")
        verbose_name_plural = _("opslag")
        ordering = ["-opens_at"]
        constraints = [
            choices_check("call_kind_valid", "kind", CallKind),
            choices_check("call_status_valid", "status", CallStatus),
            models.CheckConstraint(name="call_dates_order", condition=Q(closes_at__gt=F("opens_at"))),
        ]

    def __str__(self):
        return self.title


class Application(TimestampedModel):
    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="applications")
    applicant_name = models.CharField(_("ansøger"), max_length=200)
    applicant_cvr = models.CharField(_("ansøgers CVR-nummer"), max_length=8)
    proposed_area = models.CharField(_("foreslået område"), max_length=300)
    status = models.CharField(
        _("status"), max_length=20, choices=ApplicationStatus.choices, default=ApplicationStatus.DRAFT
    )
    cluster = models.ForeignKey(
        ClusterOrganisation, null=True, blank=True, on_delete=models.PROTECT, related_name="applications"
    )
    submitted_at = models.DateTimeField(_("indsendt"), null=True, blank=True)

    class Meta:
        verbose_name = _("ansøgning")
        verbose_name_plural = _("ansøgninger")
        constraints = [choices_check("application_status_valid", "status", ApplicationStatus)]

    def __str__(self):
        return f"{self.applicant_name}: {self.proposed_area}"


class Grant(TimestampedModel):
    """A klyngebevilling. Its whole life is laid out as rows by grants.services.grant_create."""

    cluster = models.ForeignKey(
        ClusterOrganisation, verbose_name=_("klynge"), on_delete=models.PROTECT, related_name="grants"
    )
    reference = models.CharField(_("bevillingsnummer"), max_length=40, unique=True)
    funder = models.CharField(_("bevillingsgiver"), max_length=20, choices=Funder.choices)
    grant_type = models.CharField(_("bevillingstype"), max_length=30, choices=GrantType.choices)
    start_year = models.PositiveSmallIntegerField(_("startår"))
    horizon_years = models.PositiveSmallIntegerField(_("løbetid (år)"))
    midway_year = models.PositiveSmallIntegerField(
        _("midtvejsevaluering i bevillingsår"), null=True, blank=True
    )
    annual_amount_dkk = models.BigIntegerField(_("årlig rate (kr.)"))
    status = models.CharField(_("status"), max_length=20, choices=GrantStatus.choices, default=GrantStatus.ACTIVE)
    application = models.OneToOneField(
        Application, null=True, blank=True, on_delete=models.PROTECT, related_name="grant"
    )

    class Meta:
        verbose_name = _("bevilling")
        verbose_name_plural = _("bevillinger")
        ordering = ["-start_year", "cluster__name"]
        constraints = [
            choices_check("grant_status_valid", "status", GrantStatus),
            choices_check("grant_funder_valid", "funder", Funder),
            choices_check("grant_type_valid", "grant_type", GrantType),
            models.CheckConstraint(
                name="grant_horizon_range", condition=Q(horizon_years__gte=1, horizon_years__lte=10)
            ),
            models.CheckConstraint(
                name="grant_midway_within_horizon",
                condition=Q(midway_year__isnull=True)
                | Q(midway_year__gte=1, midway_year__lt=F("horizon_years")),
            ),
            models.CheckConstraint(name="grant_amount_nonnegative", condition=Q(annual_amount_dkk__gte=0)),
        ]

    def __str__(self):
        return f"{self.reference} ({self.cluster})"

    @property
    def end_year(self) -> int:
        return self.start_year + self.horizon_years - 1

    def calendar_year(self, year_number: int) -> int:
        return self.start_year + year_number - 1


class Tranche(models.Model):
    """One grant year and its rate (udbetaling)."""

    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="tranches")
    year_number = models.PositiveSmallIntegerField(_("bevillingsår"))
    year = models.PositiveSmallIntegerField(_("kalenderår"))
    amount_dkk = models.BigIntegerField(_("beløb (kr.)"))
    status = models.CharField(
        _("status"), max_length=20, choices=TrancheStatus.choices, default=TrancheStatus.PLANNED
    )
    released_on = models.DateField(_("udbetalt den"), null=True, blank=True)

    class Meta:
        verbose_name = _("rate")
        verbose_name_plural = _("rater")
        ordering = ["grant", "year_number"]
        constraints = [
            models.UniqueConstraint(fields=["grant", "year_number"], name="tranche_grant_year_unique"),
            choices_check("tranche_status_valid", "status", TrancheStatus),
            models.CheckConstraint(name="tranche_year_number_positive", condition=Q(year_number__gte=1)),
            models.CheckConstraint(name="tranche_amount_nonnegative", condition=Q(amount_dkk__gte=0)),
            models.CheckConstraint(
                name="tranche_released_has_date",
                condition=~Q(status=TrancheStatus.RELEASED) | Q(released_on__isnull=False),
            ),
        ]


class GrantEvent(models.Model):
    """Append-only history of a grant's and its tranches' states: who moved what from which
    state to which, and why (grants.tranches writes it in the same transaction). `tranche` is
    empty for a change of the grant's own status."""

    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, related_name="events")
    tranche = models.ForeignKey(
        Tranche, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    from_status = models.CharField(max_length=20)
    to_status = models.CharField(max_length=20)
    text = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("bevillingshændelse")
        verbose_name_plural = _("bevillingshændelser")
        ordering = ["created_at", "id"]


class Deadline(models.Model):
    """A due time as data: reports, self-assessments, scoring, case handling, change requests.

    Extensions move `due_at` and keep `original_due_at` and the DeadlineExtension history."""

    kind = models.CharField(_("type"), max_length=30, choices=DeadlineKind.choices)
    subject = models.CharField(_("emne"), max_length=300)
    cluster = models.ForeignKey(
        ClusterOrganisation, null=True, blank=True, on_delete=models.CASCADE, related_name="deadlines"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="deadlines",
    )
    due_at = models.DateTimeField(_("frist"))
    original_due_at = models.DateTimeField(_("oprindelig frist"))
    completed_at = models.DateTimeField(_("opfyldt"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("annulleret"), null=True, blank=True)

    class Meta:
        verbose_name = _("frist")
        verbose_name_plural = _("frister")
        ordering = ["due_at"]
        constraints = [choices_check("deadline_kind_valid", "kind", DeadlineKind)]
        indexes = [
            models.Index(
                fields=["due_at"], name="deadline_open_due",
                condition=Q(completed_at__isnull=True, cancelled_at__isnull=True),
            )
        ]

    def __str__(self):
        return f"{self.subject} ({self.due_at:%Y-%m-%d})"

    @property
    def is_open(self) -> bool:
        return self.completed_at is None and self.cancelled_at is None


class DeadlineExtension(TimestampedModel):
    deadline = models.ForeignKey(Deadline, on_delete=models.CASCADE, related_name="extensions")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("begrundelse"))
    requested_due_at = models.DateTimeField(_("ønsket frist"))
    previous_due_at = models.DateTimeField(_("frist før forlængelse"))
    status = models.CharField(
        _("status"), max_length=20, choices=ExtensionStatus.choices, default=ExtensionStatus.REQUESTED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    new_due_at = models.DateTimeField(_("ny frist"), null=True, blank=True)

    class Meta:
        verbose_name = _("anmodning om fristforlængelse")
        verbose_name_plural = _("anmodninger om fristforlængelse")
        ordering = ["-created_at"]
        constraints = [
            choices_check("extension_status_valid", "status", ExtensionStatus),
            models.CheckConstraint(
                name="extension_approved_has_new_due",
                condition=~Q(status=ExtensionStatus.APPROVED) | Q(new_due_at__isnull=False),
            ),
        ]


class AnnualReport(TimestampedModel):
    """The yearly report obligation (årsrapport) of one grant year, and its content."""

    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, related_name="reports")
    year_number = models.PositiveSmallIntegerField(_("bevillingsår"))
    year = models.PositiveSmallIntegerField(_("år"))
    deadline = models.OneToOneField(Deadline, on_delete=models.PROTECT, related_name="annual_report")
    status = models.CharField(
        _("status"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    version = models.PositiveIntegerField(default=1)
    submitted_at = models.DateTimeField(_("indsendt"), null=True, blank=True)
    approved_at = models.DateTimeField(_("godkendt"), null=True, blank=True)

    # Financial section (whole kroner; blank until the cluster fills it in)
    grant_spent_dkk = models.BigIntegerField(_("forbrugt bevilling (kr.)"), null=True, blank=True)
    cofinancing_membership_dkk = models.BigIntegerField(_("kontingenter (kr.)"), null=True, blank=True)
    cofinancing_sponsorship_dkk = models.BigIntegerField(_("sponsorater (kr.)"), null=True, blank=True)
    cofinancing_foundation_dkk = models.BigIntegerField(_("fondsmidler (kr.)"), null=True, blank=True)
    cofinancing_project_dkk = models.BigIntegerField(_("projektmidler (kr.)"), null=True, blank=True)

    # Narrative sections
    value_created = models.TextField(_("værdiskabelse i virksomhederne"), blank=True)
    knowledge_collaboration = models.TextField(_("samarbejde med videninstitutioner"), blank=True)
    internationalisation = models.TextField(_("internationalisering"), blank=True)
    platform_role = models.TextField(_("klyngen som platform"), blank=True)
    local_collaboration = models.TextField(_("lokalt samarbejde"), blank=True)

    class Meta:
        verbose_name = _("årsrapport")
        verbose_name_plural = _("årsrapporter")
        ordering = ["grant", "year"]
        constraints = [
            models.UniqueConstraint(fields=["grant", "year"], name="report_grant_year_unique"),
            choices_check("report_status_valid", "status", ReportStatus),
            models.CheckConstraint(
                name="report_amounts_nonnegative",
                condition=(
                    (Q(grant_spent_dkk__isnull=True) | Q(grant_spent_dkk__gte=0))
                    & (Q(cofinancing_membership_dkk__isnull=True) | Q(cofinancing_membership_dkk__gte=0))
                    & (Q(cofinancing_sponsorship_dkk__isnull=True) | Q(cofinancing_sponsorship_dkk__gte=0))
                    & (Q(cofinancing_foundation_dkk__isnull=True) | Q(cofinancing_foundation_dkk__gte=0))
                    & (Q(cofinancing_project_dkk__isnull=True) | Q(cofinancing_project_dkk__gte=0))
                ),
            ),
            models.CheckConstraint(
                name="report_submitted_has_time",
                condition=Q(status=ReportStatus.DRAFT)
                | Q(status=ReportStatus.CANCELLED)
                | Q(submitted_at__isnull=False),
            ),
        ]

    def __str__(self):
        return f"Årsrapport {self.year} – {self.grant.cluster}"

    @property
    def cluster(self):
        return self.grant.cluster

    @property
    def due_at(self):
        return self.deadline.due_at


class CompetitiveFunding(models.Model):
    """Competitive funds brought home (hjemtag) in a report year, by funder."""

    report = models.ForeignKey(AnnualReport, on_delete=models.CASCADE, related_name="competitive_funding")
    funder = models.CharField(_("bevillingsgiver"), max_length=200)
    funder_kind = models.CharField(_("type"), max_length=20, choices=FunderKind.choices)
    amount_dkk = models.BigIntegerField(_("beløb (kr.)"))

    class Meta:
        verbose_name = _("hjemtaget konkurrenceudsat finansiering")
        verbose_name_plural = _("hjemtaget konkurrenceudsat finansiering")
        constraints = [
            models.UniqueConstraint(fields=["report", "funder"], name="competitive_funding_unique"),
            choices_check("competitive_funder_kind_valid", "funder_kind", FunderKind),
            models.CheckConstraint(name="competitive_amount_nonnegative", condition=Q(amount_dkk__gte=0)),
        ]


class ReportEvent(models.Model):
    """Append-only history of a report's workflow: who moved it from what to what, and why."""

    report = models.ForeignKey(AnnualReport, on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("rapporthændelse")
        verbose_name_plural = _("rapporthændelser")
        ordering = ["created_at", "id"]


class JournalCounter(models.Model):
    """The last journal number used in a year; numbers are sequential and never reused."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)


class Case(TimestampedModel):
    """A sag at Erhvervsstyrelsen: one per submitted report, extension request, application or
    midway evaluation."""

    journal_number = models.CharField(_("journalnummer"), max_length=11, unique=True)
    case_type = models.CharField(_("sagstype"), max_length=30, choices=CaseType.choices)
    cluster = models.ForeignKey(
        ClusterOrganisation, null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    subject = models.CharField(_("emne"), max_length=300)
    status = models.CharField(_("status"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.NEW)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="assigned_cases", verbose_name=_("sagsbehandler"),
    )
    deadline = models.OneToOneField(
        Deadline, null=True, blank=True, on_delete=models.PROTECT, related_name="case",
        verbose_name=_("behandlingsfrist"),
    )
    report = models.ForeignKey(
        AnnualReport, null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    extension = models.OneToOneField(
        DeadlineExtension, null=True, blank=True, on_delete=models.PROTECT, related_name="case"
    )
    application = models.ForeignKey(
        Application, null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    evaluation = models.ForeignKey(
        "evaluations.MidwayEvaluation", null=True, blank=True, on_delete=models.PROTECT,
        related_name="cases",
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("sag")
        verbose_name_plural = _("sager")
        ordering = ["-created_at"]
        constraints = [
            choices_check("case_type_valid", "case_type", CaseType),
            choices_check("case_status_valid", "status", CaseStatus),
            models.CheckConstraint(
                name="case_journal_number_format", condition=Q(journal_number__regex=r"^[0-9]{4}-[0-9]{6}$")
            ),
            models.CheckConstraint(
                name="case_subject_matches_type",
                condition=(
                    Q(case_type=CaseType.ANNUAL_REPORT, report__isnull=False)
                    | Q(case_type=CaseType.DEADLINE_EXTENSION, extension__isnull=False)
                    | Q(case_type=CaseType.APPLICATION, application__isnull=False)
                    | Q(case_type=CaseType.MIDWAY_EVALUATION, evaluation__isnull=False)
                ),
            ),
            models.CheckConstraint(
                name="case_assigned_has_assignee",
                condition=Q(status=CaseStatus.NEW) | Q(assignee__isnull=False),
            ),
        ]
        indexes = [models.Index(fields=["status", "case_type"], name="case_status_type")]

    def __str__(self):
        return f"{self.journal_number} {self.subject}"


class CaseEvent(models.Model):
    """Append-only audit trail of a case: transitions, assignments, messages, notes, decisions."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=CaseEventKind.choices)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    text = models.TextField(blank=True)
    internal = models.BooleanField(
        _("intern"), default=False, help_text=_("Interne noter vises aldrig for klyngen.")
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("sagshændelse")
        verbose_name_plural = _("sagshændelser")
        ordering = ["created_at", "id"]
        constraints = [choices_check("case_event_kind_valid", "kind", CaseEventKind)]


class TrancheProposal(models.Model):
    """A caseworker's proposal (indstilling) to release or cancel a tranche; the head of office
    approves or rejects it. Four eyes: the approver is never the proposer (CHECK below)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="proposals")
    tranche = models.ForeignKey(Tranche, on_delete=models.PROTECT, related_name="proposals")
    kind = models.CharField(_("type"), max_length=20, choices=ProposalKind.choices)
    amount_dkk = models.BigIntegerField(_("beløb (kr.)"))
    pay_on = models.DateField(_("udbetalingsdato"), null=True, blank=True)
    reason = models.TextField(_("begrundelse"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ProposalStatus.choices, default=ProposalStatus.PROPOSED
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("indstillet af"),
    )
    proposed_at = models.DateTimeField(_("indstillet"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("afgjort af"),
    )
    decided_at = models.DateTimeField(_("afgjort"), null=True, blank=True)

    class Meta:
        verbose_name = _("indstilling")
        verbose_name_plural = _("indstillinger")
        ordering = ["proposed_at", "id"]
        constraints = [
            choices_check("proposal_kind_valid", "kind", ProposalKind),
            choices_check("proposal_status_valid", "status", ProposalStatus),
            models.CheckConstraint(name="proposal_amount_nonnegative", condition=Q(amount_dkk__gte=0)),
            models.CheckConstraint(
                name="proposal_release_has_date",
                condition=~Q(kind=ProposalKind.RELEASE) | Q(pay_on__isnull=False, amount_dkk__gt=0),
            ),
            models.CheckConstraint(  # a proposal closed by a withdrawal was not decided on
                name="proposal_four_eyes",
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("proposed_by"))
                | Q(status=ProposalStatus.WITHDRAWN),
            ),
            models.CheckConstraint(
                name="proposal_decided_has_decider",
                condition=Q(status=ProposalStatus.PROPOSED)
                | Q(decided_by__isnull=False, decided_at__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["tranche"], name="proposal_one_open_per_tranche",
                condition=Q(status=ProposalStatus.PROPOSED),
            ),
        ]


class Disbursement(models.Model):
    """A released tranche (udbetaling): amount and date, who proposed and who approved it."""

    tranche = models.OneToOneField(Tranche, on_delete=models.PROTECT, related_name="disbursement")
    proposal = models.OneToOneField(
        TrancheProposal, on_delete=models.PROTECT, related_name="disbursement"
    )
    amount_dkk = models.BigIntegerField(_("beløb (kr.)"))
    paid_on = models.DateField(_("udbetalingsdato"))
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("udbetaling")
        verbose_name_plural = _("udbetalinger")
        constraints = [
            models.CheckConstraint(name="disbursement_amount_positive", condition=Q(amount_dkk__gt=0)),
            models.CheckConstraint(
                name="disbursement_four_eyes", condition=~Q(approved_by=F("proposed_by"))
            ),
        ]


def decision_letter_path(instance, filename):
    return f"afgoerelser/{instance.case.journal_number}/{filename}"


class DecisionLetter(models.Model):
    """A decision letter (afgørelsesbrev): the PDF generated from a decision, kept with the case
    and shown to the cluster."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="letters")
    cluster = models.ForeignKey(
        ClusterOrganisation, null=True, blank=True, on_delete=models.PROTECT,
        related_name="decision_letters",
    )
    kind = models.CharField(_("type"), max_length=30, choices=LetterKind.choices)
    title = models.CharField(_("titel"), max_length=300)
    body = models.TextField(_("afgørelse"))
    file = models.FileField(_("PDF"), upload_to=decision_letter_path, max_length=300)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("afgørelsesbrev")
        verbose_name_plural = _("afgørelsesbreve")
        ordering = ["-created_at", "-id"]
        constraints = [choices_check("letter_kind_valid", "kind", LetterKind)]

    def __str__(self):
        return self.title


class Notification(models.Model):
    """The outbox: a row written in the same transaction as the change that causes it; the
    relay task sends pending rows, so a broker outage delays mail but loses none.

    A reminder about a deadline is unique per (deadline, recipient, kind), so a second tick
    creates nothing new."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("type"), max_length=60)
    deadline = models.ForeignKey(
        Deadline, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    subject = models.CharField(_("emne"), max_length=300)
    body = models.TextField(_("tekst"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=NotificationStatus.choices, default=NotificationStatus.PENDING
    )
    delivery = models.CharField(
        _("levering"), max_length=20, choices=NotificationDelivery.choices,
        default=NotificationDelivery.IMMEDIATE,
    )
    attempts = models.PositiveSmallIntegerField(_("forsøg"), default=0)
    last_error = models.TextField(_("seneste fejl"), blank=True)
    next_attempt_at = models.DateTimeField(_("næste forsøg"), null=True, blank=True)
    created_at = models.DateTimeField(_("oprettet"), default=timezone.now)
    sent_at = models.DateTimeField(_("sendt"), null=True, blank=True)
    read_at = models.DateTimeField(_("læst"), null=True, blank=True)

    class Meta:
        verbose_name = _("notifikation")
        verbose_name_plural = _("notifikationer")
        ordering = ["-created_at", "-id"]
        constraints = [
            choices_check("notification_status_valid", "status", NotificationStatus),
            choices_check("notification_delivery_valid", "delivery", NotificationDelivery),
            models.UniqueConstraint(
                fields=["deadline", "recipient", "kind"], name="notification_once_per_deadline",
                condition=Q(deadline__isnull=False),
            ),
        ]
        indexes = [
            models.Index(fields=["status"], name="notification_pending",
                         condition=Q(status="pending")),
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox"),
            models.Index(fields=["recipient"], name="notification_unread",
                         condition=Q(read_at__isnull=True)),
        ]

    def __str__(self):
        return self.subject


class ReportVersion(models.Model):
    """An immutable snapshot of a submitted annual report: its content, its key figures (with
    the drill-down lists) and its attachments as they were when submitted. Numbered 1, 2, …
    per report. A database trigger refuses UPDATE and DELETE (see migration 0004)."""

    report = models.ForeignKey(AnnualReport, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("versionsnummer"))
    snapshot = models.JSONField(_("indhold"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("indsendt"), default=timezone.now)

    class Meta:
        verbose_name = _("indsendt version")
        verbose_name_plural = _("indsendte versioner")
        ordering = ["report", "number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="report_version_unique"),
            models.CheckConstraint(name="report_version_positive", condition=Q(number__gte=1)),
        ]

    def __str__(self):
        return f"{self.report} – version {self.number}"


class ReportAttachment(models.Model):
    """A file attached to an annual report (the auditor's statement and others).

    The type is detected from the content (grants.attachments), never from the name or the
    browser's claim; files are served only through a permission-checking view."""

    report = models.ForeignKey(AnnualReport, on_delete=models.PROTECT, related_name="attachments")
    kind = models.CharField(_("bilagstype"), max_length=30, choices=AttachmentKind.choices)
    file = models.FileField(_("fil"), upload_to="report-attachments/%Y/")
    original_name = models.CharField(_("filnavn"), max_length=255)
    content_type = models.CharField(_("filtype"), max_length=100)
    size_bytes = models.PositiveBigIntegerField(_("størrelse (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("bilag")
        verbose_name_plural = _("bilag")
        ordering = ["created_at", "id"]
        constraints = [choices_check("attachment_kind_valid", "kind", AttachmentKind)]

    def __str__(self):
        return self.original_name


class NotificationPreference(models.Model):
    """How one person wants one category of notifications by mail. No row means immediately."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    category = models.CharField(_("kategori"), max_length=20, choices=NotificationCategory.choices)
    delivery = models.CharField(
        _("levering"), max_length=20, choices=NotificationDelivery.choices,
        default=NotificationDelivery.IMMEDIATE,
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("notifikationsindstilling")
        verbose_name_plural = _("notifikationsindstillinger")
        constraints = [
            models.UniqueConstraint(fields=["user", "category"], name="notification_preference_once"),
            choices_check("notification_preference_category_valid", "category", NotificationCategory),
            choices_check("notification_preference_delivery_valid", "delivery", NotificationDelivery),
        ]

    def __str__(self):
        return f"{self.user} {self.category}: {self.delivery}"


class MailAcceptance(models.Model):
    """A Message-ID the mail server has accepted (grants/notifications.py). Written on its own
    connection the moment the server says yes, before the relay's transaction commits: a relay
    killed after that point never sends the same message again (issue 18, finding 7)."""

    message_id = models.CharField(max_length=255, unique=True)
    accepted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("modtaget mail")
        verbose_name_plural = _("modtagne mails")

    def __str__(self):
        return self.message_id
