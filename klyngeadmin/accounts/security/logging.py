"""Structured security logging: one JSON object per line, secrets never written.

Use `security_event("login_failed", username=..., ip=...)`; the logger is
`klyngeadmin.accounts.security` (settings.LOGGING sends it through JsonFormatter). RedactSecretsFilter
sits on every handler and scrubs passwords, API keys, tokens, session ids and CPR-like numbers
from the message, its arguments and any extra field, whoever logged them.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime

logger = logging.getLogger("klyngeadmin.accounts.security")

REDACTED = "[REDACTED]"
# Field names whose values are never logged.
SECRET_FIELDS = re.compile(
    r"(^|_)(password\d?|passwd|secret|token|apikey|api_key|authorization|cookie|cookies"
    r"|sessionid|session_key|cpr|cpr_number|plain|raw_key)$|^key$",
    re.IGNORECASE,
)
# Values that look like secrets wherever they appear in a message.
_PATTERNS = [
    # Our API keys (klyngeadmin/api/keys.py): ka_<8 hex visible prefix>_<secret>.
    (re.compile(r"\b(ka_[0-9a-f]{8})_[A-Za-z0-9_-]{16,}"), r"\1_" + REDACTED),
    # Authorization headers: Bearer/Api-Key/Token schemes.
    (re.compile(r"(?i)\b(bearer|api-key|token|basic)\s+[A-Za-z0-9._~+/=-]{8,}"), r"\1 " + REDACTED),
    # CPR number: DDMMYY-SSSS or DDMMYYSSSS (any 10 digits with a plausible date).
    (re.compile(r"\b(?:0[1-9]|[12]\d|3[01])(?:0[1-9]|1[0-2])\d{2}-?\d{4}\b"), REDACTED),
    # key=value / key: value pairs naming a secret.
    (
        re.compile(
            r"(?i)\b(password|passwd|secret|token|api[_-]?key|authorization|sessionid|session_key|csrftoken)"
            r"(\"?\s*[:=]\s*\"?)([^\s\"',;&]+)"
        ),
        r"\1\2" + REDACTED,
    ),
]
_STANDARD_ATTRS = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


def redact_text(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def redact_value(name: str, value):
    if SECRET_FIELDS.search(name or ""):
        return REDACTED
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {k: redact_value(str(k), v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact_value("", v) for v in value]
    return value


class RedactSecretsFilter(logging.Filter):
    """Rewrites the record in place so no handler can write a secret."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format string must not hide the line
            message = str(record.msg)
        record.msg = redact_text(message)
        record.args = None
        for name, value in list(vars(record).items()):
            if name not in _STANDARD_ATTRS:
                setattr(record, name, redact_value(name, value))
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "event": getattr(record, "event", None) or record.getMessage(),
        }
        for name, value in vars(record).items():
            if name not in _STANDARD_ATTRS and name != "event":
                payload[name] = redact_value(name, value)
        if record.exc_info:
            payload["exception"] = record.exc_info[0].__name__ if record.exc_info[0] else None
        return json.dumps(payload, default=str, ensure_ascii=False)


def security_event(event: str, *, level: int = logging.INFO, **fields) -> None:
    """Log one security event (fields must be JSON-serialisable; secrets are redacted)."""
    logger.log(level, event, extra={"event": event, **fields})


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None
