from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clusters.models import ClusterOrganisation, TimestampedModel, choices_check
from grants.calls.models import Application
from grants.constants import (
    AmendmentKind,
    AmendmentStatus,
    CaseEventKind,
    CaseStatus,
    CaseType,
    ConditionOutcome,
    DeliveryStatus,
    FilingKind,
    FilingStatus,
    HearingSubject,
    LetterKind,
    ProposalKind,
    ProposalStatus,
    RepaymentStatus,
)
from grants.core.models import Grant, Tranche
from grants.deadlines.models import Deadline, DeadlineExtension
from grants.reports.models import AnnualReport


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
    appeal_of = models.ForeignKey(
        "DecisionLetter", null=True, blank=True, on_delete=models.PROTECT, related_name="complaints",
        verbose_name=_("klage over"),
    )
    grant = models.ForeignKey(
        Grant, null=True, blank=True, on_delete=models.PROTECT, related_name="cases",
        verbose_name=_("bevilling"),
    )
    records_reference = models.CharField(
        _("journaliseret som"), max_length=100, blank=True,
        help_text=_("Sagens reference i journalsystemet (ESDH), når den er journaliseret."),
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
                    # a repayment claim is opened from the grant's final report (settlement)
                    | Q(case_type=CaseType.REPAYMENT_CLAIM, report__isnull=False)
                    | Q(case_type=CaseType.CONDITIONS, evaluation__isnull=False)
                    | Q(case_type=CaseType.COMPLAINT, appeal_of__isnull=False)
                    | Q(case_type=CaseType.AWARD, grant__isnull=False)
                    | Q(case_type=CaseType.AMENDMENT, grant__isnull=False)
                ),
            ),
            models.UniqueConstraint(  # one complaint per letter
                fields=["appeal_of"], name="case_one_complaint_per_letter",
                condition=Q(case_type=CaseType.COMPLAINT),
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
    # A release that takes the cumulative public aid intensity above the ceiling needs a
    # written justification (grants.cases.proposals); the intensity is kept as it was proposed.
    justification = models.TextField(_("begrundelse for at overskride støtteloftet"), blank=True)
    aid_intensity_pct = models.DecimalField(
        _("støtteintensitet efter udbetaling (%)"), max_digits=7, decimal_places=2,
        null=True, blank=True,
    )
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




class RepaymentClaim(models.Model):
    """A claim to repay unspent or ineligible grant funds, raised when the final report settles
    a grant (grants.cases.settlement). It has its own case (type repayment_claim, linked to the
    final report); the head of office decides it (four eyes) and the letter goes to the cluster."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="repayment_claim")
    grant = models.ForeignKey("grants.Grant", on_delete=models.PROTECT, related_name="repayment_claims")
    report = models.ForeignKey(AnnualReport, on_delete=models.PROTECT, related_name="repayment_claims")
    disbursed_dkk = models.BigIntegerField(_("udbetalt i alt (kr.)"))
    spent_dkk = models.BigIntegerField(_("forbrugt bevilling i alt (kr.)"))
    unspent_dkk = models.BigIntegerField(_("ikke forbrugt (kr.)"))
    ineligible_dkk = models.BigIntegerField(_("ikke støtteberettiget (kr.)"))
    amount_dkk = models.BigIntegerField(_("krav (kr.)"))
    status = models.CharField(
        _("status"), max_length=20, choices=RepaymentStatus.choices, default=RepaymentStatus.PROPOSED
    )
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("tilbagebetalingskrav")
        verbose_name_plural = _("tilbagebetalingskrav")
        constraints = [
            choices_check("repayment_status_valid", "status", RepaymentStatus),
            models.CheckConstraint(
                name="repayment_amounts_consistent",
                condition=Q(unspent_dkk__gte=0, ineligible_dkk__gte=0, amount_dkk__gt=0)
                & Q(amount_dkk=F("unspent_dkk") + F("ineligible_dkk")),
            ),
            models.CheckConstraint(
                name="repayment_four_eyes",
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("proposed_by")),
            ),
            models.CheckConstraint(
                name="repayment_decided_has_decider",
                condition=Q(status=RepaymentStatus.PROPOSED)
                | Q(decided_by__isnull=False, decided_at__isnull=False),
            ),
        ]


def case_attachment_path(instance, filename):
    return f"sagsbilag/{instance.event.case.journal_number}/{filename}"


class CaseAttachment(models.Model):
    """A file attached to a message in a case (from the cluster or the authority). Checked like
    a report attachment (grants.reports.attachments.check_upload): type from the content, size."""

    event = models.ForeignKey(CaseEvent, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(_("fil"), upload_to=case_attachment_path, max_length=300)
    original_name = models.CharField(_("filnavn"), max_length=255)
    content_type = models.CharField(max_length=100)
    size_bytes = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("sagsbilag")
        verbose_name_plural = _("sagsbilag")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(name="case_attachment_not_empty", condition=Q(size_bytes__gt=0)),
        ]

    def __str__(self):
        return self.original_name


class Hearing(models.Model):
    """A hearing (partshøring) before an adverse decision: the proposed decision and its grounds
    are sent to the cluster in a hearing letter with a deadline; the decision may be taken only
    after the cluster's answer or the deadline (grants.cases.hearing.require_hearing_concluded)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="hearings")
    subject_kind = models.CharField(_("afgørelse i høring"), max_length=30, choices=HearingSubject.choices)
    proposed_decision = models.TextField(_("påtænkt afgørelse"))
    grounds = models.TextField(_("begrundelse"))
    deadline = models.OneToOneField(
        Deadline, on_delete=models.PROTECT, related_name="hearing", verbose_name=_("høringsfrist")
    )
    letter = models.OneToOneField(
        "DecisionLetter", on_delete=models.PROTECT, related_name="hearing",
        verbose_name=_("høringsbrev"),
    )
    answer = models.OneToOneField(
        CaseEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="hearing_answered",
        verbose_name=_("høringssvar"),
    )
    answered_at = models.DateTimeField(_("svar modtaget"), null=True, blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    concluded_at = models.DateTimeField(_("afsluttet med afgørelse"), null=True, blank=True)

    class Meta:
        verbose_name = _("partshøring")
        verbose_name_plural = _("partshøringer")
        ordering = ["-created_at", "-id"]
        constraints = [
            choices_check("hearing_subject_valid", "subject_kind", HearingSubject),
            models.CheckConstraint(
                name="hearing_answer_complete",
                condition=Q(answer__isnull=True, answered_at__isnull=True)
                | Q(answer__isnull=False, answered_at__isnull=False),
            ),
            models.CheckConstraint(name="hearing_has_grounds", condition=~Q(grounds="")),
            models.UniqueConstraint(
                fields=["case", "subject_kind"], name="hearing_one_open_per_subject",
                condition=Q(concluded_at__isnull=True),
            ),
        ]


class ConditionFollowUp(models.Model):
    """The follow-up of a "continue with conditions" decision: its own case (type conditions),
    a deadline for the cluster's condition report, and the caseworker's verdict."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="condition_followup")
    conditions = models.TextField(_("vilkår"))
    deadline = models.OneToOneField(
        Deadline, on_delete=models.PROTECT, related_name="condition_followup",
        verbose_name=_("frist for redegørelse"),
    )
    report = models.OneToOneField(
        CaseEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="condition_report_of",
        verbose_name=_("redegørelse"),
    )
    submitted_at = models.DateTimeField(_("indsendt"), null=True, blank=True)
    outcome = models.CharField(_("resultat"), max_length=20, choices=ConditionOutcome.choices, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("opfølgning på vilkår")
        verbose_name_plural = _("opfølgninger på vilkår")
        constraints = [
            models.CheckConstraint(
                name="followup_outcome_valid",
                condition=Q(outcome="") | Q(outcome__in=ConditionOutcome.values),
            ),
            models.CheckConstraint(
                name="followup_report_complete",
                condition=Q(report__isnull=True, submitted_at__isnull=True)
                | Q(report__isnull=False, submitted_at__isnull=False),
            ),
            models.CheckConstraint(
                name="followup_closed_complete",
                condition=Q(outcome="", closed_by__isnull=True, closed_at__isnull=True)
                | (~Q(outcome="") & Q(closed_by__isnull=False, closed_at__isnull=False)),
            ),
        ]


class LetterDelivery(models.Model):
    """One letter's Digital Post message to the cluster's CVR (an outbox row written in the
    letter's transaction; grants.cases.delivery sends it after commit and retries it). The
    messageUUID is fixed when the row is written, so a resend is the same message."""

    letter = models.OneToOneField(DecisionLetter, on_delete=models.PROTECT, related_name="delivery")
    recipient_cvr = models.CharField(_("modtagers CVR-nr."), max_length=8)
    message_uuid = models.UUIDField(_("messageUUID"), unique=True)
    status = models.CharField(
        _("status"), max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("forsøg"), default=0)
    last_error = models.TextField(_("seneste fejl"), blank=True)
    next_attempt_at = models.DateTimeField(_("næste forsøg"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sendt"), null=True, blank=True)
    receipt = models.CharField(_("kvittering"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("Digital Post-forsendelse")
        verbose_name_plural = _("Digital Post-forsendelser")
        ordering = ["created_at", "id"]
        constraints = [
            choices_check("letter_delivery_status_valid", "status", DeliveryStatus),
            models.CheckConstraint(
                name="letter_delivery_sent_has_time",
                condition=~Q(status=DeliveryStatus.SENT) | Q(sent_at__isnull=False),
            ),
            models.CheckConstraint(
                name="letter_delivery_failed_has_reason",
                condition=~Q(status=DeliveryStatus.FAILED) | ~Q(last_error=""),
            ),
            models.CheckConstraint(
                name="letter_delivery_cvr_format", condition=Q(recipient_cvr__regex=r"^[0-9]{8}$")
            ),
        ]
        indexes = [models.Index(fields=["status"], name="letter_delivery_open",
                                condition=~Q(status="sent"))]

    def __str__(self):
        return f"{self.message_uuid} → {self.recipient_cvr}"


class RecordsFiling(models.Model):
    """One document of a case on its way to the records system (journalisering): an outbox row
    written in the same transaction as what it files, sent after commit by
    grants.cases.records and retried until the records system acknowledges it. `source_key`
    names what is filed (e.g. `letter:12`), once."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="filings")
    kind = models.CharField(_("type"), max_length=20, choices=FilingKind.choices)
    source_key = models.CharField(max_length=80, unique=True)
    title = models.CharField(_("titel"), max_length=300)
    text = models.TextField(_("tekst"), blank=True)
    file_name = models.CharField(_("fil"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=FilingStatus.choices, default=FilingStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("forsøg"), default=0)
    last_error = models.TextField(_("seneste fejl"), blank=True)
    next_attempt_at = models.DateTimeField(_("næste forsøg"), null=True, blank=True)
    reference = models.CharField(_("reference i journalsystemet"), max_length=100, blank=True)
    filed_at = models.DateTimeField(_("journaliseret"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("journalisering")
        verbose_name_plural = _("journaliseringer")
        ordering = ["created_at", "id"]
        constraints = [
            choices_check("records_filing_status_valid", "status", FilingStatus),
            choices_check("records_filing_kind_valid", "kind", FilingKind),
            models.CheckConstraint(
                name="records_filing_filed_has_reference",
                condition=~Q(status=FilingStatus.FILED)
                | Q(filed_at__isnull=False) & ~Q(reference=""),
            ),
        ]
        indexes = [models.Index(fields=["status"], name="records_filing_pending",
                                condition=Q(status="pending"))]

    def __str__(self):
        return f"{self.case.journal_number} {self.source_key}"


class Amendment(models.Model):
    """An amendment (ændring) of a grant, the subject of an amendment case: the changes proposed
    (``changes``: kind -> the kind's cleaned payload, see grants.cases.amendments), who proposed
    and who decided. Four eyes where money or targets change: the decider is then never the
    proposer (CHECK below), and must be the head of office (the service checks the role)."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="amendment")
    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, related_name="amendments")
    kinds = ArrayField(models.CharField(max_length=20, choices=AmendmentKind.choices),
                       verbose_name=_("ændrer"))
    changes = models.JSONField(_("ændringer"))
    reason = models.TextField(_("begrundelse"))
    four_eyes = models.BooleanField(_("kræver kontorchefens godkendelse"))
    status = models.CharField(_("status"), max_length=20, choices=AmendmentStatus.choices,
                              default=AmendmentStatus.PROPOSED)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("foreslået af"))
    proposed_at = models.DateTimeField(_("foreslået"), default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("afgjort af"))
    decided_at = models.DateTimeField(_("afgjort"), null=True, blank=True)
    decision_note = models.TextField(_("bemærkning til afgørelsen"), blank=True)

    class Meta:
        verbose_name = _("ændring af bevilling")
        verbose_name_plural = _("ændringer af bevillinger")
        ordering = ["-proposed_at", "-id"]
        constraints = [
            choices_check("amendment_status_valid", "status", AmendmentStatus),
            models.CheckConstraint(name="amendment_kinds_valid",
                                   condition=Q(kinds__contained_by=list(AmendmentKind.values))
                                   & Q(kinds__len__gte=1)),
            models.CheckConstraint(
                name="amendment_four_eyes",
                condition=Q(four_eyes=False) | Q(decided_by__isnull=True)
                | ~Q(decided_by=F("proposed_by")),
            ),
            models.CheckConstraint(
                name="amendment_decided_has_decider",
                condition=Q(status=AmendmentStatus.PROPOSED)
                | Q(decided_by__isnull=False, decided_at__isnull=False),
            ),
            models.UniqueConstraint(fields=["grant"], name="amendment_one_open_per_grant",
                                    condition=Q(status=AmendmentStatus.PROPOSED)),
        ]

    def __str__(self):
        return f"Ændring af {self.grant.reference} ({', '.join(self.kinds)})"
