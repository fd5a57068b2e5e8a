"""Digital Post: every letter leaves as a MeMo message to the cluster's CVR. The offline
sender's file is parsed here (MeMo 1.1 structure; the PDF inside is the stored letter); the
real sender talks to a local HTTP server that checks the request like Digital Post would
(tests/letter_servers.py): a failed send is shown on the letter with its reason, retried with
backoff and delivered exactly once."""

import base64
from datetime import timedelta
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from django.utils import timezone

from grants.cases import services as svc
from grants.cases.award import award_letter_issue
from grants.cases.delivery import digital_post_relay, memo_xml
from grants.cases.models import LetterDelivery
from grants.constants import DeliveryStatus
from grants.notifications.models import Notification
from klyngeadmin.kernel.digitalpost.memo import MemoInvalid, validate_memo
from tests.grants.case_fixtures import make_extension_case
from tests.letter_servers import DigitalPostServer, make_pki, mutual_tls

NS = {"memo": "https://DigitalPost.dk/MeMo-1", "grd": "https://data.gov.dk/model/core/"}


@pytest.fixture
def letter(pending_grant, caseworker, media_root):
    return award_letter_issue(grant=pending_grant, actor=caseworker)


@pytest.fixture
def dp_server(settings):
    server = DigitalPostServer(system_id="klyngeadmin-test").start()
    settings.DIGITAL_POST_ENDPOINT = server.url
    settings.DIGITAL_POST_SENDER_SYSTEM_ID = "klyngeadmin-test"
    settings.DIGITAL_POST_RETRY_BACKOFF_SECONDS = 60
    yield server
    server.stop()


def test_the_offline_message_is_memo_with_the_stored_pdf(letter, settings, director):
    delivery = LetterDelivery.objects.get(letter=letter)
    assert delivery.status == DeliveryStatus.QUEUED
    assert digital_post_relay() == 1
    path = Path(settings.DIGITAL_POST_OFFLINE_DIR) / f"{delivery.message_uuid}.xml"
    xml = path.read_bytes()
    root = ET.fromstring(xml)
    assert root.tag == "{https://DigitalPost.dk/MeMo-1}Message"
    assert root.get("memoVersion") == "1.1"
    header = root.find("memo:MessageHeader", NS)
    assert [child.tag.split("}")[1] for child in header][:3] == [
        "messageType", "messageUUID", "label"]
    assert header.findtext("memo:messageType", namespaces=NS) == "DIGITALPOST"
    assert header.findtext("memo:messageUUID", namespaces=NS) == str(delivery.message_uuid)
    assert header.findtext("memo:label", namespaces=NS) == letter.title
    assert header.findtext("memo:Sender/memo:idType", namespaces=NS) == "CVR"
    assert header.findtext("memo:Sender/memo:senderID", namespaces=NS) == settings.DIGITAL_POST_SENDER_CVR
    assert header.findtext("memo:Recipient/memo:idType", namespaces=NS) == "CVR"
    assert header.findtext("memo:Recipient/memo:recipientID", namespaces=NS) == letter.cluster.cvr
    assert header.findtext("memo:ContentData/memo:CaseID/memo:caseID",
                           namespaces=NS) == letter.case.journal_number
    file = root.find("memo:MessageBody/memo:MainDocument/memo:File", NS)
    assert file.findtext("memo:encodingFormat", namespaces=NS) == "application/pdf"
    pdf = base64.b64decode(file.findtext("memo:content", namespaces=NS))
    letter.file.open("rb")
    assert pdf == letter.file.read() and pdf.startswith(b"%PDF-")
    validate_memo(xml)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT and delivery.sent_at is not None
    assert delivery.receipt == f"offline:{delivery.message_uuid}"
    notice = Notification.objects.get(recipient=director, kind="case_letter_delivered")
    assert "Digital Post" in notice.subject
    assert digital_post_relay() == 0  # nothing is sent twice


@pytest.mark.parametrize("breakage", [
    (b"<memo:messageType>DIGITALPOST</memo:messageType>", b"<memo:messageType>BREV</memo:messageType>"),
    (b"<memo:idType>CVR</memo:idType>", b"<memo:idType>EAN</memo:idType>"),
    (b'memoVersion="1.1"', b'memoVersion="1.0"'),
])
def test_a_message_off_the_schema_is_refused(letter, breakage):
    xml = memo_xml(LetterDelivery.objects.get(letter=letter))
    validate_memo(xml)
    with pytest.raises(MemoInvalid):
        validate_memo(xml.replace(*breakage, 1))


def test_a_failed_send_is_shown_retried_and_delivered_exactly_once(letter, dp_server, client,
                                                                    caseworker):
    delivery = LetterDelivery.objects.get(letter=letter)
    dp_server.fail_next = 2
    assert digital_post_relay() == 0
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 1
    assert "HTTP 503" in delivery.last_error
    assert delivery.next_attempt_at > timezone.now() + timedelta(seconds=50)
    client.force_login(caseworker)
    page = client.get(f"/sager/{letter.case.journal_number}/").content.decode()
    assert "afsendelse fejlet" in page and "HTTP 503" in page and "prøves igen" in page

    assert digital_post_relay() == 0  # waits for its backoff
    assert len(dp_server.requests) == 1
    for _attempt in range(2):
        LetterDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
        digital_post_relay()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 3
    assert delivery.receipt.startswith("DP-")
    assert list(dp_server.accepted) == [str(delivery.message_uuid)]
    page = client.get(f"/sager/{letter.case.journal_number}/").content.decode()
    assert "sendt" in page and letter.cluster.cvr in page

    # A relay killed after Digital Post took the message but before the row was marked sent:
    # the resend carries the same messageUUID and Digital Post answers 409 - still one letter.
    LetterDelivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.QUEUED)
    assert digital_post_relay() == 1
    assert len(dp_server.accepted) == 1
    assert dp_server.requests.count(str(delivery.message_uuid)) == 4


def test_a_wrong_sender_system_is_a_failure_with_its_reason(letter, dp_server, settings):
    settings.DIGITAL_POST_SENDER_SYSTEM_ID = "someone-else"
    digital_post_relay()
    delivery = LetterDelivery.objects.get(letter=letter)
    assert delivery.status == DeliveryStatus.FAILED and "HTTP 403" in delivery.last_error
    assert dp_server.accepted == {}


def test_it_gives_up_after_the_last_attempt(letter, dp_server, settings):
    settings.DIGITAL_POST_MAX_ATTEMPTS = 2
    dp_server.fail_next = 10
    for _attempt in range(3):
        LetterDelivery.objects.filter(letter=letter).update(next_attempt_at=None)
        digital_post_relay()
    delivery = LetterDelivery.objects.get(letter=letter)
    assert delivery.attempts == 2 and delivery.status == DeliveryStatus.FAILED
    assert delivery.next_attempt_at is None


def test_every_letter_kind_goes_through_the_one_door(grant, director, caseworker, media_root):
    """A decision letter from the extension flow is queued the same way as the award letter."""
    case = make_extension_case(grant, director)
    svc.case_assign(case=case, assignee=caseworker, actor=caseworker)
    svc.case_transition(case=case, to="in_progress", actor=caseworker)
    svc.extension_decide(case=case, actor=caseworker, approve=False, reason="Ikke begrundet")
    letter = case.letters.get()
    assert LetterDelivery.objects.get(letter=letter).recipient_cvr == grant.cluster.cvr


def test_the_real_sender_uses_the_client_certificate(letter, settings, tmp_path):
    """Mutual TLS as Digital Post requires it: without the authority's client certificate the
    handshake fails (recorded with its reason), with it the letter is delivered."""
    pki = make_pki(tmp_path)
    server = DigitalPostServer(system_id="klyngeadmin-test", tls=mutual_tls(pki)).start()
    try:
        settings.DIGITAL_POST_ENDPOINT = server.url
        settings.DIGITAL_POST_SENDER_SYSTEM_ID = "klyngeadmin-test"
        settings.DIGITAL_POST_CA_BUNDLE = pki["ca"]
        assert server.url.startswith("https://")
        digital_post_relay()
        delivery = LetterDelivery.objects.get(letter=letter)
        assert delivery.status == DeliveryStatus.FAILED
        assert "SSL" in delivery.last_error or "Connection" in delivery.last_error
        assert server.accepted == {}

        settings.DIGITAL_POST_CLIENT_CERT = pki["client_cert"]
        settings.DIGITAL_POST_CLIENT_KEY = pki["client_key"]
        LetterDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=None)
        assert digital_post_relay() == 1
        assert list(server.accepted) == [str(delivery.message_uuid)]
    finally:
        server.stop()
