"""Every write to grants goes through a function here: one transaction, one audit row."""

import uuid
from dataclasses import dataclass
from datetime import datetime, time
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from clusters.constants import FunderKind
from clusters.models import ClusterOrganisation
from klyngeadmin.dates import format_date
from klyngeadmin.errors import StaleVersion
from klyngeadmin.i18n import record_text
from klyngeadmin.localtime import COPENHAGEN as CPH
from klyngeadmin.predicates import in_role, is_cluster_user

from .constants import (
    PROGRAMME_MIDWAY_YEAR,
    AttachmentKind,
    CaseEventKind,
    CaseStatus,
    CaseType,
    DeadlineKind,
    ExtensionStatus,
    Funder,
    GrantType,
    ReportStatus,
)
from .models import (
    AnnualReport,
    Application,
    Case,
    CaseEvent,
    CompetitiveFunding,
    Deadline,
    DeadlineExtension,
    Grant,
    ReportAttachment,
    ReportEvent,
    ReportVersion,
    Tranche,
)
from .rules import EDITABLE_REPORT_STATES
from .workflows import REPORT_WORKFLOW


def local_deadline(year: int, month: int, day: int, at: time = time(23, 59)) -> datetime:
    """A due time on a Danish calendar day (Europe/Copenhagen), stored as an aware datetime."""
    return datetime(year, month, day, at.hour, at.minute, tzinfo=CPH)


def report_due_at(report_year: int) -> datetime:
    """The annual report for a year is due on 31 March the following year."""
    return local_deadline(report_year + 1, 3, 31)


@dataclass(frozen=True)
class MidwaySchedule:
    year: int
    self_assessment_due_at: datetime
    scoring_due_at: datetime
    decision_effective_year: int


def midway_schedule(*, start_year: int, midway_year: int) -> MidwaySchedule:
    """Year 5 of a grant from 2025 is 2029: self-assessment by 1 September, scoring by
    1 November, and the decision takes effect from year 6 (2030)."""
    year = start_year + midway_year - 1
    return MidwaySchedule(
        year=year,
        self_assessment_due_at=local_deadline(year, 9, 1),
        scoring_due_at=local_deadline(year, 11, 1),
        decision_effective_year=year + 1,
    )


def _deadline(*, kind, subject, cluster, due_at) -> Deadline:
    return Deadline(kind=kind, subject=subject, cluster=cluster, due_at=due_at, original_due_at=due_at)


@transaction.atomic
def grant_create(
    *,
    cluster: ClusterOrganisation,
    reference: str,
    start_year: int,
    horizon_years: int,
    annual_amount_dkk: int,
    funder: str = Funder.ERST,
    grant_type: str = GrantType.CLUSTER_PROGRAMME,
    midway_year: int | None = PROGRAMME_MIDWAY_YEAR,
    application: Application | None = None,
) -> Grant:
    """Create a grant and lay out its whole life as rows: one tranche and one annual-report
    obligation (with its deadline) per grant year and, where the grant has a midway year, the
    midway evaluation with its deadlines."""
    from evaluations.models import MidwayEvaluation

    grant = Grant.objects.create(
        cluster=cluster,
        reference=reference,
        funder=funder,
        grant_type=grant_type,
        start_year=start_year,
        horizon_years=horizon_years,
        midway_year=midway_year,
        annual_amount_dkk=annual_amount_dkk,
        application=application,
    )
    years = range(1, horizon_years + 1)
    Tranche.objects.bulk_create(
        Tranche(grant=grant, year_number=n, year=grant.calendar_year(n), amount_dkk=annual_amount_dkk)
        for n in years
    )
    deadlines = Deadline.objects.bulk_create(
        _deadline(
            kind=DeadlineKind.ANNUAL_REPORT,
            subject=f"Årsrapport {grant.calendar_year(n)} – {cluster.name}",
            cluster=cluster,
            due_at=report_due_at(grant.calendar_year(n)),
        )
        for n in years
    )
    AnnualReport.objects.bulk_create(
        AnnualReport(grant=grant, year_number=n, year=grant.calendar_year(n), deadline=d)
        for n, d in zip(years, deadlines, strict=True)
    )
    if midway_year:
        plan = midway_schedule(start_year=start_year, midway_year=midway_year)
        self_assessment, scoring = Deadline.objects.bulk_create(
            [
                _deadline(
                    kind=DeadlineKind.SELF_ASSESSMENT,
                    subject=f"Selvevaluering {plan.year} – {cluster.name}",
                    cluster=cluster,
                    due_at=plan.self_assessment_due_at,
                ),
                _deadline(
                    kind=DeadlineKind.SCORING,
                    subject=f"Bedømmelse af midtvejsevaluering {plan.year} – {cluster.name}",
                    cluster=cluster,
                    due_at=plan.scoring_due_at,
                ),
            ]
        )
        MidwayEvaluation.objects.create(
            grant=grant,
            year=plan.year,
            self_assessment_deadline=self_assessment,
            scoring_deadline=scoring,
            decision_effective_year=plan.decision_effective_year,
        )
    return grant


@transaction.atomic
def report_transition(
    *, report: AnnualReport, to: str, actor=None, comment: str = "", at: datetime | None = None
) -> AnnualReport:
    """Move a report along its workflow (REPORT_WORKFLOW), under a row lock, writing the event.

    Raises TransitionNotAllowed when the step is not in the table for the actor's role.
    `at` backdates the step (imports of historical data and the demo data only)."""
    locked = AnnualReport.objects.select_for_update().select_related("deadline").get(pk=report.pk)
    source = locked.status
    REPORT_WORKFLOW.check(source, to, actor)
    now = at or timezone.now()
    locked.status = to
    locked.version += 1
    fields = ["status", "version", "updated_at"]
    if to == ReportStatus.SUBMITTED:
        locked.submitted_at = now
        fields.append("submitted_at")
        if locked.deadline.completed_at is None:
            Deadline.objects.filter(pk=locked.deadline_id).update(completed_at=now)
    elif to == ReportStatus.APPROVED:
        locked.approved_at = now
        fields.append("approved_at")
    elif to == ReportStatus.CANCELLED:
        Deadline.objects.filter(pk=locked.deadline_id).update(cancelled_at=now)
    locked.save(update_fields=fields)
    ReportEvent.objects.create(
        report=locked, actor=actor, from_status=source, to_status=to, comment=comment, created_at=now
    )
    report.__dict__.update({f: getattr(locked, f) for f in fields})
    return locked


# -- annual report: draft, submit ---------------------------------------------------------------

REPORT_FINANCE_FIELDS = (
    "grant_spent_dkk",
    "cofinancing_membership_dkk",
    "cofinancing_sponsorship_dkk",
    "cofinancing_foundation_dkk",
    "cofinancing_project_dkk",
)
REPORT_NARRATIVE_FIELDS = (
    "value_created",
    "knowledge_collaboration",
    "internationalisation",
    "platform_role",
    "local_collaboration",
)
REPORT_CONTENT_FIELDS = REPORT_FINANCE_FIELDS + REPORT_NARRATIVE_FIELDS


REPORT_CHANGED = _(
    "Rapporten er blevet ændret af en anden (eller i en anden fane), siden du åbnede "
    "den. Dine ændringer er ikke gemt, og den andens ændringer er bevaret. Genindlæs "
    "siden, og indtast dine ændringer igen."
)


class ReportNotEditable(Exception):
    """The report is submitted, in review, approved or cancelled: it cannot be changed."""

    def __init__(self, status: str):
        self.status = status
        super().__init__(_("Rapporten kan ikke ændres, når den har status %(status)s.")
                         % {"status": ReportStatus(status).label})


class ReportIncomplete(ValidationError):
    """The report misses content required for submission; `error_dict` names every field."""


def _check_own_cluster(*, actor, cluster_id: int) -> None:
    if not is_cluster_user(in_role(actor)) or actor.cluster_id != cluster_id:
        raise PermissionDenied(_("Kun klyngens egne medarbejdere kan ændre klyngens rapport."))


def _lock_report(report: AnnualReport) -> AnnualReport:
    return (
        AnnualReport.objects.select_for_update(of=("self",))
        .select_related("grant__cluster__strength_position", "deadline")
        .get(pk=report.pk)
    )


def report_missing(*, report: AnnualReport) -> dict[str, str]:
    """What the report lacks before it can be submitted: field name -> Danish message.
    Pure (no queries): amounts may be 0 but must be filled in; narratives must be written."""
    missing: dict[str, str] = {}
    for name in REPORT_FINANCE_FIELDS:
        if getattr(report, name) is None:
            label = AnnualReport._meta.get_field(name).verbose_name
            missing[name] = _("Udfyld %(field)s (skriv 0, hvis der ikke er noget).") % {
                "field": label
            }
    for name in REPORT_NARRATIVE_FIELDS:
        if not (getattr(report, name) or "").strip():
            label = AnnualReport._meta.get_field(name).verbose_name
            missing[name] = _("Skriv afsnittet om %(field)s.") % {"field": label}
    return missing


@transaction.atomic
def report_save_draft(
    *,
    report: AnnualReport,
    actor,
    expected_version: int,
    data: dict,
    competitive_funding: list[dict] | None = None,
) -> AnnualReport:
    """Save the report's content as a draft. Refused (StaleVersion, nothing saved) when the
    report changed since `expected_version` was read; refused (ReportNotEditable) unless it is
    a draft or changes were requested. `competitive_funding`, when given, replaces the rows
    (dicts with funder, funder_kind, amount_dkk). Writes a ReportEvent."""
    locked = _lock_report(report)
    _check_own_cluster(actor=actor, cluster_id=locked.grant.cluster_id)
    if locked.status not in EDITABLE_REPORT_STATES:
        raise ReportNotEditable(locked.status)
    if locked.version != expected_version:
        raise StaleVersion(REPORT_CHANGED, expected=expected_version, current=locked.version)
    unknown = set(data) - set(REPORT_CONTENT_FIELDS)
    if unknown:
        raise ValueError(f"Unknown report fields: {sorted(unknown)}")
    for name, value in data.items():
        setattr(locked, name, value)
    locked.version += 1
    fields = [*data.keys(), "version", "updated_at"]
    locked.full_clean(exclude=["grant", "deadline"], validate_unique=False,
                      validate_constraints=False)
    locked.save(update_fields=fields)
    if competitive_funding is not None:
        CompetitiveFunding.objects.filter(report=locked).delete()
        CompetitiveFunding.objects.bulk_create(
            CompetitiveFunding(report=locked, funder=row["funder"].strip(),
                               funder_kind=row["funder_kind"], amount_dkk=row["amount_dkk"])
            for row in competitive_funding
        )
    ReportEvent.objects.create(
        report=locked, actor=actor, from_status=locked.status, to_status=locked.status,
        comment=record_text("Kladde gemt (version %(v)s)", {"v": locked.version}),
    )
    report.__dict__.update({f: getattr(locked, f) for f in fields})
    return locked


def report_snapshot(*, report: AnnualReport, key_figures: dict) -> dict:
    """The JSON frozen in a ReportVersion: content, funding rows, attachments, key figures."""
    return {
        "report": {
            "id": report.pk,
            "year": report.year,
            "year_number": report.year_number,
            "cluster": report.grant.cluster.name,
            "grant": report.grant.reference,
            **{name: getattr(report, name) for name in REPORT_CONTENT_FIELDS},
        },
        "competitive_funding": [
            {"funder": f.funder, "funder_kind": f.funder_kind,
             "funder_kind_label": str(FunderKind(f.funder_kind).label), "amount_dkk": f.amount_dkk}
            for f in report.competitive_funding.order_by("funder")
        ],
        "attachments": [
            {"id": a.pk, "kind": a.kind, "kind_label": str(AttachmentKind(a.kind).label),
             "name": a.original_name, "content_type": a.content_type, "size_bytes": a.size_bytes}
            for a in report.attachments.order_by("created_at", "id")
        ],
        "key_figures": key_figures,
    }


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
    from .cases import case_cluster_answered, case_open
    from .notifications import notify
    from .selectors import report_key_figures

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


# -- attachments --------------------------------------------------------------------------------


@transaction.atomic
def report_attachment_add(*, report: AnnualReport, actor, file, kind: str) -> ReportAttachment:
    """Attach a file to an editable report. The type is detected from the content and must be
    PDF, XLSX, DOCX, PNG or JPEG; the size is limited by REPORT_ATTACHMENT_MAX_BYTES. Does not
    change the report's version (a form open in another tab stays valid)."""
    from .attachments import ALLOWED_TYPES, detect_file_type, max_bytes

    locked = _lock_report(report)
    _check_own_cluster(actor=actor, cluster_id=locked.grant.cluster_id)
    if locked.status not in EDITABLE_REPORT_STATES:
        raise ReportNotEditable(locked.status)
    if kind not in AttachmentKind.values:
        raise ValidationError({"kind": _("Vælg en bilagstype.")})
    if file.size > max_bytes():
        raise ValidationError({"file": _("Filen er for stor: højst %(mb)s MB.")
                               % {"mb": max_bytes() // (1024 * 1024)}})
    if file.size == 0:
        raise ValidationError({"file": _("Filen er tom.")})
    detected = detect_file_type(file)
    if detected is None:
        raise ValidationError({"file": _(
            "Filtypen er ikke tilladt. Upload en PDF-, XLSX-, DOCX-, PNG- eller JPEG-fil "
            "(typen kontrolleres ud fra filens indhold)."
        ) + " (" + ", ".join(t.label for t in ALLOWED_TYPES) + ")"})
    original = Path(file.name or "bilag").name[:200] or "bilag"
    stem = Path(original).stem or "bilag"
    attachment = ReportAttachment(
        report=locked, kind=kind, original_name=f"{stem}.{detected.extension}",
        content_type=detected.content_type, size_bytes=file.size, uploaded_by=actor,
    )
    attachment.file.save(f"{uuid.uuid4().hex}.{detected.extension}", file, save=False)
    try:
        attachment.save()
    except Exception:
        attachment.file.delete(save=False)
        raise
    ReportEvent.objects.create(
        report=locked, actor=actor, from_status=locked.status, to_status=locked.status,
        comment=record_text("Bilag tilføjet: %(name)s", {"name": attachment.original_name}),
    )
    return attachment


def attachment_ids_in_versions(versions) -> set[int]:
    """The attachments listed by the report's submitted versions (their snapshots): what was
    submitted stays readable, so these can never be deleted (report_attachment_delete)."""
    return {a["id"] for v in versions for a in (v.snapshot or {}).get("attachments", [])}


@transaction.atomic
def report_attachment_delete(*, attachment: ReportAttachment, actor) -> None:
    """Remove an attachment from an editable report, unless a submitted version lists it (what
    was submitted stays readable). The file is removed from storage after commit."""
    locked = _lock_report(attachment.report)
    _check_own_cluster(actor=actor, cluster_id=locked.grant.cluster_id)
    if locked.status not in EDITABLE_REPORT_STATES:
        raise ReportNotEditable(locked.status)
    if ReportVersion.objects.filter(
        report=locked, snapshot__attachments__contains=[{"id": attachment.pk}]
    ).exists():
        raise ValidationError({"file": _(
            "Bilaget indgår i en indsendt version af rapporten og kan ikke slettes.")})
    name, stored = attachment.original_name, attachment.file.name
    storage = attachment.file.storage
    attachment.delete()
    ReportEvent.objects.create(
        report=locked, actor=actor, from_status=locked.status, to_status=locked.status,
        comment=record_text("Bilag slettet: %(name)s", {"name": name}),
    )
    transaction.on_commit(lambda: storage.delete(stored))


# -- deadline extensions ------------------------------------------------------------------------

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
    from .cases import case_open
    from .notifications import notify

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
