"""The memory of webhook bodies being read at once: a budget shared by every connection.

A webhook's body is read whole before it can be verified (the signature is over it), so a
crowd of unsigned senders could otherwise hold ``max_body_bytes`` each. The webhook
endpoint holds each body's bytes in a :class:`BodyShare` while it reads and handles it, and
answers 503 ``busy`` when the :class:`BodyBudget` is full.

Memory given back to the allocator is not given back to the system by glibc on its own (the
issue saw 545 MiB stay after 500 such connections had closed): once a budget that held
:data:`TRIM_AFTER` bytes or more drains to nothing, ``malloc_trim`` returns the free pages.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable

TRIM_AFTER = 4 * 1024 * 1024


def _malloc_trim() -> Callable[[], object] | None:
    try:
        function = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError, TypeError):  # not glibc: nothing to do
        return None
    function.argtypes = [ctypes.c_size_t]
    function.restype = ctypes.c_int
    return lambda: function(0)


_TRIM = _malloc_trim()


class BodyBudget:
    """The bytes of webhook bodies being read at once, across connections (one per server
    process: everything here runs on its event loop).

    A body alone in flight is always admitted (it is bounded by ``max_body_bytes``), so a
    budget below that limit cannot refuse every large webhook forever.
    """

    def __init__(self, capacity: int, trim: Callable[[], object] | None = _TRIM) -> None:
        self.capacity = capacity
        self.used = 0
        self.peak = 0  # the most held at once since the memory was last trimmed
        self.trim = trim

    def hold(self) -> BodyShare:
        """An empty share of the budget, for one body."""
        return BodyShare(self)


class BodyShare:
    """One body's share of a :class:`BodyBudget`; :meth:`release` it when answered."""

    __slots__ = ("budget", "held")

    def __init__(self, budget: BodyBudget) -> None:
        self.budget = budget
        self.held = 0

    def grow(self, size: int) -> bool:
        """Hold ``size`` bytes in all; ``False`` (holding no more) when the budget is full."""
        extra = size - self.held
        if extra <= 0:
            return True
        budget = self.budget
        if budget.used + extra > budget.capacity and budget.used > self.held:
            return False
        budget.used += extra
        if budget.used > budget.peak:
            budget.peak = budget.used
        self.held = size
        return True

    def release(self) -> None:
        """Give the share back; the last of a large crowd of bodies trims the heap."""
        budget = self.budget
        budget.used -= self.held
        self.held = 0
        if budget.used == 0 and budget.peak >= TRIM_AFTER:
            budget.peak = 0
            if budget.trim is not None:
                budget.trim()
