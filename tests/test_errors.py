"""One error hierarchy, mapped once for pages and once for the API (issue 13, finding 6)."""


import pytest
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from klyngeadmin.kernel import errors
from klyngeadmin.kernel.api.problems import PROBLEM_CONTENT_TYPE, problem_exception_handler
from klyngeadmin.kernel.error_middleware import DomainErrorMiddleware


def test_one_stale_version_one_four_eyes_one_actor_role():
    import clusters.services
    import evaluations.calls.services
    import evaluations.midway.services
    import evaluations.panels.rubrics
    import grants.cases.services
    import grants.reports.services
    import klyngeadmin.kernel.workflow

    assert grants.reports.services.StaleVersion is errors.StaleVersion
    assert clusters.services.StaleVersion is errors.StaleVersion
    assert evaluations.panels.rubrics.StaleVersion is errors.StaleVersion
    assert issubclass(grants.cases.services.StaleCase, errors.StaleVersion)
    assert grants.cases.services.FourEyesViolation is errors.FourEyesViolation
    assert evaluations.midway.services.FourEyesViolation is errors.FourEyesViolation
    assert klyngeadmin.kernel.workflow.TransitionNotAllowed is errors.TransitionNotAllowed
    for module in (grants.reports.services, grants.cases.services, evaluations.midway.services,
                   evaluations.calls.services):
        own = getattr(module, "actor_role", klyngeadmin.kernel.workflow.actor_role)
        assert own is klyngeadmin.kernel.workflow.actor_role, module.__name__


def test_every_refusal_is_a_validation_error_with_its_plain_message():
    for exc in (errors.StaleVersion(), errors.FourEyesViolation(), errors.ActionRefused("Nej."),
                errors.TransitionNotAllowed("case", "new", "closed", "caseworker")):
        assert isinstance(exc, ValidationError)
        assert not str(exc).startswith("[")
    assert str(errors.ActionRefused("Nej.")) == "Nej."


def _problem(exc):
    response = problem_exception_handler(exc, {})
    assert response is not None, "the API handler must map this error"
    assert response.content_type == PROBLEM_CONTENT_TYPE
    return response.status_code, response.data


def test_the_api_maps_djangos_validation_error_to_a_400_naming_the_field():
    status, body = _problem(ValidationError({"grant_spent_dkk": ["Skal være 0 eller mere."]}))
    assert status == 400
    assert body["errors"] == [{"field": "grant_spent_dkk", "detail": "Skal være 0 eller mere."}]


def test_the_api_maps_a_workflow_refusal_to_a_409_naming_the_state_field():
    from grants.constants import ReportStatus
    from grants.reports.workflows import REPORT_WORKFLOW

    with pytest.raises(errors.TransitionNotAllowed) as refused:
        REPORT_WORKFLOW.check(ReportStatus.DRAFT, ReportStatus.APPROVED, "director")
    status, body = _problem(refused.value)
    assert status == 409
    assert body["type"].endswith("transition_not_allowed")
    assert body["errors"][0]["field"] == "status"
    assert "ikke tilladt" in body["detail"]


def test_the_api_maps_stale_and_four_eyes():
    assert _problem(errors.StaleVersion())[0] == 409
    assert _problem(errors.FourEyesViolation())[0] == 403


def test_a_page_answers_an_unhandled_refusal_with_its_message_and_status(db):
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().post("/sager/2026-000001/handling/tag/")
    request.user = AnonymousUser()
    middleware = DomainErrorMiddleware(lambda r: None)
    response = middleware.process_exception(request, errors.StaleVersion())
    assert response.status_code == 409
    assert "En anden har gemt ændringer" in response.content.decode()
    response = middleware.process_exception(
        request, errors.TransitionNotAllowed("case", "new", "closed", "director"))
    assert response.status_code == 409
    api = RequestFactory().post("/api/v1/reports/1/submit/")
    assert middleware.process_exception(api, errors.StaleVersion()) is None
