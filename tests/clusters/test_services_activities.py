from datetime import date

import pytest
from django.core.exceptions import ValidationError

from clusters.constants import (
    ActivityType,
    DataEventAction,
    FacilitatedProjectStatus,
    FunderKind,
    SizeClass,
)
from clusters.models import (
    Activity,
    ClusterDataEvent,
    Company,
    CompanyParticipation,
    FacilitatedProject,
)
from clusters.projects import facilitated_project_create, facilitated_project_update
from clusters.services import (
    ActivityRow,
    CompanyRef,
    RowsInvalid,
    StaleVersion,
    activity_bulk_upsert,
    activity_create,
    activity_delete,
    activity_rows_check,
    activity_update,
    company_get_or_create,
)
from tests.factories import ActivityFactory, CompanyFactory, InstitutionFactory

pytestmark = pytest.mark.django_db

NEW_CVR = "12345674"  # valid modulus 11, not made by the factories
BAD_CVR = "12345678"  # fails the check digit


def activity_kwargs(**over):
    base = dict(external_id="a-1", title="Temadag", activity_type=ActivityType.MATCHMAKING,
                start_date=date(2025, 3, 1), end_date=date(2025, 3, 2))
    return base | over


# -- companies -------------------------------------------------------------------------------


def test_company_get_or_create_makes_unknown_cvr_with_size_class():
    company = company_get_or_create(cvr=NEW_CVR, name="Fjordtek ApS", employees=25)
    assert (company.cvr, company.name, company.employees) == (NEW_CVR, "Fjordtek ApS", 25)
    assert company.size_class == SizeClass.SMALL


def test_company_get_or_create_returns_existing_unchanged():
    existing = CompanyFactory(name="Gammel A/S", employees=300)
    company = company_get_or_create(cvr=existing.cvr, name="Nyt navn", employees=3)
    assert company.pk == existing.pk
    assert company.name == "Gammel A/S" and company.employees == 300


def test_company_bad_check_digit_names_the_cvr():
    with pytest.raises(ValidationError) as err:
        company_get_or_create(cvr=BAD_CVR, name="X", employees=1)
    assert BAD_CVR in err.value.messages[0] and "kontrolcifferet" in err.value.messages[0]
    assert not Company.objects.filter(cvr=BAD_CVR).exists()


def test_unknown_cvr_without_name_is_refused():
    with pytest.raises(ValidationError) as err:
        company_get_or_create(cvr=NEW_CVR)
    assert NEW_CVR in err.value.messages[0]


# -- single activities -----------------------------------------------------------------------


def test_activity_create_with_participants_writes_event(cluster, director):
    inst = InstitutionFactory()
    known = CompanyFactory()
    activity = activity_create(
        cluster=cluster, actor=director, **activity_kwargs(),
        companies=[CompanyRef(known.cvr), CompanyRef(NEW_CVR, "Ny ApS", 4)],
        institution_ids=[inst.pk],
    )
    assert set(activity.companies.values_list("cvr", flat=True)) == {known.cvr, NEW_CVR}
    assert list(activity.institutions.all()) == [inst]
    assert Company.objects.get(cvr=NEW_CVR).size_class == SizeClass.MICRO
    event = ClusterDataEvent.objects.get(object_id=activity.pk)
    assert (event.action, event.actor, event.cluster) == (DataEventAction.CREATED, director, cluster)


def test_activity_create_bad_cvr_saves_nothing(cluster, director):
    with pytest.raises(ValidationError):
        activity_create(cluster=cluster, actor=director, **activity_kwargs(),
                        companies=[CompanyRef(BAD_CVR, "X", 1)])
    assert not Activity.objects.exists()
    assert not ClusterDataEvent.objects.exists()


def test_activity_create_refuses_end_before_start_and_duplicate_external_id(cluster, director):
    with pytest.raises(ValidationError) as err:
        activity_create(cluster=cluster, actor=director,
                        **activity_kwargs(end_date=date(2025, 2, 1)))
    assert "end_date" in err.value.error_dict
    ActivityFactory(cluster=cluster, external_id="a-1")
    with pytest.raises(ValidationError) as err:
        activity_create(cluster=cluster, actor=director, **activity_kwargs())
    assert "external_id" in err.value.error_dict


def test_activity_update_replaces_participants_and_bumps_version(cluster, director):
    c1, c2 = CompanyFactory(), CompanyFactory()
    activity = activity_create(cluster=cluster, actor=director, **activity_kwargs(),
                               companies=[CompanyRef(c1.cvr)])
    updated = activity_update(activity=activity, actor=director, expected_version=1,
                              **activity_kwargs(title="Ny titel", start_date=date(2026, 1, 5),
                                                end_date=date(2026, 1, 5)),
                              companies=[CompanyRef(c2.cvr)])
    assert updated.version == 2 and updated.title == "Ny titel" and updated.year == 2026
    assert list(updated.companies.all()) == [c2]


def test_activity_update_with_stale_version_changes_nothing(cluster, director):
    activity = activity_create(cluster=cluster, actor=director, **activity_kwargs())
    activity_update(activity=activity, actor=director, expected_version=1,
                    **activity_kwargs(title="Første"))
    with pytest.raises(StaleVersion):
        activity_update(activity=activity, actor=director, expected_version=1,
                        **activity_kwargs(title="Anden"))
    activity.refresh_from_db()
    assert (activity.title, activity.version) == ("Første", 2)


def test_activity_delete_checks_version(cluster, director):
    activity = activity_create(cluster=cluster, actor=director, **activity_kwargs(),
                               companies=[CompanyRef(NEW_CVR, "Ny", 3)])
    with pytest.raises(StaleVersion):
        activity_delete(activity=activity, actor=director, expected_version=7)
    activity_delete(activity=activity, actor=director, expected_version=1)
    assert not Activity.objects.exists() and not CompanyParticipation.objects.exists()
    assert ClusterDataEvent.objects.filter(action=DataEventAction.DELETED).count() == 1


# -- bulk --------------------------------------------------------------------------------------


def row(external_id="r-1", **over):
    base = dict(external_id=external_id, title="Titel", activity_type="matchmaking",
                start_date=date(2025, 1, 1), end_date=date(2025, 1, 2))
    return ActivityRow(**(base | over))


def test_rows_check_reports_every_problem(cluster):
    InstitutionFactory(code="univ-01")
    rows = [
        (2, row("a", companies=(CompanyRef(BAD_CVR),))),
        (3, row("b", institutions=("nope",))),
        (4, row("c", end_date=date(2024, 1, 1))),
        (5, row("d", activity_type="picnic")),
        (6, row("a")),
        (7, row("e", companies=(CompanyRef(NEW_CVR),))),  # unknown CVR, no name
        (8, row("f", institutions=("univ-01",))),  # fine
    ]
    errors = activity_rows_check(cluster=cluster, rows=rows)
    assert [(e.index, e.field) for e in errors] == [
        (2, "companies"), (3, "institutions"), (4, "end_date"), (5, "activity_type"),
        (6, "external_id"), (7, "companies"),
    ]
    assert BAD_CVR in errors[0].message and "nope" in errors[1].message
    assert "række 2" in errors[4].message


def test_bulk_upsert_creates_updates_and_leaves_unchanged(cluster, director):
    inst = InstitutionFactory()
    rows = [row("x-1", companies=(CompanyRef(NEW_CVR, "Ny ApS", 60),), institutions=(inst.code,)),
            row("x-2")]
    done = []
    result = activity_bulk_upsert(cluster=cluster, actor=director, rows=rows, progress=done.append,
                                  chunk_size=1)
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    assert done == [1, 2]
    assert Company.objects.get(cvr=NEW_CVR).size_class == SizeClass.MEDIUM
    again = activity_bulk_upsert(cluster=cluster, actor=director,
                                 rows=[rows[0], row("x-2", title="Ændret")])
    assert (again.created, again.updated, again.unchanged) == (0, 1, 1)
    changed = Activity.objects.get(external_id="x-2")
    assert changed.title == "Ændret" and changed.version == 2
    assert Activity.objects.get(external_id="x-1").version == 1
    assert ClusterDataEvent.objects.filter(action=DataEventAction.IMPORTED).count() == 2


def test_bulk_upsert_with_one_bad_row_writes_nothing(cluster, director):
    with pytest.raises(RowsInvalid) as err:
        activity_bulk_upsert(cluster=cluster, actor=director,
                             rows=[row("ok", companies=(CompanyRef(NEW_CVR, "Ny", 2),)),
                                   row("bad", activity_type="x")])
    assert [e.index for e in err.value.errors] == [2]
    assert not Activity.objects.exists() and not Company.objects.filter(cvr=NEW_CVR).exists()


def test_bulk_upsert_is_scoped_to_the_cluster(cluster, other_cluster, director):
    ActivityFactory(cluster=other_cluster, external_id="same", title="Den andens")
    result = activity_bulk_upsert(cluster=cluster, actor=director, rows=[row("same")])
    assert result.created == 1
    assert Activity.objects.get(cluster=other_cluster).title == "Den andens"


# -- facilitated projects --------------------------------------------------------------------


def project_kwargs(**over):
    base = dict(external_id="p-1", title="Projekt", funder="Innovationsfonden",
                funder_kind=FunderKind.NATIONAL_PUBLIC, year=2025, amount_applied_dkk=1_000_000,
                amount_granted_dkk=0, cluster_share_dkk=0, status=FacilitatedProjectStatus.APPLIED)
    return base | over


@pytest.mark.parametrize("over, field", [
    ({"amount_granted_dkk": 5}, "amount_granted_dkk"),  # granted amount while only applied
    ({"status": "granted", "amount_granted_dkk": 2_000_000}, "amount_granted_dkk"),  # > applied
    ({"status": "granted", "amount_granted_dkk": 0}, "amount_granted_dkk"),  # granted, no amount
    ({"status": "granted", "amount_granted_dkk": 500_000, "cluster_share_dkk": 600_000},
     "cluster_share_dkk"),
    ({"cluster_share_dkk": 1_000_001}, "cluster_share_dkk"),
    ({"amount_applied_dkk": -1}, "amount_applied_dkk"),
])
def test_project_rules(cluster, director, over, field):
    with pytest.raises(ValidationError) as err:
        facilitated_project_create(cluster=cluster, actor=director, **project_kwargs(**over))
    assert field in err.value.error_dict
    assert not FacilitatedProject.objects.exists()


def test_project_create_and_update_with_partners(cluster, director):
    inst = InstitutionFactory()
    project = facilitated_project_create(
        cluster=cluster, actor=director, **project_kwargs(),
        partner_companies=[CompanyRef(NEW_CVR, "Partner ApS", 12)], partner_institution_ids=[inst.pk],
    )
    assert list(project.partner_companies.values_list("cvr", flat=True)) == [NEW_CVR]
    updated = facilitated_project_update(
        project=project, actor=director, expected_version=1,
        **project_kwargs(status="granted", amount_granted_dkk=800_000, cluster_share_dkk=80_000),
    )
    assert updated.version == 2 and updated.amount_granted_dkk == 800_000
    assert not updated.partner_companies.exists()
    with pytest.raises(StaleVersion):
        facilitated_project_update(project=project, actor=director, expected_version=1,
                                   **project_kwargs())
    assert ClusterDataEvent.objects.filter(object_type="facilitatedproject").count() == 2
