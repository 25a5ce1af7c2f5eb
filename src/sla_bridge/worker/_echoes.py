"""Echoes of the bridge's own writes, recognised without reading the ticket again
(:class:`sla_bridge.platforms.EchoRecognizer`).

After a reconcile on an echo-aware platform, the ticket's memory keeps (under
:data:`ECHO_STATE`) the version stamps its writes got back, and when its next timer is due.
A later claim whose events are all the bridge's own, each with one of those stamps, before
that timer, is the echo of writes whose effect the memory already holds: it is finished in
one transaction, without a fetch, the engine or the classifier (:func:`echo_only`).

For the memory to hold their effect, the writing reconcile decides once more, on the ticket
as its writes leave it, what the look after their echo would (:func:`settled`): the memory,
timers and decisions it would reach are stored at once (a status the bridge set is then
timed by the lifecycle, a severity it set is remembered). The stamps are kept only when that
look is known without reading the ticket: every write landed, none was a one-off other than
a comment (the engine reads no comment of the bridge's; a follow-up, an approval request
change more), and the look has nothing to write or classify. Else the echo is reconciled in
full.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from sla_bridge.actions import AddComment
from sla_bridge.engine import Outcome, Situation, decide, needs_classification, project
from sla_bridge.policy import Policy
from sla_bridge.records import TicketRecord, TimerSpec
from sla_bridge.store import Claim, Decision

from ._apply import Applied

# Where a ticket's memory keeps what echo_only needs: the version stamps of the bridge's last
# writes to it and when its next timer is due.
ECHO_STATE = "echo"


def echo_only(claim: Claim, now: datetime) -> Decision | None:
    """The decision ``echo.skipped`` when the claim's events are only echoes of the bridge's
    own last writes: each by the bridge, each with a version stamp one of those writes got
    back, and no timer of the ticket due since; else ``None``: the ticket is reconciled in
    full."""
    memory = claim.memory
    if not claim.read or memory is None or not claim.events:
        return None
    echo = memory.state.get(ECHO_STATE)
    if not isinstance(echo, dict):
        return None
    versions = echo.get("versions") or []
    if not all(e.by_bridge and e.version is not None and e.version in versions
               for e in claim.events):
        return None
    next_due = echo.get("next_due")
    if isinstance(next_due, str) and now >= datetime.fromisoformat(next_due):
        return None  # a timer may have fired: the engine has something to do
    seen = sorted({e.version for e in claim.events if e.version is not None})
    return Decision("echo.skipped", f"{len(claim.events)} webhook(s) only echo the bridge's "
                    f"own write (version {', '.join(seen)}); nothing else changed, so the "
                    "ticket was not read again", now,
                    {"versions": seen, "events": [e.delivery_id for e in claim.events]})


def after_writes(policies: Sequence[Policy], situation: Situation, outcome: Outcome,
                 applied: Sequence[Applied], stamps: tuple[str, ...] | None) -> Outcome:
    """What a reconcile on an echo-aware platform stores: when its writes settle
    (:func:`settled`), the memory, timers and further decisions the look after their echo
    would reach, with the stamps they got (:func:`remember_writes`); else its own outcome
    with no stamp, so that the echo is reconciled in full. ``outcome.decisions`` come first
    in the result's decisions. ``stamps`` ``None`` (the platform does not recognise
    echoes): ``outcome`` as it is."""
    if stamps is None:
        return outcome
    second = settled(policies, situation, outcome, applied)
    if second is None:
        return replace(outcome, record=remember_writes(outcome.record, situation.memory,
                                                       stamps, outcome.timers, False))
    record = remember_writes(second.record, situation.memory, stamps, second.timers, True)
    return Outcome(record, outcome.actions, second.timers,
                   outcome.decisions + second.decisions)


def settled(policies: Sequence[Policy], situation: Situation, outcome: Outcome,
            applied: Sequence[Applied]) -> Outcome | None:
    """The look after the echo of this reconcile's writes, decided on the ticket as they
    leave it (``project``; the memory: this reconcile's), when it has nothing to write:
    its record (with this reconcile's closed periods too), timers and decisions (no more
    decisions, this reconcile's own record and timers, when nothing was written). ``None``
    when it cannot be known without reading the ticket: a write did not land, or was a
    one-off other than a comment (the engine reads no comment of the bridge's), or the look
    would write or classify."""
    if any(r.outcome not in {"applied", "already"} for r in applied):
        return None
    written = [r.action for r in applied if r.outcome == "applied"]
    if not written:
        return Outcome(outcome.record, (), outcome.timers, ())
    if any(action.one_off and not isinstance(action, AddComment) for action in written):
        return None
    desired = project(situation.ticket, outcome.actions, situation.now)
    again = replace(situation, ticket=desired, memory=outcome.record, events=())
    if situation.classification is None and needs_classification(policies, again):
        return None
    second = decide(policies, again)
    keys = {a.idempotency_key for a in outcome.actions}
    if not all(a.idempotency_key in keys if a.one_off else a.pending_on(desired) is None
               for a in second.actions):
        return None
    record = replace(second.record, periods=outcome.record.periods + second.record.periods)
    return Outcome(record, (), second.timers, second.decisions)


def remember_writes(record: TicketRecord, memory: TicketRecord | None,
                    stamps: tuple[str, ...] | None, timers: Sequence[TimerSpec],
                    settled: bool) -> TicketRecord:
    """``record`` with what :func:`echo_only` needs: the stamps this reconcile's writes got
    (none unless they ``settled``: their echo is then reconciled in full; the last writing
    reconcile's when this one wrote nothing) and the next timer's due time. ``stamps``
    ``None``: the platform does not recognise echoes, nothing is added."""
    if stamps is None:
        return record
    before = (memory.state.get(ECHO_STATE) if memory is not None else None) or {}
    versions: list[str] = []
    if settled and stamps:
        versions = list(dict.fromkeys(stamps))
    elif settled and isinstance(before, dict):
        versions = [str(v) for v in before.get("versions") or []]
    due = min((t.due_at for t in timers), default=None)
    return replace(record, state={**record.state, ECHO_STATE: {
        "versions": versions, "next_due": due.isoformat() if due is not None else None}})
