"""Records filing (journalisering, issue 16 item 7): every case, its documents and its
closing go to the authority's records system (ESDH) through the adapter in
klyngeadmin.kernel.records.adapters.

The hooks are generic, so a new kind of document is filed without new wiring:
- every CaseEvent (post_save, grants.apps): the case's opening files the case itself, a
  transition to closed files the closing, and every other event except bare transitions and
  assignments (messages, notes, decisions, proposals, and whatever kinds are added later)
  is filed as a document of the case;
- every letter (decision_letter_store, the one place letters are issued) with its PDF;
- every submitted report version (grants.cases.flows.report_submit) with its frozen JSON.

Each is a RecordsFiling row written in the same transaction (the outbox) and sent after
commit by `records_relay()` (grants.tasks.relay_records_filings, beat every minute). A filing
is retried with backoff until the records system acknowledges it: an outage delays filing and
loses nothing. The case's own filing comes first; its reference is shown on the case page."""

from __future__ import annotations

import base64
import hashlib
import json
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from grants.cases.models import Case, CaseEvent, DecisionLetter, RecordsFiling
from grants.cases.party import case_party
from grants.constants import CaseEventKind, CaseStatus, FilingKind, FilingStatus
from grants.reports.models import ReportVersion
from klyngeadmin.kernel.outbox import kick, retry_at
from klyngeadmin.kernel.records.adapters import FORMAT, RecordsUnavailable, get_records_adapter

log = logging.getLogger(__name__)
TASK = "grants.tasks.relay_records_filings"
NOT_DOCUMENTS = (CaseEventKind.TRANSITION, CaseEventKind.ASSIGNMENT)


def kick_records() -> None:
    kick(TASK, what="records relay")


def _enqueue(*, case_id: int, kind: str, source_key: str, title: str, text: str = "",
             file_name: str = "") -> RecordsFiling:
    filing, created = RecordsFiling.objects.get_or_create(
        source_key=source_key,
        defaults={"case_id": case_id, "kind": kind, "title": title[:300], "text": text,
                  "file_name": file_name},
    )
    if created:
        transaction.on_commit(kick_records)
    return filing


def file_case_event(event: CaseEvent) -> RecordsFiling | None:
    """The hook for every new case event (see the module docstring)."""
    if event.kind == CaseEventKind.OPENED:
        return _enqueue(case_id=event.case_id, kind=FilingKind.CASE, source_key=f"case:{event.case_id}",
                        title=event.text or f"Sag {event.case_id}", text=event.text)
    if event.kind == CaseEventKind.TRANSITION:
        if event.to_status == CaseStatus.CLOSED:
            return _enqueue(case_id=event.case_id, kind=FilingKind.CLOSING,
                            source_key=f"closing:{event.pk}", title="Sagen er afsluttet",
                            text=event.text)
        return None
    if event.kind in NOT_DOCUMENTS:
        return None
    return _enqueue(case_id=event.case_id, kind=FilingKind.EVENT, source_key=f"event:{event.pk}",
                    title=f"{event.get_kind_display()} ({event.kind})", text=event.text)


def case_event_saved(sender, instance: CaseEvent, created: bool, raw: bool = False, **kwargs):
    """post_save receiver (connected in grants.apps): events are append-only, so only a new
    row is filed; fixtures loaded raw are not."""
    if created and not raw:
        file_case_event(instance)


def file_letter(letter: DecisionLetter) -> RecordsFiling:
    return _enqueue(case_id=letter.case_id, kind=FilingKind.LETTER, source_key=f"letter:{letter.pk}",
                    title=letter.title, text=letter.body, file_name=letter.file.name)


def file_report_version(*, case: Case, version: ReportVersion) -> RecordsFiling:
    return _enqueue(case_id=case.pk, kind=FilingKind.REPORT_VERSION,
                    source_key=f"report_version:{version.pk}",
                    title=f"Årsrapport {version.report.year}, version {version.number}",
                    text=json.dumps(version.snapshot, ensure_ascii=False, sort_keys=True,
                                    default=str))


# -- sending ----------------------------------------------------------------------------------

def _content(filing: RecordsFiling) -> tuple[bytes | None, str, str]:
    """(bytes, file name, content type) of what is filed: the letter's PDF, or the text."""
    if filing.file_name:
        letter = DecisionLetter.objects.get(pk=int(filing.source_key.split(":", 1)[1]))
        with letter.file.open("rb") as fh:
            return fh.read(), filing.file_name.rsplit("/", 1)[-1], "application/pdf"
    if filing.kind == FilingKind.REPORT_VERSION:
        return filing.text.encode("utf-8"), "aarsrapport.json", "application/json"
    return None, "", ""


def records_payload(filing: RecordsFiling) -> tuple[dict, bytes | None]:
    case = filing.case
    content, name, content_type = _content(filing)
    document = {"title": filing.title, "created_at": filing.created_at.isoformat(),
                "text": filing.text if filing.kind != FilingKind.REPORT_VERSION else ""}
    if content is not None:
        document.update(file_name=name, content_type=content_type,
                        content_base64=base64.b64encode(content).decode("ascii"),
                        sha256=hashlib.sha256(content).hexdigest())
    party = case_party(case)
    payload = {
        "format": FORMAT, "filing_id": filing.source_key, "kind": filing.kind,
        "case": {"journal_number": case.journal_number, "title": case.subject,
                 "case_type": case.case_type,
                 "party_cvr": party.cvr if party else "",
                 "party_name": party.name if party else ""},
        "document": document,
    }
    return payload, content


def _pending(now):
    return RecordsFiling.objects.filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now), status=FilingStatus.PENDING)


def records_relay(*, limit: int = 200) -> int:
    """File pending rows in order, one per transaction. A document waits until its case is
    filed; the first failure ends the run (the records system is down: the next tick tries
    again after the row's backoff), so an outage costs one request per tick, not one per row."""
    adapter = get_records_adapter()
    filed = 0
    for _n in range(limit):
        now = timezone.now()
        with transaction.atomic():
            filing = (
                _pending(now).filter(Q(kind=FilingKind.CASE) | ~Q(case__records_reference=""))
                .select_for_update(skip_locked=True, of=("self",))
                .select_related("case__cluster").order_by("id").first()
            )
            if filing is None:
                break
            try:
                payload, content = records_payload(filing)
                reference = adapter.file(payload, content)
            except (RecordsUnavailable, OSError) as exc:
                filing.attempts += 1
                filing.last_error = f"{type(exc).__name__}: {exc}"[:2000]
                filing.next_attempt_at = retry_at(
                    now, base_seconds=settings.RECORDS_RETRY_BACKOFF_SECONDS,
                    attempts=filing.attempts, cap_seconds=3600, max_exponent=8)
                filing.save(update_fields=["attempts", "last_error", "next_attempt_at"])
                log.warning("Records system did not take %s: %s", filing.source_key, exc)
                break
            filing.status = FilingStatus.FILED
            filing.reference = reference[:100]
            filing.filed_at = timezone.now()
            filing.attempts += 1
            filing.last_error = ""
            filing.next_attempt_at = None
            filing.save(update_fields=["status", "reference", "filed_at", "attempts",
                                       "last_error", "next_attempt_at"])
            if filing.kind == FilingKind.CASE:
                Case.objects.filter(pk=filing.case_id).update(records_reference=filing.reference)
            filed += 1
    return filed
