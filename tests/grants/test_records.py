"""Records filing (journalisering): the case, its documents (letters with their PDF, report
versions, messages and notes) and its closing are filed after commit through the adapter; the
offline adapter writes documents and a manifest; an outage of the records system loses nothing
(tests/letter_servers.py RecordsServer); the case page shows the reference."""

import json
from pathlib import Path

import pytest

from grants.cases import services as svc
from grants.cases.award import award_letter_issue
from grants.cases.models import Case, RecordsFiling
from grants.cases.records import records_relay
from grants.constants import CaseStatus, FilingKind, FilingStatus
from tests.grants.case_fixtures import make_extension_case, make_report_case
from tests.letter_servers import RecordsServer


@pytest.fixture
def esdh(settings):
    server = RecordsServer(token="esdh-token").start()
    settings.RECORDS_ENDPOINT = server.url
    settings.RECORDS_TOKEN = "esdh-token"
    yield server
    server.stop()


def _kinds(case):
    return list(RecordsFiling.objects.filter(case=case).order_by("id").values_list("kind", flat=True))


def test_a_case_and_its_documents_are_queued_in_their_transactions(grant, director, caseworker):
    case = make_report_case(grant, director)
    assert _kinds(case) == [FilingKind.CASE, FilingKind.REPORT_VERSION]
    svc.case_assign(case=case, assignee=caseworker, actor=caseworker)
    svc.case_message(case=case, actor=caseworker, text="Send venligst revisorerklæringen.")
    svc.case_note(case=case, actor=caseworker, text="Intern vurdering.")
    assert _kinds(case)[2:] == [FilingKind.EVENT, FilingKind.EVENT]  # assignment is no document
    assert RecordsFiling.objects.filter(case=case, text__contains="revisorerklæringen").exists()


def test_offline_filing_writes_documents_and_a_manifest(pending_grant, caseworker, media_root,
                                                        settings, client):
    letter = award_letter_issue(grant=pending_grant, actor=caseworker)
    case = letter.case
    pending = RecordsFiling.objects.filter(case=case).count()
    assert records_relay() == pending
    folder = Path(settings.RECORDS_OFFLINE_DIR) / case.journal_number
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    assert manifest["format"] == "klyngeadmin.records/1"
    assert manifest["case"]["journal_number"] == case.journal_number
    assert manifest["case"]["party_cvr"] == pending_grant.cluster.cvr
    ids = [f["filing_id"] for f in manifest["filings"]]
    assert ids[0] == f"case:{case.pk}" and f"letter:{letter.pk}" in ids
    entry = next(f for f in manifest["filings"] if f["filing_id"] == f"letter:{letter.pk}")
    letter.file.open("rb")
    assert (folder / entry["document"]["stored_as"]).read_bytes() == letter.file.read()
    case.refresh_from_db()
    assert case.records_reference == f"ESDH-{case.journal_number}-1"
    assert not RecordsFiling.objects.filter(status=FilingStatus.PENDING).exists()
    client.force_login(caseworker)
    page = client.get(f"/sager/{case.journal_number}/").content.decode()
    assert case.records_reference in page


def test_an_outage_loses_nothing(grant, director, caseworker, esdh, media_root, client):
    case = make_report_case(grant, director)
    svc.case_assign(case=case, assignee=caseworker, actor=caseworker)
    svc.case_message(case=case, actor=caseworker, text="Spørgsmål til rapporten.")
    expected = RecordsFiling.objects.filter(case=case).count()
    assert expected == 3

    esdh.down = True
    for _tick in range(3):
        RecordsFiling.objects.update(next_attempt_at=None)
        assert records_relay() == 0
    assert esdh.filed == {}
    rows = RecordsFiling.objects.filter(case=case)
    assert all(r.status == FilingStatus.PENDING for r in rows)
    first = rows.order_by("id").first()
    assert first.attempts == 3 and "HTTP 503" in first.last_error
    assert esdh.attempts == 3  # one request per tick during an outage, not one per row
    client.force_login(caseworker)
    assert "Afventer journalisering" in client.get(f"/sager/{case.journal_number}/").content.decode()

    esdh.down = False
    svc.case_note(case=case, actor=caseworker, text="Skrevet under nedbruddet.")  # new work too
    RecordsFiling.objects.update(next_attempt_at=None)
    assert records_relay() == expected + 1
    assert esdh.order[0] == f"case:{case.pk}"
    assert len(esdh.order) == expected + 1 == len(set(esdh.order))
    case.refresh_from_db()
    assert case.records_reference == f"ESDH-{case.journal_number}-1"
    assert case.records_reference in client.get(f"/sager/{case.journal_number}/").content.decode()
    report_payload = next(p for p in esdh.filed.values() if p["kind"] == "report_version")
    assert report_payload["document"]["content_type"] == "application/json"


def test_documents_wait_for_their_case(grant, director, esdh):
    case = make_report_case(grant, director)
    RecordsFiling.objects.filter(case=case, kind=FilingKind.CASE).delete()
    assert records_relay() == 0
    assert esdh.attempts == 0


def test_the_closing_is_filed(grant, director, caseworker, media_root):
    case = make_extension_case(grant, director)
    svc.case_assign(case=case, assignee=caseworker, actor=caseworker)
    svc.case_transition(case=case, to=CaseStatus.IN_PROGRESS, actor=caseworker)
    svc.extension_decide(case=case, actor=caseworker, approve=False, reason="For sent")
    assert not RecordsFiling.objects.filter(case=case, kind=FilingKind.CLOSING).exists()
    svc.case_transition(case=Case.objects.get(pk=case.pk), to=CaseStatus.CLOSED, actor=caseworker)
    assert RecordsFiling.objects.filter(case=case, kind=FilingKind.CLOSING).count() == 1
    assert RecordsFiling.objects.filter(case=case, kind=FilingKind.LETTER).count() == 1
