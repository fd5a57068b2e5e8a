from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from grants.cases.models import Case, CaseEvent
from grants.cases.records import file_report_version
from grants.cases.services import case_cluster_answered, case_open
from grants.constants import (
    CaseEventKind,
    CaseStatus,
    CaseType,
    DeadlineKind,
    ExtensionStatus,
    ReportStatus,
)
from grants.deadlines.models import Deadline, DeadlineExtension
from grants.notifications.services import notify
from grants.reports.models import AnnualReport, ReportVersion
from grants.reports.selectors import report_key_figures
from grants.reports.services import (
    REPORT_CHANGED,
    ReportIncomplete,
    ReportNotEditable,
    _check_own_cluster,
    _lock_report,
    report_missing,
    report_snapshot,
    report_transition,
)
from grants.rules import EDITABLE_REPORT_STATES
from klyngeadmin.kernel.dates import format_date
from klyngeadmin.kernel.errors import StaleVersion
from klyngeadmin.kernel.i18n import record_text


@transaction.atomic
def report_submit(*, report: AnnualReport, actor, expected_version: int | None = None):
    """Submit the annual report (draft or changes_requested -> submitted), in one transaction:
    the workflow step (with its ReportEvent), an immutable ReportVersion numbered per report
    with the content and the key figures as they are now, a case for Erhvervsstyrelsen (opened
    unless one is already open for the report; then a CaseEvent records the resubmission) and
    a receipt to the submitter (notification outbox row, mailed by the relay after commit).

    Raises PermissionDenied (not the cluster's own people), ReportNotEditable, StaleVersion
    (when `expected_version` is given and outdated), ReportIncomplete (what is missing), or
    TransitionNotAllowed. Returns the new ReportVersion."""

    locked = _lock_report(report)
    _check_own_cluster(actor=actor, cluster_id=locked.grant.cluster_id)
    if locked.status not in EDITABLE_REPORT_STATES:
        raise ReportNotEditable(locked.status)
    if expected_version is not None and locked.version != expected_version:
        raise StaleVersion(REPORT_CHANGED, expected=expected_version, current=locked.version)
    missing = report_missing(report=locked)
    if missing:
        raise ReportIncomplete(missing)
    resubmission = locked.status == ReportStatus.CHANGES_REQUESTED
    locked = report_transition(report=locked, to=ReportStatus.SUBMITTED, actor=actor)
    locked = _lock_report(locked)
    number = (locked.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = ReportVersion.objects.create(
        report=locked, number=number, submitted_by=actor, submitted_at=locked.submitted_at,
        snapshot=report_snapshot(report=locked, key_figures=report_key_figures(report=locked)),
    )
    cluster = locked.grant.cluster
    open_case = (
        Case.objects.select_for_update()
        .filter(report=locked, case_type=CaseType.ANNUAL_REPORT)
        .exclude(status__in=[CaseStatus.DECIDED, CaseStatus.CLOSED])
        .order_by("-created_at")
        .first()
    )
    if open_case is None:
        case = case_open(
            case_type=CaseType.ANNUAL_REPORT, report=locked, cluster=cluster, actor=actor,
            subject=record_text("Årsrapport %(year)s – %(cluster)s",
                                {"year": locked.year, "cluster": cluster.name}),
        )
    else:
        case = open_case
        CaseEvent.objects.create(
            case=case, actor=actor, kind=CaseEventKind.NOTE, internal=False,
            text=record_text("Klyngen har indsendt årsrapporten igen (version %(n)s).", {"n": number}),
        )
        case_cluster_answered(case=case, report=locked, actor=actor)
    file_report_version(case=case, version=version)
    url = reverse("grants:report_version", kwargs={"pk": locked.pk, "number": number})
    notify(
        recipient=actor,
        kind="report_submitted",
        subject=lambda: gettext("Kvittering: Årsrapport %(year)s er indsendt") % {"year": locked.year},
        body=lambda: gettext(
            "Årsrapport %(year)s for %(cluster)s er modtaget af Erhvervsstyrelsen "
            "%(at)s som version %(n)s%(resub)s. Journalnummer: %(journal)s."
        ) % {
            "year": locked.year, "cluster": cluster.name, "n": number,
            "at": format_date(locked.submitted_at, "tid"),
            "resub": gettext(" (genindsendt efter anmodning om ændringer)") if resubmission else "",
            "journal": case.journal_number,
        },
        url=url,
    )
    report.__dict__.update(
        {f: getattr(locked, f) for f in ("status", "version", "submitted_at")}
    )
    return version



EXTENDABLE_DEADLINE_KINDS = (
    DeadlineKind.ANNUAL_REPORT,
    DeadlineKind.SELF_ASSESSMENT,
    DeadlineKind.CHANGES_REQUESTED,
)



@transaction.atomic
def extension_request(*, deadline: Deadline, actor, requested_due_at: datetime, reason: str):
    """Ask for a later due date (anmodning om fristforlængelse): a DeadlineExtension in state
    requested and a DEADLINE_EXTENSION case for the caseworker, plus a receipt. The deadline
    itself moves only when a caseworker approves (case handling). Raises ValidationError naming
    the field (requested_due_at, reason) or PermissionDenied."""

    locked = Deadline.objects.select_for_update(of=("self",)).select_related("cluster").get(
        pk=deadline.pk
    )
    if locked.cluster_id is None:
        raise PermissionDenied(_("Fristen hører ikke til en klynge."))
    _check_own_cluster(actor=actor, cluster_id=locked.cluster_id)
    if locked.kind not in EXTENDABLE_DEADLINE_KINDS:
        raise ValidationError({"requested_due_at": _("Denne frist kan ikke forlænges.")})
    if not locked.is_open:
        raise ValidationError({"requested_due_at": _("Fristen er allerede opfyldt eller annulleret.")})
    errors = {}
    if requested_due_at is None or requested_due_at <= locked.due_at:
        errors["requested_due_at"] = _("Den nye frist skal ligge efter den nuværende frist (%(due)s).") % {
            "due": format_date(locked.due_at)}
    if not (reason or "").strip():
        errors["reason"] = _("Skriv en begrundelse for anmodningen.")
    if locked.extensions.filter(status=ExtensionStatus.REQUESTED).exists():
        errors["requested_due_at"] = _(
            "Der er allerede en anmodning om forlængelse af denne frist, som ikke er afgjort.")
    if errors:
        raise ValidationError(errors)
    extension = DeadlineExtension.objects.create(
        deadline=locked, requested_by=actor, reason=reason.strip(),
        requested_due_at=requested_due_at, previous_due_at=locked.due_at,
    )
    case = case_open(
        case_type=CaseType.DEADLINE_EXTENSION, extension=extension, cluster=locked.cluster,
        actor=actor, subject=record_text("Fristforlængelse: %(subject)s", {"subject": locked.subject}),
    )
    notify(
        recipient=actor, kind="extension_requested",
        subject=lambda: gettext("Kvittering: Anmodning om fristforlængelse modtaget"),
        body=lambda: gettext("Din anmodning om at forlænge fristen for %(subject)s til %(date)s er "
                     "modtaget. Journalnummer: %(journal)s.") % {
            "subject": locked.subject,
            "date": format_date(requested_due_at),
            "journal": case.journal_number},
        url=reverse("home"),
    )
    return extension

