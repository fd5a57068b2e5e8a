"""A mail backend for tests: a mail server that refuses every message (not one of our
components, so this is a stand-in for the outside world, not a mock of the code under test)."""

from django.core.mail.backends.base import BaseEmailBackend


class RefusingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise ConnectionRefusedError("the mail server refused the connection")
