"""The default rubrics from the policy brief (DFIR, December 2024): seeded by data migration
0004, and again by `ensure_default_rubrics()` after a flush (seed_demo, tests)."""

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


def seed_default_rubrics(Rubric, Criterion) -> None:  # noqa: N803 (model classes)
    """Create the default rubrics unless a rubric for the purpose exists (idempotent)."""
    for purpose, name, description, criteria in [
        ("midway", "Midtvejsevaluering af klyngebevillinger",
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




def ensure_default_rubrics() -> None:
    from evaluations.models import Criterion, Rubric

    seed_default_rubrics(Rubric, Criterion)
