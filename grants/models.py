

from grants.budgets.models import BudgetEvent, BudgetLine
from grants.calls.models import Application, Call
from grants.cases.models import (
    Case,
    CaseEvent,
    DecisionLetter,
    Disbursement,
    JournalCounter,
    RepaymentClaim,
    TrancheProposal,
    decision_letter_path,
)
from grants.core.models import Grant, GrantEvent, Tranche
from grants.deadlines.models import Deadline, DeadlineExtension
from grants.notifications.models import MailAcceptance, Notification, NotificationPreference
from grants.reports.models import (
    AnnualReport,
    CompetitiveFunding,
    ReportAttachment,
    ReportEvent,
    ReportVersion,
)

__all__ = ["AnnualReport", "Application", "BudgetEvent", "BudgetLine", "RepaymentClaim", "Call", "Case", "CaseEvent", "CompetitiveFunding", "Deadline", "DeadlineExtension", "DecisionLetter", "Disbursement", "Grant", "GrantEvent", "JournalCounter", "MailAcceptance", "Notification", "NotificationPreference", "ReportAttachment", "ReportEvent", "ReportVersion", "Tranche", "TrancheProposal", "decision_letter_path"]
