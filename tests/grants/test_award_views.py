"""The award pages (/tilsagn/, /tilsagn/<pk>/) both ways: the own cluster's people see the
letter and only its director accepts; another cluster's director and anyone without a role in
casework get 404; a POST without the confirmation is a Danish error that changes nothing."""

import pytest

from evaluations.midway.schedule import grant_create
from grants.cases.award import award_letter_issue
from grants.core.models import Grant
from klyngeadmin.kernel.roles import Role
from tests.factories import ClusterFactory, UserFactory


@pytest.fixture
def letter(pending_grant, caseworker, media_root):
    return award_letter_issue(grant=pending_grant, actor=caseworker)


def _accepted(grant) -> bool:
    return Grant.objects.get(pk=grant.pk).award_accepted_at is not None


def test_director_sees_and_accepts(client, letter, pending_grant, director):
    client.force_login(director)
    listing = client.get("/tilsagn/")
    assert listing.status_code == 200 and pending_grant.reference in listing.content.decode()
    page = client.get(f"/tilsagn/{pending_grant.pk}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Accepter tilsagnet" in body and f"/afgoerelsesbreve/{letter.pk}/" in body
    refused = client.post(f"/tilsagn/{pending_grant.pk}/", {})
    assert refused.status_code == 400
    assert "Sæt flueben for at bekræfte" in refused.content.decode()
    assert not _accepted(pending_grant)
    done = client.post(f"/tilsagn/{pending_grant.pk}/", {"accept-confirm": "on"})
    assert done.status_code == 302 and _accepted(pending_grant)
    again = client.get(f"/tilsagn/{pending_grant.pk}/").content.decode()
    assert "Accepter tilsagnet</button>" not in again and "Accepteret af" in again


@pytest.mark.parametrize("role", [Role.CLUSTER_STAFF, Role.CASEWORKER, Role.HEAD_OF_OFFICE])
def test_others_who_may_see_it_cannot_accept(client, letter, pending_grant, cluster, role):
    user = UserFactory(role=role, cluster=cluster if role == Role.CLUSTER_STAFF else None)
    client.force_login(user)
    page = client.get(f"/tilsagn/{pending_grant.pk}/")
    assert page.status_code == 200 and "Accepter tilsagnet</button>" not in page.content.decode()
    assert client.post(f"/tilsagn/{pending_grant.pk}/", {"accept-confirm": "on"}).status_code == 403
    assert not _accepted(pending_grant)


def test_another_clusters_director_gets_404(client, letter, pending_grant, other_director):
    client.force_login(other_director)
    assert client.get(f"/tilsagn/{pending_grant.pk}/").status_code == 404
    assert client.post(f"/tilsagn/{pending_grant.pk}/", {"accept-confirm": "on"}).status_code == 404
    assert pending_grant.reference not in client.get("/tilsagn/").content.decode()
    assert not _accepted(pending_grant)


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.ADMIN])
def test_no_casework_role_gets_404(client, letter, pending_grant, role):
    client.force_login(UserFactory(role=role))
    assert client.get("/tilsagn/").status_code == 404
    assert client.get(f"/tilsagn/{pending_grant.pk}/").status_code == 404


def test_anonymous_is_sent_to_sign_in(client, letter, pending_grant):
    assert client.get(f"/tilsagn/{pending_grant.pk}/").status_code == 302
    assert client.post(f"/tilsagn/{pending_grant.pk}/", {"accept-confirm": "on"}).status_code == 302
    assert not _accepted(pending_grant)


def test_a_grant_without_an_award_letter_has_no_page(client, grant, director):
    client.force_login(director)
    assert client.get(f"/tilsagn/{grant.pk}/").status_code == 404


def test_the_list_query_count_does_not_grow(client, caseworker, media_root,
                                            django_assert_max_num_queries):
    for i in range(3):
        award_letter_issue(grant=grant_create(cluster=ClusterFactory(), reference=f"KP-L-{i}",
                                              start_year=2025, horizon_years=10,
                                              annual_amount_dkk=1_000_000), actor=caseworker)
    client.force_login(caseworker)
    with django_assert_max_num_queries(12) as few:
        assert client.get("/tilsagn/").status_code == 200
    for i in range(3, 6):
        award_letter_issue(grant=grant_create(cluster=ClusterFactory(), reference=f"KP-L-{i}",
                                              start_year=2025, horizon_years=10,
                                              annual_amount_dkk=1_000_000), actor=caseworker)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/tilsagn/").status_code == 200
