"""`manage.py demo_states`: which cluster is in which state (the `make run` banner)."""

from django.core.management.base import BaseCommand

from klyngeadmin.demo.states import demo_states


class Command(BaseCommand):
    help = "Which cluster has a draft ready to submit, a case waiting, a tranche to release, ..."

    def handle(self, *args, **options):
        lines = demo_states()
        for line in lines or ["no cluster is waiting for anything"]:
            self.stdout.write(line)
