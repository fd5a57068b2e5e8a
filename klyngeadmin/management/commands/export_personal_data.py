import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from klyngeadmin.accounts.security.logging import security_event
from klyngeadmin.accounts.security.personal_data import personal_data_export


class Command(BaseCommand):
    help = "Export everything held about one person as JSON (GDPR art. 15 access request)."

    def add_arguments(self, parser):
        parser.add_argument("user", help="username or numeric user id")
        parser.add_argument("--output", "-o", help="write to this file instead of stdout")

    def handle(self, *args, user, output=None, **options):
        User = get_user_model()
        lookup = {"pk": int(user)} if user.isdigit() else {"username": user}
        try:
            person = User.objects.get(**lookup)
        except User.DoesNotExist as exc:
            raise CommandError(f"No user {user!r}.") from exc
        text = json.dumps(personal_data_export(user=person), indent=2, ensure_ascii=False)
        security_event("personal_data_exported", user_id=person.pk, via="command")
        if output:
            with open(output, "w", encoding="utf-8") as fh:
                fh.write(text + "\n")
            self.stderr.write(f"wrote {output}")
        else:
            self.stdout.write(text)
