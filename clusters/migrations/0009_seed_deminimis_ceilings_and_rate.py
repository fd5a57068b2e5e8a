from django.db import migrations

from clusters.stateaid.defaults import seed_defaults


def seed(apps, schema_editor):
    seed_defaults(apps.get_model("clusters", "StateAidCeiling"), apps.get_model("clusters", "ExchangeRate"))


class Migration(migrations.Migration):
    dependencies = [("clusters", "0008_fees_and_state_aid")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
