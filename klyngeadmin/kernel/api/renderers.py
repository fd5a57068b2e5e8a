"""JSON with orjson, byte for byte what DRF's JSONRenderer writes (compact separators, UTF-8
unescaped, U+2028/U+2029 escaped), several times faster on long lists (issue 19).

Only the types orjson writes exactly as DRF's encoder does are left to it (str, int, bool,
None, dict, list and their subclasses); datetimes, dates, times, Decimals, lazy strings and the
rest go through DRF's own encoder (`default=`), so a value renders the same with either renderer
(tests/api/test_list_rows.py compares them)."""

import orjson
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

_default = JSONEncoder().default
_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def dumps(data) -> bytes:
    if data is None:
        return b""
    out = orjson.dumps(data, default=_default, option=_OPTIONS)
    # DRF escapes the two JavaScript line terminators (rest_framework.renderers.JSONRenderer)
    if b"\xe2\x80\xa8" in out or b"\xe2\x80\xa9" in out:
        out = out.replace(b"\xe2\x80\xa8", b"\\u2028").replace(b"\xe2\x80\xa9", b"\\u2029")
    return out


class OrjsonRenderer(JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        if renderer_context and renderer_context.get("indent") is not None:
            return super().render(data, accepted_media_type, renderer_context)
        if accepted_media_type and "indent" in accepted_media_type:
            return super().render(data, accepted_media_type, renderer_context)
        return dumps(data)
