"""The record of every request a sandbox served."""

from __future__ import annotations

import copy
import threading
import time
from typing import Any


class RequestLog:
    """Every request, in arrival order; safe to read while the server writes.

    An entry has ``method``, ``path`` (as the routes saw it), ``query`` (the raw query
    string), ``body`` (the request's JSON, ``None`` when there is none or it is not JSON),
    ``status`` (``None`` until the answer started), ``fault`` (the injected fault's label, or
    ``None``) and ``at`` (``time.monotonic()`` on arrival: real time, whatever the sandbox's
    clock). With :attr:`keep_responses` it also has ``response``, the answer's JSON.
    """

    def __init__(self, keep_responses: bool = False) -> None:
        self.keep_responses = keep_responses
        self._entries: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def open(self, method: str, path: str, query: str, body: Any) -> dict[str, Any]:
        """Record an arriving request; the returned entry is completed as it is answered."""
        entry: dict[str, Any] = {"method": method, "path": path, "query": query,
                                 "body": body, "status": None, "fault": None,
                                 "at": time.monotonic()}
        if self.keep_responses:
            entry["response"] = None
        with self._lock:
            self._entries.append(entry)
        return entry

    def entries(self) -> list[dict[str, Any]]:
        """A copy of every entry so far."""
        with self._lock:
            return [copy.deepcopy(entry) for entry in self._entries]

    def clear(self) -> None:
        """Start afresh."""
        with self._lock:
            self._entries.clear()
