"""Running a parsed SOQL query: filtering, ordering, the selected fields (relationship
fields as nested records) and ``nextRecordsUrl`` paging
(https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_query.htm)."""

from __future__ import annotations

import threading
from functools import cmp_to_key
from typing import Any

from ._errors import sf_error
from ._ids import IdMaker, object_of
from ._soql import Query, resolve
from ._store import Record, Store
from ._values import to_json


def _sort_key(order: list[tuple[str, bool, bool]], store: Store) -> Any:
    def compare(a: Record, b: Record) -> int:
        for path, desc, nulls_last in order:
            left, right = resolve(store.resolve, a, path), resolve(store.resolve, b, path)
            if left == right:
                continue
            if left is None or right is None:
                return (1 if left is None else -1) * (1 if nulls_last else -1)
            result = -1 if left < right else 1
            return -result if desc else result
        return 0

    return cmp_to_key(compare)


def select(store: Store, query: Query, rows: list[Record]) -> list[Record]:
    """The rows the query's WHERE keeps, in its order, after OFFSET, up to LIMIT."""
    kept = [r for r in rows if query.where is None or query.where(store.resolve, r)]
    if query.order:
        kept.sort(key=_sort_key(query.order, store))
    kept = kept[query.offset:]
    return kept if query.limit is None else kept[:query.limit]


def shape(store: Store, record: Record, fields: list[str], base: str,
          children: list[Query] | None = None) -> dict[str, Any]:
    """A record as a query answers it: ``attributes`` and the selected fields, a
    relationship field as a nested record (``{"Account": {"Name": ...}}``), a child
    sub-query as ``{"totalSize", "done", "records"}`` (``None`` when it found nothing)."""
    kind = object_of(record["Id"]) or ""
    out: dict[str, Any] = {"attributes": {"type": kind,
                                          "url": f"{base}/sobjects/{kind}/{record['Id']}"}}
    nested: dict[str, list[str]] = {}
    for path in fields:
        head, _, rest = path.partition(".")
        if rest:
            nested.setdefault(head, []).append(rest)
        else:
            out[head] = to_json(record.get(head))
    for relationship, inner in nested.items():
        target_id = record.get(f"{relationship}Id")
        target = store.resolve(target_id) if isinstance(target_id, str) else None
        out[relationship] = None if target is None else shape(store, target, inner, base)
    for child in children or []:
        rows = select(store, child, [r for r in store.records[child.object_name].values()
                                     if r.get(child.foreign_key or "") == record["Id"]])
        out[child.relationship or ""] = None if not rows else {
            "totalSize": len(rows), "done": True,
            "records": [shape(store, r, child.fields, base) for r in rows]}
    return out


class Cursors:
    """The rest of the queries whose answers did not fit in one page, by locator."""

    def __init__(self, page_size: int) -> None:
        self.page_size = page_size
        self._ids = IdMaker(start=7_000_000)
        self._pending: dict[str, tuple[list[dict[str, Any]], int]] = {}
        self._lock = threading.Lock()

    def run(self, store: Store, query: Query, base: str) -> dict[str, Any]:
        """The first page of the query's answer."""
        with store.lock:
            rows = select(store, query, list(store.records[query.object_name].values()))
            if query.count and not query.fields:
                return {"totalSize": len(rows), "done": True, "records": []}
            shaped = [shape(store, r, query.fields, base, query.children) for r in rows]
        return self._page(shaped, 0, base)

    def more(self, locator: str, base: str) -> dict[str, Any]:
        """The page a ``nextRecordsUrl`` points at (``INVALID_QUERY_LOCATOR`` when unknown)."""
        key, _, start = locator.rpartition("-")
        with self._lock:
            found = self._pending.get(key)
        if found is None or not start.isdigit():
            raise sf_error(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
        return self._page(found[0], int(start), base, key)

    def _page(self, rows: list[dict[str, Any]], start: int, base: str,
              key: str | None = None) -> dict[str, Any]:
        end = start + self.page_size
        answer: dict[str, Any] = {"totalSize": len(rows), "done": end >= len(rows),
                                  "records": rows[start:end]}
        if end < len(rows):
            if key is None:
                key = self._ids.new("QueryLocator")[:15]
                with self._lock:
                    self._pending[key] = (rows, len(rows))
            answer["nextRecordsUrl"] = f"{base}/query/{key}-{end}"
        return answer
