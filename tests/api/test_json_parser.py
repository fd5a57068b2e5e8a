"""The API's JSON parser's fast path (orjson) answers exactly as the standard one (issue 19)."""

import io
import json

import pytest
from rest_framework.exceptions import ParseError

from klyngeadmin.kernel.api import parsers
from klyngeadmin.kernel.api.parsers import MAX_DEPTH, SafeJSONParser
from klyngeadmin.kernel.api.problems import FieldErrors


def parse(raw: bytes, encoding="utf-8"):
    return SafeJSONParser().parse(io.BytesIO(raw), "application/json", {"encoding": encoding})


def test_a_bulk_document_parses_as_json_does_and_through_orjson(monkeypatch):
    doc = {"activities": [{"external_id": f"x-{i}", "title": "Æble \u2028 😀", "n": i, "f": 1.5,
                           "companies": [{"cvr": "12345674", "employees": 12}], "ok": True,
                           "none": None} for i in range(50)]}
    raw = json.dumps(doc, ensure_ascii=False).encode()
    calls = []
    real = parsers.orjson.loads
    monkeypatch.setattr(parsers.orjson, "loads", lambda b: calls.append(1) or real(b))
    assert parse(raw) == json.loads(raw) == doc
    assert calls == [1]


def test_long_integers_stay_integers():
    value = 123456789012345678901234567890
    assert parse(json.dumps({"amount": value}).encode()) == {"amount": value}


def test_depth_is_checked_on_the_fast_path():
    ok = b"[" * MAX_DEPTH + b"]" * MAX_DEPTH
    assert parse(ok) is not None
    with pytest.raises(ParseError, match="indlejret"):
        parse(b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1))
    with pytest.raises(ParseError, match="indlejret"):
        parse(b'{"a":' * (MAX_DEPTH + 1) + b"1" + b"}" * (MAX_DEPTH + 1))
    with pytest.raises(ParseError, match="indlejret"):  # past orjson's own limit: json's path
        parse(b"[" * 5000 + b"]" * 5000)


def test_a_lone_surrogate_still_names_its_field():
    with pytest.raises(FieldErrors) as err:
        parse(b'{"activities": [{"title": "a\\ud800b"}]}')
    assert err.value.errors[0]["field"] == "activities[0].title"


@pytest.mark.parametrize("raw", [b"[NaN]", b'{"a": 1,}', b"", b"\xff\xfe", b'{"a": Infinity}'])
def test_what_json_refuses_is_refused_as_before(raw):
    with pytest.raises(ParseError, match="JSON parse error"):
        parse(raw)


def test_a_long_integer_next_to_a_float_stays_an_integer():
    value = 123456789012345678901234567890
    assert parse(json.dumps({"amount": value, "rate": 0.25}).encode()) == {"amount": value, "rate": 0.25}


def test_the_raw_body_is_searched_for_long_integers_only_when_orjson_made_a_float(monkeypatch):
    searched = []

    class Spy:
        def search(self, raw):
            searched.append(raw)
            return None

    monkeypatch.setattr(parsers, "_LONG_INTEGER", Spy())
    assert parse(b'{"cvr": "12345678901234567890", "n": 1}') == {"cvr": "12345678901234567890", "n": 1}
    assert searched == []
    assert parse(b'{"f": 1.5}') == {"f": 1.5}
    assert len(searched) == 1
