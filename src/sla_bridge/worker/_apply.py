"""Applying actions: what the pure diff (``sla_bridge.diff``) says is still to write, each
once, with retries.

Platform errors marked retryable are retried with exponential backoff and jitter,
honouring ``Retry-After``, within a bounded budget; then the action goes to the dead
letters for an admin to inspect and replay. Every applied action is recorded in the action
ledger, which is how a one-off action (a comment) is known to have happened.

A platform that writes several changes in one update (a
:class:`~sla_bridge.platforms.BatchWriter`) gets one reconcile's batchable writes to a ticket
in one call; each action keeps its idempotency key and its outcome, and the batch's ledger
entries are one transaction. A batch the platform refuses (not retryably) is applied again
action by action, so that one refused write does not hold back the others.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    wait_exponential,
    wait_random,
)

from sla_bridge.actions import (
    Action,
    action_to_json,
)
from sla_bridge.diff import Step, WritePlan, ledger_key
from sla_bridge.platforms import BatchWriter, Platform, TicketClosed, VendorError
from sla_bridge.runtime import Metrics
from sla_bridge.settings import RetrySettings
from sla_bridge.store import LedgerWrite, Store
from sla_bridge.tickets import Status, Ticket

log = logging.getLogger("sla_bridge.worker")

# The ledger statuses after which a one-off action is not written again.
DONE = frozenset({"applied", "dead", "observed"})

Sleep = Callable[[float], None]
_R = TypeVar("_R")


@dataclass(frozen=True)
class Applied:
    """What happened to one action."""

    action: Action
    outcome: str  # applied | already | dead | closed | observed
    detail: str = ""


class Applier:
    """Applies a ticket's pending actions through its platform, with ledger and retries."""

    def __init__(self, store: Store, metrics: Metrics, retry: RetrySettings,
                 sleep: Sleep = time.sleep) -> None:
        self.store = store
        self.metrics = metrics
        self.retry = retry
        self.sleep = sleep

    def apply_all(self, platform: Platform, ticket: Ticket, actions: tuple[Action, ...],
                  ledger: Mapping[str, str] | None = None) -> list[Applied]:
        """Apply what is pending of ``actions``, in order, batching what the platform can
        combine; once the ticket turns out closed, only its follow-ups are still opened
        (they are new tickets; the closed one takes no writes).

        ``ledger``: the ticket's ledger entries read with its claim
        (:attr:`sla_bridge.store.Claim.ledger`); without it each one-off action's entry is
        looked up in the store.

        Database cost: one transaction per vendor write, right after it (the ledger entries
        of every action that write carried, together), and none to read.

        The invariant: a write is in the ledger once its transaction commits; until then
        the ticket itself says whether it landed. A crash between a vendor write and its
        ledger transaction leaves no entry, and the next reconcile reads the ticket back:
        state actions (fields, tags, status, assignment) are compared with it, and a
        comment (a note, a reply; an approval request where it is a note) carries its
        idempotency key, which the platform reads back, so the action is no longer pending
        and nothing is written twice, batched or not (``tests/worker/test_reconcile_cost``).
        No entry is written before a write: a "pending" entry could only say that the write
        may have landed, which the ticket says better, at the price of a transaction more
        per write. What leaves no trace on the ticket (a follow-up, another ticket) is kept
        single after such a crash only by a platform that looks for it by its key before
        creating it again.
        """
        results: dict[int, Applied] = {}
        known = LedgerView(self.store, ledger)
        plan = WritePlan(actions, ticket, known.done)
        batch: list[tuple[int, Step]] = []
        untried = self._closed_for_good(platform, ticket, actions, plan, known)

        def flush() -> None:
            for (index, step), result in zip(batch, self._apply_steps(
                    platform, [s for _, s in batch]), strict=True):
                results[index] = result
                known.note(step.key, result.outcome)
                if result.outcome == "closed":
                    plan.closed()
            batch.clear()

        for index, step in enumerate(plan):
            if step.pending is None or step.key is None:
                results[index] = Applied(step.action, "already",
                                         "ledger" if step.done_by else "")
            elif isinstance(platform, BatchWriter) and platform.can_batch(step.pending):
                batch.append((index, step))
            else:
                flush()  # the writes before this one land first
                if plan.skips(step):
                    continue
                results[index] = result = self.apply_one(platform, step.pending, step.key)
                known.note(step.key, result.outcome)
                if result.outcome == "closed":
                    plan.closed()
        flush()
        return [results[i] for i in sorted(results)] + untried

    def _closed_for_good(self, platform: Platform, ticket: Ticket, actions: Sequence[Action],
                         plan: WritePlan, known: LedgerView) -> list[Applied]:
        """On a platform whose closed tickets take no update (``closed_is_final``: Zendesk,
        where a merged ticket is closed too), a closed ticket's writes are not even tried;
        its follow-ups are still opened. The writes left out, as ``closed`` outcomes."""
        if ticket.status != Status.CLOSED or not getattr(platform, "closed_is_final", False):
            return []
        plan.closed()
        why = f"not tried: {platform.name} takes no update of a closed ticket"
        return [Applied(a, "closed", why) for a in actions
                if a.writes_to_ticket and a.pending_on(ticket) is not None
                and not (a.one_off and known.done(ledger_key(a)))]

    def _apply_steps(self, platform: Platform, steps: Sequence[Step]) -> list[Applied]:
        """One batch of a batch writer's steps: one update when there are several."""
        if len(steps) < 2 or not isinstance(platform, BatchWriter):
            return [self.apply_one(platform, s.pending, s.key) for s in steps
                    if s.pending is not None]
        pending = [s.pending for s in steps if s.pending is not None]
        keys = [s.key or ledger_key(a) for s, a in zip(steps, pending, strict=True)]
        attempts = 0

        def call() -> None:
            nonlocal attempts
            attempts += 1
            self._counted(platform, "batch", lambda: platform.apply_batch(pending))

        try:
            self.retrying(platform.name)(call)
        except TicketClosed as exc:
            log.info("ticket %s is closed; %d writes not applied", pending[0].ref, len(pending),
                     extra={"ticket": str(pending[0].ref)})
            return [Applied(a, "closed", str(exc)) for a in pending]
        except VendorError as exc:
            if not exc.retryable:
                log.info("%s refused a batched update of %s (%s); writing its %d actions one "
                         "by one", platform.name, pending[0].ref, exc, len(pending),
                         extra={"ticket": str(pending[0].ref)})
                return self._one_by_one(platform, pending, keys)
            return [self._dead(platform, a, k, _failure(exc, attempts), attempts)
                    for a, k in zip(pending, keys, strict=True)]
        self.store.record_actions([LedgerWrite(k, a.ref, a.kind, action_to_json(a), "applied")
                                   for a, k in zip(pending, keys, strict=True)])
        for action, key in zip(pending, keys, strict=True):
            _log_write(platform, action, key)
        return [Applied(a, "applied", "") for a in pending]

    def _one_by_one(self, platform: Platform, pending: Sequence[Action],
                    keys: Sequence[str]) -> list[Applied]:
        """A refused batch, action by action: the public replies last, and only if every
        other write landed (a reply announces them: the customer is told only what
        happened); a reply held back waits in the dead letters with the reason."""
        results: dict[int, Applied] = {}
        for index, (action, key) in enumerate(zip(pending, keys, strict=True)):
            if not action.tells_customer:
                results[index] = self.apply_one(platform, action, key)
        refused = [r for r in results.values() if r.outcome != "applied"]
        for index, (action, key) in enumerate(zip(pending, keys, strict=True)):
            if not action.tells_customer:
                continue
            if not refused:
                results[index] = self.apply_one(platform, action, key)
                continue
            why = "; ".join(f"{r.action.describe()}: {r.detail}" for r in refused)
            results[index] = self._dead(platform, action, key, "held back: the changes this "
                                        f"reply announces were not written ({why})", 0)
        return [results[i] for i in sorted(results)]

    def fetch(self, platform: Platform, ticket_id: str) -> Ticket:
        """Read a ticket from its platform, with retries, each call counted and timed."""
        ticket: Ticket = self.retrying(platform.name)(
            self._counted, platform, "fetch", lambda: platform.fetch_ticket(ticket_id))
        return ticket

    def _counted(self, platform: Platform, operation: str, work: Callable[[], _R]) -> _R:
        """One vendor call, counted by its outcome and timed by its ``operation``."""
        # A duration, not an instant: the injected clock tells business time.
        started = time.perf_counter()
        try:
            outcome = work()
        except VendorError as exc:
            self.metrics.vendor_calls.labels(platform.name, str(exc.status or "error")).inc()
            raise
        finally:
            self.metrics.vendor_call_seconds.labels(platform.name, operation).observe(
                time.perf_counter() - started)
        self.metrics.vendor_calls.labels(platform.name, "ok").inc()
        return outcome

    def _dead(self, platform: Platform, action: Action, key: str, error: str,
              attempts: int) -> Applied:
        """Move an action that could not be written to the dead letters, saying why."""
        self.store.dead_letter(key, action.ref, action_to_json(action), error, attempts)
        self.metrics.dead_letters.labels(platform.name).inc()
        log.warning("action %s on %s moved to the dead letters: %s", action.kind,
                    action.ref, error, extra={"ticket": str(action.ref)})
        return Applied(action, "dead", error)

    def apply_one(self, platform: Platform, action: Action, key: str | None = None) -> Applied:
        """Apply one action with retries; record it in the ledger or the dead letters."""
        key = key or ledger_key(action)
        attempts = 0

        def call() -> str | None:
            nonlocal attempts
            attempts += 1
            return self._counted(platform, action.kind, lambda: platform.apply(action))

        try:
            result = self.retrying(platform.name)(call)
        except TicketClosed as exc:
            log.info("ticket %s is closed; %s not applied", action.ref, action.kind,
                     extra={"ticket": str(action.ref)})
            return Applied(action, "closed", str(exc))
        except VendorError as exc:
            return self._dead(platform, action, key, _failure(exc, attempts), attempts)
        self.store.record_action(key, action.ref, action.kind, action_to_json(action),
                                 "applied", result)
        _log_write(platform, action, key)
        return Applied(action, "applied", result or "")

    def retrying(self, platform_name: str) -> Retrying:
        """The retry policy for one platform call."""
        settings = self.retry
        # Exponential backoff plus up to the initial delay of jitter (built from parts that
        # every supported tenacity has: wait_exponential_jitter renamed its arguments).
        backoff = (wait_exponential(multiplier=settings.initial_seconds, max=settings.max_seconds)
                   + wait_random(0, settings.initial_seconds))

        planned: dict[int, float] = {}

        def wait(state: RetryCallState) -> float:
            if state.attempt_number not in planned:
                error = state.outcome.exception() if state.outcome else None
                delay = backoff(state)
                if isinstance(error, VendorError) and error.retry_after is not None:
                    delay = max(error.retry_after, 0.0)
                planned[state.attempt_number] = delay
            return planned[state.attempt_number]

        def stop(state: RetryCallState) -> bool:
            # Give up rather than sleep past the budget (a Retry-After of an hour included).
            return (state.attempt_number >= settings.attempts
                    or state.idle_for + wait(state) > settings.budget_seconds)

        def before_sleep(state: RetryCallState) -> None:
            self.metrics.vendor_retries.labels(platform_name).inc()

        return Retrying(
            retry=retry_if_exception(lambda e: isinstance(e, VendorError) and e.retryable),
            wait=wait, stop=stop, sleep=self.sleep, before_sleep=before_sleep, reraise=True,
        )


class LedgerView:
    """What one reconcile knows of its ticket's ledger: the entries read with its claim (or,
    without them, the store's, looked up one by one) and the outcomes it recorded since."""

    def __init__(self, store: Store, entries: Mapping[str, str] | None) -> None:
        self._store = store
        self._entries = None if entries is None else dict(entries)

    def status(self, key: str) -> str | None:
        """The entry's status (for a one-off or an observed action), or ``None``."""
        if self._entries is None:
            entry = self._store.ledger_entry(key)
            return None if entry is None else entry.status
        return self._entries.get(key)

    def done(self, key: str) -> bool:
        """Whether a one-off action is not to be written again: applied, given up on, or
        observed ("observed": a one-off seen in observe mode had its moment then; it is not
        posted late after a switch to enforce; state actions are compared with the ticket)."""
        return self.status(key) in DONE

    def note(self, key: str | None, outcome: str) -> None:
        """Remember an outcome this reconcile recorded (the same key twice in one reconcile
        is written once)."""
        if key is not None and self._entries is not None and outcome in DONE:
            self._entries[key] = outcome


def _failure(exc: VendorError, attempts: int) -> str:
    """How a vendor call failed, for a dead letter."""
    return f"{type(exc).__name__}: {exc} (status {exc.status}, after {attempts} attempts)"


def _log_write(platform: Platform, action: Action, key: str) -> None:
    """One INFO line per write the bridge made: where, what, why, under which key."""
    log.info("wrote %s on %s %s: %s [key %s]", action.kind, platform.name,
             action.ref.ticket_id, action.reason or action.describe(), key,
             extra={"ticket": str(action.ref), "action": action.kind, "key": key})
