"""The two ways a MeMo message leaves: the real Digital Post sender (HTTPS with the
authority's client certificate, configured by environment) and the offline one (the default
for `make run` and the tests) that keeps each message under var/digitalpost/.

Both take the same validated XML; both answer a receipt string or raise DeliveryFailed with
a reason. Sending the same messageUUID twice is harmless: the offline sender keeps one file
per UUID, and Digital Post answers 409 for a UUID it already holds, which counts as
delivered."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import requests
from django.conf import settings

from klyngeadmin.kernel.digitalpost.memo import parse_memo, validate_memo


class DeliveryFailed(Exception):
    """Digital Post did not take the message; `reason` says why (shown on the letter)."""


class DigitalPostSender(Protocol):
    def send(self, *, message_uuid: str, xml: bytes) -> str: ...


@dataclass
class OfflineSender:
    """Writes `<messageUUID>.xml` under `directory` (atomically: a half-written file is never
    seen) and answers `offline:<uuid>` as the receipt."""

    directory: Path

    def send(self, *, message_uuid: str, xml: bytes) -> str:
        validate_memo(xml)
        if parse_memo(xml).message_uuid != message_uuid:
            raise DeliveryFailed("messageUUID does not match the message")
        self.directory.mkdir(parents=True, exist_ok=True)
        target = self.directory / f"{message_uuid}.xml"
        tmp = target.with_suffix(".tmp")
        tmp.write_bytes(xml)
        tmp.replace(target)
        return f"offline:{message_uuid}"


@dataclass
class HttpSender:
    """POST {endpoint}/{messageUUID} with the MeMo XML (Content-Type application/xml), the
    authority's client certificate (mutual TLS) and the sender system's id in
    `X-Sender-System-Id`. 2xx is a receipt (the answer's `X-Receipt-Id`, or the UUID); 409
    means Digital Post already has this UUID, so it was delivered before; anything else,
    a timeout or a refused connection raises DeliveryFailed."""

    endpoint: str
    sender_system_id: str
    cert_file: str = ""
    key_file: str = ""
    ca_file: str = ""
    timeout: float = 10.0

    def send(self, *, message_uuid: str, xml: bytes) -> str:
        validate_memo(xml)
        cert = (self.cert_file, self.key_file) if self.cert_file and self.key_file else (
            self.cert_file or None)
        try:
            answer = requests.post(
                f"{self.endpoint.rstrip('/')}/{message_uuid}", data=xml, timeout=self.timeout,
                cert=cert, verify=self.ca_file or True,
                headers={"Content-Type": "application/xml; charset=utf-8",
                         "X-Sender-System-Id": self.sender_system_id},
            )
        except requests.RequestException as exc:
            raise DeliveryFailed(f"{type(exc).__name__}: {exc}") from exc
        if answer.status_code == 409:
            return answer.headers.get("X-Receipt-Id") or f"duplicate:{message_uuid}"
        if not 200 <= answer.status_code < 300:
            raise DeliveryFailed(f"HTTP {answer.status_code}: {answer.text[:300]}")
        return answer.headers.get("X-Receipt-Id") or message_uuid


def get_sender() -> DigitalPostSender:
    """The sender the settings choose: the real one when DIGITAL_POST_ENDPOINT is set."""
    if settings.DIGITAL_POST_ENDPOINT:
        return HttpSender(
            endpoint=settings.DIGITAL_POST_ENDPOINT,
            sender_system_id=settings.DIGITAL_POST_SENDER_SYSTEM_ID,
            cert_file=settings.DIGITAL_POST_CLIENT_CERT, key_file=settings.DIGITAL_POST_CLIENT_KEY,
            ca_file=settings.DIGITAL_POST_CA_BUNDLE, timeout=settings.DIGITAL_POST_TIMEOUT,
        )
    return OfflineSender(Path(settings.DIGITAL_POST_OFFLINE_DIR))
