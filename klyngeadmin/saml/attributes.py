"""OIOSAML 3 attribute names (NemLog-in's attribute profile for MitID Erhverv)."""

CVR = "https://data.gov.dk/model/core/eid/professional/cvr"
PROFESSIONAL_UUID = "https://data.gov.dk/model/core/eid/professional/uuid/persistent"
ORG_NAME = "https://data.gov.dk/model/core/eid/professional/orgName"
EMAIL = "https://data.gov.dk/model/core/eid/email"
FULL_NAME = "https://data.gov.dk/model/core/eid/fullName"
FIRST_NAME = "https://data.gov.dk/model/core/eid/firstName"
LAST_NAME = "https://data.gov.dk/model/core/eid/lastName"
LOA = "https://data.gov.dk/concept/core/nsis/loa"
SPEC_VERSION = "https://data.gov.dk/model/core/specVersion"

# NSIS levels of assurance, weakest first; also the AuthnContextClassRef values asked for.
LOA_LEVELS = ("Low", "Substantial", "High")
LOA_CONTEXT_PREFIX = "https://data.gov.dk/concept/core/nsis/loa/"
