"""The audit/event tables are append-only: a trigger refuses UPDATE and DELETE (issue 9).
Event tables added later get the same trigger from klyngeadmin.security.audit's post_migrate
receiver."""

from django.db import migrations

from klyngeadmin.accounts.security.audit import FUNCTION_SQL, trigger_sql

TABLES = [
    "grants_reportevent",
    "grants_caseevent",
    "clusters_clusterdataevent",
    "evaluations_evaluationevent",
]


class Migration(migrations.Migration):
    dependencies = [
        ("klyngeadmin", "0002_api_keys"),
        ("grants", "0005_notification_delivery_preferences"),
        ("clusters", "0002_import_job_and_data_events"),
        ("evaluations", "0004_rubric_lock_trigger_and_defaults"),
    ]

    operations = [
        migrations.RunSQL(
            FUNCTION_SQL + "\n".join(trigger_sql(t) for t in TABLES),
            reverse_sql="\n".join(
                f'DROP TRIGGER IF EXISTS "{t}_append_only" ON "{t}";' for t in TABLES
            )
            + "\nDROP FUNCTION IF EXISTS klyngeadmin_append_only();",
        ),
    ]
