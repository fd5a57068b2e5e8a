from datetime import datetime
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from grants.deadlines.models import Deadline
from grants.notifications.models import NotificationPreference
from grants.notifications.reminders import reminder_tick
from tests.factories import UserFactory

CPH = ZoneInfo("Europe/Copenhagen")


def login(page, username):
    page.goto("/login/")
    page.get_by_label("Brugernavn").fill(username)
    page.get_by_label("Adgangskode").fill("test-password-123")
    page.get_by_role("button", name="Log ind").click()


def test_director_reads_a_reminder_and_sets_preferences(page, live_server, axe, cluster):
    director = UserFactory(username="direktor", role="director", cluster=cluster)
    due = datetime(2026, 3, 31, 23, 59, tzinfo=CPH)
    Deadline.objects.create(kind="annual_report", subject="Årsrapport 2025", cluster=cluster,
                            due_at=due, original_due_at=due)
    reminder_tick(now=datetime(2026, 3, 24, 9, tzinfo=CPH))

    login(page, "direktor")
    header_link = page.locator("#notifications-link")
    expect(header_link).to_contain_text("1 ulæst")
    header_link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifikationer")
    expect(page.get_by_role("link", name="Frist om 7 dage: Årsrapport 2025")).to_be_visible()
    axe(page)

    # keyboard only: focus the button and press Enter
    page.get_by_role("button", name="Markér som læst (Frist om 7 dage: Årsrapport 2025)").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#unread-summary")).to_have_text("Du har 0 ulæste notifikationer.")
    expect(page.locator("#notifications-link")).not_to_contain_text("ulæst")

    page.get_by_role("link", name="Vælg hvordan du får notifikationer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifikationsindstillinger")
    axe(page)
    deadlines = page.get_by_role("group", name="Fristpåmindelser")
    expect(deadlines.get_by_label("Fra (kun på siden)")).to_have_count(0)  # mandatory for directors
    page.get_by_role("group", name="Årsrapporter").get_by_label("Daglig samlet mail").check()
    page.get_by_role("button", name="Gem indstillinger").click()
    expect(page.get_by_text("Dine notifikationsindstillinger er gemt.")).to_be_visible()
    assert NotificationPreference.objects.get(user=director, category="reports").delivery == "digest"
