"""The open call for emerging areas: publish, register, apply, blind panel scoring, four-eyes
decision, and the approved application's cluster with its 10-year grant."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from clusters.models import ClusterOrganisation
from evaluations.calls import services as cs
from evaluations.midway.panel_services import ScoreInput, consensus_save, panel_join, scores_save
from evaluations.midway.services import FourEyesViolation
from evaluations.models import Applicant, Criterion, Panel
from grants.cases.hearing import hearing_answer, hearing_start
from grants.cases.models import Case
from grants.constants import ApplicationStatus, CallStatus, CaseType, HearingSubject
from grants.notifications.models import Notification
from klyngeadmin.kernel.roles import Role
from tests.factories import InstitutionFactory, next_cvr


def apply_and_submit(call, applicant, **over):
    institution = InstitutionFactory()
    data = dict(call=call, applicant=applicant, actor=applicant.user, proposed_area="Kvanteteknologi",
                description="Kvantesensorer til industrien", budget_dkk=6_000_000,
                requested_annual_dkk=4_000_000, cofinancing_dkk=1_500_000,
                companies_text=f"{next_cvr()};Kvantefirma ApS\n{next_cvr()};Sensor A/S",
                institution_ids=[institution.pk], version=None, submit=True)
    data.update(over)
    return cs.application_save(**data)


def hear_and_answer(application, caseworker, applicant, answer="Vi er uenige i vurderingen."):
    """The rejection's hearing: the caseworker sends the letter from the application's case,
    the applicant answers. Returns (hearing, answer event)."""
    case = Case.objects.get(application=application)
    hearing = hearing_start(case=case, actor=caseworker,
                            subject_kind=HearingSubject.APPLICATION_REJECTION,
                            proposed_decision="Afslag på ansøgningen.", grounds="Svag ansøgning.")
    case.refresh_from_db()
    return hearing, hearing_answer(case=case, actor=applicant.user, text=answer)


def score_panel(application, users, value=4):
    panel = Panel.objects.get(application=application)
    criteria = Criterion.objects.filter(rubric=panel.rubric)
    for user in users:
        member = panel_join(panel=panel, actor=user, no_conflict=True)
        scores_save(member=member, actor=user, submit=True,
                    scores={c.pk: ScoreInput(value=value, reason="Godt") for c in criteria})
    return panel


def test_registration_creates_applicant_user_without_cluster(applicant):
    assert applicant.user.role == Role.APPLICANT and applicant.user.cluster_id is None
    assert applicant.user.check_password("Str0ng-pass-word!")


def test_registration_refuses_bad_cvr_and_taken_username(applicant):
    with pytest.raises(ValidationError) as exc:
        cs.applicant_register(username="kvante", email="x@example.test", password="x", first_name="a",
                              last_name="b", organisation_name="X", cvr="12345678", city="Y", region="DK-81")
    assert set(exc.value.message_dict) == {"username", "cvr"}


def test_incomplete_submission_saves_nothing(call, applicant):
    with pytest.raises(ValidationError) as exc:
        apply_and_submit(call, applicant, companies_text="", institution_ids=[])
    assert {"companies", "institutions"} <= set(exc.value.message_dict)
    assert not applicant.proposals.exists()


def test_bad_company_line_names_the_line(call, applicant):
    with pytest.raises(ValidationError) as exc:
        apply_and_submit(call, applicant, companies_text="12345678;Forkert ApS")
    assert "Linje 1" in exc.value.message_dict["companies"][0]


def test_closed_call_refuses_applications(call, applicant):
    call.__class__.objects.filter(pk=call.pk).update(closes_at=timezone.now() - timedelta(minutes=1),
                                                     opens_at=timezone.now() - timedelta(days=2))
    call.refresh_from_db()
    with pytest.raises(ValidationError, match="ikke åbent"):
        apply_and_submit(call, applicant)


def test_submit_opens_panel_and_case(call, applicant):
    application = apply_and_submit(call, applicant)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SCORING and application.submitted_at
    panel = Panel.objects.get(application=application)
    assert panel.rubric.purpose == "application" and panel.rubric.locked
    assert Case.objects.filter(application=application, case_type=CaseType.APPLICATION).exists()
    with pytest.raises(ValidationError):  # no changes after submission
        apply_and_submit(call, applicant)


def test_approval_creates_cluster_and_ten_year_grant(call, applicant, caseworker, caseworker2, head_of_office):
    application = apply_and_submit(call, applicant)
    panel = score_panel(application, [caseworker, caseworker2])
    criteria = Criterion.objects.filter(rubric=panel.rubric)
    consensus_save(panel=panel, actor=caseworker, outcome="approve", text="Stærk ansøgning",
                   scores={c.pk: ScoreInput(value=4, reason="Enige") for c in criteria})
    cs.application_propose(application=application, actor=caseworker, outcome="approve", reasons="Stærk")
    with pytest.raises(FourEyesViolation):
        cs.application_decide(application=application, actor=caseworker)
    cs.application_decide(application=application, actor=head_of_office, start_year=2027)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    cluster = ClusterOrganisation.objects.get(cvr=applicant.cvr)
    assert cluster.strength_position.emerging and cluster.strength_position.name == "Kvanteteknologi"
    grant = cluster.grants.get()
    assert grant.application == application and grant.horizon_years == 10
    assert list(grant.tranches.values_list("year", flat=True)) == list(range(2027, 2037))
    assert grant.reports.count() == 10 and grant.tranches.first().amount_dkk == 4_000_000
    assert grant.midway_evaluation.year == 2031
    user = applicant.user.__class__.objects.get(pk=applicant.user_id)
    assert user.role == Role.DIRECTOR and user.cluster == cluster
    assert Notification.objects.filter(recipient=user, kind="application_decision").exists()
    case = Case.objects.get(application=application)  # followed the application
    assert (case.status, case.assignee) == ("decided", caseworker)


def test_rejection_creates_nothing(call, applicant, caseworker, caseworker2, head_of_office):
    application = apply_and_submit(call, applicant)
    panel = score_panel(application, [caseworker, caseworker2], value=1)
    criteria = Criterion.objects.filter(rubric=panel.rubric)
    consensus_save(panel=panel, actor=caseworker, outcome="reject", text="Svag",
                   scores={c.pk: ScoreInput(value=1, reason="Svag") for c in criteria})
    cs.application_propose(application=application, actor=caseworker, outcome="reject", reasons="Svag")
    hear_and_answer(application, caseworker, applicant)
    cs.application_decide(application=application, actor=head_of_office)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REJECTED
    assert not ClusterOrganisation.objects.filter(cvr=applicant.cvr).exists()
    assert Applicant.objects.get(pk=applicant.pk).user.role == Role.APPLICANT


def test_deciding_before_a_proposal_is_refused_in_danish(client, call, applicant, head_of_office):
    application = apply_and_submit(call, applicant)
    with pytest.raises(ValidationError, match="ingen indstilling"):
        cs.application_decide(application=application, actor=head_of_office)
    client.force_login(head_of_office)
    response = client.post(f"/opslag/ansoegninger/{application.pk}/afgoer/", follow=True)
    assert response.status_code == 200
    assert "Der er ingen indstilling at afgøre endnu." in response.content.decode()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SCORING


def test_propose_needs_consensus(call, applicant, caseworker):
    application = apply_and_submit(call, applicant)
    with pytest.raises(ValidationError, match="konsensus"):
        cs.application_propose(application=application, actor=caseworker, outcome="approve", reasons="x")


# -- views ----------------------------------------------------------------------------------------


def test_public_call_pages_and_draft_hidden(client, call, administrator):
    assert client.get(reverse("calls:list")).status_code == 200
    assert client.get(reverse("calls:detail", args=[call.pk])).status_code == 200
    draft = cs.call_create(title="Kladde", description="", budget_dkk=1, opens_at=timezone.now(),
                           closes_at=timezone.now() + timedelta(days=1), actor=administrator)
    assert client.get(reverse("calls:detail", args=[draft.pk])).status_code == 404
    assert client.get(reverse("calls:create")).status_code == 302  # login


def test_call_admin_only(client, caseworker, administrator):
    client.force_login(caseworker)
    assert client.get(reverse("calls:create")).status_code == 403
    client.force_login(administrator)
    assert client.get(reverse("calls:create")).status_code == 200
    now = timezone.localtime()
    response = client.post(reverse("calls:create"), {
        "title": "Nyt", "description": "d", "budget_dkk": 5, "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")})
    assert response.status_code == 200 and "efter åbningstidspunktet" in response.content.decode()


def test_registration_view_logs_in_and_apply_page(client, call):
    data = {"organisation_name": "Brintklyngen", "cvr": next_cvr(), "city": "Esbjerg", "region": "DK-83",
            "first_name": "Bo", "last_name": "Brint", "email": "bo@example.test", "username": "brint",
            "password1": "Str0ng-pass-word!", "password2": "Str0ng-pass-word!"}
    response = client.post(reverse("calls:register", args=[call.pk]), data)
    assert response.status_code == 302 and response["Location"] == reverse("calls:apply", args=[call.pk])
    assert client.get(reverse("calls:apply", args=[call.pk])).status_code == 200


def test_application_visible_to_owner_and_authority_only(client, call, applicant, caseworker, director):
    application = apply_and_submit(call, applicant)
    target = reverse("calls:application", args=[application.pk])
    client.force_login(applicant.user)
    assert client.get(target).status_code == 200
    client.force_login(caseworker)
    assert client.get(target).status_code == 200
    client.force_login(director)
    assert client.get(target).status_code == 404
    other = cs.applicant_register(username="anden", email="a@example.test", password="Str0ng-pass-word!",
                                  first_name="A", last_name="B", organisation_name="Anden", cvr=next_cvr(),
                                  city="Vejle", region="DK-83")
    client.force_login(other.user)
    assert client.get(target).status_code == 404
    assert client.get(reverse("calls:applications")).status_code == 403


def test_application_scoring_is_blind_by_url(client, call, applicant, caseworker, caseworker2):
    application = apply_and_submit(call, applicant)
    panel = Panel.objects.get(application=application)
    member = panel_join(panel=panel, actor=caseworker, no_conflict=True)
    criteria = Criterion.objects.filter(rubric=panel.rubric)
    scores_save(member=member, actor=caseworker, submit=True,
                scores={c.pk: ScoreInput(value=5, reason="HEMMELIG") for c in criteria})
    client.force_login(caseworker2)
    assert client.get(reverse("calls:application_score", args=[application.pk])).status_code == 403
    assert client.get(reverse("calls:application_consensus", args=[application.pk])).status_code == 403
    assert "HEMMELIG" not in client.get(reverse("calls:application", args=[application.pk])).content.decode()
    assert call.status == CallStatus.PUBLISHED


def test_applications_list_query_count_constant(client, call, caseworker, django_assert_max_num_queries):
    def new_application(n):
        a = cs.applicant_register(username=f"ans{n}", email=f"a{n}@example.test", password="Str0ng-pass-word!",
                                  first_name="A", last_name="B", organisation_name=f"Org {n}", cvr=next_cvr(),
                                  city="Vejle", region="DK-83")
        apply_and_submit(call, a)

    new_application(1)
    client.force_login(caseworker)
    with django_assert_max_num_queries(12) as first:
        assert client.get(reverse("calls:applications")).status_code == 200
    for n in range(2, 5):
        new_application(n)
    with django_assert_max_num_queries(len(first.captured_queries)):
        body = client.get(reverse("calls:applications")).content.decode()
    assert body.count("Org ") == 4


def test_the_applications_targets_become_the_grants_at_award(call, applicant, caseworker,
                                                              caseworker2, head_of_office):
    from grants.targets.models import GrantTarget, TargetEvent

    application = apply_and_submit(call, applicant, proposed_targets=[
        {"indicator": "companies", "target": 40}, {"indicator": "rd_applications", "target": 3}])
    panel = score_panel(application, [caseworker, caseworker2])
    criteria = Criterion.objects.filter(rubric=panel.rubric)
    consensus_save(panel=panel, actor=caseworker, outcome="approve", text="Stærk ansøgning",
                   scores={c.pk: ScoreInput(value=4, reason="Enige") for c in criteria})
    cs.application_propose(application=application, actor=caseworker, outcome="approve",
                           reasons="Stærk")
    cs.application_decide(application=application, actor=head_of_office, start_year=2027)
    grant = ClusterOrganisation.objects.get(cvr=applicant.cvr).grants.get()
    targets = GrantTarget.objects.filter(grant=grant)
    assert targets.count() == 20
    assert set(targets.filter(indicator="companies").values_list("target", flat=True)) == {40}
    assert TargetEvent.objects.filter(grant=grant, actor=head_of_office,
                                      basis="tilsagn (fra ansøgningen)").count() == 20


def test_the_apply_form_keeps_the_proposed_targets(client, call, applicant):
    client.force_login(applicant.user)
    institution = InstitutionFactory()
    r = client.post(f"/opslag/{call.pk}/ansoeg/", {
        "proposed_area": "Kvanteteknologi", "description": "d", "budget_dkk": 6_000_000,
        "requested_annual_dkk": 4_000_000, "cofinancing_dkk": 0, "companies": "",
        "institutions": [institution.pk], "target_companies": "25", "target_smes": "-1"})
    assert r.status_code == 400 and "target_smes" in r.content.decode()
    r = client.post(f"/opslag/{call.pk}/ansoeg/", {
        "proposed_area": "Kvanteteknologi", "description": "d", "budget_dkk": 6_000_000,
        "requested_annual_dkk": 4_000_000, "cofinancing_dkk": 0, "companies": "",
        "institutions": [institution.pk], "target_companies": "25"})
    assert r.status_code == 302
    page = client.get(f"/opslag/{call.pk}/ansoeg/").content.decode()
    assert 'name="target_companies" value="25"' in page
