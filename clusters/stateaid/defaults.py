"""The de minimis ceilings and the DKK/EUR rate the system starts with (loaded by migration
clusters 0008; an administrator adds new rows in the admin when a regulation or rate changes).
A function of the model classes, so the migration passes its historical models."""

from datetime import date
from decimal import Decimal

CEILINGS = [
    ("Forordning (EU) nr. 1407/2013", Decimal("200000.00"), date(2014, 1, 1), date(2023, 12, 31)),
    ("Forordning (EU) 2023/2831", Decimal("300000.00"), date(2024, 1, 1), None),
]
RATE = (date(1999, 1, 1), Decimal("7.46038"), "Danmarks Nationalbank: centralkursen i ERM II")


def seed_defaults(Ceiling, Rate) -> None:
    for regulation, amount, valid_from, valid_to in CEILINGS:
        Ceiling.objects.get_or_create(
            valid_from=valid_from,
            defaults={"regulation": regulation, "amount_eur": amount, "valid_to": valid_to},
        )
    valid_from, rate, source = RATE
    Rate.objects.get_or_create(valid_from=valid_from, defaults={"dkk_per_eur": rate, "source": source})
