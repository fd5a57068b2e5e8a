"""The permission matrix: every URL pattern and API route x every role, generated from the URL
configuration. A route without an entry in RULES fails `test_every_route_has_a_rule`, so a new
view cannot be added without saying who may use it.

Roles: anonymous; a director of cluster A asking for cluster B's objects; the director of A on
A's own objects; caseworker; head of office; administrator; cluster A's API key (on B's objects
where the route takes an object, else on its own); a revoked key.

Expectations (checked for every route x role, one test per route):
  ok      - served (2xx/3xx/400/409: not a refusal, not the login page)
  denied  - 403 or 404 (another cluster's object is 404)
  login   - a redirect to the login page (browser routes, anonymous and Bearer-only callers)
  unauth  - 401 (API routes without a valid key)
  any     - depends on the object's state; only "no 5xx" is checked
Every request runs in a transaction rolled back afterwards, so POSTs change nothing for the
next role.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from clusters.models import CompanyParticipation
from grants.cases.amendments import amendment_propose
from grants.cases.models import DecisionLetter
from grants.cases.services import case_open
from grants.constants import CaseType
from grants.notifications.models import Notification
from klyngeadmin.accounts.keys import api_key_create, api_key_revoke
from klyngeadmin.kernel.roles import Role
from tests.factories import ActivityFactory, CompanyFactory, UserFactory
from tests.saml.conftest import saml_idp, saml_keys  # noqa: F401 - fixtures for the SAML routes

ANON, DIR_OTHER, DIR, CW, HOO, ADM, KEY, REVOKED = (
    "anonymous", "director_on_other_cluster", "director", "caseworker", "head_of_office",
    "administrator", "cluster_key", "revoked_key",
)
ROLES = (ANON, DIR_OTHER, DIR, CW, HOO, ADM, KEY, REVOKED)
SESSION_ROLES = (DIR_OTHER, DIR, CW, HOO, ADM)
CLUSTER = frozenset({DIR})
# The administrator is a Django superuser, but the app's pages ask the app's rules
# (klyngeadmin.permissions.has_app_perm): a cluster's pages are refused to them like to any
# authority role.
AUTHORITY = frozenset({CW, HOO, ADM})
EVERYONE = CLUSTER | AUTHORITY


@dataclass(frozen=True)
class Rule:
    ok: frozenset = frozenset()  # session roles that are served
    state: frozenset = frozenset()  # roles whose answer depends on the object's state
    obj: str | None = None  # the object the route takes (built for cluster A and B)
    method: str = "get"
    public: bool = False
    api: bool = False
    key_ok: bool | None = False  # API: a cluster key is served (own data); None: not checked
    everyone: str | None = None  # the same expectation for every role (e.g. logout -> login)
    kwargs: dict = field(default_factory=dict)  # fixed arguments (no object)
    fetch: bool = False  # called by the page's script: without a session 401, not the login page


def R(ok=frozenset(), **kw):
    return Rule(ok=frozenset(ok), **{k: frozenset(v) if k == "state" else v for k, v in kw.items()})


API = dict(api=True)
RULES: dict[str, Rule] = {
    # -- sign-in, health, language --------------------------------------------------------
    "": R(EVERYONE),
    "login/": R(public=True),
    "logout/": R(method="post", everyone="login"),  # POST only; always ends at the login page
    "2fa/setup/": R(EVERYONE),
    "2fa/verify/": R(EVERYONE),
    "healthz": R(public=True),
    # -- drafts and the session (klyngeadmin/drafts.py): each person's own, no object ----------
    "kladder/": R(EVERYONE, method="post", fetch=True),
    "kladder/kasser/": R(EVERYONE, method="post"),
    "session/forlaeng/": R(EVERYONE, method="post", fetch=True),
    # public-sector basics, linked from every page's footer (klyngeadmin/public_views.py)
    "tilgaengelighedserklaering/": R(public=True),
    "privatliv/": R(public=True),
    "kontakt/": R(public=True),
    "favicon.ico": R(public=True),
    # MitID Erhverv (SAML): checked with SAML on against the local test IdP (tests/saml).
    "saml2/login/": R(public=True),  # anonymous -> the IdP; signed in -> home
    "saml2/acs/": R(public=True, method="post"),  # an empty POST: 400, nobody signed in
    "saml2/metadata/": R(public=True),
    "saml2/dev-idp/sso/": R(everyone="denied"),  # development only (SAML_DEV_IDP)
    "i18n/setlang/": R(public=True, method="post"),
    # -- API --------------------------------------------------------------------------------
    "api/v1/schema/": R(public=True, **API),
    "api/v1/docs/": R(public=True, **API),
    "api/v1/clusters/": R(key_ok=True, **API),
    "api/v1/institutions/": R(key_ok=True, **API),
    "api/v1/activities/": R(key_ok=True, **API),
    "api/v1/activities/bulk/": R(key_ok=True, method="post", **API),
    "api/v1/activities/<str:external_id>/": R(key_ok=True, obj="activity_ext", **API),
    "api/v1/facilitated-projects/": R(key_ok=True, **API),
    "api/v1/facilitated-projects/<str:external_id>/": R(key_ok=True, obj="project_ext", **API),
    "api/v1/reports/": R(key_ok=True, **API),
    "api/v1/reports/<int:pk>/": R(key_ok=True, obj="report", **API),
    "api/v1/reports/<int:pk>/submit/": R(key_ok=True, obj="report", method="post", **API),
    "api/v1/reports/<int:pk>/costs/": R(key_ok=True, obj="report", **API),
    "api/v1/outcomes/": R(key_ok=True, method="post", **API),
    "api/v1/deadlines/": R(key_ok=True, **API),
    "api/v1/statistics/": R(**API),  # authority keys only: a cluster key gets 403
    "api/v1/cases/": R(**API),
    "api/v1/cases/<str:journal_number>/": R(obj="case", **API),
    "api/v1/evaluations/": R(key_ok=None, **API),
    "api/v1/grants/<str:reference>/targets/": R(key_ok=True, obj="grant", **API),  # B's: 404
    "api/v1/companies/<str:cvr>/": R(key_ok=True, obj="company", **API),  # B's company: 404
    "api/v1/^.*$": R(everyone="denied", **API),  # unknown API paths: a problem+json 404
    # -- company records (CVR) ----------------------------------------------------------------
    "virksomheder/opslag/": R(EVERYONE),  # without ?cvr= a 400 naming it: served, not refused
    "virksomheder/<str:cvr>/": R(AUTHORITY, obj="company"),
    "virksomheder/<str:cvr>/opdater/": R(AUTHORITY, obj="company", method="post"),
    # -- calls for applications and applications (open call) -------------------------------
    "opslag/": R(public=True),
    "opslag/nyt/": R(state=AUTHORITY),
    "opslag/<int:call_id>/": R(public=True, obj="call"),
    "opslag/<int:call_id>/offentliggoer/": R(state=AUTHORITY, method="post", obj="call"),
    "opslag/<int:call_id>/registrering/": R(everyone="any", obj="call"),
    "opslag/<int:call_id>/ansoeg/": R(state=EVERYONE, obj="call"),
    "opslag/ansoegninger/": R(state=AUTHORITY),
    "opslag/ansoegninger/<int:application_id>/": R(state=AUTHORITY, obj="application"),
    "opslag/ansoegninger/<int:application_id>/panel/": R(state=AUTHORITY, obj="application"),
    "opslag/ansoegninger/<int:application_id>/bedoemmelse/": R(state=AUTHORITY, obj="application"),
    "opslag/ansoegninger/<int:application_id>/konsensus/": R(state=AUTHORITY, obj="application"),
    "opslag/ansoegninger/<int:application_id>/indstilling/": R(state=AUTHORITY, obj="application"),
    "opslag/ansoegninger/<int:application_id>/afgoer/": R(
        state=AUTHORITY, method="post", obj="application"),
    # only the applicant answers the hearing on their application (not a role here; allowed
    # and another applicant's 404: tests/evaluations/test_application_hearing.py)
    "opslag/ansoegninger/<int:application_id>/hoeringssvar/": R(method="post", obj="application"),
    # -- cases ------------------------------------------------------------------------------
    "sager/": R({CW, HOO}),  # the administrator has no case work (404)
    "sager/<str:journal_number>/": R({CW, HOO}, obj="case"),
    "sager/<str:journal_number>/<slug:action>/": R(state=AUTHORITY, obj="case_action", method="post"),
    "sager/<str:journal_number>/klynge/": R({CW, HOO}, obj="case"),
    # the world's cases have no submitted version: 404 for the authority too; the cluster never
    "sager/<str:journal_number>/versioner/<int:number>/": R(state={CW, HOO}, obj="case_version"),
    "mine-sager/": R(CLUSTER),
    "mine-sager/<str:journal_number>/": R(CLUSTER, obj="case"),
    # an empty message: a 400 naming the field for the own cluster, 404 for everyone else
    "mine-sager/<str:journal_number>/<slug:action>/": R(CLUSTER, obj="cluster_action", method="post"),
    "mine-sager/klage/<int:letter_pk>/": R(CLUSTER, obj="letter"),
    "sagsbilag/<int:pk>/": R(state=EVERYONE, kwargs={"pk": 999_999}),
    "afgoerelsesbreve/<int:pk>/": R(state=EVERYONE, kwargs={"pk": 999_999}),
    "tilsagn/": R({DIR, CW, HOO}),  # the administrator has no case work (404)
    "tilsagn/<int:pk>/": R({DIR, CW, HOO}, obj="award"),
    # the grant page and amendment cases (issue 16 item 4): case workers only
    "bevillinger/<str:reference>/maaltal/": R({CW, HOO}, obj="grant"),
    "bevillinger/<str:reference>/aendring/": R({CW, HOO}, obj="grant"),
    "aendringer/<int:pk>/": R({CW, HOO}, obj="amendment"),
    "aendringer/<int:pk>/<slug:decision>/": R(state={CW, HOO}, obj="amendment_decide",
                                              method="post"),
    # -- statistics -------------------------------------------------------------------------
    "statistik/": R(public=True),
    "statistik/^eksport/(?P<table>[a-z]+)\\.(?P<fmt>csv|xlsx)$": R(
        public=True, kwargs={"table": "alle", "fmt": "xlsx"}),
    "statistik/sagsbehandler/": R(AUTHORITY),
    "statistik/^sagsbehandler/eksport/(?P<table>[a-z]+)\\.(?P<fmt>csv|xlsx)$": R(
        AUTHORITY, kwargs={"table": "alle", "fmt": "xlsx"}),
    "statistik/^sagsbehandler/deltagere\\.(?P<fmt>csv|xlsx)$": R(
        state=AUTHORITY, kwargs={"fmt": "csv"}),
    "statistik/klynge/": R(CLUSTER),
    "statistik/^klynge/eksport/(?P<table>[a-z]+)\\.(?P<fmt>csv|xlsx)$": R(
        CLUSTER, kwargs={"table": "alle", "fmt": "xlsx"}),
    # -- API keys in the browser ------------------------------------------------------------
    "api-noegler/": R(CLUSTER),
    "api-noegler/ny/": R(CLUSTER),  # the new key, shown once (else back to the list)
    "api-noegler/<int:pk>/tilbagekald/": R(CLUSTER, obj="api_key"),
    # -- reporting --------------------------------------------------------------------------
    "oversigt/": R(CLUSTER, state=AUTHORITY),
    "rapporter/<int:pk>/": R(EVERYONE, obj="report"),
    "rapporter/<int:pk>/indsend/": R(state=CLUSTER, obj="report"),
    "rapporter/<int:pk>/maaltal/": R(CLUSTER, obj="report", method="post"),
    "rapporter/<int:pk>/versioner/<int:number>/": R(state=EVERYONE, obj="report_version"),
    "rapporter/<int:pk>/regnskab/": R(CLUSTER, obj="report"),
    "rapporter/<int:pk>/noegletal/<slug:name>/": R(EVERYONE, obj="report_drilldown"),
    "rapporter/<int:pk>/versioner/<int:number>/noegletal/<slug:name>/": R(
        state=EVERYONE, obj="report_version_drilldown"),
    "rapporter/<int:pk>/bilag/": R(CLUSTER, obj="report", method="post"),
    "rapporter/<int:pk>/bilag/<int:attachment_pk>/": R(EVERYONE, obj="report_attachment"),
    "rapporter/<int:pk>/bilag/<int:attachment_pk>/slet/": R(
        CLUSTER, obj="report_attachment", method="post"),
    "frister/<int:pk>/forlaengelse/": R(CLUSTER, obj="deadline"),
    # -- notifications (the director's own; others' are 404) --------------------------------
    "notifikationer/": R(EVERYONE),
    "notifikationer/laest/": R(EVERYONE, method="post"),
    "notifikationer/<int:pk>/laest/": R(CLUSTER, obj="notification", method="post"),
    "notifikationer/indstillinger/": R(EVERYONE),
    # -- activities and projects (cluster people only) --------------------------------------
    "aktiviteter/": R(CLUSTER),
    "aktiviteter/ny/": R(CLUSTER),
    "aktiviteter/<int:pk>/rediger/": R(CLUSTER, obj="activity"),
    "aktiviteter/<int:pk>/slet/": R(CLUSTER, obj="activity"),
    "aktiviteter/<int:pk>/statsstoette/": R(CLUSTER, obj="activity"),
    "statsstoette/": R(CLUSTER),
    "resultater/<int:year>/": R(CLUSTER, kwargs={"year": 2026}),
    "resultater/effektmaaling/": R({CW, HOO}),  # caseworkers load and read the effect data
    "sagsbehandler/statsstoette/": R({CW, HOO}),
    # a company's survey link needs no sign-in; an unknown token is refused to everyone
    "resultater/svar/<str:token>/": R(everyone="denied", kwargs={"token": "ukendt-token"}),
    "bevillinger/<str:reference>/": R(EVERYONE, obj="grant"),
    "aktiviteter/import/": R(CLUSTER),
    "aktiviteter/import/skabelon.<str:fmt>": R(CLUSTER, kwargs={"fmt": "csv"}),
    "aktiviteter/import/<int:pk>/": R(CLUSTER, obj="import_job"),
    "aktiviteter/import/<int:pk>/status/": R(CLUSTER, obj="import_job"),
    "projekter/": R(CLUSTER),
    "projekter/ny/": R(CLUSTER),
    "projekter/<int:pk>/rediger/": R(CLUSTER, obj="project"),
    # -- midway evaluation ------------------------------------------------------------------
    "midtvejsevaluering/": R(EVERYONE),
    "midtvejsevaluering/aargang/<int:year>/": R(AUTHORITY, kwargs={"year": 2029}),
    "midtvejsevaluering/aargang/<int:year>/eksport.xlsx": R(AUTHORITY, kwargs={"year": 2029}),
    "midtvejsevaluering/rammer/": R(state=AUTHORITY),
    "midtvejsevaluering/rammer/ny/": R(state=AUTHORITY),
    "midtvejsevaluering/rammer/<int:rubric_id>/": R(state=AUTHORITY, obj="rubric"),
    "midtvejsevaluering/rammer/<int:rubric_id>/ny-version/": R(
        state=AUTHORITY, obj="rubric", method="post"),
    "midtvejsevaluering/rammer/<int:rubric_id>/aktiver/": R(
        state=AUTHORITY, obj="rubric", method="post"),
    "midtvejsevaluering/rammer/<int:rubric_id>/kriterier/ny/": R(state=AUTHORITY, obj="rubric"),
    "midtvejsevaluering/rammer/<int:rubric_id>/kriterier/<int:criterion_id>/": R(
        state=AUTHORITY, obj="criterion"),
    "midtvejsevaluering/rammer/<int:rubric_id>/kriterier/<int:criterion_id>/slet/": R(
        state=AUTHORITY, obj="criterion", method="post"),
    "midtvejsevaluering/<int:pk>/": R(EVERYONE, obj="evaluation"),
    "midtvejsevaluering/<int:pk>/aabn/": R(state=AUTHORITY, obj="evaluation", method="post"),
    "midtvejsevaluering/<int:pk>/selvevaluering/": R(state=CLUSTER, obj="evaluation"),
    "midtvejsevaluering/<int:pk>/selvevaluering/bilag/": R(
        state=CLUSTER, obj="evaluation", method="post"),
    "midtvejsevaluering/<int:pk>/bilag/<int:attachment_id>/": R(
        state=EVERYONE, obj="evaluation_attachment"),
    "midtvejsevaluering/<int:pk>/panel/": R(state=AUTHORITY, obj="evaluation"),
    "midtvejsevaluering/<int:pk>/bedoemmelse/": R(state=AUTHORITY, obj="evaluation"),
    "midtvejsevaluering/<int:pk>/bedoemmelse/<int:member_id>/": R(
        state=AUTHORITY, obj="evaluation_member"),
    "midtvejsevaluering/<int:pk>/konsensus/": R(state=AUTHORITY, obj="evaluation"),
    "midtvejsevaluering/<int:pk>/indstilling/": R(state=AUTHORITY, obj="evaluation"),
    "midtvejsevaluering/<int:pk>/godkend/": R(state=AUTHORITY, obj="evaluation", method="post"),
    "midtvejsevaluering/<int:pk>/send-tilbage/": R(state=AUTHORITY, obj="evaluation"),
    "midtvejsevaluering/<int:pk>/afgoerelse.pdf": R(state=EVERYONE, obj="evaluation"),
    # -- the benchmarks' bare view (DEBUG only) ----------------------------------------------
    "bench/bare/": R(public=True),
}
# Server errors found by this matrix in state-dependent evaluation views (reported to the
# evaluation work; each answers 500 when the evaluation is not yet in the state the view
# assumes). Allowed here so the suite stays green; remove an entry once it is fixed.
KNOWN_SERVER_ERRORS: dict[str, str] = {}  # none: a missing prerequisite answers in Danish
# The Django admin: administrators only (others are sent to the admin login); its many
# object routes are covered by the changelist and add pages, which are requested.
ADMIN_PREFIX = "admin/"


def walk(patterns=None, prefix=""):
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            yield from walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p


def all_routes():
    return [route for route, _ in walk()]


def test_every_route_has_a_rule():
    missing = [r for r in all_routes() if r not in RULES and not r.startswith(ADMIN_PREFIX)]
    assert not missing, (
        "routes without a permission rule (add them to RULES in this file):\n" + "\n".join(missing)
    )


def test_no_stale_rules():
    routes = set(all_routes())
    stale = [r for r in RULES if r not in routes and r != "bench/bare/"]
    assert not stale, stale


# -- the world: clusters A and B with their objects, one user per role ------------------------


@pytest.fixture(scope="module")
def _world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The world, built once for the module's tests (on each xdist worker that runs some of
    them) inside a transaction rolled back after the last of them: each test's own transaction
    is a savepoint inside it, and each request (request_as) one inside that, so no test sees
    another's writes. Building it for each of the ~150 tests was a fifth of the suite's
    security tests."""
    from django.test import override_settings

    from tests.conftest import FAST_PASSWORD_HASHERS

    media = tmp_path_factory.mktemp("matrix-media")  # the report attachments
    with django_db_blocker.unblock(), transaction.atomic(), \
            override_settings(MEDIA_ROOT=str(media), PASSWORD_HASHERS=FAST_PASSWORD_HASHERS):
        world = _build_world()
        yield world
        transaction.set_rollback(True)
    with django_db_blocker.unblock():  # gone again: the next module starts on an empty database
        assert not get_user_model().objects.filter(pk=world["users"][DIR].pk).exists()


@pytest.fixture
def world(_world, db):
    return _world


def _build_world():
    from evaluations.models import Criterion, MidwayEvaluation, Rubric
    from evaluations.panels.defaults import ensure_default_rubrics
    from tests.builders import running_grant
    from tests.factories import ClusterFactory

    # A transactional test's flush may have removed the migration's rubrics; grants need them.
    ensure_default_rubrics()
    cluster, other_cluster = ClusterFactory(), ClusterFactory()
    director = UserFactory(role=Role.DIRECTOR, cluster=cluster)
    other_director = UserFactory(role=Role.DIRECTOR, cluster=other_cluster)
    caseworker = UserFactory(role=Role.CASEWORKER)
    head_of_office = UserFactory(role=Role.HEAD_OF_OFFICE)
    administrator = UserFactory(administrator=True)
    grant, other_grant = running_grant(cluster, director), running_grant(other_cluster, other_director)

    def objects_of(cluster, grant, owner):
        report = grant.reports.order_by("year").first()
        activity = ActivityFactory(cluster=cluster)
        project = _project(cluster)
        evaluation = MidwayEvaluation.objects.filter(grant=grant).first()
        case = case_open(case_type=CaseType.ANNUAL_REPORT, subject="Årsrapport", cluster=cluster,
                         report=report)
        case_open(case_type=CaseType.AWARD, subject="Tilsagnsbrev", cluster=cluster, grant=grant)
        note = Notification.objects.create(recipient=owner, kind="test", subject="Test")
        key = api_key_create(name="CRM", cluster=cluster, created_by=owner)
        job = _import_job(cluster, owner)
        company = CompanyFactory()
        CompanyParticipation.objects.create(activity=activity, company=company)
        amendment = amendment_propose(grant=grant, actor=caseworker, reason="Test", changes={
            "targets": {"rows": [{"year_number": 1, "indicator": "companies", "target": 5}]}})
        return {
            "amendment": {"pk": amendment.pk},
            "amendment_decide": {"pk": amendment.pk, "decision": "godkend"},
            "company": {"cvr": company.cvr},
            "report": {"pk": report.pk},
            "report_version": {"pk": report.pk, "number": 1},
            "report_drilldown": {"pk": report.pk, "name": "aktiviteter"},
            "report_version_drilldown": {"pk": report.pk, "number": 1, "name": "aktiviteter"},
            "report_attachment": {"pk": report.pk, "attachment_pk": _attachment(report, owner).pk},
            "deadline": {"pk": report.deadline_id},
            "activity": {"pk": activity.pk},
            "activity_ext": {"external_id": activity.external_id},
            "project": {"pk": project.pk},
            "project_ext": {"external_id": project.external_id},
            "case": {"journal_number": case.journal_number},
            "award": {"pk": grant.pk},
            "grant": {"reference": grant.reference},
            "case_action": {"journal_number": case.journal_number, "action": "tildel"},
            "case_version": {"journal_number": case.journal_number, "number": 1},
            "cluster_action": {"journal_number": case.journal_number, "action": "skriv"},
            "letter": {"letter_pk": DecisionLetter.objects.create(
                case=case, cluster=cluster, kind="tranche_released", title="Afgørelse", body="b",
                file="afgoerelser/matrix.pdf", created_by=owner).pk},
            "notification": {"pk": note.pk},
            "api_key": {"pk": key.api_key.pk},
            "import_job": {"pk": job.pk},
            "evaluation": {"pk": evaluation.pk},
            "evaluation_attachment": {"pk": evaluation.pk, "attachment_id": 1},
            "evaluation_member": {"pk": evaluation.pk, "member_id": 1},
        }

    other_owner = UserFactory(role=Role.DIRECTOR, cluster=other_cluster)
    rubric = Rubric.objects.order_by("pk").first()
    criterion = Criterion.objects.filter(rubric=rubric).order_by("pk").first()
    call, application = _call_with_application(administrator)
    # Calls and applications belong to no cluster: the same objects on both sides (a director
    # is refused an application whichever cluster they are from).
    shared = {
        "rubric": {"rubric_id": rubric.pk},
        "criterion": {"rubric_id": rubric.pk, "criterion_id": criterion.pk},
        "call": {"call_id": call.pk},
        "application": {"application_id": application.pk},
    }
    own = {**objects_of(cluster, grant, director), **shared}
    other = {**objects_of(other_cluster, other_grant, other_owner), **shared}
    key = api_key_create(name="CRM A", cluster=cluster, created_by=director).plain
    revoked = api_key_create(name="old", cluster=cluster, created_by=director)
    api_key_revoke(api_key=revoked.api_key)
    users = {DIR_OTHER: director, DIR: director, CW: caseworker, HOO: head_of_office,
             ADM: administrator}
    return {"own": own, "other": other, "users": users, "key": key, "revoked": revoked.plain}


def _project(cluster):
    from clusters.models import FacilitatedProject

    return FacilitatedProject.objects.create(
        cluster=cluster, external_id=f"proj-{cluster.pk}", title="Projekt", funder="Innobooster",
        funder_kind=FacilitatedProject._meta.get_field("funder_kind").choices[0][0], year=2025,
        amount_applied_dkk=100_000,
    )


def _call_with_application(administrator):
    """A published open call and one submitted application to it (by a registered applicant)."""
    from datetime import timedelta

    from django.utils import timezone

    from evaluations.calls import services as cs
    from tests.factories import InstitutionFactory, next_cvr

    now = timezone.now()
    call = cs.call_publish(call=cs.call_create(
        title="Opslag", description="Spirende områder", budget_dkk=10_000_000,
        opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=30), actor=administrator,
    ), actor=administrator)
    applicant = cs.applicant_register(
        username="matrix-ansoeger", email="a@example.test", password="Str0ng-pass-word!",
        first_name="An", last_name="Søger", organisation_name="Ny klynge", cvr=next_cvr(),
        city="Aarhus", region="DK-82",
    )
    application = cs.application_save(
        call=call, applicant=applicant, actor=applicant.user, proposed_area="Kvanteteknologi",
        description="Kvantesensorer", budget_dkk=6_000_000, requested_annual_dkk=4_000_000,
        cofinancing_dkk=1_500_000, companies_text=f"{next_cvr()};Kvantefirma ApS",
        institution_ids=[InstitutionFactory().pk], version=None, submit=True,
    )
    return call, application


def _attachment(report, owner):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from grants.reports.services import report_attachment_add

    return report_attachment_add(report=report, actor=owner, kind="other", file=SimpleUploadedFile(
        "bilag.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"))


def _import_job(cluster, owner):
    from clusters.models import ImportJob

    return ImportJob.objects.create(cluster=cluster, created_by=owner, file_name="a.csv")


# -- the check ----------------------------------------------------------------------------------


def expected(rule: Rule, role: str) -> str:
    if rule.everyone:
        return rule.everyone
    if rule.public:
        return "any" if role in (KEY, REVOKED) and rule.api else "ok"
    if rule.api:
        if role == KEY and rule.key_ok is None:
            return "any"
        if role == KEY:  # A's key on B's object: 404; an authority-only endpoint: 403
            return "denied" if rule.obj or not rule.key_ok else "ok"
        return "unauth"
    if role in (ANON, KEY, REVOKED):
        return "unauth" if rule.fetch else "login"
    subject = DIR if role == DIR_OTHER else role
    if role == DIR_OTHER and rule.obj and rule.obj not in ("rubric", "criterion"):
        return "denied"
    if subject in rule.ok:
        return "ok"
    if subject in rule.state:
        return "any"
    return "denied"


def outcome(response) -> str:
    status = response.status_code
    location = response.get("Location", "")
    if status >= 500:
        return "error"
    if status == 401:
        return "unauth"
    if status in (403, 404):
        return "denied"
    if status in (301, 302) and "/login/" in location:
        return "login"
    return "ok"


def request_as(world, rule, route, role):
    client = Client(raise_request_exception=False)  # a crash is a 500 answer, checked below
    headers = {}
    if role in SESSION_ROLES:
        client.force_login(world["users"][role])
    elif role == KEY:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {world['key']}"
    elif role == REVOKED:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {world['revoked']}"
    objects = world["other"] if role in (DIR_OTHER, KEY) else world["own"]
    kwargs = {**rule.kwargs, **(objects[rule.obj] if rule.obj else {})}
    path = "/" + fill(route, kwargs)
    data = {} if rule.method == "get" else ({"activities": []} if rule.api else {})
    with transaction.atomic():
        if rule.method == "post" and rule.api:
            response = client.post(path, data, content_type="application/json", **headers)
        else:
            response = getattr(client, rule.method)(path, data, **headers)
        transaction.set_rollback(True)
    return path, response


def fill(route: str, kwargs: dict) -> str:
    import re

    def converter(match):
        return str(kwargs[match.group(2)])

    # regex routes first: replace named groups, drop anchors and escapes
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(kwargs[m.group(1)]), route)
    path = path.replace("^", "").replace("$", "").replace("\\.", ".")
    return re.sub(r"<(?:(\w+):)?(\w+)>", converter, path)


ROUTES = sorted(r for r in RULES if r != "bench/bare/")


@pytest.mark.parametrize("route", ROUTES)
def test_route_x_role(route, world, settings, request):
    settings.REQUIRE_2FA = False
    if route.startswith("saml2/"):
        request.getfixturevalue("saml_idp")  # SAML on, against the local test IdP
    rule = RULES[route]
    wrong = []
    for role in ROLES:
        path, response = request_as(world, rule, route, role)
        got, want = outcome(response), expected(rule, role)
        if got == "error" and route in KNOWN_SERVER_ERRORS and want in ("any", "ok"):
            continue
        if got == "error" or (want != "any" and got != want):
            wrong.append(f"{role}: {rule.method.upper()} {path} -> {response.status_code} "
                         f"{response.get('Location', '')} ({got}, expected {want})")
    assert not wrong, "\n".join(wrong)


ADMIN_PAGES = ["/admin/", "/admin/klyngeadmin/user/", "/admin/klyngeadmin/user/add/"]


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_admin_x_role(path, world):
    for role in ROLES:
        client = Client()
        if role in SESSION_ROLES:
            client.force_login(world["users"][role])
        response = client.get(path)
        if role == ADM:
            assert response.status_code == 200, (role, path)
        else:
            assert response.status_code == 302 and "/admin/login/" in response["Location"], (
                role, path, response.status_code)
