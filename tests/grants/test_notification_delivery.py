"""The outbox: notify() writes a row, the relay mails it (plain text + HTML, the recipient's
language, an absolute link), failures back off and end as failed, digests collect the rest."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from grants.constants import NotificationDelivery, NotificationStatus
from grants.deadlines.models import Deadline
from grants.notifications.models import Notification, NotificationPreference
from grants.notifications.reminders import reminder_tick
from grants.notifications.services import (
    PreferenceNotAllowed,
    category_for_kind,
    notify,
    preferences_for,
    preferences_set,
    relay_pending,
    render_notification,
    send_digests,
)
from grants.tasks import relay_notifications
from klyngeadmin.kernel.roles import Role
from tests.factories import UserFactory

CPH = ZoneInfo("Europe/Copenhagen")
REFUSING = "tests.grants.failing_mail.RefusingBackend"


@pytest.fixture
def reminder(cluster, director):
    director.email = "dir@example.dk"
    director.save()
    due = datetime(2026, 3, 31, 23, 59, tzinfo=CPH)
    Deadline.objects.create(kind="annual_report", subject="Årsrapport 2025 – Testklynge",
                            cluster=cluster, due_at=due, original_due_at=due)
    (created,) = reminder_tick(now=datetime(2026, 3, 24, 9, tzinfo=CPH))
    return Notification.objects.select_related("recipient", "deadline").get(pk=created.id)


@override_settings(SITE_URL="https://klynge.example.dk")
def test_reminder_mail_in_danish_plain_and_html_with_absolute_link(reminder, director):
    assert relay_pending() == 1
    (msg,) = mail.outbox
    assert msg.to == ["dir@example.dk"]
    assert msg.subject == "Frist om 7 dage: Årsrapport 2025 – Testklynge"
    assert "Kære" in msg.body
    assert "31. mar. 2026 kl. 23.59" in msg.body  # Danish date, Copenhagen time
    assert f"https://klynge.example.dk{reminder.url}" in msg.body
    html, mimetype = msg.alternatives[0]
    assert mimetype == "text/html"
    assert '<html lang="da">' in html
    assert f'href="https://klynge.example.dk{reminder.url}"' in html
    assert "https://klynge.example.dk/notifikationer/indstillinger/" in msg.body
    assert msg.extra_headers["Message-ID"] == f"<notification-{reminder.pk}@klynge.example.dk>"
    reminder.refresh_from_db()
    assert reminder.status == NotificationStatus.SENT and reminder.sent_at and reminder.attempts == 1


def test_english_speaker_gets_english_mail(cluster):
    anne = UserFactory(role=Role.DIRECTOR, cluster=cluster, language="en", email="anne@example.dk")
    due = datetime(2026, 4, 10, 12, tzinfo=CPH)
    Deadline.objects.create(kind="annual_report", subject="Annual report", cluster=cluster,
                            due_at=due, original_due_at=due)
    reminder_tick(now=datetime(2026, 4, 12, 9, tzinfo=CPH))
    relay_pending()
    (msg,) = mail.outbox
    assert msg.to == ["anne@example.dk"]
    assert msg.subject == "Overdue by 2 days: Annual report"  # the days, not the step (+1d)
    assert "Dear" in msg.body and "10 Apr 2026, 12:00" in msg.body
    assert "days overdue" in msg.body
    assert '<html lang="en">' in msg.alternatives[0][0]
    assert anne.notifications.get().status == NotificationStatus.SENT


def test_rendering_needs_no_request(reminder):
    subject, text, html = render_notification(reminder)  # plain call, no request anywhere
    assert subject in text and subject in html


def test_relay_sends_each_row_once(reminder):
    assert relay_pending() == 1
    assert relay_pending() == 0
    relay_notifications.apply()  # the task, run in-process
    assert len(mail.outbox) == 1


@override_settings(EMAIL_BACKEND=REFUSING, NOTIFICATION_MAX_ATTEMPTS=3,
                   NOTIFICATION_RETRY_BACKOFF_SECONDS=60)
def test_failing_mail_backs_off_then_is_marked_failed(reminder):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert relay_pending() == 0
    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts) == (NotificationStatus.PENDING, 1)
    assert "refused" in reminder.last_error
    assert reminder.next_attempt_at == start + timedelta(seconds=60)
    with time_machine.travel(start + timedelta(seconds=30), tick=False):
        relay_pending()  # not yet due again: untouched
    reminder.refresh_from_db()
    assert reminder.attempts == 1
    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        relay_pending()
    reminder.refresh_from_db()
    assert reminder.attempts == 2
    assert reminder.next_attempt_at == start + timedelta(seconds=61 + 120)  # doubled
    with time_machine.travel(start + timedelta(seconds=200), tick=False):
        relay_pending()
    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts) == (NotificationStatus.FAILED, 3)
    with time_machine.travel(start + timedelta(days=1), tick=False):
        relay_pending()
    reminder.refresh_from_db()
    assert reminder.attempts == 3  # failed rows are left alone
    assert mail.outbox == []


def test_recipient_without_email_is_recorded_not_sent(reminder, director):
    director.email = ""
    director.save()
    relay_pending()
    reminder.refresh_from_db()
    assert reminder.attempts == 1 and "no e-mail" in reminder.last_error
    assert mail.outbox == []


def test_notify_writes_the_row_in_the_callers_transaction(director):
    with pytest.raises(RuntimeError), transaction.atomic():
        notify(recipient=director, kind="report_submitted", subject="Indsendt")
        raise RuntimeError
    assert Notification.objects.count() == 0
    n = notify(recipient=director, kind="report_submitted", subject="Indsendt", url="/x/")
    assert (n.status, n.delivery) == (NotificationStatus.PENDING, NotificationDelivery.IMMEDIATE)


def test_notify_follows_preferences(director, staff_member):
    preferences_set(user=staff_member, choices={"reports": "off", "cases": "digest"})
    off = notify(recipient=staff_member, kind="report_submitted", subject="Indsendt")
    digest = notify(recipient=staff_member, kind="case_message", subject="Besked")
    assert (off.status, off.delivery) == (NotificationStatus.SKIPPED, NotificationDelivery.OFF)
    assert (digest.status, digest.delivery) == (NotificationStatus.PENDING, NotificationDelivery.DIGEST)
    assert relay_pending() == 0  # neither is mailed now
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("kind", "category"),
    [("reminder:-7d", "deadlines"), ("overdue:+1d", "deadlines"), ("report_submitted", "reports"),
     ("case_message", "cases"), ("evaluation_decided", "evaluations"), ("welcome", "other")],
)
def test_categories(kind, category):
    assert category_for_kind(kind) == category


def test_director_cannot_switch_off_deadline_reminders(director, staff_member):
    with pytest.raises(PreferenceNotAllowed):
        preferences_set(user=director, choices={"deadlines": "off"})
    assert preferences_for(director)["deadlines"] == "immediate"
    assert preferences_set(user=director, choices={"deadlines": "digest"})["deadlines"] == "digest"
    assert preferences_set(user=staff_member, choices={"deadlines": "off"})["deadlines"] == "off"
    assert NotificationPreference.objects.filter(user=director, delivery="off").count() == 0


def test_daily_digest_one_mail_per_person(staff_member):
    staff_member.email = "staff@example.dk"
    staff_member.save()
    preferences_set(user=staff_member, choices={"reports": "digest", "cases": "digest"})
    notify(recipient=staff_member, kind="report_submitted", subject="Rapport indsendt", url="/a/")
    notify(recipient=staff_member, kind="case_message", subject="Ny besked", url="/b/")
    assert send_digests() == 1
    (msg,) = mail.outbox
    assert "Rapport indsendt" in msg.body and "Ny besked" in msg.body
    assert "Rapport indsendt" in msg.alternatives[0][0]
    assert set(staff_member.notifications.values_list("status", flat=True)) == {"sent"}
    assert send_digests() == 0
    assert len(mail.outbox) == 1
