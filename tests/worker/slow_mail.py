"""A mail backend for the worker tests: Django's file backend, but it first leaves a marker
file and waits SLOW_MAIL_SECONDS before writing the mail, so a test can kill the worker while
it is in the middle of sending. With SLOW_MAIL_ONCE=1 only the first send (the first marker)
is slow: what a redelivered task does next is sent at once. SLOW_MAIL_CLOSE_SECONDS makes the
goodbye slow instead (an SMTP server slow to answer QUIT after it has accepted the message).
"""

import os
import time
from pathlib import Path

from django.core.mail.backends.filebased import EmailBackend


class SlowFileBackend(EmailBackend):
    def send_messages(self, email_messages):
        marker = Path(self.file_path).parent / "sending"
        marker.mkdir(exist_ok=True)
        first = not any(marker.iterdir())
        (marker / f"{os.getpid()}-{time.monotonic_ns()}").write_text("sending\n")
        if first or os.environ.get("SLOW_MAIL_ONCE") != "1":
            time.sleep(float(os.environ.get("SLOW_MAIL_SECONDS", "0")))
        return super().send_messages(email_messages)

    def close(self):
        if self.stream is not None and float(os.environ.get("SLOW_MAIL_CLOSE_SECONDS", "0")):
            self.stream.flush()
            marker = Path(self.file_path).parent / "accepted"
            marker.mkdir(exist_ok=True)
            (marker / f"{os.getpid()}-{time.monotonic_ns()}").write_text("accepted\n")
            time.sleep(float(os.environ["SLOW_MAIL_CLOSE_SECONDS"]))
        return super().close()
