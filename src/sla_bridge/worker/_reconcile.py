"""Reconciling one ticket: fetch it, let the engine decide, apply the difference, remember."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sla_bridge.engine import Situation, decide, needs_classification
from sla_bridge.platforms import VendorError
from sla_bridge.runtime import Runtime
from sla_bridge.store import Claim, Decision

from ._apply import Applied, Applier
from ._echoes import after_writes, echo_only
from ._observe import Observer

log = logging.getLogger("sla_bridge.worker")

# A ticket whose platform cannot be reached is tried again after this long, doubling per
# failed attempt up to the cap.
RETRY_BASE = timedelta(seconds=5)
RETRY_CAP = timedelta(minutes=30)


@dataclass(frozen=True)
class Reconciled:
    """What one reconciliation did."""

    claim: Claim
    outcome: str  # done | retry | skipped
    applied: tuple[Applied, ...] = ()
    detail: str = ""


class Reconciler:
    """Turns a claimed ticket into applied actions, scheduled timers and audit entries."""

    def __init__(self, runtime: Runtime, applier: Applier | None = None) -> None:
        self.runtime = runtime
        self.applier = applier or Applier(runtime.store, runtime.metrics,
                                          runtime.settings.retry)
        self.observer = Observer(runtime.store)

    def reconcile(self, claim: Claim) -> Reconciled:
        """Reconcile the claimed ticket and release the claim, whatever happens."""
        runtime = self.runtime
        store, now = runtime.store, runtime.clock.now()
        ref = claim.ref
        platform = runtime.platforms.get(ref.platform)
        if platform is None:
            detail = (f"no platform plugin named {ref.platform!r} is loaded; install or enable "
                      "it, the ticket is retried")
            store.retry_later(claim, now + RETRY_CAP, detail)
            return Reconciled(claim, "retry", detail=detail)
        echo = echo_only(claim, now)
        if echo is not None:  # nothing but the bridge's own write: no read, no decision
            store.finish(claim, decisions=[echo])
            return Reconciled(claim, "skipped", detail=echo.summary)
        try:
            ticket = self.applier.fetch(platform, ref.ticket_id)
        except VendorError as exc:
            if exc.status == 404:
                detail = (f"{ref} no longer exists on {platform.name} (deleted or marked as "
                          "spam): its timers are cancelled and its clocks stopped")
                store.finish_gone(claim, Decision("ticket.gone", detail, now, {}))
                return Reconciled(claim, "skipped", detail=detail)
            delay = min(RETRY_BASE * (2 ** min(claim.attempts, 12)), RETRY_CAP)
            detail = f"fetching {ref} failed: {exc} (status {exc.status}); retry in {delay}"
            log.warning(detail, extra={"ticket": str(ref)})
            store.retry_later(claim, now + delay, detail)
            return Reconciled(claim, "retry", detail=detail)

        # The claim brought the ticket's memory and ledger along (no transaction to read).
        memory = claim.memory if claim.read else store.ticket(ref)
        ledger = claim.ledger if claim.read else None
        situation = Situation(ticket, memory, claim.events, now)
        policy = needs_classification(runtime.policies, situation)
        if policy is not None:
            # The engine is pure; classifiers are plugins, so they are asked here.
            situation = replace(situation,
                                classification=runtime.host.classify(policy, ticket))
        outcome = decide(runtime.policies, situation)
        stamps = getattr(platform, "written_versions", None)
        if stamps is not None:
            stamps(ref.ticket_id)  # forget what this thread wrote there before
        if runtime.settings.mode_for(platform.name) == "observe":
            applied = self.observer.observe_all(platform, ticket, outcome.actions, ledger)
        else:
            applied = self.applier.apply_all(platform, ticket, outcome.actions, ledger)
        decisions = list(outcome.decisions)
        for result in applied:
            if result.outcome in {"applied", "dead", "closed", "observed"}:
                decisions.append(_decision_for(result, now))
        kept = outcome if stamps is None else after_writes(
            runtime.policies, situation, outcome, applied, stamps(ref.ticket_id))
        decisions += kept.decisions[len(outcome.decisions):]  # the look after the echo's
        added = store.finish(claim, kept.record, kept.timers, decisions)
        for decision in outcome.decisions:
            log.info("decided on %s: %s: %s", ref, decision.kind, decision.summary,
                     extra={"ticket": str(ref), "decision": decision.kind})
        runtime.metrics.timers_scheduled.inc(added)
        runtime.metrics.count_settled(memory, kept.record)  # once stored, so once each
        return Reconciled(claim, "done", tuple(applied))


def _decision_for(result: Applied, now: datetime) -> Decision:
    action = result.action
    verbs = {"applied": "wrote", "dead": "gave up on", "closed": "could not write (closed)",
             "observed": "would write (observe mode)"}
    return Decision(f"action.{result.outcome}", f"{verbs[result.outcome]} {action.describe()}",
                    now, {"key": action.idempotency_key, "detail": result.detail,
                          "reason": action.reason})
