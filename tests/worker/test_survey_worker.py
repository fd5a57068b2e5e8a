"""The follow-up survey's link (issue 15) reaches the participant contact through the outbox
with a real Celery worker and a private Redis: the invitation's after-commit kick makes the
worker mail the address (no user), once; the company's answer is stored per CVR."""

from datetime import date

import pytest
from django.db import transaction

from clusters.models import CompanyParticipation
from grants.constants import NotificationStatus
from grants.notifications.models import Notification
from grants.outcomes import services
from grants.tasks import relay_notifications
from tests.factories import ActivityFactory, CompanyFactory
from tests.worker.conftest import mail_files, mails_for, wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_the_survey_link_is_mailed_once_to_the_contact_by_the_worker(worker, mail_dir, cluster, director):
    activity = ActivityFactory(cluster=cluster, start_date=date(2026, 4, 1), end_date=date(2026, 4, 1))
    company = CompanyFactory(name="Brint ApS")
    CompanyParticipation.objects.create(activity=activity, company=company)
    worker.start()
    with transaction.atomic():
        services.survey_invite(cluster=cluster, actor=director, company=company, activity=activity,
                               contact_name="Kim", contact_email="kim@brint.example")
    n = Notification.objects.get(kind=services.SURVEY_KIND)
    wait_until(lambda: mails_for(mail_dir, n.pk) == 1, timeout=90, what="the survey mail")
    n.refresh_from_db()
    wait_until(lambda: Notification.objects.get(pk=n.pk).status == NotificationStatus.SENT, timeout=30,
               what="the row to be marked sent")
    text = mail_files(mail_dir)[0].read_text()
    assert "kim@brint.example" in text and "/resultater/svar/" in text
    done = worker.succeeded()
    relay_notifications.apply_async()  # a beat tick finds nothing more to send
    wait_until(lambda: worker.succeeded() >= done + 1, timeout=60, what="one more relay run")
    assert mails_for(mail_dir, n.pk) == 1
