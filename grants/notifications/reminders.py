"""Deadline reminders: the policy, and the tick that turns it into notification rows.

The database is the schedule. A Celery beat tick (every 15 minutes, UTC) calls `reminder_tick`,
which asks the database, in one query, which reminders are due and not yet sent, stages the new
rows by binary COPY and inserts them in one more statement with `ON CONFLICT DO NOTHING` against
the UNIQUE (deadline, recipient, kind) key — so a second tick, two ticks at once or a retried task create nothing new, and the
number of queries does not grow with the number of deadlines.

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
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from grants.constants import NotificationCategory, NotificationDelivery, NotificationStatus
from grants.notifications.services import deadline_path, kick_relay, resolve_delivery
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

def _candidates_sql(policy: ReminderPolicy) -> str:
    user = User._meta.db_table
    # The latest step per deadline, in SQL: the smallest "days before" >= days left, or the
    # overdue step (first day, then every N days).
    return f"""
WITH open_deadlines AS (
    SELECT d.id, d.kind, d.subject, d.due_at, d.original_due_at, d.cluster_id, d.applicant_id,
           ((d.due_at AT TIME ZONE %(tz)s)::date - %(today)s::date) AS days_left,
           ar.id AS report_id,
           COALESCE(ev_sa.id, ev_sc.id) AS evaluation_id,
           COALESCE(c.id, hc.id) AS case_id,
           COALESCE(c.journal_number, hc.journal_number) AS case_journal_number,
           COALESCE(c.application_id, hc.application_id) AS application_id,
           COALESCE(d.assignee_id, c.assignee_id, hc.assignee_id) AS own_assignee_id,
           COALESCE(d.assignee_id, (
               SELECT rc.assignee_id FROM grants_case rc
               WHERE rc.assignee_id IS NOT NULL
                 AND (rc.report_id = ar.id OR rc.evaluation_id = ev_sa.id)
               ORDER BY rc.created_at DESC, rc.id DESC LIMIT 1
           )) AS responsible_caseworker_id
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
    SELECT od.*,
        CASE WHEN od.due_at <> od.original_due_at
             THEN '@' || to_char((od.due_at AT TIME ZONE %(tz)s)::date, 'YYYY-MM-DD')
             ELSE '' END AS series,
        CASE
            WHEN od.days_left >= 0 THEN (
                SELECT 'reminder:' || (-min(b))::text || 'd'
                FROM unnest(CASE WHEN od.kind = ANY(%(cluster_kinds)s)
                                 THEN %(cluster_before)s::int[]
                                 ELSE %(caseworker_before)s::int[] END) AS b
                WHERE b >= od.days_left
                HAVING min(b) IS NOT NULL)
            WHEN -od.days_left < %(overdue_first)s THEN NULL
            WHEN -od.days_left < %(overdue_every)s THEN 'overdue:+' || %(overdue_first)s::text || 'd'
            ELSE 'overdue:+' || ((-od.days_left) / %(overdue_every)s * %(overdue_every)s)::text || 'd'
        END AS step
    FROM open_deadlines od
),
targets AS (
    SELECT s.*, u.id AS recipient_id, s.step || s.series AS notification_kind
    FROM stepped s
    JOIN {user} u ON u.cluster_id = s.cluster_id AND u.role = ANY(%(cluster_roles)s) AND u.is_active
    WHERE s.kind = ANY(%(cluster_kinds)s) AND s.step IS NOT NULL
  UNION ALL
    -- a deadline whose party is an open-call applicant (a hearing before a rejection): its user
    SELECT s.*, u.id, s.step || s.series
    FROM stepped s
    JOIN evaluations_applicant a ON a.id = s.applicant_id
    JOIN {user} u ON u.id = a.user_id AND u.is_active
    WHERE s.kind = ANY(%(cluster_kinds)s) AND s.step IS NOT NULL
  UNION ALL
    SELECT s.*, u.id, 'overdue:+' || %(escalate)s::text || 'd' || s.series
    FROM stepped s
    JOIN {user} u ON u.id = s.responsible_caseworker_id AND u.is_active
    WHERE s.kind = ANY(%(cluster_kinds)s) AND %(escalate)s::int IS NOT NULL
      AND -s.days_left >= %(escalate)s::int
  UNION ALL
    SELECT s.*, u.id, s.step || s.series
    FROM stepped s
    JOIN {user} u ON u.id = s.own_assignee_id AND u.is_active
    WHERE s.kind = ANY(%(caseworker_kinds)s) AND s.step IS NOT NULL
)
SELECT t.id, t.kind, t.subject, t.days_left, t.report_id, t.evaluation_id, t.case_id,
       t.case_journal_number, t.application_id, t.recipient_id, t.notification_kind, u.role, u.language,
       p.delivery
FROM targets t
JOIN {user} u ON u.id = t.recipient_id
LEFT JOIN grants_notificationpreference p
       ON p.user_id = t.recipient_id AND p.category = %(category)s
WHERE NOT EXISTS (
    -- a probe of the UNIQUE (deadline, recipient, kind) index per candidate; OFFSET 0 keeps it a
    -- per-row probe, whatever the planner's row estimates (a fresh burst of rows can fool them)
    SELECT 1 FROM grants_notification n
    WHERE n.deadline_id = t.id AND n.recipient_id = t.recipient_id AND n.kind = t.notification_kind
    OFFSET 0
)
ORDER BY t.due_at, t.id, t.recipient_id
"""


# The new rows arrive by binary COPY into a temporary table (psycopg's client-side quoting of
# seven 20,000-item text arrays cost more than the INSERT itself; bench/bench_reminder_tick.py),
# then one INSERT ... SELECT writes them.
_STAGE_SQL = """
DROP TABLE IF EXISTS reminder_stage;
CREATE TEMP TABLE reminder_stage (recipient_id bigint, kind text, deadline_id bigint,
    subject text, url text, status text, delivery text) ON COMMIT DROP
"""
_STAGE_COPY = (
    "COPY reminder_stage (recipient_id, kind, deadline_id, subject, url, status, delivery) "
    "FROM STDIN (FORMAT BINARY)"
)
_STAGE_TYPES = ["int8", "text", "int8", "text", "text", "text", "text"]

_INSERT_SQL = """
INSERT INTO grants_notification
    (recipient_id, kind, deadline_id, subject, body, url, status, delivery, attempts,
     last_error, created_at)
SELECT x.recipient_id, x.kind, x.deadline_id, x.subject, '', x.url, x.status, x.delivery, 0, '',
       %(now)s
FROM reminder_stage x
ON CONFLICT (deadline_id, recipient_id, kind) WHERE deadline_id IS NOT NULL DO NOTHING
RETURNING id, deadline_id, recipient_id, kind, subject
"""


# The reminder subjects, translated once per language (the tick makes thousands of them).
SUBJECTS = {
    "before": gettext_noop("Frist om %(n)s dage: %(subject)s"),
    "tomorrow": gettext_noop("Frist i morgen: %(subject)s"),
    "today": gettext_noop("Frist i dag: %(subject)s"),
    "overdue1": gettext_noop("Fristen er overskredet med 1 dag: %(subject)s"),
    "overdue": gettext_noop("Fristen er overskredet med %(n)s dage: %(subject)s"),
}


@functools.lru_cache(maxsize=8)
def _subjects_in(language: str) -> dict[str, str]:
    with translation.override(language):
        return {key: translation.gettext(text) for key, text in SUBJECTS.items()}


def reminder_subject(days_left: int, subject: str, language: str) -> str:
    """The notification's subject in the recipient's language, with the Danish calendar days
    actually left (or overdue) when it is made - after an outage that is not the step's days."""
    language = language if language in dict(settings.LANGUAGES) else "da"
    n = days_left
    key = (
        "today" if n == 0 else "tomorrow" if n == 1 else "before" if n > 0
        else "overdue1" if n == -1 else "overdue"
    )
    return (_subjects_in(language)[key] % {"n": abs(n), "subject": subject})[:300]


@dataclass(frozen=True)
class CreatedReminder:
    id: int
    deadline_id: int
    recipient_id: int
    kind: str
    subject: str


def reminder_tick(*, now: datetime | None = None) -> list[CreatedReminder]:
    """Create the reminders due at `now` (default: the current time) and not yet sent.

    A fixed number of statements whatever the number of deadlines: one SELECT that finds every
    due and unsent (deadline, recipient, kind), a binary COPY of the new rows into a temporary
    table and one INSERT … SELECT … ON CONFLICT DO NOTHING that writes them. Safe to
    run twice and concurrently. Sends nothing itself: the relay task mails the new rows after
    commit (or the daily digest does, per the recipient's preference)."""
    now = now or timezone.now()
    policy = reminder_policy()
    today = policy_day(now, policy)
    # Everything due up to the furthest "days before" (plus a day for the local-day rounding).
    horizon = datetime.combine(today + timedelta(days=policy.max_days_before + 2), time(), CPH)
    params = {
        "today": today,
        "horizon": horizon,
        "cluster_kinds": list(policy.cluster_kinds),
        "cluster_roles": list(policy.cluster_roles),
        "cluster_before": list(policy.cluster_days_before),
        "caseworker_kinds": list(policy.caseworker_kinds),
        "caseworker_before": list(policy.caseworker_days_before),
        "overdue_first": policy.overdue_first_day,
        "overdue_every": policy.overdue_every_days,
        "escalate": policy.escalate_to_caseworker_days_overdue,
        "category": NotificationCategory.DEADLINES.value,
        "tz": CPH_NAME,
    }
    with transaction.atomic():
        with connection.cursor() as cur:
            # a short query run often: JIT compiling it costs more than it saves
            cur.execute("SET LOCAL jit = off")
            cur.execute(_candidates_sql(policy), params)
            rows = cur.fetchall()
        if not rows:
            return []
        staged = []
        for (deadline_id, deadline_kind, subject, days_left, report_id, evaluation_id,
             case_id, journal_number, application_id, recipient_id, kind, role, language,
             preference) in rows:
            delivery = resolve_delivery(
                role=role, category=NotificationCategory.DEADLINES, preference=preference,
                is_deadline_reminder=True,
            )
            staged.append((
                recipient_id, kind, deadline_id, reminder_subject(days_left, subject, language),
                deadline_path(
                    kind=deadline_kind, report_id=report_id, evaluation_id=evaluation_id,
                    case_id=case_id, case_journal_number=journal_number, recipient_role=role,
                    application_id=application_id,
                ),
                str(NotificationStatus.SKIPPED if delivery == NotificationDelivery.OFF
                    else NotificationStatus.PENDING),
                str(delivery),
            ))
        with connection.cursor() as cur:
            cur.execute(_STAGE_SQL)
            with cur.cursor.copy(_STAGE_COPY) as copy:
                copy.set_types(_STAGE_TYPES)
                for row in staged:
                    copy.write_row(row)
            cur.execute(_INSERT_SQL, {"now": now})
            created = [CreatedReminder(*r) for r in cur.fetchall()]
        if created:
            transaction.on_commit(kick_relay)
    created.sort(key=lambda r: r.id)
    return created

