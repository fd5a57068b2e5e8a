# The default order by the parent's id, not the parent: no joins to sort (issue 19).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('grants', '0021_hearing_party_applicant'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='budgetline',
            options={'ordering': ['grant_id', 'year_number', 'kind', 'cost_category', 'aid_cost_type', 'funding_source'], 'verbose_name': 'budgetlinje', 'verbose_name_plural': 'budgetlinjer'},
        ),
        migrations.AlterModelOptions(
            name='granttarget',
            options={'ordering': ['grant_id', 'year_number', 'indicator'], 'verbose_name': 'måltal', 'verbose_name_plural': 'måltal'},
        ),
        migrations.AlterModelOptions(
            name='reportversion',
            options={'ordering': ['report_id', 'number'], 'verbose_name': 'indsendt version', 'verbose_name_plural': 'indsendte versioner'},
        ),
        migrations.AlterModelOptions(
            name='tranche',
            options={'ordering': ['grant_id', 'year_number'], 'verbose_name': 'rate', 'verbose_name_plural': 'rater'},
        ),
    ]
