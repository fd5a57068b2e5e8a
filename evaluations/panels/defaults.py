"""The default rubrics from the policy brief (DFIR, December 2024): seeded by data migration
0004, and again by `ensure_default_rubrics()` after a flush (seed_demo, tests)."""

MIDWAY_CRITERIA = [
    # key, title, guidance, weight, kind, metric
    ("sme-knowledge", "Dybde i samarbejdet mellem SMV'er og videninstitutioner",
     "Fælles FoU-ansøgninger og innovationsprojekter med både SMV'er og videninstitutioner.",
     15, "data", "sme_knowledge_projects"),
    ("sme-reach", "SMV-rækkevidde, herunder små virksomheder med 10-49 ansatte",
     "Hvor mange små virksomheder (10-49 ansatte) deltager i klyngens aktiviteter.",
     10, "data", "small_company_reach"),
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
     10, "judgement", ""),
]

# Issue 15: the midway rubric measures the grant's own targets too. Added to the default midway
# rubric while it is unused (migration 0005 and ensure_default_rubrics); a rubric in use is
# never changed, a new version is made instead.
TARGET_CRITERION = (
    "target-attainment", "Opfyldelse af bevillingens måltal",
    "Realiseret i forhold til måltallene i tilsagnet (og godkendte ændringer), år for år; "
    "over 100 % tæller højst som 150 %, og uden måltal er kriteriet ikke relevant.",
    15, "target_attainment", "",
)
DEFAULT_MIDWAY_NAME = "Midtvejsevaluering af klyngebevillinger"

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


def seed_default_rubrics(Rubric, Criterion) -> None:  # noqa: N803 (model classes)
    """Create the default rubrics unless a rubric for the purpose exists (idempotent)."""
    for purpose, name, description, criteria in [
        ("midway", DEFAULT_MIDWAY_NAME,
         "Standardrammen efter DFIR's anbefalinger (december 2024).", MIDWAY_CRITERIA),
        ("application", "Åbent opslag for spirende områder",
         "Bedømmelse af ansøgninger fra nye, spirende områder.", APPLICATION_CRITERIA),
    ]:
        if Rubric.objects.filter(purpose=purpose).exists():
            continue
        rubric = Rubric.objects.create(
            purpose=purpose, name=name, version=1, description=description, active=True
        )
        Criterion.objects.bulk_create(
            Criterion(rubric=rubric, key=key, position=i, title=title, guidance=guidance,
                      weight=weight, kind=kind, metric=metric)
            for i, (key, title, guidance, weight, kind, metric) in enumerate(criteria, start=1)
        )




def add_target_criterion(Rubric, Criterion) -> None:  # noqa: N803 (model classes)
    """Add the target-attainment criterion to the default midway rubrics not yet in use."""
    key, title, guidance, weight, kind, metric = TARGET_CRITERION
    for rubric in Rubric.objects.filter(purpose="midway", name=DEFAULT_MIDWAY_NAME, locked=False):
        if Criterion.objects.filter(rubric=rubric, key=key).exists():
            continue
        for c_key, _t, _g, c_weight, _k, _m in MIDWAY_CRITERIA:  # make room: weights sum to 100
            Criterion.objects.filter(rubric=rubric, key=c_key).update(weight=c_weight)
        last = Criterion.objects.filter(rubric=rubric).order_by("-position").first()
        Criterion.objects.create(rubric=rubric, key=key, position=(last.position if last else 0) + 1,
                                 title=title, guidance=guidance, weight=weight, kind=kind,
                                 metric=metric)


def ensure_default_rubrics() -> None:
    from evaluations.models import Criterion, Rubric

    seed_default_rubrics(Rubric, Criterion)
    add_target_criterion(Rubric, Criterion)
