"""Digital Post and records filing with a real Celery worker (a private redis-server, the
worker as a subprocess): a letter whose first sends fail is retried by the worker and reaches
Digital Post exactly once; the records system is down while the case is worked on, nothing is
lost, and everything is filed once it is back. The two services are the local HTTP servers of
tests/letter_servers.py, which check every request."""

import pytest

from grants.cases.award import award_letter_issue
from grants.cases.models import Case, LetterDelivery, RecordsFiling
from grants.cases.services import case_note
from grants.constants import DeliveryStatus, FilingStatus
from grants.tasks import relay_digital_post, relay_records_filings
from tests.letter_servers import DigitalPostServer, RecordsServer
from tests.worker.conftest import wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def servers():
    dp, esdh = DigitalPostServer(system_id="klynge-worker").start(), RecordsServer().start()
    yield dp, esdh
    dp.stop()
    esdh.stop()


def test_letters_are_delivered_once_and_an_outage_loses_no_filing(
        worker, servers, pending_grant, caseworker, tmp_path, settings):
    dp, esdh = servers
    settings.MEDIA_ROOT = tmp_path / "media"
    worker.start(extra_env={
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "DIGITAL_POST_ENDPOINT": dp.url, "DIGITAL_POST_SENDER_SYSTEM_ID": "klynge-worker",
        "DIGITAL_POST_RETRY_BACKOFF_SECONDS": "1",
        "RECORDS_ENDPOINT": esdh.url, "RECORDS_TOKEN": "esdh-token",
        "RECORDS_RETRY_BACKOFF_SECONDS": "1",
    })
    dp.fail_next = 2
    esdh.down = True

    letter = award_letter_issue(grant=pending_grant, actor=caseworker)  # kicks both relays
    delivery = LetterDelivery.objects.get(letter=letter)

    def tick():  # what the beat does every minute
        relay_digital_post.apply_async()
        relay_records_filings.apply_async()

    def delivery_state():
        delivery.refresh_from_db()
        return delivery

    try:  # the commit's kick sends it; a kick the broker did not take waits for the beat's tick
        wait_until(lambda: delivery_state().attempts >= 1, timeout=20, what="the first send")
    except AssertionError:
        tick()
        wait_until(lambda: delivery_state().attempts >= 1, timeout=60, what="the first send")
    assert delivery.status == DeliveryStatus.FAILED and "HTTP 503" in delivery.last_error
    wait_until(lambda: (tick() or True) and delivery_state().status == DeliveryStatus.SENT,
               timeout=90, interval=1.0, what="the letter to reach Digital Post")
    assert delivery.attempts == 3
    assert list(dp.accepted) == [str(delivery.message_uuid)]

    # The records system has been down all along: every filing is still there, pending.
    wait_until(lambda: esdh.attempts >= 2, timeout=30, what="filing attempts during the outage")
    case = Case.objects.get(pk=letter.case_id)
    case_note(case=case, actor=caseworker, text="Noteret under nedbruddet.")
    expected = RecordsFiling.objects.filter(case=case).count()
    assert esdh.filed == {}
    assert not RecordsFiling.objects.filter(status=FilingStatus.FILED).exists()

    esdh.down = False
    wait_until(lambda: (tick() or True) and not RecordsFiling.objects.filter(
        status=FilingStatus.PENDING).exists(), timeout=90, interval=1.0, what="every filing")
    assert len(esdh.filed) == expected and esdh.order[0] == f"case:{case.pk}"
    case.refresh_from_db()
    assert case.records_reference == f"ESDH-{case.journal_number}-1"

    done = worker.succeeded()
    tick()
    wait_until(lambda: worker.succeeded() >= done + 2, timeout=60, what="two more relay runs")
    assert len(dp.accepted) == 1 and len(esdh.filed) == expected
    assert settings.DIGITAL_POST_ENDPOINT == ""  # the test process itself stayed offline
