"""One write door per rule (issue 13, finding 1): every invariant of a cluster's registered data
is tried through every door that writes it (the browser form, the CSV import and its Celery
task, the API's single PUT, its bulk POST and its DELETE) and, for the employee bound, at the
database with the services bypassed. A door that lets a rule through fails its test."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from clusters.constants import DataEventAction, ImportJobStatus
from clusters.imports.services import import_job_confirm, import_job_create
from clusters.models import Activity, ClusterDataEvent, Company, FacilitatedProject, ImportJob
from clusters.tasks import run_activity_import
from klyngeadmin.accounts.keys import api_key_create
from tests.api.conftest import ApiClient, assert_problem
from tests.factories import ActivityFactory, next_cvr

pytestmark = pytest.mark.django_db

TOO_MANY = 1_000_001
HEADER = "external_id;title;activity_type;start_date;end_date;international;eu_funded;companies;institutions"


def _csv(*lines: str) -> bytes:
    return ("\n".join([HEADER, *lines]) + "\n").encode("utf-8")


def _api_activity(external_id, **over):
    data = {"external_id": external_id, "title": f"Aktivitet {external_id}",
            "activity_type": "matchmaking", "start_date": "2025-03-01", "end_date": "2025-03-01",
            "companies": [], "institutions": []}
    return data | over


def _project_form(**over):
    data = {"title": "Grøn proces", "external_id": "", "funder": "Innovationsfonden",
            "funder_kind": "national_public", "year": "2025", "status": "applied",
            "amount_applied_dkk": "100", "amount_granted_dkk": "", "cluster_share_dkk": "",
            "partner_companies": "", "version": ""}
    return data | over


def _project_api(**over):
    data = {"title": "Grøn proces", "funder": "Innovationsfonden", "funder_kind": "national_public",
            "year": 2025, "amount_applied_dkk": 100}
    return data | over


@pytest.fixture
def api(cluster, director):
    return ApiClient(api_key_create(name="CRM", cluster=cluster, created_by=director).plain)


@pytest.fixture
def integration_api(cluster):
    """A key issued on the command line: it acts as the cluster's integration user."""
    return ApiClient(api_key_create(name="CLI", cluster=cluster).plain)


def _import(cluster, actor, data: bytes) -> ImportJob:
    job = import_job_create(cluster=cluster, actor=actor, file_name="aktiviteter.csv", data=data)
    if job.status == ImportJobStatus.VALIDATED:
        import_job_confirm(job=job)
        run_activity_import(job.pk)  # the Celery task's body, as the worker runs it
        job.refresh_from_db()
    return job


# -- facilitated projects: granted at most applied ----------------------------------------------


def test_granted_above_applied_is_refused_by_form_and_api(client, cluster, director, api):
    client.force_login(director)
    response = client.post(reverse("clusters:project_create"), _project_form(
        status="granted", amount_granted_dkk="1.000.000"))
    assert response.status_code == 200
    assert "amount_granted_dkk" in response.context["form"].errors

    r = api.put("/api/v1/facilitated-projects/p-1/", _project_api(
        status="granted", amount_granted_dkk=1_000_000))
    body = assert_problem(r, 400, field="amount_granted_dkk")
    assert any("større end det ansøgte" in e["detail"] for e in body["errors"]), body
    assert not FacilitatedProject.objects.exists()


def test_api_put_cannot_raise_granted_above_applied_on_an_existing_project(api, cluster):
    assert api.put("/api/v1/facilitated-projects/p-1/", _project_api(
        status="granted", amount_granted_dkk=100)).status_code == 201
    r = api.put("/api/v1/facilitated-projects/p-1/", _project_api(
        status="granted", amount_granted_dkk=1_000_000))
    assert_problem(r, 400, field="amount_granted_dkk")
    assert FacilitatedProject.objects.get(cluster=cluster).amount_granted_dkk == 100


def test_api_cluster_share_above_applied_is_refused(api):
    r = api.put("/api/v1/facilitated-projects/p-1/", _project_api(cluster_share_dkk=500))
    assert_problem(r, 400, field="cluster_share_dkk")


# -- companies: at most 1,000,000 employees -----------------------------------------------------


def test_employees_above_the_bound_are_refused_by_every_door(client, cluster, director, api):
    client.force_login(director)
    response = client.post(reverse("clusters:activity_create"), {
        "title": "Temadag", "external_id": "", "activity_type": "knowledge_sharing",
        "start_date": "2025-04-01", "end_date": "2025-04-01", "version": "",
        "companies": f"{next_cvr()};Kæmpe A/S;{TOO_MANY}",
    })
    assert response.status_code == 200 and "companies" in response.context["form"].errors

    job = _import(cluster, director, _csv(
        f"crm-1;Temadag;knowledge_sharing;2025-03-01;2025-03-01;nej;nej;{next_cvr()}:Kæmpe A/S:{TOO_MANY};"))
    assert job.status == ImportJobStatus.INVALID, job.errors
    assert any(e["field"] == "companies" for e in job.errors)

    giant = {"cvr": next_cvr(), "name": "Kæmpe A/S", "employees": TOO_MANY}
    r = api.put("/api/v1/activities/crm-2/", _api_activity("crm-2", companies=[giant]))
    assert_problem(r, 400, field="companies[0].employees")
    r = api.post("/api/v1/activities/bulk/", {"activities": [_api_activity("crm-3", companies=[giant])]})
    assert_problem(r, 400, field="companies[0].employees")

    assert not Activity.objects.exists() and not Company.objects.exists()


def test_employees_at_the_bound_are_accepted_by_the_api(api):
    big = {"cvr": next_cvr(), "name": "Stor A/S", "employees": 1_000_000}
    assert api.put("/api/v1/activities/crm-1/", _api_activity("crm-1", companies=[big])).status_code == 201
    assert Company.objects.get(cvr=big["cvr"]).employees == 1_000_000


def test_the_database_refuses_employees_above_the_bound_with_the_services_bypassed(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        Company.objects.create(cvr=next_cvr(), name="Kæmpe A/S", employees=TOO_MANY, size_class="large",
                               created_at=timezone.now(), updated_at=timezone.now())
    Company.objects.create(cvr=next_cvr(), name="Stor A/S", employees=1_000_000, size_class="large")


# -- every door writes its audit event, naming its actor ----------------------------------------


def _events(cluster, **filters):
    return list(ClusterDataEvent.objects.filter(cluster=cluster, **filters).order_by("id"))


def test_api_single_writes_record_the_key_issuer(api, cluster, director):
    assert api.put("/api/v1/activities/crm-1/", _api_activity("crm-1")).status_code == 201
    assert api.put("/api/v1/activities/crm-1/", _api_activity("crm-1", title="Ny titel")).status_code == 200
    assert api.put("/api/v1/activities/crm-1/", _api_activity("crm-1", title="Ny titel")).status_code == 200
    activity = Activity.objects.get(cluster=cluster, external_id="crm-1")
    events = _events(cluster, object_type="activity", external_id="crm-1")
    assert [(e.action, e.actor, e.object_id) for e in events] == [
        (DataEventAction.CREATED, director, activity.pk),
        (DataEventAction.UPDATED, director, activity.pk),
    ]  # the unchanged re-send changed nothing and records nothing

    assert api.delete("/api/v1/activities/crm-1/").status_code == 204
    deleted = _events(cluster, action=DataEventAction.DELETED)
    assert [(e.actor, e.external_id, e.object_id) for e in deleted] == [(director, "crm-1", activity.pk)]

    assert api.put("/api/v1/facilitated-projects/p-1/", _project_api()).status_code == 201
    assert api.put("/api/v1/facilitated-projects/p-1/", _project_api(title="Andet")).status_code == 200
    project = FacilitatedProject.objects.get(cluster=cluster)
    assert [(e.action, e.actor, e.object_id) for e in _events(cluster, object_type="facilitatedproject")] == [
        (DataEventAction.CREATED, director, project.pk),
        (DataEventAction.UPDATED, director, project.pk),
    ]


def test_api_bulk_records_one_event_per_changed_activity_and_one_for_the_batch(api, cluster, director):
    items = [_api_activity(f"crm-{i}") for i in range(3)]
    assert api.post("/api/v1/activities/bulk/", {"activities": items}).status_code == 200
    items[1]["title"] = "Ændret"
    assert api.post("/api/v1/activities/bulk/", {"activities": items}).status_code == 200
    rows = _events(cluster, object_type="activity", object_id__isnull=False)
    assert [(e.action, e.external_id, e.actor) for e in rows] == [
        (DataEventAction.CREATED, "crm-0", director),
        (DataEventAction.CREATED, "crm-1", director),
        (DataEventAction.CREATED, "crm-2", director),
        (DataEventAction.UPDATED, "crm-1", director),
    ]
    ids = dict(Activity.objects.filter(cluster=cluster).values_list("external_id", "id"))
    assert all(e.object_id == ids[e.external_id] for e in rows)
    batches = _events(cluster, action=DataEventAction.IMPORTED)
    assert [(b.actor, b.summary.split("oprettet")[-1]) for b in batches] == [
        (director, " 3, ændret 0, uændret 0"), (director, " 0, ændret 1, uændret 2"),
    ]


def test_a_key_without_a_person_acts_as_the_integration_user(integration_api, cluster):
    assert integration_api.put("/api/v1/activities/crm-1/", _api_activity("crm-1")).status_code == 201
    (event,) = _events(cluster, object_type="activity")
    assert event.actor.username == f"api-{cluster.slug}" and not event.actor.is_active


def test_form_and_import_task_record_their_person(client, cluster, director, staff_member):
    client.force_login(staff_member)
    response = client.post(reverse("clusters:activity_create"), {
        "title": "Temadag", "external_id": "web-1", "activity_type": "knowledge_sharing",
        "start_date": "2025-04-01", "end_date": "2025-04-01", "version": "", "companies": "",
    })
    assert response.status_code == 302
    job = _import(cluster, director, _csv(
        "crm-1;Netværk;matchmaking;2025-03-01;2025-03-01;nej;nej;;",
        "crm-2;Netværk 2;matchmaking;2025-03-01;2025-03-01;nej;nej;;"))
    assert job.status == ImportJobStatus.DONE, job.errors
    rows = _events(cluster, object_type="activity", object_id__isnull=False)
    assert [(e.action, e.external_id, e.actor) for e in rows] == [
        (DataEventAction.CREATED, "web-1", staff_member),
        (DataEventAction.CREATED, "crm-1", director),
        (DataEventAction.CREATED, "crm-2", director),
    ]
    (batch,) = _events(cluster, action=DataEventAction.IMPORTED)
    assert batch.actor == director and "aktiviteter.csv" in batch.summary


def test_api_delete_of_another_clusters_activity_is_404_and_changes_nothing(api, other_cluster):
    theirs = ActivityFactory(cluster=other_cluster, external_id="crm-1")
    assert api.delete("/api/v1/activities/crm-1/").status_code == 404
    assert Activity.objects.filter(pk=theirs.pk).exists()
    assert not ClusterDataEvent.objects.exists()


def test_the_write_services_require_an_actor(cluster):
    from clusters import services

    with pytest.raises(TypeError):
        services.activity_ingest(cluster=cluster, items=[_api_activity("crm-1")])  # no actor
    with pytest.raises(TypeError):
        services.activity_ingest(cluster=cluster, actor=None, items=[_api_activity("crm-1")])
    assert not Activity.objects.exists()

