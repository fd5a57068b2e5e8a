import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from grants.statistics.aggregates import aggregates_refresh
from klyngeadmin.demo.builder import DemoBuilder, demo_present
from klyngeadmin.demo.plan import CLUSTERS, DEMO_USERNAMES
from klyngeadmin.demo.scale import analyze_all, scale_activity_data


class Command(BaseCommand):
    help = "Byg et syntetisk demo-klyngeprogram, der genskaber klyngestatistikken 2021-2023."

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true", help="Tøm databasen og byg forfra.")
        parser.add_argument(
            "--allow-demo-passwords", action="store_true",
            help="Tillad demo-adgangskoden, selv om DEBUG er slået fra.",
        )
        parser.add_argument(
            "--scale", type=int, default=1, metavar="N",
            help="Gang aktivitetsdata (virksomheder, aktiviteter, deltagelser) op N gange "
                 "(ydelsesmålinger); 1 er demodata som de er.",
        )

    def handle(self, *args, reset=False, allow_demo_passwords=False, scale=1, **options):
        if not (settings.DEBUG or allow_demo_passwords):
            raise CommandError(
                "Demo-brugerne har en kendt adgangskode og oprettes kun med DEBUG slået til "
                "eller med --allow-demo-passwords."
            )
        if scale < 1:
            raise CommandError("--scale skal være 1 eller mere.")
        started = time.monotonic()
        if reset:
            call_command("flush", interactive=False, verbosity=0)
        elif demo_present():
            self.stdout.write("Demodata findes allerede; intet ændret (brug --reset for at bygge forfra).")
            self.print_logins()
            return
        counts = DemoBuilder(password=settings.DEMO_PASSWORD, stdout=None).build()
        with transaction.atomic():
            scale_activity_data(scale - 1)
            aggregates_refresh()  # the public statistics page reads these
        # Planner statistics now, not whenever autovacuum gets round to it: without them the
        # figures' queries run as nested loops over tables the planner thinks are empty.
        analyze_all()
        elapsed = time.monotonic() - started
        summary = ", ".join(f"{k}={v}" for k, v in counts.items())
        if scale > 1:
            summary += f", aktivitetsdata x{scale}"
        self.stdout.write(self.style.SUCCESS(f"Demodata bygget på {elapsed:.1f} s ({summary})."))
        self.print_logins()

    def print_logins(self):
        self.stdout.write(f"Demo-logins (adgangskode: {settings.DEMO_PASSWORD}):")
        for name in DEMO_USERNAMES:
            self.stdout.write(f"  {name}")
        for plan in CLUSTERS:
            self.stdout.write(f"  director-{plan.slug}")
