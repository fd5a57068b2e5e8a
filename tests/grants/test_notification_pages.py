"""/notifikationer/ (list, unread count in the header, mark read), /notifikationer/indstillinger/
(preferences) and the administrators' list by status in the Django admin."""

import pytest
from django.urls import reverse

from grants.constants import NotificationStatus
from grants.notifications.models import Notification, NotificationPreference
from grants.notifications.services import notify

LIST = "/notifikationer/"
PREFS = "/notifikationer/indstillinger/"


def test_urls_are_as_the_issue_names_them():
    assert reverse("notification_list") == LIST
    assert reverse("notification_preferences") == PREFS


@pytest.mark.parametrize("url", [LIST, PREFS, "/notifikationer/laest/", "/notifikationer/1/laest/"])
def test_anonymous_is_sent_to_login(client, db, url):
    response = client.post(url) if "laest" in url else client.get(url)
    assert response.status_code == 302 and response.url.startswith("/login/")


def test_list_shows_own_notifications_and_unread_count_in_header(client, director, other_director):
    notify(recipient=director, kind="report_submitted", subject="Min rapport er indsendt", url="/r/1/")
    notify(recipient=director, kind="case_message", subject="Ny besked i sagen")
    notify(recipient=other_director, kind="report_submitted", subject="Den andens rapport")
    client.force_login(director)
    response = client.get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Min rapport er indsendt" in html and "Ny besked i sagen" in html
    assert "Den andens rapport" not in html
    assert 'id="notifications-link"' in html and "2 ulæste" in html
    assert 'href="/r/1/"' in html


def test_unread_count_is_in_the_header_of_every_page(client, director):
    notify(recipient=director, kind="report_submitted", subject="x")
    client.force_login(director)
    assert "1 ulæst" in client.get("/", follow=True).content.decode()


def test_list_query_count_is_constant(client, director, django_assert_max_num_queries):
    client.force_login(director)
    notify(recipient=director, kind="report_submitted", subject="en")
    with django_assert_max_num_queries(6) as few:
        client.get(LIST)
    for i in range(30):
        notify(recipient=director, kind="report_submitted", subject=f"nr. {i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(LIST).status_code == 200


def test_mark_one_read(client, director):
    n = notify(recipient=director, kind="report_submitted", subject="x")
    other = notify(recipient=director, kind="report_submitted", subject="y")
    client.force_login(director)
    response = client.post(f"/notifikationer/{n.pk}/laest/")
    assert response.status_code == 302 and response.url == LIST
    n.refresh_from_db()
    other.refresh_from_db()
    assert n.read_at is not None and other.read_at is None
    assert "1 ulæst" in client.get(LIST).content.decode()


def test_mark_read_needs_post(client, director):
    n = notify(recipient=director, kind="report_submitted", subject="x")
    client.force_login(director)
    assert client.get(f"/notifikationer/{n.pk}/laest/").status_code == 405
    n.refresh_from_db()
    assert n.read_at is None


def test_someone_elses_notification_answers_404(client, director, other_director, caseworker):
    n = notify(recipient=other_director, kind="report_submitted", subject="x")
    for user in (director, caseworker):
        client.force_login(user)
        assert client.post(f"/notifikationer/{n.pk}/laest/").status_code == 404
    n.refresh_from_db()
    assert n.read_at is None


def test_mark_all_read(client, director, other_director):
    notify(recipient=director, kind="report_submitted", subject="x")
    notify(recipient=director, kind="report_submitted", subject="y")
    theirs = notify(recipient=other_director, kind="report_submitted", subject="z")
    client.force_login(director)
    assert client.post("/notifikationer/laest/").status_code == 302
    assert not director.notifications.filter(read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_preferences_page_saves_choices(client, staff_member):
    client.force_login(staff_member)
    response = client.get(PREFS)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="deadlines" id="id_deadlines_2" value="off"' in html  # staff may switch off
    data = {"deadlines": "off", "reports": "digest", "cases": "immediate",
            "evaluations": "immediate", "other": "off"}
    response = client.post(PREFS, data)
    assert response.status_code == 302
    stored = dict(NotificationPreference.objects.filter(user=staff_member)
                  .values_list("category", "delivery"))
    assert stored["deadlines"] == "off" and stored["reports"] == "digest" and stored["other"] == "off"


def test_director_cannot_switch_off_deadline_reminders_in_the_form(client, director):
    client.force_login(director)
    html = client.get(PREFS).content.decode()
    assert 'name="deadlines" id="id_deadlines_2"' not in html  # no "off" for the director
    assert "kan ikke slås fra" in html
    data = {"deadlines": "off", "reports": "off", "cases": "immediate",
            "evaluations": "immediate", "other": "immediate"}
    response = client.post(PREFS, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Fristpåmindelser kan ikke slås fra for klyngedirektøren." in html
    assert 'aria-describedby="id_deadlines_error id_deadlines_help"' in html
    assert not NotificationPreference.objects.filter(user=director).exists()  # nothing saved


def test_preferences_bad_value_is_refused(client, staff_member):
    client.force_login(staff_member)
    response = client.post(PREFS, {"deadlines": "sometimes"})
    assert response.status_code == 400
    assert "Vælg straks, daglig samlet mail eller fra." in response.content.decode()
    assert not NotificationPreference.objects.exists()


# -- the administrators' list -----------------------------------------------------------------

def test_admin_lists_notifications_by_status_with_failed_visible(client, administrator, director):
    n = notify(recipient=director, kind="report_submitted", subject="Kunne ikke sendes")
    Notification.objects.filter(pk=n.pk).update(
        status=NotificationStatus.FAILED, attempts=5, last_error="SMTP 550 mailbox unavailable"
    )
    notify(recipient=director, kind="report_submitted", subject="Venter stadig")
    client.force_login(administrator)
    response = client.get("/admin/grants/notification/?status__exact=failed")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Kunne ikke sendes" in html and "SMTP 550 mailbox unavailable" in html
    assert "Venter stadig" not in html


def test_admin_retry_sends_a_failed_notification_again(client, administrator, director):
    n = notify(recipient=director, kind="report_submitted", subject="x")
    Notification.objects.filter(pk=n.pk).update(status=NotificationStatus.FAILED, attempts=5)
    client.force_login(administrator)
    response = client.post("/admin/grants/notification/",
                           {"action": "retry_failed", "_selected_action": [n.pk]})
    assert response.status_code == 302
    n.refresh_from_db()
    assert (n.status, n.attempts) == (NotificationStatus.PENDING, 0)


def test_admin_list_is_closed_to_cluster_people_and_caseworkers(client, director, caseworker):
    for user in (director, caseworker):
        client.force_login(user)
        response = client.get("/admin/grants/notification/")
        assert response.status_code == 302 and "/admin/login/" in response.url
