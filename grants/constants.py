from django.db import models
from django.utils.translation import gettext_lazy as _

PROGRAMME_HORIZON_YEARS = 10
PROGRAMME_MIDWAY_YEAR = 5
HISTORICAL_HORIZON_YEARS = 4


class CallKind(models.TextChoices):
    REGULAR = "regular", _("Almindeligt opslag")
    OPEN_EMERGING = "open_emerging", _("Åbent opslag for spirende områder")


class CallStatus(models.TextChoices):
    DRAFT = "draft", _("Kladde")
    PUBLISHED = "published", _("Offentliggjort")
    CLOSED = "closed", _("Lukket")


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("Kladde")
    SUBMITTED = "submitted", _("Indsendt")
    SCORING = "scoring", _("Under bedømmelse")
    APPROVED = "approved", _("Godkendt")
    REJECTED = "rejected", _("Afslået")


class Funder(models.TextChoices):
    ERST = "erst", _("Erhvervsstyrelsen")
    DEB_DEM = "deb_dem", _("Danmarks Erhvervsfremmebestyrelse (decentrale midler)")
    DEB_ERDF = "deb_erdf", _("Danmarks Erhvervsfremmebestyrelse (Regionalfonden)")
    UFS = "ufs", _("Uddannelses- og Forskningsstyrelsen")


class GrantType(models.TextChoices):
    CLUSTER_PROGRAMME = "cluster_programme", _("Klyngebevilling (10 år)")
    INNOVATIONSKRAFT = "innovationskraft", _("Innovationskraft 2021-2024")


class GrantStatus(models.TextChoices):
    ACTIVE = "active", _("Aktiv")
    WITHDRAWN = "withdrawn", _("Tilbagekaldt")
    COMPLETED = "completed", _("Afsluttet")


class TrancheStatus(models.TextChoices):
    PLANNED = "planned", _("Planlagt")
    PROPOSED = "proposed", _("Indstillet til udbetaling")
    RELEASED = "released", _("Udbetalt")
    CANCELLED = "cancelled", _("Annulleret")


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Kladde")
    SUBMITTED = "submitted", _("Indsendt")
    IN_REVIEW = "in_review", _("Under behandling")
    CHANGES_REQUESTED = "changes_requested", _("Ændringer anmodet")
    APPROVED = "approved", _("Godkendt")
    CANCELLED = "cancelled", _("Annulleret")


class DeadlineKind(models.TextChoices):
    ANNUAL_REPORT = "annual_report", _("Årsrapport")
    SELF_ASSESSMENT = "self_assessment", _("Selvevaluering")
    SCORING = "scoring", _("Bedømmelse")
    CASE_HANDLING = "case_handling", _("Sagsbehandling")
    CHANGES_REQUESTED = "changes_requested", _("Anmodede ændringer")
    HEARING = "hearing", _("Høringsfrist")
    CONDITIONS = "conditions", _("Opfølgning på vilkår")
    COMPLAINT = "complaint", _("Behandling af klage")


class ExtensionStatus(models.TextChoices):
    REQUESTED = "requested", _("Anmodet")
    APPROVED = "approved", _("Godkendt")
    REJECTED = "rejected", _("Afvist")


class CaseType(models.TextChoices):
    ANNUAL_REPORT = "annual_report", _("Årsrapport")
    DEADLINE_EXTENSION = "deadline_extension", _("Fristforlængelse")
    APPLICATION = "application", _("Ansøgning")
    MIDWAY_EVALUATION = "midway_evaluation", _("Midtvejsevaluering")
    REPAYMENT_CLAIM = "repayment_claim", _("Tilbagebetalingskrav")
    CONDITIONS = "conditions", _("Opfølgning på vilkår")
    COMPLAINT = "complaint", _("Klage")
    AWARD = "award", _("Tilsagnsbrev")
    AMENDMENT = "amendment", _("Ændring af bevilling")


class CaseStatus(models.TextChoices):
    NEW = "new", _("Ny")
    ASSIGNED = "assigned", _("Tildelt")
    IN_PROGRESS = "in_progress", _("Under behandling")
    AWAITING_CLUSTER = "awaiting_cluster", _("Afventer klyngen")
    DECIDED = "decided", _("Afgjort")
    CLOSED = "closed", _("Lukket")


class CaseEventKind(models.TextChoices):
    OPENED = "opened", _("Oprettet")
    TRANSITION = "transition", _("Statusskift")
    ASSIGNMENT = "assignment", _("Tildeling")
    MESSAGE = "message", _("Besked til klyngen")
    NOTE = "note", _("Intern note")
    DECISION = "decision", _("Afgørelse")
    PROPOSAL = "proposal", _("Indstilling")
    CLUSTER_MESSAGE = "cluster_message", _("Besked fra klyngen")
    HEARING = "hearing", _("Partshøring")
    HEARING_ANSWER = "hearing_answer", _("Høringssvar")
    CONDITION_REPORT = "condition_report", _("Redegørelse for vilkår")


class NotificationStatus(models.TextChoices):
    PENDING = "pending", _("Afventer afsendelse")
    SENT = "sent", _("Sendt")
    FAILED = "failed", _("Fejlet")
    SKIPPED = "skipped", _("Ikke mailet (fravalgt)")


class AttachmentKind(models.TextChoices):
    AUDITOR_STATEMENT = "auditor_statement", _("Revisorerklæring")
    OTHER = "other", _("Andet bilag")


class NotificationDelivery(models.TextChoices):
    """How a person wants a category of notifications by mail (they always show in the list)."""

    IMMEDIATE = "immediate", _("Med det samme")
    DIGEST = "digest", _("Daglig samlet mail")
    OFF = "off", _("Fra (kun på siden)")


class NotificationCategory(models.TextChoices):
    DEADLINES = "deadlines", _("Fristpåmindelser")
    REPORTS = "reports", _("Årsrapporter")
    CASES = "cases", _("Sager")
    EVALUATIONS = "evaluations", _("Midtvejsevaluering")
    OTHER = "other", _("Andet")


class ProposalKind(models.TextChoices):
    RELEASE = "release", _("Udbetaling af rate")
    CANCEL = "cancel", _("Annullering af rate")


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", _("Indstillet")
    APPROVED = "approved", _("Godkendt")
    REJECTED = "rejected", _("Afvist")
    WITHDRAWN = "withdrawn", _("Bortfaldet")  # closed because the grant was withdrawn


class LetterKind(models.TextChoices):
    TRANCHE_RELEASED = "tranche_released", _("Udbetaling af rate")
    TRANCHE_CANCELLED = "tranche_cancelled", _("Annullering af rate")
    EXTENSION_APPROVED = "extension_approved", _("Fristforlængelse godkendt")
    EXTENSION_REJECTED = "extension_rejected", _("Fristforlængelse afvist")
    MIDWAY_DECISION = "midway_decision", _("Afgørelse i midtvejsevalueringen")
    REPAYMENT_CLAIM = "repayment_claim", _("Krav om tilbagebetaling")
    HEARING = "hearing", _("Partshøring")
    CONDITIONS_CLOSED = "conditions_closed", _("Opfølgning på vilkår")
    AWARD = "award", _("Tilsagnsbrev")
    AMENDMENT_APPROVED = "amendment_approved", _("Ændring af bevilling godkendt")
    AMENDMENT_REJECTED = "amendment_rejected", _("Ændring af bevilling afvist")
    APPLICATION_REJECTED = "application_rejected", _("Afslag på ansøgning")


class RepaymentStatus(models.TextChoices):
    PROPOSED = "proposed", _("Indstillet")
    DECIDED = "decided", _("Afgjort")


class HearingSubject(models.TextChoices):
    """The adverse decisions that need a hearing (partshøring) before they are taken."""

    WITHDRAWAL = "withdrawal", _("Tilbagekaldelse af bevillingen")
    TRANCHE_CANCELLATION = "tranche_cancellation", _("Annullering af rate")
    REPAYMENT_CLAIM = "repayment_claim", _("Krav om tilbagebetaling")
    APPLICATION_REJECTION = "application_rejection", _("Afslag på ansøgning")


class ConditionOutcome(models.TextChoices):
    MET = "met", _("Vilkårene er opfyldt")
    NOT_MET = "not_met", _("Vilkårene er ikke opfyldt")


class DeliveryStatus(models.TextChoices):
    """A letter's way to the cluster's Digital Post inbox (grants.cases.delivery)."""

    QUEUED = "queued", _("I kø til Digital Post")
    SENT = "sent", _("Sendt med Digital Post")
    FAILED = "failed", _("Afsendelse fejlet")


class FilingStatus(models.TextChoices):
    """A document's way to the records system (journalisering, grants.cases.records)."""

    PENDING = "pending", _("Afventer journalisering")
    FILED = "filed", _("Journaliseret")


class FilingKind(models.TextChoices):
    CASE = "case", _("Sag oprettet")
    LETTER = "letter", _("Brev")
    EVENT = "event", _("Sagshændelse")
    REPORT_VERSION = "report_version", _("Indsendt årsrapport")
    CLOSING = "closing", _("Sag afsluttet")


class AmendmentKind(models.TextChoices):
    """What an amendment case can change (grants.cases.amendments.CHANGE_KINDS)."""

    AMOUNT = "amount", _("Årligt beløb")
    PERIOD = "period", _("Bevillingsperiode")
    TARGETS = "targets", _("Måltal")
    DIRECTOR = "director", _("Klyngedirektør")
    BUDGET = "budget", _("Budget")


class AmendmentStatus(models.TextChoices):
    PROPOSED = "proposed", _("Foreslået")
    APPROVED = "approved", _("Godkendt")
    REJECTED = "rejected", _("Afvist")
