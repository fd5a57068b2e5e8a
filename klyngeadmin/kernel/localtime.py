"""The one Danish time zone. Deadlines, reminders and letters count Danish calendar days."""

from zoneinfo import ZoneInfo

COPENHAGEN_NAME = "Europe/Copenhagen"
COPENHAGEN = ZoneInfo(COPENHAGEN_NAME)
