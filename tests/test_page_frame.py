"""What the page frame (templates/base.html) costs a signed-in person in queries: the session,
the user with their cluster (klyngeadmin.accounts.backends), the unread-notifications badge."""

import pytest
from django.urls import reverse

FRAME_QUERIES = 3  # session, user with cluster, unread notifications


@pytest.mark.django_db
def test_a_cluster_persons_header_reads_the_cluster_with_the_user(
        client, director, django_assert_num_queries):
    client.force_login(director)
    client.get(reverse("privacy_notice"))
    with django_assert_num_queries(FRAME_QUERIES):
        html = client.get(reverse("privacy_notice")).content.decode()
    assert f'<span class="user-cluster">{director.cluster.name}</span>' in html


@pytest.mark.django_db
def test_an_authority_persons_header_costs_the_same(client, caseworker, django_assert_num_queries):
    client.force_login(caseworker)
    with django_assert_num_queries(FRAME_QUERIES):
        html = client.get(reverse("privacy_notice")).content.decode()
    assert 'class="user-cluster"' not in html


@pytest.mark.django_db
def test_the_password_sign_in_is_the_backend_that_reads_the_cluster(rf, director):
    from django.contrib.auth import authenticate

    director.set_password("en-lang-adgangskode-1")
    director.save()
    user = authenticate(rf.get("/"), username=director.username, password="en-lang-adgangskode-1")
    assert user == director
    assert user.backend == "klyngeadmin.accounts.backends.PasswordBackend"  # stored in the session
