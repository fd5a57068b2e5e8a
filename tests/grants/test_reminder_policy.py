"""The reminder policy and the tick: who gets what, on which Danish calendar day, only once."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from grants.cases.models import Case
from grants.constants import (
    CaseStatus,
    CaseType,
    DeadlineKind,
    NotificationDelivery,
    NotificationStatus,
    ReportStatus,
)
from grants.deadlines.models import Deadline
from grants.notifications.models import Notification, NotificationPreference
from grants.notifications.reminders import policy_day, reminder_policy, reminder_tick
from grants.reports.models import AnnualReport
from grants.reports.services import report_transition
from klyngeadmin.kernel.roles import Role
from tests.factories import UserFactory

CPH = ZoneInfo("Europe/Copenhagen")


def local(y, m, d, hh=8, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=CPH)


def make_deadline(cluster, due, kind=DeadlineKind.ANNUAL_REPORT, **extra):
    return Deadline.objects.create(
        kind=kind, subject=f"Frist {due:%Y-%m-%d}", cluster=cluster, due_at=due, original_due_at=due,
        **extra,
    )


def rows(**filters):
    return sorted(Notification.objects.filter(**filters).values_list("recipient__username", "kind"))


# -- the policy, as the tick's SQL applies it ------------------------------------------------

DUE = (2026, 3, 31)


def _forget_deadlines():
    Notification.objects.all().delete()
    Deadline.objects.all().delete()


def _kinds_on(cluster, days_left: int) -> list[str]:
    """The reminder kinds the tick creates for a deadline `days_left` Danish days away."""
    make_deadline(cluster, local(*DUE, 23, 59))
    day = local(*DUE, 9) - timedelta(days=days_left)
    return [r.kind for r in reminder_tick(now=day)]


@pytest.mark.parametrize(
    ("days_left", "expected"),
    [
        (45, None), (31, None), (30, "reminder:-30d"), (20, "reminder:-30d"), (14, "reminder:-14d"),
        (13, "reminder:-14d"), (7, "reminder:-7d"), (2, "reminder:-7d"), (1, "reminder:-1d"),
        (0, "reminder:0d"), (-1, "overdue:+1d"), (-6, "overdue:+1d"), (-7, "overdue:+7d"),
        (-13, "overdue:+7d"), (-14, "overdue:+14d"), (-50, "overdue:+49d"),
    ],
)
def test_latest_step_that_applies(cluster, director, days_left, expected):
    assert _kinds_on(cluster, days_left) == ([expected] if expected else [])


def test_policy_day_counts_danish_days_from_send_time():
    policy = reminder_policy()
    # 06:59 local is still yesterday's reminders; 07:00 local is today's - in winter and summer.
    assert policy_day(local(2026, 1, 10, 6, 59), policy).isoformat() == "2026-01-09"
    assert policy_day(local(2026, 1, 10, 7, 0), policy).isoformat() == "2026-01-10"
    assert policy_day(local(2026, 7, 10, 7, 0), policy).isoformat() == "2026-07-10"
    # 23:30 UTC on 9 January is already 10 January in Copenhagen (but before 07:00).
    assert policy_day(datetime(2026, 1, 10, 6, 0, tzinfo=ZoneInfo("UTC")), policy).isoformat() == "2026-01-10"


@override_settings(REMINDER_POLICY={"cluster_days_before": [10, 3], "overdue_every_days": 5})
def test_policy_is_read_from_settings_with_defaults_for_the_rest(cluster, director):
    policy = reminder_policy()
    assert policy.cluster_days_before == (3, 10)
    assert policy.overdue_every_days == 5
    assert policy.caseworker_days_before == (0, 1, 7)  # default
    assert _kinds_on(cluster, 11) == []
    _forget_deadlines()
    assert _kinds_on(cluster, 5) == ["reminder:-10d"]
    _forget_deadlines()
    assert _kinds_on(cluster, 3) == ["reminder:-3d"]
    _forget_deadlines()
    assert _kinds_on(cluster, -12) == ["overdue:+10d"]


# -- the tick ---------------------------------------------------------------------------------

def test_director_and_staff_get_the_step_of_the_day_others_nothing(
    cluster, director, staff_member, other_director, caseworker
):
    make_deadline(cluster, local(2026, 3, 31, 23, 59))
    created = reminder_tick(now=local(2026, 3, 24, 9))
    assert sorted((r.recipient_id, r.kind) for r in created) == sorted(
        [(director.pk, "reminder:-7d"), (staff_member.pk, "reminder:-7d")]
    )
    n = Notification.objects.get(recipient=director)
    assert n.status == NotificationStatus.PENDING
    assert n.subject == "Frist om 7 dage: Frist 2026-03-31"
    assert n.url  # a link to a page, never empty


def test_nothing_before_the_first_step_nor_before_send_time(cluster, director):
    make_deadline(cluster, local(2026, 3, 31, 23, 59))
    assert reminder_tick(now=local(2026, 2, 28, 12)) == []  # 31 days before
    assert reminder_tick(now=local(2026, 3, 1, 6, 59)) == []  # the day of -30d, before 07:00
    assert [r.kind for r in reminder_tick(now=local(2026, 3, 1, 7, 0))] == ["reminder:-30d"]


def test_same_tick_twice_creates_nothing_new(cluster, director):
    make_deadline(cluster, local(2026, 3, 31, 23, 59))
    first = reminder_tick(now=local(2026, 3, 30, 10))
    assert [r.kind for r in first] == ["reminder:-1d"]
    assert reminder_tick(now=local(2026, 3, 30, 10)) == []
    assert reminder_tick(now=local(2026, 3, 30, 22)) == []
    assert Notification.objects.count() == 1


def test_catch_up_after_an_outage_sends_only_the_latest_step(cluster, director):
    make_deadline(cluster, local(2026, 3, 31, 23, 59))
    reminder_tick(now=local(2026, 3, 1, 8))  # -30d went out, then the system was down
    assert [r.kind for r in reminder_tick(now=local(2026, 3, 26, 8))] == ["reminder:-7d"]
    # down again over the due day: only the overdue notice, not -1d and 0d
    assert [r.kind for r in reminder_tick(now=local(2026, 4, 2, 8))] == ["overdue:+1d"]
    assert rows() == [
        (director.username, "overdue:+1d"), (director.username, "reminder:-30d"),
        (director.username, "reminder:-7d"),
    ]


def test_catch_up_subject_tells_the_days_actually_left(cluster, director):
    make_deadline(cluster, local(2026, 3, 31, 23, 59))
    (r,) = reminder_tick(now=local(2026, 3, 26, 8))  # the -7d step, 5 days before
    assert (r.kind, r.subject) == ("reminder:-7d", "Frist om 5 dage: Frist 2026-03-31")
    (r,) = reminder_tick(now=local(2026, 4, 10, 8))
    assert (r.kind, r.subject) == ("overdue:+7d", "Fristen er overskredet med 10 dage: Frist 2026-03-31")


def test_an_extended_deadline_gets_reminders_for_its_new_date(cluster, director):
    d = make_deadline(cluster, local(2026, 3, 31, 23, 59))
    assert [r.kind for r in reminder_tick(now=local(2026, 3, 24, 9))] == ["reminder:-7d"]
    # extended to 30 April (what an approved DeadlineExtension does to the deadline)
    Deadline.objects.filter(pk=d.pk).update(due_at=local(2026, 4, 30, 23, 59))
    # not overdue; the new date's latest step (-30d) tells the days actually left
    (r,) = reminder_tick(now=local(2026, 4, 2, 9))
    assert (r.kind, r.subject) == ("reminder:-30d@2026-04-30", "Frist om 28 dage: Frist 2026-03-31")
    assert [r.kind for r in reminder_tick(now=local(2026, 4, 16, 9))] == ["reminder:-14d@2026-04-30"]
    assert [r.kind for r in reminder_tick(now=local(2026, 4, 23, 9))] == ["reminder:-7d@2026-04-30"]
    assert reminder_tick(now=local(2026, 4, 23, 10)) == []
    assert [r.kind for r in reminder_tick(now=local(2026, 5, 1, 9))] == ["overdue:+1d@2026-04-30"]


def test_overdue_the_day_after_then_weekly(cluster, director):
    make_deadline(cluster, local(2026, 3, 31, 23, 59))
    kinds = []
    for day in range(1, 30):
        kinds += [r.kind for r in reminder_tick(now=local(2026, 3, 31, 12) + timedelta(days=day))]
    assert kinds == ["overdue:+1d", "overdue:+7d", "overdue:+14d", "overdue:+21d", "overdue:+28d"]


def test_nothing_for_completed_or_cancelled_deadlines(cluster, director):
    make_deadline(cluster, local(2026, 3, 31, 23, 59), completed_at=local(2026, 3, 2))
    make_deadline(cluster, local(2026, 3, 31, 23, 59), cancelled_at=local(2026, 3, 2))
    assert reminder_tick(now=local(2026, 3, 24, 9)) == []
    assert reminder_tick(now=local(2026, 4, 24, 9)) == []


def test_a_submitted_report_gets_no_more_reminders(grant, director):
    report = grant.reports.get(year=2025)  # due 31 March 2026
    assert {r.kind for r in reminder_tick(now=local(2026, 3, 1, 9))} == {"reminder:-30d"}
    report_transition(report=report, to=ReportStatus.SUBMITTED, actor=director)
    assert reminder_tick(now=local(2026, 3, 30, 9)) == []
    assert reminder_tick(now=local(2026, 4, 8, 9)) == []


def test_report_reminder_links_to_a_page_and_self_assessment_is_reminded(grant, director):
    Deadline.objects.filter(annual_report__isnull=False).update(completed_at=local(2026, 1, 1))
    assert len(reminder_tick(now=local(2029, 8, 25, 9))) == 1  # self-assessment due 1 Sep 2029
    n = Notification.objects.get()
    assert n.deadline.kind == DeadlineKind.SELF_ASSESSMENT
    assert n.kind == "reminder:-7d"
    assert n.recipient == director
    evaluation = n.deadline.self_assessment_of
    assert n.url == reverse("evaluations:detail", kwargs={"pk": evaluation.pk})


def test_report_reminder_links_to_the_report_page(grant, director):
    reminder_tick(now=local(2026, 3, 24, 9))
    n = Notification.objects.get(recipient=director)
    report = grant.reports.get(year=2025)
    assert n.deadline_id == report.deadline_id
    assert n.url == reverse("grants:report_detail", kwargs={"pk": report.pk})


def test_caseworker_of_the_reports_case_is_told_at_seven_days_overdue(
    grant, director, caseworker, caseworker2
):
    from grants.cases.services import case_open

    report = grant.reports.get(year=2025)
    case = case_open(case_type=CaseType.ANNUAL_REPORT, subject="Årsrapport 2025", cluster=grant.cluster,
                     report=report)
    Case.objects.filter(pk=case.pk).update(assignee=caseworker, status=CaseStatus.ASSIGNED)
    assert rows(recipient=caseworker) == []
    reminder_tick(now=local(2026, 4, 6, 9))  # 6 days overdue
    assert rows(recipient=caseworker) == []
    reminder_tick(now=local(2026, 4, 7, 9))  # 7 days overdue
    assert rows(recipient=caseworker) == [(caseworker.username, "overdue:+7d")]
    assert (director.username, "overdue:+7d") in rows(recipient=director)
    reminder_tick(now=local(2026, 4, 14, 9))
    assert rows(recipient=caseworker) == [(caseworker.username, "overdue:+7d")]  # told once
    assert rows(recipient=caseworker2) == []


def test_caseworkers_are_reminded_of_their_own_case_handling_and_scoring_deadlines(
    cluster, director, caseworker, caseworker2
):
    make_deadline(cluster, local(2026, 5, 10, 12), kind=DeadlineKind.SCORING, assignee=caseworker)
    make_deadline(cluster, local(2026, 5, 10, 12), kind=DeadlineKind.CASE_HANDLING, assignee=caseworker2)
    assert reminder_tick(now=local(2026, 4, 20, 9)) == []  # caseworkers: 7, 1 and 0 days before
    created = reminder_tick(now=local(2026, 5, 3, 9))
    assert sorted((r.recipient_id, r.kind) for r in created) == sorted(
        [(caseworker.pk, "reminder:-7d"), (caseworker2.pk, "reminder:-7d")]
    )
    assert rows(recipient=director) == []
    assert [r.kind for r in reminder_tick(now=local(2026, 5, 11, 9))] == ["overdue:+1d"] * 2


def test_case_handling_deadline_reminds_the_cases_assignee(grant, caseworker, director):
    from grants.cases.services import case_open

    report = grant.reports.get(year=2025)
    with time_machine.travel(local(2026, 4, 1, 10), tick=False):
        case = case_open(case_type=CaseType.ANNUAL_REPORT, subject="Årsrapport 2025",
                         cluster=grant.cluster, report=report)
    Case.objects.filter(pk=case.pk).update(assignee=caseworker, status=CaseStatus.ASSIGNED)
    AnnualReport.objects.filter(pk=report.pk)  # the report's own deadline is not the case's
    Deadline.objects.filter(pk=report.deadline_id).update(completed_at=local(2026, 3, 30))
    created = reminder_tick(now=case.deadline.due_at - timedelta(days=7))
    assert [(r.recipient_id, r.kind) for r in created] == [(caseworker.pk, "reminder:-7d")]


def test_english_speakers_get_english_subjects(cluster):
    UserFactory(role=Role.DIRECTOR, cluster=cluster, language="en", username="anne")
    make_deadline(cluster, local(2026, 3, 31, 23, 59))
    reminder_tick(now=local(2026, 3, 30, 9))
    assert Notification.objects.get().subject == "Due tomorrow: Frist 2026-03-31"


def test_the_subject_keeps_the_deadlines_own_text_as_it_is(cluster, director):
    # the SQL fills the translated template's marks: a % or a placeholder in the deadline's own
    # subject is text, and the subject is cut to the column's 300 characters
    make_deadline(cluster, local(2026, 3, 31, 23, 59))
    Deadline.objects.update(subject="100 % af %(n)s og %(subject)s \x1fn\x1f")
    reminder_tick(now=local(2026, 3, 27, 9))
    assert Notification.objects.get().subject == "Frist om 4 dage: 100 % af %(n)s og %(subject)s \x1fn\x1f"
    Notification.objects.all().delete()
    Deadline.objects.update(subject="x" * 300)
    reminder_tick(now=local(2026, 3, 27, 9))
    assert Notification.objects.get().subject == ("Frist om 4 dage: " + "x" * 300)[:300]


def test_a_language_the_site_does_not_have_gets_danish(cluster):
    UserFactory(role=Role.DIRECTOR, cluster=cluster, language="de")
    make_deadline(cluster, local(2026, 3, 31, 23, 59))
    reminder_tick(now=local(2026, 4, 2, 9))
    assert Notification.objects.get().subject == "Fristen er overskredet med 2 dage: Frist 2026-03-31"


def test_inactive_people_get_nothing(cluster):
    UserFactory(role=Role.DIRECTOR, cluster=cluster, is_active=False)
    make_deadline(cluster, local(2026, 3, 31, 23, 59))
    assert reminder_tick(now=local(2026, 3, 30, 9)) == []


def test_preferences_digest_and_off_but_the_director_cannot_opt_out(cluster, director, staff_member):
    NotificationPreference.objects.create(user=staff_member, category="deadlines", delivery="off")
    # stored past the service (which refuses it): the tick still mails the director
    NotificationPreference.objects.create(user=director, category="deadlines", delivery="off")
    make_deadline(cluster, local(2026, 3, 31, 23, 59))
    reminder_tick(now=local(2026, 3, 30, 9))
    d = Notification.objects.get(recipient=director)
    s = Notification.objects.get(recipient=staff_member)
    assert (d.status, d.delivery) == (NotificationStatus.PENDING, NotificationDelivery.IMMEDIATE)
    assert (s.status, s.delivery) == (NotificationStatus.SKIPPED, NotificationDelivery.OFF)
    NotificationPreference.objects.filter(user=staff_member).update(delivery="digest")
    reminder_tick(now=local(2026, 3, 31, 9))
    s = Notification.objects.get(recipient=staff_member, kind="reminder:0d")
    assert (s.status, s.delivery) == (NotificationStatus.PENDING, NotificationDelivery.DIGEST)


@pytest.mark.parametrize("role", Role.values)
@pytest.mark.parametrize("preference", [None, "", *NotificationDelivery.values])
def test_the_ticks_delivery_sql_is_resolve_delivery(db, role, preference):
    from django.db import connection

    from grants.notifications.services import delivery_sql, resolve_delivery

    sql, params = delivery_sql(role="%(role)s", preference="%(preference)s::text", category="deadlines")
    with connection.cursor() as cur:
        cur.execute(f"SELECT {sql}", {**params, "role": role, "preference": preference})
        assert cur.fetchone()[0] == resolve_delivery(role=role, category="deadlines", preference=preference)


def test_days_before_steps_is_the_latest_step_per_days_left():
    from grants.notifications.reminders import days_before_steps

    assert days_before_steps((0, 1, 7), 9) == [0, 1, 7, 7, 7, 7, 7, 7, None, None]
    assert days_before_steps((), 2) == [None, None, None]


def test_query_count_does_not_grow_with_the_number_of_deadlines(
    cluster, director, staff_member
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    first = make_deadline(cluster, local(2026, 3, 31, 23, 59))
    with CaptureQueriesContext(connection) as one:
        assert len(reminder_tick(now=local(2026, 3, 24, 9))) == 2
    Deadline.objects.filter(pk=first.pk).update(completed_at=local(2026, 3, 25))
    for _ in range(40):
        make_deadline(cluster, local(2026, 4, 30, 23, 59))
    with CaptureQueriesContext(connection) as many:
        assert len(reminder_tick(now=local(2026, 4, 23, 9))) == 80
    # the savepoint, the ticks' lock with jit off, the one INSERT ... SELECT, the release
    assert len(one) == len(many) == 4
    assert sum("INSERT INTO grants_notification" in q["sql"] for q in many.captured_queries) == 1


def test_tick_uses_the_current_time_by_default(cluster, director):
    make_deadline(cluster, local(2026, 3, 31, 23, 59))
    with time_machine.travel(local(2026, 3, 17, 7, 15), tick=False):
        created = reminder_tick()
        assert [r.kind for r in created] == ["reminder:-14d"]
        assert Notification.objects.get().created_at == timezone.now()


# -- the command ------------------------------------------------------------------------------

def test_send_reminders_command_prints_each_row_and_created_n(cluster, director, capsys):
    deadline = make_deadline(cluster, local(2026, 3, 31, 23, 59))
    call_command("send_reminders", "--now", "2026-03-24T08:00:00+01:00")
    out = capsys.readouterr().out.splitlines()
    n = Notification.objects.get()
    assert out == [
        f"notification={n.pk} deadline={deadline.pk} recipient={director.pk} kind=reminder:-7d "
        f"subject=Frist om 7 dage: Frist 2026-03-31",
        "created=1",
    ]
    call_command("send_reminders", "--now", "2026-03-24T08:00:00+01:00")
    assert capsys.readouterr().out.splitlines() == ["created=0"]


def test_send_reminders_now_without_offset_is_danish_time(cluster, director, capsys):
    make_deadline(cluster, local(2026, 3, 31, 23, 59))
    call_command("send_reminders", "--now", "2026-03-24T06:30")  # before 07:00 local: -14d step
    assert capsys.readouterr().out.splitlines()[-1] == "created=1"
    assert Notification.objects.get().kind == "reminder:-14d"


def test_send_reminders_rejects_a_bad_time(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="ISO 8601"):
        call_command("send_reminders", "--now", "next tuesday")
