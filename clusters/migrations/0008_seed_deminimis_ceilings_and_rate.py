from datetime import date
from decimal import Decimal

from django.db import migrations

CEILINGS = [
    ("Forordning (EU) nr. 1407/2013", Decimal("200000.00"), date(2014, 1, 1), date(2023, 12, 31)),
    ("Forordning (EU) 2023/2831", Decimal("300000.00"), date(2024, 1, 1), None),
]


def seed(apps, schema_editor):
    Ceiling = apps.get_model("clusters", "StateAidCeiling")
    Rate = apps.get_model("clusters", "ExchangeRate")
    for regulation, amount, valid_from, valid_to in CEILINGS:
        Ceiling.objects.get_or_create(
            valid_from=valid_from,
            defaults={"regulation": regulation, "amount_eur": amount, "valid_to": valid_to},
        )
    Rate.objects.get_or_create(
        valid_from=date(1999, 1, 1),
        defaults={"dkk_per_eur": Decimal("7.46038"),
                  "source": "Danmarks Nationalbank: centralkursen i ERM II"},
    )


class Migration(migrations.Migration):
    dependencies = [("clusters", "0007_fees_and_state_aid")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
