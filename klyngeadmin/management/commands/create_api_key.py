"""Issue an API key for a cluster (`--cluster <slug>`) or an authority user (`--user <username>`).

The key is printed alone on the last line (and never stored in plain text)."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from clusters.models import ClusterOrganisation
from klyngeadmin.accounts.keys import ApiKeyOwnerError, api_key_create
from klyngeadmin.accounts.models import User


class Command(BaseCommand):
    help = "Issue a REST API key for a cluster or a caseworker; prints the key on the last line."

    def add_arguments(self, parser):
        owner = parser.add_mutually_exclusive_group(required=True)
        owner.add_argument("--cluster", help="the cluster's slug")
        owner.add_argument("--user", help="a caseworker's username")
        parser.add_argument("--name", default="", help="what the key is for (default: owner)")
        parser.add_argument("--expires-in-days", type=int, default=None)

    def handle(self, *args, cluster=None, user=None, name="", expires_in_days=None, **options):
        owner_cluster = owner_user = None
        if cluster:
            owner_cluster = ClusterOrganisation.objects.filter(slug=cluster).first()
            if owner_cluster is None:
                raise CommandError(f"No cluster with slug {cluster!r}.")
        else:
            owner_user = User.objects.filter(username=user).first()
            if owner_user is None:
                raise CommandError(f"No user {user!r}.")
        expires_at = None
        if expires_in_days is not None:
            if expires_in_days < 1:
                raise CommandError("--expires-in-days must be 1 or more.")
            expires_at = timezone.now() + timedelta(days=expires_in_days)
        try:
            issued = api_key_create(
                name=name or f"CLI: {cluster or user}", cluster=owner_cluster, user=owner_user,
                expires_at=expires_at,
            )
        except ApiKeyOwnerError as exc:
            raise CommandError(str(exc)) from exc
        self.stderr.write(
            f"Issued key {issued.api_key.prefix}… for {owner_cluster or owner_user}"
            + (f", expires {expires_at:%Y-%m-%d}" if expires_at else "")
            + ". It is shown once:"
        )
        self.stdout.write(issued.plain)
