"""The API's JSON parser: malformed input is a 400 problem, never a 500 (issue 18, finding 8).

- Nesting deeper than MAX_DEPTH (50,000 nested arrays made json.loads raise RecursionError).
- A lone surrogate (e.g. "\\ud800"): valid JSON, but no UTF-8 text and so no PostgreSQL text;
  refused with the field it is in.

Fast path (issue 19: the checks cost more than parsing a 5,000-activity bulk request): orjson
parses UTF-8 bodies; when its document holds a float and the body a run of 19 or more digits
(an integer past 64 bits, which orjson reads as a float), the standard parser reads it again.
orjson refuses lone surrogates, NaN/Infinity and nesting past 1,024 itself, so a document it
accepts needs only the depth check; anything it refuses goes the standard way (json), which
gives the same answers and messages as before."""

from __future__ import annotations

import io
import re

import orjson
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


_LONG_INTEGER = re.compile(rb"[0-9]{19,}")


def _too_deep_or_float(data) -> tuple[bool, bool]:
    """(containers nested deeper than MAX_DEPTH, a float anywhere) in one walk, level by level,
    over a document orjson made (plain dicts and lists). orjson reads an integer past 64 bits as
    a float, so a document without floats needs no search of the raw body for long integers."""
    level = [data] if type(data) in (dict, list) else []
    floats = type(data) is float
    depth = 0
    while level:
        depth += 1
        if depth > MAX_DEPTH:
            return True, floats
        inner = []
        append = inner.append
        for value in level:
            for x in (value.values() if type(value) is dict else value):
                kind = type(x)
                if kind is dict or kind is list:
                    append(x)
                elif kind is float:
                    floats = True
        level = inner
    return False, floats


class SafeJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read() if stream is not None else b""
        encoding = (parser_context or {}).get("encoding") or "utf-8"
        if encoding.lower().replace("-", "") == "utf8":
            try:
                data = orjson.loads(raw)
            except orjson.JSONDecodeError:
                pass  # the standard parser says what is wrong, as before
            else:
                too_deep, floats = _too_deep_or_float(data)
                if too_deep:
                    raise ParseError(_("JSON-dokumentet er for dybt indlejret (højst %(n)s niveauer).")
                                     % {"n": MAX_DEPTH})
                if not (floats and _LONG_INTEGER.search(raw)):
                    return data
        return self._standard_parse(io.BytesIO(raw), media_type, parser_context)

    def _standard_parse(self, stream, media_type, parser_context):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_("JSON-dokumentet er for dybt indlejret (højst %(n)s niveauer).")
                             % {"n": MAX_DEPTH}) from None
        check_parsed(data)
        return data


