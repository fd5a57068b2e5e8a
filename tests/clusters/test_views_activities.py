from datetime import date, timedelta

import pytest
from django.urls import reverse

from clusters.constants import ActivityType, FacilitatedProjectStatus, FunderKind, SizeClass
from clusters.models import (
    Activity,
    Company,
    CompanyParticipation,
    FacilitatedProject,
    ImportJob,
    InstitutionParticipation,
)
from tests.factories import ActivityFactory, CompanyFactory, InstitutionFactory, UserFactory

pytestmark = pytest.mark.django_db

NEW_CVR = "12345674"
BAD_CVR = "12345678"


@pytest.fixture
def activity(cluster):
    return ActivityFactory(cluster=cluster, title="Egen aktivitet", external_id="own-1")


@pytest.fixture
def other_activity(other_cluster):
    return ActivityFactory(cluster=other_cluster, title="Andens aktivitet", external_id="other-1")


def project(cluster, **over):
    base = dict(cluster=cluster, external_id="p-1", title="Projekt", funder="EUDP",
                funder_kind=FunderKind.NATIONAL_PUBLIC, year=2025, amount_applied_dkk=1_000_000)
    return FacilitatedProject.objects.create(**(base | over))


def job(cluster, user):
    return ImportJob.objects.create(cluster=cluster, created_by=user, file_name="x.csv")


def login(client, user):
    client.force_login(user)
    return client


def all_urls(activity, proj, import_job):
    return [
        reverse("clusters:activity_list"),
        reverse("clusters:activity_create"),
        reverse("clusters:activity_update", args=[activity.pk]),
        reverse("clusters:activity_delete", args=[activity.pk]),
        reverse("clusters:activity_import"),
        reverse("clusters:activity_import_template", args=["csv"]),
        reverse("clusters:import_job", args=[import_job.pk]),
        reverse("clusters:import_job_status", args=[import_job.pk]),
        reverse("clusters:project_list"),
        reverse("clusters:project_create"),
        reverse("clusters:project_update", args=[proj.pk]),
    ]


# -- access ------------------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, cluster, activity, director):
    for url in all_urls(activity, project(cluster), job(cluster, director)):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith("/login/"), url


@pytest.mark.parametrize("role_fixture", ["caseworker", "head_of_office", "administrator"])
def test_authority_users_get_403(client, request, cluster, activity, director, role_fixture):
    login(client, request.getfixturevalue(role_fixture))
    for url in all_urls(activity, project(cluster), job(cluster, director)):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("clusters:activity_create"), {}).status_code == 403


def test_director_and_staff_reach_every_page(client, cluster, activity, director, staff_member):
    urls = all_urls(activity, project(cluster), job(cluster, director))
    for user in (director, staff_member):
        login(client, user)
        for url in urls:
            assert client.get(url).status_code == 200, (user, url)


def test_other_clusters_objects_answer_404(client, other_cluster, other_activity, director,
                                           other_director):
    login(client, director)
    other_project = project(other_cluster)
    other_job = job(other_cluster, other_director)
    for url in all_urls(other_activity, other_project, other_job)[2:]:
        if url in (reverse("clusters:activity_import"), reverse("clusters:project_list"),
                   reverse("clusters:project_create"),
                   reverse("clusters:activity_import_template", args=["csv"])):
            continue
        assert client.get(url).status_code == 404, url
    # Writes are refused the same way and change nothing.
    assert client.post(reverse("clusters:activity_delete", args=[other_activity.pk]),
                       {"version": 1}).status_code == 404
    assert client.post(reverse("clusters:activity_update", args=[other_activity.pk]),
                       {"title": "Kapret"}).status_code == 404
    assert client.post(reverse("clusters:project_update", args=[other_project.pk]),
                       {"title": "Kapret"}).status_code == 404
    assert client.post(reverse("clusters:import_job", args=[other_job.pk])).status_code == 404
    other_activity.refresh_from_db()
    assert other_activity.title == "Andens aktivitet"


def test_nav_links_for_cluster_users_only(client, director, caseworker):
    page = login(client, director).get(reverse("home"), follow=True).content.decode()
    assert reverse("clusters:activity_list") in page and reverse("clusters:project_list") in page
    page = login(client, caseworker).get(reverse("home"), follow=True).content.decode()
    assert reverse("clusters:activity_list") not in page


# -- list ----------------------------------------------------------------------------------------


def test_list_shows_own_activities_with_counts(client, cluster, activity, other_activity, director):
    CompanyParticipation.objects.bulk_create(
        CompanyParticipation(activity=activity, company=CompanyFactory()) for _ in range(3))
    InstitutionParticipation.objects.create(activity=activity, institution=InstitutionFactory())
    response = login(client, director).get(reverse("clusters:activity_list"))
    rows = list(response.context["activities"])
    assert [a.title for a in rows] == ["Egen aktivitet"]
    assert (rows[0].n_companies, rows[0].n_institutions) == (3, 1)
    assert "Andens aktivitet" not in response.content.decode()


def test_list_search_and_filters(client, cluster, director):
    ActivityFactory(cluster=cluster, title="Temadag om data", external_id="crm-1",
                    start_date=date(2024, 5, 1), end_date=date(2024, 5, 1))
    ActivityFactory(cluster=cluster, title="Matchmaking", external_id="crm-2",
                    activity_type=ActivityType.MATCHMAKING, international=True)
    ActivityFactory(cluster=cluster, title="EU-netværk", external_id="eu-3", international=True,
                    eu_funded=True)
    login(client, director)
    url = reverse("clusters:activity_list")

    def titles(**params):
        return sorted(a.title for a in client.get(url, params).context["activities"])

    assert titles(q="data") == ["Temadag om data"]
    assert titles(q="crm-2") == ["Matchmaking"]
    assert titles(year="2024") == ["Temadag om data"]
    assert titles(activity_type="matchmaking") == ["Matchmaking"]
    assert titles(international="ja") == ["EU-netværk", "Matchmaking"]
    assert titles(international="nej") == ["Temadag om data"]
    assert titles(eu_funded="ja") == ["EU-netværk"]
    assert titles(year="1999") == sorted(["Temadag om data", "Matchmaking", "EU-netværk"])  # bad value ignored


def test_list_is_paginated(client, cluster, director):
    Activity.objects.bulk_create(
        ActivityFactory.build(cluster=cluster, external_id=f"b-{i}") for i in range(55))
    login(client, director)
    first = client.get(reverse("clusters:activity_list"))
    assert len(first.context["activities"]) == 50 and first.context["page"].has_next()
    second = client.get(reverse("clusters:activity_list"), {"side": 2})
    assert len(second.context["activities"]) == 5


def _fill(cluster, n):
    companies = CompanyFactory.create_batch(5)
    insts = InstitutionFactory.create_batch(2)
    acts = Activity.objects.bulk_create(
        ActivityFactory.build(cluster=cluster, external_id=f"big-{cluster.pk}-{i}",
                              start_date=date(2021 + i % 5, 1, 1) + timedelta(days=i % 300),
                              end_date=date(2021 + i % 5, 12, 31))
        for i in range(n))
    CompanyParticipation.objects.bulk_create(
        CompanyParticipation(activity=a, company=c) for a in acts for c in companies)
    InstitutionParticipation.objects.bulk_create(
        InstitutionParticipation(activity=a, institution=i) for a in acts for i in insts)


@pytest.mark.parametrize("n", [3, 400])
def test_list_uses_a_fixed_number_of_queries(client, cluster, director, n,
                                             django_assert_max_num_queries):
    _fill(cluster, n)
    login(client, director)
    with django_assert_max_num_queries(7):
        response = client.get(reverse("clusters:activity_list"), {"q": "Aktivitet"})
    assert response.status_code == 200
    assert all(a.n_companies == 5 and a.n_institutions == 2 for a in response.context["activities"])


def test_project_list_uses_a_fixed_number_of_queries(client, cluster, director,
                                                     django_assert_max_num_queries):
    companies = CompanyFactory.create_batch(3)
    for i in range(60):
        p = project(cluster, external_id=f"p-{i}")
        p.partner_companies.set(companies)
    login(client, director)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("clusters:project_list"))
    assert [p.n_companies for p in response.context["projects"]] == [3] * 50


# -- add / edit / delete ----------------------------------------------------------------------


def form_data(**over):
    data = {"title": "Temadag om robotter", "external_id": "", "activity_type": "knowledge_sharing",
            "start_date": "2025-04-01", "end_date": "2025-04-01", "companies": "", "version": ""}
    return data | over


def test_create_activity_with_new_company_and_institution(client, cluster, director):
    inst = InstitutionFactory(name="Universitetet i Nordby")
    known = CompanyFactory()
    login(client, director)
    response = client.post(reverse("clusters:activity_create"), form_data(
        companies=f"{NEW_CVR};Robotfirma ApS;45\n{known.cvr}", institutions=[str(inst.pk)],
        international="on",
    ))
    assert response.status_code == 302, response.context["form"].errors
    activity = Activity.objects.get(cluster=cluster)
    assert activity.external_id.startswith("web-") and activity.international
    assert set(activity.companies.values_list("cvr", flat=True)) == {NEW_CVR, known.cvr}
    assert list(activity.institutions.all()) == [inst]
    new = Company.objects.get(cvr=NEW_CVR)
    assert (new.name, new.employees, new.size_class) == ("Robotfirma ApS", 45, SizeClass.SMALL)


def test_create_with_bad_lines_shows_errors_per_line_and_saves_nothing(client, director):
    login(client, director)
    response = client.post(reverse("clusters:activity_create"), form_data(
        companies=f"{BAD_CVR};X;1\n23456788\n34567891;Ny;mange", end_date="2025-03-01",
    ))
    assert response.status_code == 200
    errors = response.context["form"].errors
    messages = errors["companies"]
    assert any(m.startswith("Linje 1:") and BAD_CVR in m and "kontrolcifferet" in m for m in messages)
    assert any(m.startswith("Linje 2:") and "23456788" in m and "ikke registreret" in m
               for m in messages)
    assert any(m.startswith("Linje 3:") and "mange" in m for m in messages)
    assert "end_date" in errors
    html = response.content.decode()
    assert 'aria-describedby="id_companies_helptext id_companies_error"' in html
    assert 'id="id_companies_error"' in html
    assert not Activity.objects.exists() and not Company.objects.exists()


def test_edit_activity_and_stale_version_is_refused(client, cluster, activity, director):
    login(client, director)
    url = reverse("clusters:activity_update", args=[activity.pk])
    page = client.get(url)
    assert page.context["form"].initial["version"] == 1
    ok = client.post(url, form_data(title="Nyt navn", external_id="own-1", version="1"))
    assert ok.status_code == 302
    activity.refresh_from_db()
    assert (activity.title, activity.version) == ("Nyt navn", 2)
    stale = client.post(url, form_data(title="Gammel fane", external_id="own-1", version="1"))
    assert stale.status_code == 200
    assert "En anden har gemt ændringer" in stale.content.decode()
    activity.refresh_from_db()
    assert (activity.title, activity.version) == ("Nyt navn", 2)


def test_edit_to_an_external_id_already_used_is_refused(client, cluster, activity, director):
    ActivityFactory(cluster=cluster, external_id="taken")
    login(client, director)
    response = client.post(reverse("clusters:activity_update", args=[activity.pk]),
                           form_data(external_id="taken", version="1"))
    assert response.status_code == 200 and "external_id" in response.context["form"].errors


def test_delete_activity_with_confirmation(client, activity, director):
    login(client, director)
    url = reverse("clusters:activity_delete", args=[activity.pk])
    confirm = client.get(url)
    assert "Vil du slette" in confirm.content.decode()
    assert Activity.objects.filter(pk=activity.pk).exists()
    stale = client.post(url, {"version": 9})
    assert stale.status_code == 200 and Activity.objects.filter(pk=activity.pk).exists()
    assert client.post(url, {"version": 1}).status_code == 302
    assert not Activity.objects.filter(pk=activity.pk).exists()


# -- facilitated projects --------------------------------------------------------------------


def project_data(**over):
    data = {"title": "Grøn proces", "external_id": "", "funder": "Innovationsfonden",
            "funder_kind": "national_public", "year": "2025", "status": "applied",
            "amount_applied_dkk": "1.500.000", "amount_granted_dkk": "", "cluster_share_dkk": "",
            "partner_companies": "", "version": ""}
    return data | over


def test_create_project_with_partners(client, cluster, director):
    inst = InstitutionFactory()
    login(client, director)
    response = client.post(reverse("clusters:project_create"), project_data(
        status="granted", amount_granted_dkk="1.200.000 kr.", cluster_share_dkk="120000",
        partner_companies=f"{NEW_CVR};Partner ApS;8", partner_institutions=[str(inst.pk)],
    ))
    assert response.status_code == 302, response.context["form"].errors
    p = FacilitatedProject.objects.get(cluster=cluster)
    assert (p.amount_applied_dkk, p.amount_granted_dkk, p.cluster_share_dkk) == (
        1_500_000, 1_200_000, 120_000)
    assert list(p.partner_companies.values_list("cvr", flat=True)) == [NEW_CVR]
    listing = client.get(reverse("clusters:project_list")).content.decode()
    assert "1.500.000 kr." in listing and "1.200.000 kr." in listing


@pytest.mark.parametrize("over, field, text", [
    ({"amount_granted_dkk": "100"}, "amount_granted_dkk", "Bevilget"),
    ({"status": "granted", "amount_granted_dkk": "2.000.000"}, "amount_granted_dkk", "større end"),
    ({"status": "granted", "amount_granted_dkk": "1.000", "cluster_share_dkk": "5.000"},
     "cluster_share_dkk", "Klyngens andel"),
    ({"amount_applied_dkk": "mange penge"}, "amount_applied_dkk", "hele kroner"),
    ({"partner_companies": BAD_CVR}, "partner_companies", BAD_CVR),
])
def test_project_validation_errors_next_to_the_field(client, director, over, field, text):
    login(client, director)
    response = client.post(reverse("clusters:project_create"), project_data(**over))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors and text in " ".join(errors[field]), errors
    assert not FacilitatedProject.objects.exists()


def test_edit_project_and_stale_version(client, cluster, director):
    p = project(cluster)
    login(client, director)
    url = reverse("clusters:project_update", args=[p.pk])
    assert client.get(url).context["form"].initial["amount_applied_dkk"] == 1_000_000
    assert client.post(url, project_data(external_id="p-1", version="1",
                                         status=FacilitatedProjectStatus.REJECTED)).status_code == 302
    p.refresh_from_db()
    assert (p.status, p.version) == ("rejected", 2)
    stale = client.post(url, project_data(external_id="p-1", version="1", title="Gammel"))
    assert stale.status_code == 200 and "En anden har gemt ændringer" in stale.content.decode()


def test_staff_member_can_edit_own_cluster(client, activity, staff_member):
    login(client, staff_member)
    response = client.post(reverse("clusters:activity_update", args=[activity.pk]),
                           form_data(title="Af medarbejder", external_id="own-1", version="1"))
    assert response.status_code == 302


def test_director_without_cluster_binding_is_impossible():
    # A cluster role always has a cluster (DB constraint), so request.user.cluster is safe.
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(role="director", cluster=None)


def test_list_rows_link_to_edit_and_delete(client, activity, director):
    page = login(client, director).get(reverse("clusters:activity_list")).content.decode()
    assert f'href="{reverse("clusters:activity_update", args=[activity.pk])}"' in page
    assert f'href="{reverse("clusters:activity_delete", args=[activity.pk])}"' in page
    assert "<td>Videnspredning</td>" in page and "<td>Nej</td>" in page
