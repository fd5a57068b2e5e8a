from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from clusters.models import Activity
from grants.cases import services as svc
from grants.constants import ReportStatus
from grants.reports.models import AnnualReport
from grants.reports.services import report_transition
from klyngeadmin.kernel.roles import Role
from klyngeadmin.kernel.scoping import scope_to_user
from tests.factories import ActivityFactory, UserFactory
from tests.grants.case_fixtures import media_root  # noqa: F401 (the hearing letter is stored)

pytestmark = pytest.mark.django_db


@pytest.fixture
def activities(cluster, other_cluster):
    return ActivityFactory(cluster=cluster), ActivityFactory(cluster=other_cluster)


def test_director_sees_only_their_own_cluster(director, activities):
    own, foreign = activities
    assert list(scope_to_user(Activity.objects.all(), director)) == [own]
    assert director.has_perm("clusters.view_activity", own)
    assert not director.has_perm("clusters.view_activity", foreign)
    assert director.has_perm("clusters.change_activity", own)
    assert not director.has_perm("clusters.change_activity", foreign)


def test_staff_like_director_for_own_cluster(staff_member, activities):
    own, foreign = activities
    assert staff_member.has_perm("clusters.change_activity", own)
    assert not staff_member.has_perm("clusters.view_activity", foreign)


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.HEAD_OF_OFFICE, Role.ADMIN])
def test_authority_reads_every_cluster_but_does_not_edit_their_data(role, activities):
    user = UserFactory(role=role)
    own, foreign = activities
    assert set(scope_to_user(Activity.objects.all(), user)) == {own, foreign}
    assert user.has_perm("clusters.view_activity", foreign)
    assert not user.has_perm("clusters.change_activity", foreign)


def test_anonymous_and_inactive_see_nothing(director, activities):
    assert not scope_to_user(Activity.objects.all(), AnonymousUser()).exists()
    assert not AnonymousUser().has_perm("clusters.view_activity", activities[0])
    director.is_active = False
    assert not scope_to_user(Activity.objects.all(), director).exists()
    assert not director.has_perm("clusters.view_activity", activities[0])


def test_scoping_follows_a_path_through_the_grant(director, grant, other_grant):
    visible = scope_to_user(AnnualReport.objects.all(), director, cluster_path="grant__cluster")
    assert set(visible.values_list("grant_id", flat=True)) == {grant.pk}


def test_report_editable_only_by_own_cluster_and_only_in_editable_states(
    director, other_director, caseworker, grant
):
    report = grant.reports.order_by("year").first()
    assert director.has_perm("grants.change_annualreport", report)
    assert not other_director.has_perm("grants.change_annualreport", report)
    assert not caseworker.has_perm("grants.change_annualreport", report)
    assert caseworker.has_perm("grants.view_annualreport", report)
    assert not other_director.has_perm("grants.view_annualreport", report)
    report_transition(report=report, to=ReportStatus.SUBMITTED, actor=director)
    assert not director.has_perm("grants.change_annualreport", report)
    assert director.has_perm("grants.view_annualreport", report)


def test_only_caseworkers_review_and_only_directors_request_extensions(
    director, staff_member, caseworker, head_of_office, grant
):
    report = grant.reports.first()
    assert caseworker.has_perm("grants.review_annualreport")
    assert head_of_office.has_perm("grants.review_annualreport")
    assert not director.has_perm("grants.review_annualreport")
    assert director.has_perm("grants.request_extension", report)
    assert not staff_member.has_perm("grants.request_extension", report)
    assert not caseworker.has_perm("grants.request_extension", report)


def test_the_apps_rules_decide_for_administrators_too(grant, director, administrator, caseworker):
    """The administrator is a Django superuser (the Django admin is theirs), but in the app a
    role like the others: a cluster's report is not theirs to submit or edit. Permissions the
    app has no rule for fall back to Django's."""
    from klyngeadmin.kernel.permissions import has_app_perm

    report = grant.reports.order_by("year").first()
    assert administrator.has_perm("grants.submit_annualreport", report)  # Django: superuser
    assert not has_app_perm(administrator, "grants.submit_annualreport", report)
    assert not has_app_perm(administrator, "grants.change_annualreport", report)
    assert has_app_perm(director, "grants.change_annualreport", report)
    assert has_app_perm(administrator, "grants.view_annualreport", report)  # reading is allowed
    assert has_app_perm(administrator, "auth.view_group")  # no app rule: Django decides
    assert not has_app_perm(caseworker, "auth.view_group")
    administrator.is_active = False
    assert not has_app_perm(administrator, "grants.view_annualreport", report)


@pytest.mark.parametrize("perm", ["clusters.export_state_aid", "grants.load_effect_measurements"])
def test_state_aid_export_and_effect_measurements_are_for_caseworkers(perm, director, staff_member, caseworker):
    """Issue 15: the state-aid register export and Danmarks Statistik's effect file are the
    caseworkers' (heads of office are caseworkers too); cluster people are refused."""
    assert caseworker.has_perm(perm)
    assert UserFactory(role=Role.HEAD_OF_OFFICE).has_perm(perm)
    assert not director.has_perm(perm)
    assert not staff_member.has_perm(perm)
    assert not AnonymousUser().has_perm(perm)


def test_only_the_own_clusters_director_accepts_an_award(
    director, staff_member, caseworker, head_of_office, other_director, grant
):
    assert director.has_perm("grants.accept_award", grant)
    for user in (staff_member, caseworker, head_of_office, other_director):
        assert not user.has_perm("grants.accept_award", grant), user.role


@pytest.mark.usefixtures("media_root")
def test_only_the_applicant_answers_the_hearing_on_their_application(
    director, caseworker, head_of_office, administrator
):
    """Issue 16: the applicant answers the hearing before a rejection on their application
    (evaluations.answer_application_hearing) and reads the case's letters
    (grants.view_decisionletter); another applicant, a caseworker or a director do not answer,
    and another applicant does not read the letters."""
    from evaluations.calls import services as cs
    from evaluations.panels.defaults import ensure_default_rubrics
    from grants.cases.hearing import hearing_start
    from grants.cases.models import Case
    from grants.constants import HearingSubject
    from tests.evaluations.test_open_call import apply_and_submit
    from tests.factories import next_cvr

    def register(username):
        return cs.applicant_register(
            username=username, email=f"{username}@example.test", password="Str0ng-pass-word!",
            first_name="A", last_name="B", organisation_name=username, cvr=next_cvr(),
            city="Odense", region="DK-83")

    ensure_default_rubrics()
    now = timezone.now()
    call = cs.call_publish(call=cs.call_create(
        title="Opslag", description="d", budget_dkk=1, opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=1), actor=administrator), actor=administrator)
    owner, other = register("ejer"), register("anden")
    application = apply_and_submit(call, owner)
    case = Case.objects.get(application=application)
    svc.case_take(case=case, actor=caseworker)
    case.refresh_from_db()
    svc.case_transition(case=case, to="in_progress", actor=caseworker)
    letter = hearing_start(case=case, actor=caseworker, subject_kind=HearingSubject.APPLICATION_REJECTION,
                           proposed_decision="Afslag", grounds="Svag").letter
    assert owner.user.has_perm("evaluations.answer_application_hearing", application)
    assert owner.user.has_perm("grants.view_decisionletter", letter)
    for user in (other.user, caseworker, head_of_office, director):
        assert not user.has_perm("evaluations.answer_application_hearing", application), user.role
    assert not other.user.has_perm("grants.view_decisionletter", letter)
    assert not director.has_perm("grants.view_decisionletter", letter)
    assert caseworker.has_perm("grants.view_decisionletter", letter)
