"""A rubric in use cannot change: a DB trigger refuses any change to a locked rubric (except
switching which version is active) and any insert, update or delete of its criteria. Then the
default rubrics from the policy brief are seeded (active, unlocked until first used)."""

from django.db import migrations

LOCK_SQL = """
CREATE OR REPLACE FUNCTION evaluations_rubric_lock_guard() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF OLD.locked THEN
      RAISE EXCEPTION 'rubric % is in use and cannot be deleted', OLD.id
        USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN OLD;
  END IF;
  IF OLD.locked AND (
       NEW.locked IS DISTINCT FROM OLD.locked
    OR NEW.locked_at IS DISTINCT FROM OLD.locked_at
    OR NEW.purpose IS DISTINCT FROM OLD.purpose
    OR NEW.name IS DISTINCT FROM OLD.name
    OR NEW.version IS DISTINCT FROM OLD.version
    OR NEW.description IS DISTINCT FROM OLD.description) THEN
    RAISE EXCEPTION 'rubric % is in use and cannot change', OLD.id
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER evaluations_rubric_lock_guard
  BEFORE UPDATE OR DELETE ON evaluations_rubric
  FOR EACH ROW EXECUTE FUNCTION evaluations_rubric_lock_guard();

CREATE OR REPLACE FUNCTION evaluations_criterion_lock_guard() RETURNS trigger AS $$
BEGIN
  IF (TG_OP <> 'INSERT' AND EXISTS (
        SELECT 1 FROM evaluations_rubric WHERE id = OLD.rubric_id AND locked))
     OR (TG_OP <> 'DELETE' AND EXISTS (
        SELECT 1 FROM evaluations_rubric WHERE id = NEW.rubric_id AND locked)) THEN
    RAISE EXCEPTION 'the criteria of a rubric in use cannot change'
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN COALESCE(NEW, OLD);
END $$ LANGUAGE plpgsql;

CREATE TRIGGER evaluations_criterion_lock_guard
  BEFORE INSERT OR UPDATE OR DELETE ON evaluations_criterion
  FOR EACH ROW EXECUTE FUNCTION evaluations_criterion_lock_guard();
"""

UNLOCK_SQL = """
DROP TRIGGER IF EXISTS evaluations_criterion_lock_guard ON evaluations_criterion;
DROP FUNCTION IF EXISTS evaluations_criterion_lock_guard();
DROP TRIGGER IF EXISTS evaluations_rubric_lock_guard ON evaluations_rubric;
DROP FUNCTION IF EXISTS evaluations_rubric_lock_guard();
"""

def seed(apps, schema_editor):
    from evaluations.panels.defaults import seed_default_rubrics

    seed_default_rubrics(apps.get_model("evaluations", "Rubric"), apps.get_model("evaluations", "Criterion"))


class Migration(migrations.Migration):
    dependencies = [("evaluations", "0003_rubrics_panels_decisions")]

    operations = [
        migrations.RunSQL(LOCK_SQL, UNLOCK_SQL),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
