"""GDPR: the retention job anonymises contact persons no longer involved and keeps the case
records; the export holds everything about one person and no secrets."""

import io
import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from grants.notifications.models import Notification
from grants.reports.models import ReportEvent
from klyngeadmin.accounts.keys import api_key_create
from klyngeadmin.accounts.models import User
from klyngeadmin.accounts.security.personal_data import (
    personal_data_export,
    personal_data_retention_run,
)
from klyngeadmin.celery import app as celery_app
from klyngeadmin.tasks import personal_data_retention

pytestmark = pytest.mark.django_db


@pytest.fixture
def former_director(director, grant, settings):
    """A director who last signed in longer ago than the retention period, with a report event."""
    settings.PERSONAL_DATA_RETENTION_DAYS = 365
    User.objects.filter(pk=director.pk).update(
        last_login=timezone.now() - timedelta(days=400), first_name="Karen", last_name="Blixen",
        email="karen@example.dk", saml_subject="urn:uuid:0b8f5e0c-5d2a-4d7e-9a49-1c1f0c3f7d21",
    )
    director.refresh_from_db()
    report = grant.reports.order_by("year").first()
    ReportEvent.objects.create(report=report, actor=director, to_status="draft", comment="kladde")
    Notification.objects.create(recipient=director, kind="test", subject="Frist nærmer sig")
    return director


def test_retention_anonymises_a_former_contact_person_and_keeps_the_case_record(
    former_director, staff_member, caseworker
):
    User.objects.filter(pk=staff_member.pk).update(last_login=timezone.now() - timedelta(days=10))
    User.objects.filter(pk=caseworker.pk).update(last_login=timezone.now() - timedelta(days=900))

    ids = personal_data_retention_run()

    assert ids == [former_director.pk]
    former_director.refresh_from_db()
    assert former_director.username == f"anonymiseret-{former_director.pk}"
    assert (former_director.first_name, former_director.email) == ("", "")
    assert former_director.last_name == "Anonymiseret bruger"
    assert former_director.saml_subject is None  # the MitID Erhverv UUID identifies them too
    assert not former_director.is_active and not former_director.has_usable_password()
    assert not Notification.objects.filter(recipient=former_director).exists()
    event = ReportEvent.objects.get(comment="kladde")
    assert event.actor_id == former_director.pk  # the record keeps its (now anonymous) actor
    # A recent contact person and an authority user are not touched.
    staff_member.refresh_from_db()
    caseworker.refresh_from_db()
    assert staff_member.is_active and not staff_member.username.startswith("anonymiseret-")
    assert caseworker.is_active and not caseworker.username.startswith("anonymiseret-")
    assert personal_data_retention_run() == []  # idempotent


def test_retention_period_is_configurable(former_director, settings):
    settings.PERSONAL_DATA_RETENTION_DAYS = 500
    assert personal_data_retention_run(dry_run=True) == []
    settings.PERSONAL_DATA_RETENTION_DAYS = 399
    assert personal_data_retention_run(dry_run=True) == [former_director.pk]
    former_director.refresh_from_db()
    assert former_director.first_name == "Karen"  # dry run changes nothing


def test_retention_command_task_and_beat_entry(former_director):
    out = io.StringIO()
    call_command("anonymise_personal_data", "--dry-run", stdout=out)
    assert "1 user(s) would be anonymised" in out.getvalue()
    assert personal_data_retention.apply().get() == 1
    assert not User.objects.filter(first_name="Karen").exists()
    schedule = celery_app.conf.beat_schedule
    assert any(e["task"] == "klyngeadmin.tasks.personal_data_retention" for e in schedule.values())


def test_export_holds_everything_about_the_person_and_no_secrets(former_director, caseworker):
    issued = api_key_create(name="BI", user=caseworker)
    data = personal_data_export(user=former_director)
    assert data["user"]["email"] == "karen@example.dk"
    assert data["user"]["saml_subject"] == "urn:uuid:0b8f5e0c-5d2a-4d7e-9a49-1c1f0c3f7d21"
    assert "password" not in data["user"]
    assert [r["comment"] for r in data["related"]["grants.ReportEvent"]] == ["kladde"]
    assert data["related"]["grants.Notification"][0]["subject"] == "Frist nærmer sig"

    out = io.StringIO()
    call_command("export_personal_data", caseworker.username, stdout=out)
    exported = json.loads(out.getvalue())
    assert exported["related"]["klyngeadmin.ApiKey"][0]["prefix"] == issued.api_key.prefix
    text = out.getvalue()
    assert issued.api_key.key_hash not in text and caseworker.password not in text


def test_admin_export_action(client, administrator, former_director):
    client.force_login(administrator)
    response = client.post(
        "/admin/klyngeadmin/user/",
        {"action": "export_personal_data", "_selected_action": [former_director.pk]},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content)[0]["user"]["last_name"] == "Blixen"
