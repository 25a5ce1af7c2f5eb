"""Observe mode: the writes the bridge would make, recorded and logged, none made.

Each would-be write is recorded in the action ledger with status ``observed`` under the key
it would be applied under, and logged once ("would write ..."). The same write seen again
records nothing new, so observing settles as enforcing does. After a switch to enforce, the
ledger decides what is still due: a one-off action (a comment, a follow-up) observed while
observing had its moment then and is never posted late; a state action (fields, tags,
status) is applied when the ticket still lacks it, since it is what the policy wants now.

Replaying a dead letter (``sla-bridge dead-letters replay``) on a platform in observe mode
writes nothing either: :func:`observe_replay` logs and records what the replay would write
and leaves the dead letter open, to replay once the platform enforces.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from sla_bridge.actions import Action, action_from_json, action_to_json
from sla_bridge.diff import WritePlan
from sla_bridge.platforms import Platform
from sla_bridge.records import Decision
from sla_bridge.store import DeadLetter, Store
from sla_bridge.tickets import Status, Ticket

from ._apply import Applied, LedgerView

log = logging.getLogger("sla_bridge.worker")

OBSERVED = "observed"


class Observer:
    """Records what :class:`~sla_bridge.worker.Applier` would write, calling no platform
    write method."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def observe_all(self, platform: Platform, ticket: Ticket, actions: tuple[Action, ...],
                    ledger: Mapping[str, str] | None = None) -> list[Applied]:
        """Walk the write plan as the applier does; each write not yet observed (or applied)
        becomes an ``observed`` outcome, in the ledger and the log. ``ledger``: the
        ticket's entries read with its claim (else each is looked up)."""
        known = LedgerView(self.store, ledger)
        plan = WritePlan(actions, ticket, known.done)
        if ticket.status == Status.CLOSED and getattr(platform, "closed_is_final", False):
            plan.closed()  # the applier would not try these writes either
        results: list[Applied] = []
        for step in plan:
            if step.pending is None or step.key is None:
                results.append(Applied(step.action, "already",
                                       "ledger" if step.done_by else ""))
            elif known.status(step.key) == OBSERVED:
                # A state action written once (ledger "applied") that the ticket no longer
                # shows has drifted: that would-be correction is news, and recorded.
                results.append(Applied(step.action, "already", "observed before"))
            else:
                action = step.pending
                self.store.record_action(step.key, action.ref, action.kind,
                                         action_to_json(action), OBSERVED)
                known.note(step.key, OBSERVED)
                _log_would_write(platform, action, step.key)
                results.append(Applied(action, OBSERVED, "observe mode: not written"))
        return results


def _log_would_write(platform: Platform, action: Action, key: str) -> None:
    """The observe-mode twin of the applier's "wrote ..." line."""
    log.info("would write %s on %s %s: %s [key %s]", action.kind, platform.name,
             action.ref.ticket_id, action.reason or action.describe(), key,
             extra={"ticket": str(action.ref), "action": action.kind, "key": key,
                    "mode": "observe"})


def observe_replay(store: Store, platform: Platform, letter: DeadLetter) -> str:
    """The replay of ``letter`` on a platform in observe mode: its would-be write logged and
    put on the ticket's decision trail, nothing written and the dead letter left open.
    Returns what happened, for the admin."""
    action = action_from_json(letter.action)
    _log_would_write(platform, action, letter.key)
    text = (f"dead letter {letter.id} not replayed: {platform.name} is in observe mode "
            f"(SLA_BRIDGE_{platform.name.upper()}__MODE, else SLA_BRIDGE_MODE); would write "
            f"{action.kind} on {platform.name} {action.ref.ticket_id}")
    store.record(letter.ref, [Decision("replay.observed", text, store.clock.now(),
                                       {"dead_letter": letter.id, "key": letter.key})])
    return (f"{text}. Nothing was written and the dead letter stays open: replay it again "
            "once the platform enforces.")
