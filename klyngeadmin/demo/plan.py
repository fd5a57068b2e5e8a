from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from clusters.constants import ActivityType, InstitutionKind, Region
from klyngeadmin.kernel.localtime import COPENHAGEN as CPH

SEED = 20211231



HISTORICAL_YEARS = (2021, 2022, 2023)



ACTIVITIES_PER_YEAR = {2021: 925, 2022: 1048, 2023: 1110}



TOTALS = {
    "companies": 11_050,
    "activities": 3_083,
    "institution_participations": 5_784,
    "institution_activities": 2_284,
    "grant_spent_dkk": 365_000_000,
    "external_funding_dkk": 850_000_000,
    "companies_outside": 5_525,
}



DEMO_USERNAMES = ("admin", "caseworker1", "caseworker2", "headofoffice")



@dataclass(frozen=True)
class ClusterPlan:
    slug: str
    name: str
    city: str
    region: str
    position: str  # StrengthPosition slug
    activities: int
    institution_activities: int
    institution_participations: int
    companies: int
    grant_spent_mio: str  # one decimal, as in the statistics
    external_mio: str
    new_programme: bool = True
    ceased_in: int | None = None



# name, slug, emerging, DB07 divisions that count as inside the strength position
STRENGTH_POSITIONS = [
    ("foedevarer", "Fødevarer og bioressourcer", False, ["01", "03", "10", "11"]),
    ("energi", "Energi", False, ["35", "27"]),
    ("life-science", "Life science og velfærdsteknologi", False, ["21", "32", "86"]),
    ("miljoe", "Miljø og ressourcer", False, ["36", "37", "38", "39"]),
    ("digital", "Digitale teknologier", False, ["62", "63", "26"]),
    ("produktion", "Avanceret produktion", False, ["25", "28", "29", "33"]),
    ("byggeri", "Byggeri og vand", False, ["41", "42", "43", "71"]),
    ("robotter", "Robotter og droner", False, ["30", "72"]),
    ("lys", "Lys og belysning", False, ["23", "24"]),
    ("lyd", "Lyd og akustik", False, ["90", "59"]),
    ("turisme", "Turisme og oplevelser", False, ["55", "79", "93"]),
    ("rumfart", "Rumfart og satellitdata", True, ["51", "61"]),
    ("maritim", "Maritim og logistik", False, ["50", "52", "49"]),
]



# Divisions inside no strength position: companies here are "outside" wherever they take part.
NEUTRAL_DIVISIONS = ["45", "46", "47", "56", "64", "66", "68", "69", "70", "73", "74", "77",
                     "78", "80", "81", "82", "85", "94", "95", "96"]



CLUSTERS = [
    ClusterPlan("foedevarer", "Fødevareklyngen Nordhav", "Aarhus", Region.MIDTJYLLAND, "foedevarer",
                409, 303, 768, 1831, "48.4", "119.0"),
    ClusterPlan("energi", "Energiklyngen Vindeby", "Esbjerg", Region.SYDDANMARK, "energi",
                378, 280, 709, 1690, "44.7", "110.5"),
    ClusterPlan("life-science", "Life Science-klyngen Løvstrup", "Kongens Lyngby", Region.HOVEDSTADEN,
                "life-science", 346, 256, 649, 1549, "41.0", "85.0"),
    ClusterPlan("miljoe", "Miljøklyngen Grønnæs", "Roskilde", Region.SJAELLAND, "miljoe",
                283, 210, 531, 1267, "33.5", "85.0"),
    ClusterPlan("digital", "Digitalklyngen Bitby", "Aalborg", Region.NORDJYLLAND, "digital",
                283, 210, 531, 1267, "33.5", "68.0"),
    ClusterPlan("produktion", "Produktionsklyngen Smedjeby", "Herning", Region.MIDTJYLLAND,
                "produktion", 283, 210, 531, 1267, "33.5", "59.5"),
    ClusterPlan("byggeri", "Bygge- og vandklyngen Vandkant", "Vejle", Region.SYDDANMARK, "byggeri",
                252, 186, 472, 1127, "29.8", "76.5"),
    ClusterPlan("robotter", "Robotklyngen Odinsby", "Odense", Region.SYDDANMARK, "robotter",
                220, 163, 413, 986, "26.1", "51.0"),
    ClusterPlan("lys", "Lysklyngen Solvang", "Hillerød", Region.HOVEDSTADEN, "lys",
                157, 117, 295, 704, "18.6", "42.5", new_programme=False),
    ClusterPlan("lyd", "Lydklyngen Ekkodal", "København", Region.HOVEDSTADEN, "lyd",
                126, 93, 236, 563, "14.9", "34.0"),
    ClusterPlan("turisme", "Turismeklyngen Kystlund", "Skagen", Region.NORDJYLLAND, "turisme",
                157, 116, 295, 704, "18.6", "51.0"),
    ClusterPlan("rumfart", "Rumfartsklyngen Stjernholm", "Aarhus", Region.MIDTJYLLAND, "rumfart",
                126, 93, 236, 563, "14.9", "42.5"),
    ClusterPlan("maritim", "Maritim Klynge Havnestad", "Svendborg", Region.SYDDANMARK, "maritim",
                63, 47, 118, 282, "7.5", "25.5", new_programme=False, ceased_in=2022),
]



MUNICIPALITIES = {
    Region.HOVEDSTADEN: [101, 147, 151, 157, 173, 219, 400],
    Region.SJAELLAND: [265, 306, 316, 329, 370],
    Region.SYDDANMARK: [461, 561, 621, 630, 479],
    Region.MIDTJYLLAND: [751, 657, 661, 740, 791],
    Region.NORDJYLLAND: [851, 813, 860, 849],
}



INSTITUTIONS = (
    [(InstitutionKind.UNIVERSITY, f"Universitetet i {t}") for t in
     ("Nordby", "Søndervig", "Østerå", "Vesterhavn", "Midtlund", "Kongsvang", "Bakkedal", "Fjordholm")]
    + [(InstitutionKind.GTS, f"{t} Teknologiske Institut") for t in
       ("Nordby", "Søndervig", "Østerå", "Vesterhavn", "Midtlund", "Kongsvang", "Bakkedal")]
    + [(InstitutionKind.ACADEMY, f"Erhvervsakademi {t}") for t in
       ("Nordby", "Søndervig", "Østerå", "Vesterhavn", "Midtlund", "Kongsvang", "Bakkedal",
        "Fjordholm", "Lyngås")]
    + [(InstitutionKind.UNIVERSITY_COLLEGE, f"Professionshøjskolen {t}") for t in
       ("Nordby", "Søndervig", "Østerå", "Vesterhavn", "Midtlund", "Kongsvang")]
    + [(InstitutionKind.ARTISTIC, n) for n in
       ("Designskolen Strandvig", "Musikkonservatoriet Klangby", "Arkitektskolen Tegnholm",
        "Filmskolen Lysbro", "Kunstakademiet Farvedal")]
    + [(InstitutionKind.HOSPITAL, f"Region {t} Universitetshospital") for t in
       ("Nordby", "Søndervig", "Østerå", "Midtlund")]
    + [(InstitutionKind.FOREIGN, n) for n in
       ("Universität Nordwald", "Teknisk Högskola Älvby", "Hogeschool Dijkstad",
        "Université de Montclair", "Institute of Technology Greenford", "Politecnico di Collina")]
)



INSTITUTION_KIND_WEIGHTS = {
    InstitutionKind.UNIVERSITY: 40, InstitutionKind.GTS: 25, InstitutionKind.ACADEMY: 12,
    InstitutionKind.UNIVERSITY_COLLEGE: 10, InstitutionKind.ARTISTIC: 4,
    InstitutionKind.HOSPITAL: 5, InstitutionKind.FOREIGN: 4,
}



ACTIVITY_TYPE_WEIGHTS = {
    ActivityType.KNOWLEDGE_SHARING: 38, ActivityType.MATCHMAKING: 24,
    ActivityType.INNOVATION_PROJECT: 19, ActivityType.INTERNATIONALISATION: 10,
    ActivityType.INCUBATION: 5, ActivityType.RD_APPLICATION: 4,
}



TITLE_WORDS = {
    ActivityType.KNOWLEDGE_SHARING: "Temadag om",
    ActivityType.MATCHMAKING: "Matchmaking:",
    ActivityType.INNOVATION_PROJECT: "Innovationsprojekt:",
    ActivityType.INTERNATIONALISATION: "Internationalt netværk:",
    ActivityType.INCUBATION: "Inkubationsforløb:",
    ActivityType.RD_APPLICATION: "Fælles FoU-ansøgning:",
}



TOPICS = ["grøn omstilling", "digitalisering", "automatisering", "cirkulær økonomi", "data",
          "kompetencer", "eksport", "prototyper", "test og validering", "bæredygtige materialer",
          "kunstig intelligens", "energieffektivitet", "nye forretningsmodeller", "certificering"]



COMPANY_PREFIXES = ["Nord", "Syd", "Øst", "Vest", "Fjord", "Bakke", "Skov", "Strand", "Lyng",
                    "Egedal", "Mose", "Klint", "Vig", "Holm", "Lund", "Bro", "Kilde", "Sø", "Dal", "Næs"]



COMPANY_STEMS = ["tek", "data", "food", "energi", "byg", "robotics", "lab", "design", "sound",
                 "marine", "consult", "bio", "metal", "plast", "vand", "lys", "solutions", "systems"]



COMPANY_SUFFIXES = ["ApS", "A/S", "IVS", "ApS", "A/S", "P/S"]



# Share of the external funding by source (per mille; sums to 1000).
EXTERNAL_SPLIT = [("membership", 80), ("sponsorship", 70), ("foundation", 250),
                  ("eu", 300), ("national", 300)]



def split_exact(total: int, weights: list[int]) -> list[int]:
    """Split an integer total by weights with the largest-remainder method (sums exactly)."""
    wsum = sum(weights)
    raw = [total * w for w in weights]
    parts = [r // wsum for r in raw]
    order = sorted(range(len(weights)), key=lambda i: raw[i] % wsum, reverse=True)
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts



def mio_to_kr(mio: str) -> int:
    whole, _, tenths = mio.partition(".")
    return int(whole) * 1_000_000 + int((tenths or "0")[:1]) * 100_000



def at(y: int, m: int, d: int, hh: int = 10) -> datetime:
    return datetime(y, m, d, hh, 0, tzinfo=CPH)

