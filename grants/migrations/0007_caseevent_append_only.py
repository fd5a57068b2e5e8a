from django.db import migrations

# Case events are append-only: the application never updates or deletes them, and the
# database refuses it too (TRUNCATE, used by test teardown and flush, is not affected).
APPEND_ONLY = """
CREATE OR REPLACE FUNCTION grants_caseevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'grants_caseevent is append-only (% refused)', TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS grants_caseevent_append_only ON grants_caseevent;
CREATE TRIGGER grants_caseevent_append_only
    BEFORE UPDATE OR DELETE ON grants_caseevent
    FOR EACH ROW EXECUTE FUNCTION grants_caseevent_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS grants_caseevent_append_only ON grants_caseevent;
DROP FUNCTION IF EXISTS grants_caseevent_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("grants", "0006_case_proposals_disbursements_letters")]

    operations = [migrations.RunSQL(sql=APPEND_ONLY, reverse_sql=DROP)]
