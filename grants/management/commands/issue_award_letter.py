"""python manage.py issue_award_letter <grant reference> --actor <caseworker username>

Issues the award letter (tilsagnsbrev) of a grant that has none yet, e.g. one created before
award letters existed or outside the open call (which issues it itself): the same service as
everywhere (grants.cases.award.award_letter_issue), acting as the named caseworker. Prints the
letter's case journal number."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from grants.cases.award import award_letter_issue
from grants.core.models import Grant
from klyngeadmin.kernel.errors import DomainError


class Command(BaseCommand):
    help = "Issue a grant's award letter (tilsagnsbrev) for the director to accept."

    def add_arguments(self, parser):
        parser.add_argument("reference", help="the grant's reference (bevillingsnummer)")
        parser.add_argument("--actor", required=True, help="the caseworker's username")

    def handle(self, *args, reference, actor, **options):
        try:
            grant = Grant.objects.get(reference=reference)
        except Grant.DoesNotExist:
            raise CommandError(f"no grant with the reference {reference!r}") from None
        try:
            user = get_user_model().objects.get(username=actor, is_active=True)
        except get_user_model().DoesNotExist:
            raise CommandError(f"no active user {actor!r}") from None
        try:
            letter = award_letter_issue(grant=grant, actor=user)
        except DomainError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"case={letter.case.journal_number} letter={letter.pk}")
