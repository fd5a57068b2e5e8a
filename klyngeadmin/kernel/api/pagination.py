"""Page numbers, and keyset (cursor) pages for walking long lists (issue 19).

`?page=N` works as before. `?cursor=` (empty: from the start) switches to keyset pages: the
rows after the last one of the previous page in the view's `cursor_ordering`, found by a
WHERE on the ordering columns instead of an OFFSET that makes the database read and throw away
every earlier row. The response has the same envelope: `count` (the whole list), `next` (the
URL of the following page, with its cursor; null on the last), `previous` (always null: a
cursor walks forwards) and `results`.

A view opts in with `cursor_ordering` (the queryset's ORDER BY, ending in a unique column,
e.g. ("-start_date", "id")); its queryset may be a values() queryset."""

import base64
import binascii
import json

from django.db.models import Q
from django.utils.translation import gettext as _
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from klyngeadmin.kernel.api.problems import FieldErrors


def _encode(values: list) -> str:
    raw = json.dumps(values, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(token: str, n: int) -> list:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        values = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        values = None
    if not isinstance(values, list) or len(values) != n:
        raise FieldErrors(
            [{"field": "cursor", "detail": _("Ugyldig cursor: brug værdien fra et tidligere svars next-link.")}],
        )
    return values


def _after(ordering, values) -> Q:
    """Rows strictly after `values` in `ordering`: (a > x) or (a = x and b > y) or ..."""
    condition = Q(pk__in=[])
    equal = Q()
    for name, value in zip(ordering, values, strict=True):
        column = name.lstrip("-")
        op = "lt" if name.startswith("-") else "gt"
        condition |= equal & Q(**{f"{column}__{op}": value})
        equal &= Q(**{column: value})
    return condition


class PageOrCursorPagination(PageNumberPagination):
    cursor_query_param = "cursor"
    # English, like the rest of the schema's descriptions
    cursor_query_description = (
        "Keyset pages for long lists: send an empty cursor to start, then follow `next`. "
        "Faster than deep page numbers; `previous` is null."
    )

    def paginate_queryset(self, queryset, request, view=None):
        ordering = getattr(view, "cursor_ordering", None)
        self.cursor_mode = bool(ordering) and self.cursor_query_param in request.query_params
        if not self.cursor_mode:
            return super().paginate_queryset(queryset, request, view)
        self.request = request
        self.count = queryset.count()
        size = self.get_page_size(request)
        columns = [name.lstrip("-") for name in ordering]
        model = queryset.model
        fields = [model._meta.pk if c in ("pk", "id") else model._meta.get_field(c) for c in columns]
        token = request.query_params.get(self.cursor_query_param) or ""
        if token:
            raw = _decode(token, len(columns))
            try:
                values = [f.to_python(v) for f, v in zip(fields, raw, strict=True)]
            except Exception as exc:  # noqa: BLE001 - any unparsable value is a bad cursor
                raise FieldErrors([{"field": "cursor", "detail": _("Ugyldig cursor.")}]) from exc
            queryset = queryset.filter(_after(ordering, values))
        rows = list(queryset.order_by(*ordering)[: size + 1])
        self.has_more = len(rows) > size
        rows = rows[:size]
        self.next_cursor = None
        if self.has_more and rows:
            last = rows[-1]
            values = [last[c] if isinstance(last, dict) else getattr(last, c) for c in columns]
            self.next_cursor = _encode([v.isoformat() if hasattr(v, "isoformat") else v for v in values])
        return rows

    def get_next_link(self):
        if not getattr(self, "cursor_mode", False):
            return super().get_next_link()
        if self.next_cursor is None:
            return None
        url = remove_query_param(self.request.build_absolute_uri(), self.page_query_param)
        return replace_query_param(url, self.cursor_query_param, self.next_cursor)

    def get_previous_link(self):
        if getattr(self, "cursor_mode", False):
            return None
        return super().get_previous_link()

    def get_paginated_response(self, data):
        if not getattr(self, "cursor_mode", False):
            return super().get_paginated_response(data)
        return Response({
            "count": self.count,
            "next": self.get_next_link(),
            "previous": None,
            "results": data,
        })

    def get_schema_operation_parameters(self, view):
        params = super().get_schema_operation_parameters(view)
        if getattr(view, "cursor_ordering", None):
            params.append({
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": self.cursor_query_description,
                "schema": {"type": "string"},
            })
        return params
