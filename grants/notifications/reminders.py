"""Deadline reminders: the policy, and the tick that turns it into notification rows.

The database is the schedule. A Celery beat tick (every 15 minutes, UTC) calls `reminder_tick`,
which runs one INSERT … SELECT: it finds which reminders are due and not yet sent, writes each
row with its subject, link and delivery, and skips what a tick wrote before. Ticks take turns
under a transaction-level advisory lock, so a tick's INSERT sees everything an earlier tick
committed: a second tick, two ticks at once or a retried task create nothing new, and the
UNIQUE (deadline, recipient, kind) key is the database's guard behind the lock (a duplicate is
an error, never a row). The number of queries does not grow with the number of deadlines. The rows never travel to Python and back: the rules the SQL
applies come from Python, once per tick (the steps from `days_before_steps`, the subjects from
the translations, the links from `deadline_path_sql`, the delivery from `delivery_sql`).

The policy (settings.REMINDER_POLICY, see `reminder_policy`) counts Danish calendar days
(Europe/Copenhagen): a reminder "7 days before" goes out on the local day seven days before the
local day of the due time, from `send_from` local time, whatever the UTC offset that day.

Catching up: for each deadline only the LATEST step that applies now is considered. A tick after
an outage that missed "14 days before" and "7 days before" sends only "7 days before".

Kinds: `reminder:-30d` … `reminder:-1d`, `reminder:0d` (on the day), `overdue:+1d`,
`overdue:+7d`, `overdue:+14d`, … The assigned caseworker's notice at 7 days overdue has the
kind `overdue:+7d` too (another recipient, so another row). A deadline that was extended
(due_at moved away from original_due_at) gets a fresh series keyed to its new Danish due date,
`reminder:-7d@2026-04-30`, so the reminders follow the new date instead of being blocked by
the ones already sent for the old date.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import NamedTuple

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from grants.constants import NotificationCategory, NotificationStatus
from grants.notifications.services import deadline_path_sql, delivery_sql, kick_relay
from klyngeadmin.accounts.models import User
from klyngeadmin.kernel.localtime import COPENHAGEN as CPH
from klyngeadmin.kernel.localtime import COPENHAGEN_NAME as CPH_NAME

# The reminder policy, the only copy. settings.REMINDER_POLICY overrides single keys.
DEFAULT_REMINDER_POLICY = {
    "send_from": "07:00",
    # The cluster's director and staff (or, on a deadline whose party is an open-call applicant,
    # the applicant's user): 30, 14, 7 and 1 days before, and on the day.
    "cluster_kinds": ["annual_report", "self_assessment", "changes_requested", "hearing",
                      "conditions"],
    "cluster_roles": ["director", "cluster_staff"],
    "cluster_days_before": [30, 14, 7, 1, 0],
    # Overdue: the day after, then every 7 days (+7, +14, ...) ...
    "overdue_first_day": 1,
    "overdue_every_days": 7,
    # ... and at 7 days overdue the assigned caseworker is told too.
    "escalate_to_caseworker_days_overdue": 7,
    # Caseworkers: their own scoring and case-handling deadlines.
    "caseworker_kinds": ["scoring", "case_handling", "complaint"],
    "caseworker_days_before": [7, 1, 0],
}


@dataclass(frozen=True)
class ReminderPolicy:
    send_from: time
    cluster_kinds: tuple[str, ...]
    cluster_roles: tuple[str, ...]
    cluster_days_before: tuple[int, ...]
    overdue_first_day: int
    overdue_every_days: int
    escalate_to_caseworker_days_overdue: int | None
    caseworker_kinds: tuple[str, ...]
    caseworker_days_before: tuple[int, ...]

    @property
    def max_days_before(self) -> int:
        return max((*self.cluster_days_before, *self.caseworker_days_before, 0))


def reminder_policy() -> ReminderPolicy:
    raw = {**DEFAULT_REMINDER_POLICY, **getattr(settings, "REMINDER_POLICY", {})}
    hh, mm = (int(x) for x in str(raw["send_from"]).split(":"))
    escalate = raw["escalate_to_caseworker_days_overdue"]
    policy = ReminderPolicy(
        send_from=time(hh, mm),
        cluster_kinds=tuple(raw["cluster_kinds"]),
        cluster_roles=tuple(raw["cluster_roles"]),
        cluster_days_before=tuple(sorted({int(d) for d in raw["cluster_days_before"]})),
        overdue_first_day=int(raw["overdue_first_day"]),
        overdue_every_days=int(raw["overdue_every_days"]),
        escalate_to_caseworker_days_overdue=None if escalate is None else int(escalate),
        caseworker_kinds=tuple(raw["caseworker_kinds"]),
        caseworker_days_before=tuple(sorted({int(d) for d in raw["caseworker_days_before"]})),
    )
    if policy.overdue_first_day < 1 or policy.overdue_every_days < 1:
        raise ValueError("REMINDER_POLICY: overdue days must be 1 or more")
    if any(d < 0 for d in (*policy.cluster_days_before, *policy.caseworker_days_before)):
        raise ValueError("REMINDER_POLICY: days before must be 0 or more")
    return policy


def policy_day(now: datetime, policy: ReminderPolicy) -> date:
    """The Danish calendar day whose reminders are due at `now`: today from `send_from` local
    time, yesterday before it."""
    local = now.astimezone(CPH)
    return local.date() if local.time() >= policy.send_from else local.date() - timedelta(days=1)


# -- the tick -------------------------------------------------------------------------------

def days_before_steps(days_before: tuple[int, ...], max_days_before: int) -> list[int | None]:
    """For each number of days left (0, 1, ... max_days_before), the step whose reminder is due:
    the smallest "days before" at or above it (None: no step yet). The tick's SQL indexes this
    list by the days left, so the catch-up rule is here, once."""
    return [min((b for b in days_before if b >= left), default=None) for left in range(max_days_before + 1)]


def tick_statement(policy: ReminderPolicy) -> tuple[str, dict]:
    """The tick's one statement and the parameters that do not depend on the time: it finds every
    due and unsent (deadline, recipient, kind) and writes its notification in the recipient's
    language, with its link and delivery, returning the rows it created."""
    user = User._meta.db_table
    url_sql, url_params = deadline_path_sql(role="t.recipient_role", columns={
        "case": {"journal_number": "t.case_journal_number"},
        "cluster_case": {"journal_number": "t.case_journal_number"},
        "report": {"pk": "t.report_id"},
        "evaluation": {"pk": "t.evaluation_id"},
        "application": {"application_id": "t.application_id"},
    })
    delivery, delivery_params = delivery_sql(role="t.recipient_role", preference="p.delivery",
                                             category=NotificationCategory.DEADLINES)
    # The subject in the recipient's language (Danish when it is not one of ours), with the
    # Danish calendar days actually left or overdue when it is made - after an outage that is
    # not the step's days.
    subject_sql = f"""left(replace(replace(
        COALESCE(%(subjects)s::jsonb -> t.recipient_language, %(subjects)s::jsonb -> 'da') ->> (
            CASE WHEN t.days_left = 0 THEN 'today' WHEN t.days_left = 1 THEN 'tomorrow'
                 WHEN t.days_left > 0 THEN 'before' WHEN t.days_left = -1 THEN 'overdue1'
                 ELSE 'overdue' END),
        %(n_mark)s, abs(t.days_left)::text), %(subject_mark)s, t.subject), {SUBJECT_MAX})"""
    sql = f"""
WITH open_deadlines AS (
    SELECT d.id, d.kind, d.subject, d.due_at, d.original_due_at, d.cluster_id, d.applicant_id,
           d.assignee_id,
           ((d.due_at AT TIME ZONE %(tz)s)::date - %(today)s::date) AS days_left,
           ar.id AS report_id,
           ev_sa.id AS self_assessment_id,
           COALESCE(ev_sa.id, ev_sc.id) AS evaluation_id,
           COALESCE(c.journal_number, hc.journal_number) AS case_journal_number,
           COALESCE(c.application_id, hc.application_id) AS application_id,
           COALESCE(d.assignee_id, c.assignee_id, hc.assignee_id) AS own_assignee_id
    FROM grants_deadline d
    LEFT JOIN grants_annualreport ar ON ar.deadline_id = d.id
    LEFT JOIN evaluations_midwayevaluation ev_sa ON ev_sa.self_assessment_deadline_id = d.id
    LEFT JOIN evaluations_midwayevaluation ev_sc ON ev_sc.scoring_deadline_id = d.id
    LEFT JOIN grants_case c ON c.deadline_id = d.id
    -- a hearing's or a condition follow-up's deadline belongs to its case (grants.cases)
    LEFT JOIN grants_hearing h ON h.deadline_id = d.id
    LEFT JOIN grants_conditionfollowup cf ON cf.deadline_id = d.id
    LEFT JOIN grants_case hc ON hc.id = COALESCE(h.case_id, cf.case_id)
    WHERE d.completed_at IS NULL AND d.cancelled_at IS NULL AND d.due_at < %(horizon)s
),
stepped AS (
    -- the latest step per deadline: before the due day the one `days_before_steps` gives for
    -- the days left; overdue the first day, then every N days
    SELECT od.*,
        CASE WHEN od.due_at <> od.original_due_at
             THEN '@' || to_char((od.due_at AT TIME ZONE %(tz)s)::date, 'YYYY-MM-DD')
             ELSE '' END AS series,
        CASE
            WHEN od.days_left >= 0 THEN 'reminder:' || (-(
                CASE WHEN od.kind = ANY(%(cluster_kinds)s) THEN %(cluster_steps)s::int[]
                     ELSE %(caseworker_steps)s::int[] END)[od.days_left + 1])::text || 'd'
            WHEN -od.days_left < %(overdue_first)s THEN NULL
            WHEN -od.days_left < %(overdue_every)s THEN 'overdue:+' || %(overdue_first)s::text || 'd'
            ELSE 'overdue:+' || ((-od.days_left) / %(overdue_every)s * %(overdue_every)s)::text || 'd'
        END AS step
    FROM open_deadlines od
),
targets AS (
    -- each branch carries its recipient's role and language, so the rows need no second join
    SELECT s.*, u.id AS recipient_id, u.role AS recipient_role, u.language AS recipient_language,
           s.step || s.series AS notification_kind
    FROM stepped s
    JOIN {user} u ON u.cluster_id = s.cluster_id AND u.role = ANY(%(cluster_roles)s) AND u.is_active
    WHERE s.kind = ANY(%(cluster_kinds)s) AND s.step IS NOT NULL
  UNION ALL
    -- a deadline whose party is an open-call applicant (a hearing before a rejection): its user
    SELECT s.*, u.id, u.role, u.language, s.step || s.series
    FROM stepped s
    JOIN evaluations_applicant a ON a.id = s.applicant_id
    JOIN {user} u ON u.id = a.user_id AND u.is_active
    WHERE s.kind = ANY(%(cluster_kinds)s) AND s.step IS NOT NULL
  UNION ALL
    -- the caseworker responsible for an overdue report or self-assessment: the deadline's own
    -- assignee, else the one of the newest case about it (looked up for these rows only)
    SELECT e.*, u.id, u.role, u.language, 'overdue:+' || %(escalate)s::text || 'd' || e.series
    FROM stepped e
    JOIN {user} u ON u.is_active AND u.id = COALESCE(e.assignee_id, (
        SELECT rc.assignee_id FROM grants_case rc
        WHERE rc.assignee_id IS NOT NULL
          AND (rc.report_id = e.report_id OR rc.evaluation_id = e.self_assessment_id)
        ORDER BY rc.created_at DESC, rc.id DESC LIMIT 1))
    WHERE e.kind = ANY(%(cluster_kinds)s) AND %(escalate)s::int IS NOT NULL
      AND -e.days_left >= %(escalate)s::int
  UNION ALL
    SELECT s.*, u.id, u.role, u.language, s.step || s.series
    FROM stepped s
    JOIN {user} u ON u.id = s.own_assignee_id AND u.is_active
    WHERE s.kind = ANY(%(caseworker_kinds)s) AND s.step IS NOT NULL
)
INSERT INTO grants_notification
    (recipient_id, kind, deadline_id, subject, body, url, status, delivery, attempts,
     last_error, created_at)
SELECT t.recipient_id, t.notification_kind, t.id, {subject_sql}, '', {url_sql},
       CASE WHEN r.delivery = %(delivery_off)s THEN %(skipped)s ELSE %(pending)s END,
       r.delivery, 0, '', %(now)s
FROM targets t
LEFT JOIN grants_notificationpreference p
       ON p.user_id = t.recipient_id AND p.category = %(category)s
CROSS JOIN LATERAL (SELECT {delivery} AS delivery) r
WHERE NOT EXISTS (
    -- what a tick wrote before (the lock in `reminder_tick` makes that every earlier tick): a
    -- probe of the UNIQUE (deadline, recipient, kind) index per candidate; OFFSET 0 keeps it a
    -- per-row probe, whatever the planner's row estimates (a fresh burst of rows can fool them)
    SELECT 1 FROM grants_notification n
    WHERE n.deadline_id = t.id AND n.recipient_id = t.recipient_id AND n.kind = t.notification_kind
    OFFSET 0
)
-- every probe before the first insert (and the rows in the key's order)
ORDER BY t.id, t.recipient_id
RETURNING id, deadline_id, recipient_id, kind, subject
"""
    params = {
        **url_params, **delivery_params,
        "subjects": json.dumps({code: reminder_subjects(code) for code, _name in settings.LANGUAGES}),
        "n_mark": _N_MARK, "subject_mark": _SUBJECT_MARK,
        "cluster_kinds": list(policy.cluster_kinds),
        "cluster_roles": list(policy.cluster_roles),
        "cluster_steps": days_before_steps(policy.cluster_days_before, policy.max_days_before),
        "caseworker_kinds": list(policy.caseworker_kinds),
        "caseworker_steps": days_before_steps(policy.caseworker_days_before, policy.max_days_before),
        "overdue_first": policy.overdue_first_day,
        "overdue_every": policy.overdue_every_days,
        "escalate": policy.escalate_to_caseworker_days_overdue,
        "category": NotificationCategory.DEADLINES.value,
        "pending": NotificationStatus.PENDING.value,
        "skipped": NotificationStatus.SKIPPED.value,
        "tz": CPH_NAME,
    }
    return sql, params


# The reminder subjects, translated once per language (the tick makes thousands of them).
SUBJECTS = {
    "before": gettext_noop("Frist om %(n)s dage: %(subject)s"),
    "tomorrow": gettext_noop("Frist i morgen: %(subject)s"),
    "today": gettext_noop("Frist i dag: %(subject)s"),
    "overdue1": gettext_noop("Fristen er overskredet med 1 dag: %(subject)s"),
    "overdue": gettext_noop("Fristen er overskredet med %(n)s dage: %(subject)s"),
}
SUBJECT_MAX = 300  # Notification.subject's max_length
# What the tick's SQL replaces by the days and by the deadline's subject; Python's own %
# formatting has run over the translation already (so a %% in it is a plain % here)
_N_MARK, _SUBJECT_MARK = "\x1fn\x1f", "\x1fsubject\x1f"


@functools.lru_cache(maxsize=8)
def reminder_subjects(language: str) -> dict[str, str]:
    """The subject templates in `language`, with the marks the tick fills in."""
    with translation.override(language):
        return {key: translation.gettext(text) % {"n": _N_MARK, "subject": _SUBJECT_MARK}
                for key, text in SUBJECTS.items()}


# The advisory lock the ticks take turns under (a name, hashed like the other locks' names).
TICK_LOCK = "grants.notifications.reminder_tick"


class CreatedReminder(NamedTuple):
    id: int
    deadline_id: int
    recipient_id: int
    kind: str
    subject: str


def reminder_tick(*, now: datetime | None = None) -> list[CreatedReminder]:
    """Create the reminders due at `now` (default: the current time) and not yet sent.

    One statement whatever the number of deadlines: an INSERT … SELECT that finds every due and
    unsent (deadline, recipient, kind) and writes its row (subject, link and delivery made in the
    same statement). Safe to run twice and concurrently: ticks take turns under an advisory lock
    held to the end of the transaction, and the INSERT, whose snapshot (READ COMMITTED, Django's
    default) is taken after the lock, sees every row an earlier tick committed and skips it. A
    plain INSERT, not ON CONFLICT DO NOTHING: the lock already rules out the conflict, and the
    speculative insertion cost a sixth of the tick (issue 19); the UNIQUE key stays the guard
    (a duplicate would fail the tick, never be written). Sends nothing itself: the relay task
    mails the new rows after commit (or the daily digest does, per the recipient's preference)."""
    now = now or timezone.now()
    policy = reminder_policy()
    today = policy_day(now, policy)
    # Everything due up to the furthest "days before" (plus a day for the local-day rounding).
    horizon = datetime.combine(today + timedelta(days=policy.max_days_before + 2), time(), CPH)
    sql, params = tick_statement(policy)
    with transaction.atomic():
        with connection.cursor() as cur:
            # one tick at a time (see above); and a short query run often: JIT compiling it
            # costs more than it saves
            cur.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0)), "
                        "set_config('jit', 'off', true)", [TICK_LOCK])
            cur.execute(sql, {**params, "today": today, "horizon": horizon, "now": now})
            created = sorted(map(CreatedReminder._make, cur.fetchall()))
        if created:
            transaction.on_commit(kick_relay)
    return created
