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

MIDWAY_CRITERIA = [
    # key, title, guidance, weight, kind, metric
    ("sme-knowledge", "Dybde i samarbejdet mellem SMV'er og videninstitutioner",
     "Fælles FoU-ansøgninger og innovationsprojekter med både SMV'er og videninstitutioner.",
     20, "data", "sme_knowledge_projects"),
    ("sme-reach", "SMV-rækkevidde, herunder små virksomheder med 10-49 ansatte",
     "Hvor mange små virksomheder (10-49 ansatte) deltager i klyngens aktiviteter.",
     15, "data", "small_company_reach"),
    ("institution-breadth", "Bredde i videninstitutioner",
     "Deltagelse af erhvervsakademier, professionshøjskoler og kunstneriske uddannelsesinstitutioner.",
     15, "data", "applied_institution_breadth"),
    ("cofinancing", "Privat medfinansiering og hjemtag pr. bevillingskrone",
     "Kontingenter, sponsorater, fonds- og projektmidler samt hjemtagne konkurrenceudsatte midler "
     "pr. forbrugt krone af klyngebevillingen.",
     15, "data", "cofinancing_per_grant_krone"),
    ("internationalisation", "Internationalisering og EU-finansiering",
     "Internationale aktiviteter og EU-finansierede projekter.",
     10, "data", "international_activities"),
    ("outside-reach", "Rækkevidde uden for klyngens egen styrkeposition",
     "Andelen af deltagende virksomheder, hvis branche ligger uden for klyngens styrkeposition.",
     10, "data", "outside_share"),
    ("platform", "Platformsrolle og lokalt samarbejde",
     "Klyngen som platform for nye innovationspolitiske initiativer og samarbejdet med lokale "
     "og regionale aktører (skøn på grundlag af selvevalueringen og årsrapporterne).",
     15, "judgement", ""),
]

APPLICATION_CRITERIA = [
    ("area-potential", "Det spirende områdes potentiale",
     "Områdets erhvervsmæssige og forskningsmæssige potentiale i Danmark.", 25, "judgement", ""),
    ("consortium", "Konsortiets styrke",
     "Virksomheder (særligt SMV'er) og videninstitutioner i konsortiet.", 25, "judgement", ""),
    ("knowledge", "Samarbejde med videninstitutioner",
     "Herunder erhvervsakademier, professionshøjskoler og kunstneriske institutioner.", 20, "judgement", ""),
    ("cofinancing", "Privat medfinansiering",
     "Medfinansieringens omfang og sikkerhed.", 15, "judgement", ""),
    ("budget", "Budgettets realisme", "Sammenhæng mellem budget, aktiviteter og mål.", 15, "judgement", ""),
]


def seed(apps, schema_editor):
    Rubric = apps.get_model("evaluations", "Rubric")
    Criterion = apps.get_model("evaluations", "Criterion")
    for purpose, name, description, criteria in [
        ("midway", "Midtvejsevaluering af klyngebevillinger",
         "Standardrammen efter DFIR's anbefalinger (december 2024).", MIDWAY_CRITERIA),
        ("application", "Åbent opslag for spirende områder",
         "Bedømmelse af ansøgninger fra nye, spirende områder.", APPLICATION_CRITERIA),
    ]:
        rubric, created = Rubric.objects.get_or_create(
            purpose=purpose, name=name, version=1,
            defaults={"description": description, "active": True},
        )
        if not created:
            continue
        Criterion.objects.bulk_create(
            Criterion(rubric=rubric, key=key, position=i, title=title, guidance=guidance,
                      weight=weight, kind=kind, metric=metric)
            for i, (key, title, guidance, weight, kind, metric) in enumerate(criteria, start=1)
        )


class Migration(migrations.Migration):
    dependencies = [("evaluations", "0003_rubrics_panels_decisions")]

    operations = [
        migrations.RunSQL(LOCK_SQL, UNLOCK_SQL),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
