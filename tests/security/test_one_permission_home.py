"""One permission home (issue 13, finding 4): the API's role checks, the pages, the workflow
tables and the services ask the same `rules` predicates (klyngeadmin.kernel.predicates).

The API used to count an administrator as a caseworker (klyngeadmin/api/permissions.py) while
the predicates - and so the case pages - did not: an administrator's key read every case and
its internal notes through /api/v1/cases/ while /sager/ answered them 404."""

from pathlib import Path

import pytest
import rules
from django.contrib.auth.models import AnonymousUser
from django.test import Client, RequestFactory

from grants.cases import services as svc
from grants.cases.selectors import case_actions
from grants.cases.workflows import CASE_WORKFLOW, MANUAL_TRANSITIONS
from grants.constants import CaseStatus
from klyngeadmin.accounts.api.authentication import ClusterKeyPrincipal
from klyngeadmin.accounts.keys import api_key_create
from klyngeadmin.kernel import predicates
from klyngeadmin.kernel.api import permissions as api
from klyngeadmin.kernel.errors import DomainError
from klyngeadmin.kernel.roles import Role
from tests.factories import UserFactory
from tests.grants.case_fixtures import make_report_case

pytestmark = pytest.mark.django_db

ROLES = [r.value for r in Role]


@pytest.fixture
def report_case(grant, director):
    return make_report_case(grant, director)


def _user(role, cluster):
    if role == Role.ADMIN:
        return UserFactory(administrator=True)
    if role in (Role.DIRECTOR, Role.CLUSTER_STAFF):
        return UserFactory(role=role, cluster=cluster)
    return UserFactory(role=role)


def _request(user):
    request = RequestFactory().get("/api/v1/")
    request.user = user
    return request


@pytest.mark.parametrize("role", [*ROLES, "anonymous", "cluster_key", "inactive"])
def test_the_apis_role_checks_are_the_predicates_for_every_role(role, cluster):
    if role == "anonymous":
        user = AnonymousUser()
    elif role == "cluster_key":
        user = ClusterKeyPrincipal(api_key_create(name="CRM", cluster=cluster).api_key)
    elif role == "inactive":
        user = UserFactory(role=Role.CASEWORKER, is_active=False)
    else:
        user = _user(role, cluster)
    request = _request(user)
    assert api.is_cluster_key(request) == predicates.is_cluster_user.test(user)
    assert api.is_authority_key(request) == predicates.is_authority.test(user)
    assert api.is_caseworker_key(request) == predicates.is_caseworker.test(user)
    # ... and the model's shortcuts used by templates say the same
    if hasattr(user, "role") and not isinstance(user, ClusterKeyPrincipal):
        assert user.is_cluster_user == predicates.is_cluster_user.test(user)
        assert user.is_authority == predicates.is_authority.test(user)


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.HEAD_OF_OFFICE, Role.ADMIN])
def test_the_case_api_and_the_case_pages_agree_for_every_authority_role(role, cluster, report_case):
    user = _user(role, cluster)
    key = api_key_create(name="BI", user=user)
    answer = Client().get("/api/v1/cases/", headers={"Authorization": f"Bearer {key.plain}"})
    browser = Client()
    browser.force_login(user)
    page = browser.get("/sager/")
    may = rules.has_perm("grants.view_case", user)
    assert (answer.status_code == 200) == may == (page.status_code == 200), (
        role, answer.status_code, page.status_code)
    if not may:
        assert answer.status_code == 403 and page.status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_the_statistics_api_asks_the_statistics_pages_rule(role, cluster):
    user = _user(role, cluster)
    if role == Role.APPLICANT or role in (Role.DIRECTOR, Role.CLUSTER_STAFF):
        return  # no authority key can be issued for them
    key = api_key_create(name="BI", user=user)
    answer = Client().get("/api/v1/statistics/", {"from_year": 2021, "to_year": 2023},
                          headers={"Authorization": f"Bearer {key.plain}"})
    assert (answer.status_code == 200) == rules.has_perm("clusters.view_national_statistics", user)


# -- the workflow table decides what the page offers and what the service accepts -------------


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.HEAD_OF_OFFICE, Role.ADMIN, Role.DIRECTOR])
def test_the_case_page_offers_exactly_the_steps_the_service_accepts(role, report_case, cluster):
    user = _user(role, cluster)
    handler = UserFactory(role=Role.CASEWORKER)
    svc.case_take(case=report_case, actor=handler)
    for source in (CaseStatus.ASSIGNED, CaseStatus.IN_PROGRESS, CaseStatus.AWAITING_CLUSTER,
                   CaseStatus.DECIDED):
        type(report_case).objects.filter(pk=report_case.pk).update(status=source)
        report_case.refresh_from_db()
        offered = set(case_actions(report_case, user).get("transitions", []))
        for target in {t for (s, t) in MANUAL_TRANSITIONS if s == source}:
            assert (target in offered) == (
                CASE_WORKFLOW.is_allowed(source, target, user)
                and rules.has_perm("grants.handle_case", user)
            ), (role, source, target)
            if target in offered:
                continue
            with pytest.raises(DomainError):
                svc.case_transition(case=report_case, to=target, actor=user)


def test_the_workflow_tables_guards_are_the_predicates():
    from evaluations.midway.workflows import MIDWAY_WORKFLOW
    from grants.reports.workflows import REPORT_WORKFLOW

    for workflow in (REPORT_WORKFLOW, CASE_WORKFLOW, MIDWAY_WORKFLOW):
        for step, guard in workflow.transitions.items():
            assert isinstance(guard, rules.Predicate), (workflow.name, step)


def test_the_evaluation_pages_permissions_come_from_the_workflow_table(db):
    """propose_decision is MIDWAY_WORKFLOW's consensus -> proposed guard, so a head of office
    (whom the table refuses) is not offered the proposal form."""
    from types import SimpleNamespace

    from evaluations.constants import EvaluationStatus as S
    from evaluations.midway.workflows import MIDWAY_WORKFLOW

    evaluation = SimpleNamespace(status=S.CONSENSUS, decision=None, panel=None)
    for role in ROLES:
        user = UserFactory.build(role=role)
        user.is_active = True
        assert rules.has_perm("evaluations.propose_decision", user, evaluation) == \
            MIDWAY_WORKFLOW.is_allowed(S.CONSENSUS, S.PROPOSED, user), role


def test_no_template_asks_user_role():
    root = Path(__file__).resolve().parents[2] / "templates"
    offenders = [str(p.relative_to(root)) for p in root.rglob("*.html")
                 if "user.role" in p.read_text(encoding="utf-8")]
    assert offenders == []
