"""`manage.py cvr_refresh [--cvr N ...] [--all]`: look companies up in the CVR register and
print what changed. Without options: the companies due (never looked up, or more than 30 days
ago), as the nightly task does."""

from django.core.management.base import BaseCommand, CommandError

from clusters.companies.services import (
    RegisterUnavailable,
    companies_due_for_refresh,
    companies_refresh,
)
from clusters.cvr import is_valid_cvr
from clusters.cvr.client import get_register
from clusters.models import Company


class Command(BaseCommand):
    help = "Look companies up in the CVR register and print what changed."

    def add_arguments(self, parser):
        parser.add_argument("--cvr", nargs="+", default=[], metavar="N", help="these CVR numbers")
        parser.add_argument("--all", action="store_true", help="every company")

    def handle(self, *args, **options):
        cvrs = options["cvr"]
        for cvr in cvrs:
            if not is_valid_cvr(cvr):
                raise CommandError(f"invalid CVR number: {cvr}")
        register = get_register()
        if not register.configured:
            self.stdout.write(f"{register.description} Nothing looked up: company data stays unknown.")
            return
        if cvrs:
            companies = Company.objects.filter(cvr__in=cvrs)
            missing = sorted(set(cvrs) - set(companies.values_list("cvr", flat=True)))
            for cvr in missing:
                self.stdout.write(f"{cvr}: no such company registered here")
        elif options["all"]:
            companies = Company.objects.all()
        else:
            companies = companies_due_for_refresh()
        try:
            result = companies_refresh(companies=companies, register=register)
        except RegisterUnavailable as exc:
            raise CommandError(f"CVR register unavailable: {exc}") from exc
        for cvr, changes in result.changed:
            parts = ", ".join(f"{name}: {old!r} -> {new!r}" for name, (old, new) in changes.items())
            self.stdout.write(f"{cvr}: {parts}")
        for cvr in result.not_found:
            self.stdout.write(f"{cvr}: not found in the register")
        self.stdout.write(
            f"looked_up={result.looked_up} changed={len(result.changed)} "
            f"unchanged={result.unchanged} not_found={len(result.not_found)}"
        )
