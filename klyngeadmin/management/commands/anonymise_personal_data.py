from django.conf import settings
from django.core.management.base import BaseCommand

from grants.outcomes.services import survey_contacts_forget
from klyngeadmin.accounts.security.personal_data import personal_data_retention_run


class Command(BaseCommand):
    help = (
        "Anonymise cluster contact persons not signed in for PERSONAL_DATA_RETENTION_DAYS "
        "(the retention job; also run daily by Celery beat)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="only list who would be anonymised")

    def handle(self, *args, dry_run=False, **options):
        ids = personal_data_retention_run(dry_run=dry_run)
        verb = "would be anonymised" if dry_run else "anonymised"
        self.stdout.write(
            f"{len(ids)} user(s) {verb} (retention {settings.PERSONAL_DATA_RETENTION_DAYS} days)"
            + (f": ids {', '.join(map(str, ids))}" if ids else "")
        )
        surveys = survey_contacts_forget(dry_run=dry_run)
        self.stdout.write(
            f"{surveys} survey contact(s) {'would be cleared' if dry_run else 'cleared'} "
            f"(retention {settings.SURVEY_CONTACT_RETENTION_DAYS} days)"
        )
