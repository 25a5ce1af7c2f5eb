"""Zendesk's two pagination styles.

Cursor pagination (``page[size]``, ``page[after]``, ``page[before]``) answers
``{"<items>": [...], "meta": {"has_more", "after_cursor", "before_cursor"},
"links": {"next", "prev"}}``; offset pagination (``page``, ``per_page``) answers
``next_page``, ``previous_page`` and ``count``. Pages hold at most 100 records, and at most
the sandbox's ``page_size_cap`` (lower it to exercise pagination with few records).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

from sla_bridge.sandbox import decode_cursor, encode_cursor

from ._errors import bad_request

MAX_PAGE = 100
_CURSOR_PARAMS = ("page[size]", "page[after]", "page[before]")


def _offset(cursor: str) -> int:
    try:
        return decode_cursor(cursor)
    except ValueError:
        raise bad_request("page[after] or page[before] is not a cursor this API gave") \
            from None


def _size(value: str | None, cap: int, default: int = MAX_PAGE) -> int:
    try:
        wanted = int(value) if value is not None else default
    except ValueError:
        raise bad_request("the page size must be a number") from None
    return max(1, min(wanted, MAX_PAGE, cap))


def paginate(items: Sequence[Any], key: str, query: Mapping[str, str], url: str,
             cap: int) -> dict[str, Any]:
    """One page of ``items`` under ``key``, in the style the query asks for."""
    rest = {k: v for k, v in query.items() if k not in (*_CURSOR_PARAMS, "page", "per_page")}
    if any(k in query for k in _CURSOR_PARAMS):
        return _cursor_page(items, key, query, url, cap, rest)
    per_page = _size(query.get("per_page"), cap)
    try:
        number = max(1, int(query.get("page", "1")))
    except ValueError:
        raise bad_request("page must be a number") from None
    start = (number - 1) * per_page
    page = list(items[start:start + per_page])

    def offset_link(target: int) -> str:
        return f"{url}?{urlencode({**rest, 'page': target, 'per_page': per_page})}"

    return {key: page,
            "next_page": offset_link(number + 1) if start + per_page < len(items) else None,
            "previous_page": offset_link(number - 1) if number > 1 else None,
            "count": len(items)}


def _cursor_page(items: Sequence[Any], key: str, query: Mapping[str, str], url: str,
                 cap: int, rest: Mapping[str, str]) -> dict[str, Any]:
    size = _size(query.get("page[size]"), cap)
    if "page[before]" in query:
        start = max(0, _offset(query["page[before]"]) - size)
    else:
        start = _offset(query["page[after]"]) if "page[after]" in query else 0
    page = list(items[start:start + size])
    end = start + len(page)
    after, before = encode_cursor(end), encode_cursor(start)

    def link(name: str, cursor: str) -> str:
        return f"{url}?{urlencode({**rest, 'page[size]': size, name: cursor})}"

    # Like Zendesk, both links are always there; meta.has_more says whether to follow.
    return {key: page,
            "meta": {"has_more": end < len(items), "after_cursor": after,
                     "before_cursor": before},
            "links": {"next": link("page[after]", after),
                      "prev": link("page[before]", before)}}
