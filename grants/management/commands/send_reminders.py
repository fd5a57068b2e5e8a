"""python manage.py send_reminders [--now ISO-8601-time]

Runs one reminder tick in the foreground: for catching up after an outage, and for checking the
policy ("what would go out on 24 March at 08:00?"). Prints each notification it created and ends
with the line `created=<N>`. Safe to run at any time: what was sent before is not sent again."""

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from grants.notifications.reminders import reminder_tick
from klyngeadmin.kernel.localtime import COPENHAGEN as CPH


def parse_now(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise CommandError(f"--now: not an ISO 8601 time: {value!r}") from exc
    if timezone.is_naive(moment):  # a time without offset is Danish local time
        moment = moment.replace(tzinfo=CPH)
    return moment


class Command(BaseCommand):
    help = "Run one deadline-reminder tick now and print the notifications it created."

    def add_arguments(self, parser):
        parser.add_argument(
            "--now", type=parse_now, default=None,
            help="the time to run the tick as, ISO 8601 (e.g. 2026-03-24T08:00:00+01:00); "
                 "without an offset it is Danish local time. Default: the current time.",
        )

    def handle(self, *args, now=None, **options):
        created = reminder_tick(now=now)
        for r in created:
            self.stdout.write(
                f"notification={r.id} deadline={r.deadline_id} recipient={r.recipient_id} "
                f"kind={r.kind} subject={r.subject}"
            )
        self.stdout.write(f"created={len(created)}")
