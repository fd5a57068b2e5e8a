

from grants.calls.models import Application, Call
from grants.cases.models import (
    Case,
    CaseEvent,
    DecisionLetter,
    Disbursement,
    JournalCounter,
    LetterDelivery,
    RecordsFiling,
    TrancheProposal,
    decision_letter_path,
)
from grants.core.models import Grant, GrantEvent, Tranche
from grants.deadlines.models import Deadline, DeadlineExtension
from grants.notifications.models import MailAcceptance, Notification, NotificationPreference
from grants.outcomes.models import (
    CompanyOutcome,
    EffectMeasurement,
    OutcomeEvent,
    SurveyInvitation,
)
from grants.reports.models import (
    AnnualReport,
    CompetitiveFunding,
    ReportAttachment,
    ReportEvent,
    ReportVersion,
)
from grants.statistics.models import StatisticsAggregate

__all__ = ["AnnualReport", "Application", "Call", "Case", "CaseEvent", "CompanyOutcome", "CompetitiveFunding", "Deadline", "DeadlineExtension", "DecisionLetter", "Disbursement", "EffectMeasurement", "Grant", "GrantEvent", "JournalCounter", "LetterDelivery", "MailAcceptance", "Notification", "NotificationPreference", "OutcomeEvent", "RecordsFiling", "ReportAttachment", "ReportEvent", "ReportVersion", "StatisticsAggregate", "SurveyInvitation", "Tranche", "TrancheProposal", "decision_letter_path"]
