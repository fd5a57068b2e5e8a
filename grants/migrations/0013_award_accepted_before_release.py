"""The database's own guard for item 4 of issue 16: a tranche is not proposed for payment or
released on a grant whose award letter (tilsagnsbrev) the cluster has not accepted. The
services refuse first, with a Danish message (grants.cases.tranches); this trigger is the last
line of defence for writes that bypass them."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION grants_tranche_needs_accepted_award() RETURNS trigger AS $$
BEGIN
    IF NEW.status IN ('proposed', 'released')
       AND (TG_OP = 'INSERT' OR OLD.status IS DISTINCT FROM NEW.status)
       AND NOT EXISTS (SELECT 1 FROM grants_grant g
                       WHERE g.id = NEW.grant_id AND g.award_accepted_at IS NOT NULL) THEN
        RAISE EXCEPTION 'tranche %: the award letter of grant % is not accepted', NEW.id, NEW.grant_id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER grants_tranche_needs_accepted_award
    BEFORE INSERT OR UPDATE OF status ON grants_tranche
    FOR EACH ROW EXECUTE FUNCTION grants_tranche_needs_accepted_award();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS grants_tranche_needs_accepted_award ON grants_tranche;
DROP FUNCTION IF EXISTS grants_tranche_needs_accepted_award();
"""


class Migration(migrations.Migration):
    dependencies = [("grants", "0012_award_digital_post_records")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
