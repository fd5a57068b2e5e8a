"""The API's JSON parser: malformed input is a 400 problem, never a 500 (issue 18, finding 8).

- Nesting deeper than MAX_DEPTH (50,000 nested arrays made json.loads raise RecursionError).
- A lone surrogate (e.g. "\\ud800"): valid JSON, but no UTF-8 text and so no PostgreSQL text;
  refused with the field it is in."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from klyngeadmin.kernel.api.problems import FieldErrors

MAX_DEPTH = 64


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _path(parts) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def check_parsed(data) -> None:
    """Walk the parsed document without recursion: depth and text."""
    stack = [(data, (), 1)]
    while stack:
        value, path, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ParseError(_("JSON-dokumentet er for dybt indlejret (højst %(n)s niveauer).")
                             % {"n": MAX_DEPTH})
        if isinstance(value, dict):
            for key, item in value.items():
                if _has_surrogate(key):
                    raise FieldErrors([{"field": _path(path) or "(nøgle)",
                                        "detail": str(_("Ugyldigt tegn (enlig surrogat).")),
                                        "code": "invalid_text"}])
                stack.append((item, (*path, key), depth + 1))
        elif isinstance(value, list):
            stack.extend((item, (*path, i), depth + 1) for i, item in enumerate(value))
        elif isinstance(value, str) and _has_surrogate(value):
            raise FieldErrors([{"field": _path(path) or "(body)",
                                "detail": str(_("Ugyldigt tegn (enlig surrogat).")),
                                "code": "invalid_text"}])


class SafeJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_("JSON-dokumentet er for dybt indlejret (højst %(n)s niveauer).")
                             % {"n": MAX_DEPTH}) from None
        check_parsed(data)
        return data


