import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_login_page_renders_in_danish(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'lang="da"' in body
    assert "Brugernavn" in body and "Adgangskode" in body


def test_anonymous_is_sent_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_login_with_wrong_password_shows_error_and_does_not_sign_in(client, caseworker):
    response = client.post(reverse("login"), {"username": caseworker.username, "password": "wrong"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_admin_works_for_administrator_and_not_for_a_director(client, administrator, director):
    client.force_login(administrator)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/clusters/activity/").status_code == 200
    client.force_login(director)
    response = client.get("/admin/")
    assert response.status_code == 302 and "login" in response.url
