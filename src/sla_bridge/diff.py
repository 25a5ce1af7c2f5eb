"""The difference between what the engine wants and what a ticket shows: pure, no I/O.

State-like actions (fields, tags, status, assignment) are compared with the ticket as
fetched: what already holds is not written again, and drift is corrected. One-off actions
(comments, follow-ups, approval requests) are written once per idempotency key: the
caller's ledger and the comment the platform reads back both say whether it already
happened. Once the ticket refuses a write because it is closed, only its follow-ups (new
tickets) are still opened. The worker and ``sla-bridge simulate`` both walk this plan.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from sla_bridge.actions import Action
from sla_bridge.tickets import Ticket


def ledger_key(action: Action) -> str:
    """The ledger key: one-off actions by idempotency key, state actions also by value."""
    if action.one_off:
        return action.idempotency_key
    digest = hashlib.sha256(json.dumps(action.model_dump(mode="json", exclude={"reason"}),
                                       sort_keys=True).encode()).hexdigest()[:16]
    return f"{action.idempotency_key}:{digest}"


@dataclass(frozen=True)
class Step:
    """One action of the plan: the engine's ``action``, and what of it to write
    (``pending``, ``None`` when the ticket or the ledger shows it is done), under ``key``."""

    action: Action
    pending: Action | None
    key: str | None
    done_by: str = ""  # why nothing is written: "" (the ticket shows it) or "ledger"


class WritePlan:
    """Walk ``actions`` against ``ticket``; ``done(key)`` says a one-off is in the ledger.

    Call :meth:`closed` when the platform refused a write because the ticket is closed:
    the walk then skips every later write to the ticket and keeps its follow-ups.
    """

    def __init__(self, actions: Iterable[Action], ticket: Ticket,
                 done: Callable[[str], bool]) -> None:
        self._actions = tuple(actions)
        self._ticket = ticket
        self._done = done
        self._closed = False

    def closed(self) -> None:
        """The ticket refused a write: it is closed."""
        self._closed = True

    def skips(self, step: Step) -> bool:
        """Whether ``step``, yielded before the ticket turned out closed, is now to be left
        out (a write to the closed ticket; its follow-ups are still opened)."""
        return self._closed and step.action.writes_to_ticket

    def __iter__(self) -> Iterator[Step]:
        for action in self._actions:
            if self._closed and action.writes_to_ticket:
                continue
            pending = action.pending_on(self._ticket)
            if pending is None:
                yield Step(action, None, None)
                continue
            key = ledger_key(pending)
            if pending.one_off and self._done(key):
                yield Step(action, None, key, "ledger")
                continue
            yield Step(action, pending, key)
