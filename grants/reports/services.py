"""Every write to grants goes through a function here: one transaction, one audit row."""

import uuid
from datetime import datetime
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clusters.constants import FunderKind
from grants.budgets.models import BudgetLine
from grants.constants import (
    AttachmentKind,
    ReportStatus,
)
from grants.deadlines.models import Deadline
from grants.reports.attachments import check_upload
from grants.reports.models import (
    AnnualReport,
    CompetitiveFunding,
    ReportAttachment,
    ReportEvent,
    ReportVersion,
)
from grants.reports.workflows import REPORT_WORKFLOW
from grants.rules import EDITABLE_REPORT_STATES, REPORTED_STATES
from klyngeadmin.kernel.errors import StaleVersion
from klyngeadmin.kernel.i18n import record_text
from klyngeadmin.kernel.predicates import in_role, is_cluster_user
from klyngeadmin.kernel.signals import announce_figures_changed


@transaction.atomic
def report_transition(
    *, report: AnnualReport, to: str, actor=None, comment: str = "", at: datetime | None = None
) -> AnnualReport:
    """Move a report along its workflow (REPORT_WORKFLOW), under a row lock, writing the event.

    Raises TransitionNotAllowed when the step is not in the table for the actor's role.
    `at` backdates the step (imports of historical data and the demo data only)."""
    locked = (AnnualReport.objects.select_for_update(of=("self", "deadline"))
              .select_related("deadline", "grant").get(pk=report.pk))
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
    # The figures count submitted reports (the midway evaluation's co-financing and target
    # attainment) or approved ones (the programme statistics): entering or leaving either
    # changes the cluster's figures.
    if ReportStatus.APPROVED in (source, to) or (source in REPORTED_STATES) != (to in REPORTED_STATES):
        announce_figures_changed(cluster_id=locked.grant.cluster_id)
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
        "costs": [
            {"line": line.key, "label": line.label, "budget_dkk": line.budget_dkk,
             "actual_dkk": line.actual_dkk, "explanation": line.explanation}
            for line in BudgetLine.objects.filter(grant_id=report.grant_id,
                                                  year_number=report.year_number)
        ],
        "key_figures": key_figures,
    }


# -- attachments --------------------------------------------------------------------------------


@transaction.atomic
def report_attachment_add(*, report: AnnualReport, actor, file, kind: str) -> ReportAttachment:
    """Attach a file to an editable report. The type is detected from the content and must be
    PDF, XLSX, DOCX, PNG or JPEG; the size is limited by REPORT_ATTACHMENT_MAX_BYTES. Does not
    change the report's version (a form open in another tab stays valid)."""

    locked = _lock_report(report)
    _check_own_cluster(actor=actor, cluster_id=locked.grant.cluster_id)
    if locked.status not in EDITABLE_REPORT_STATES:
        raise ReportNotEditable(locked.status)
    if kind not in AttachmentKind.values:
        raise ValidationError({"kind": _("Vælg en bilagstype.")})
    detected = check_upload(file)
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


