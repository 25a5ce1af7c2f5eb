"""Background threads that fire timers and reconcile woken tickets, and a one-shot drain."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sla_bridge.platforms import Periodic, Swept
from sla_bridge.runtime import Runtime
from sla_bridge.store import Pruned, SchemaMissing, StoreUnavailable, Timer

from ._leases import kept_lease
from ._reconcile import Reconciled, Reconciler

log = logging.getLogger("sla_bridge.worker")

#: The longest a failing worker thread waits before it tries again.
MAX_BACKOFF_SECONDS = 60.0


def worker_name(index: int | str) -> str:
    """A name unique across hosts and processes, recorded on leases and fired timers."""
    return f"{socket.gethostname()}:{os.getpid()}:{index}"


class WorkerPool:
    """Timer and reconcile threads for one process. ``start()`` once, ``stop()`` at shutdown."""

    def __init__(self, runtime: Runtime, threads: int | None = None, timers: bool = True) -> None:
        self.runtime = runtime
        self.settings = runtime.settings.worker
        self.threads = self.settings.threads if threads is None else threads
        self.timers = timers
        self.reconciler = Reconciler(runtime)
        self._stop = threading.Event()
        self._work_ready = threading.Event()
        self._threads: list[threading.Thread] = []
        self._pruned_at: datetime | None = None
        self._sweeps_due: dict[str, datetime] = {}

    def start(self) -> None:
        """Start the threads (returns at once)."""
        if self.threads == 0 and not self.timers:
            return
        released = self.runtime.store.release_leases(dead_local_owners(
            self.runtime.store.lease_owners()))
        if released:
            log.info("took back %d leases left by processes of this host that died", released)
        if self.timers:
            self._threads.append(threading.Thread(target=self._timer_loop, name="timers",
                                                  daemon=True))
        for index in range(self.threads):
            self._threads.append(threading.Thread(target=self._reconcile_loop, args=(index,),
                                                  name=f"reconcile-{index}", daemon=True))
        for thread in self._threads:
            thread.start()

    def notify(self) -> None:
        """Tell idle workers that work may be waiting (e.g. a webhook was just accepted)."""
        self._work_ready.set()

    def stop(self, timeout: float = 10.0) -> None:
        """Let in-flight work finish (unfinished claims return to the queue) and join."""
        self._stop.set()
        self._work_ready.set()
        for thread in self._threads:
            thread.join(timeout)
        alive = [t.name for t in self._threads if t.is_alive()]
        if alive:
            log.warning("workers still busy at shutdown: %s; their leases will expire",
                        ", ".join(alive))
        self._threads.clear()

    def _timer_loop(self) -> None:
        owner, poll = worker_name("timers"), self.settings.poll_seconds
        self.runtime.health.running("timers")
        failures = 0
        while not self._stop.is_set():
            step = "pruning old records"
            try:
                self._prune_when_due()
                step = "sweeping the platforms"
                if sweep_when_due(self.runtime, owner, self._sweeps_due):
                    self._work_ready.set()
                step = "firing due timers"
                fired = fire_due_timers(self.runtime, owner)
                if fired:
                    self._work_ready.set()
                if len(fired) < self.settings.timer_batch:
                    step = "reading when the next timer is due"
                    next_due = self.runtime.store.next_timer_due()
            except Exception as exc:  # the thread must outlive any failure
                failures += 1
                self._stop.wait(self._failed("timers", step, exc, failures))
                continue
            if failures:
                failures = 0
                self._recovered("timers")
            if len(fired) >= self.settings.timer_batch:
                continue
            delay = poll
            if next_due is not None:
                delay = min(poll, max(0.0, (next_due - self.runtime.clock.now()).total_seconds()))
            self._stop.wait(delay)

    def _failed(self, part: str, step: str, exc: Exception, failures: int) -> float:
        """Log a failure of ``part`` (loudly the first time), record it for ``/readyz`` and
        return how long to wait before trying again: a database that does not answer is
        tried again soon; anything else (a dropped or altered schema, a bug) backs off,
        doubling up to :data:`MAX_BACKOFF_SECONDS`."""
        poll = self.settings.poll_seconds
        # A database that does not answer pauses the worker; one without the bridge's schema
        # (dropped, or never migrated) is a mistake to fix, said loudly.
        if isinstance(exc, StoreUnavailable) and not isinstance(exc, SchemaMissing):
            delay = poll * 4
            problem = f"paused while {step}: {_first_line(exc)}"
        else:
            delay = min(MAX_BACKOFF_SECONDS, poll * 4 * 2 ** min(failures - 1, 16))
            problem = (f"{step} failed: {type(exc).__name__}: {_first_line(exc)}; if the "
                       "database's sla-bridge schema is missing or was changed, run "
                       "`sla-bridge db upgrade` (SLA_BRIDGE_DATABASE_URL names the database)")
        first = self.runtime.health.failing(part, self.runtime.clock.now(), problem)
        if first and (isinstance(exc, SchemaMissing) or not isinstance(exc, StoreUnavailable)):
            log.error("%s: %s; retrying in %g s", part, problem, delay, exc_info=exc)
        else:
            log.warning("%s: %s; retrying in %g s (attempt %d)", part, problem, delay,
                        failures + 1)
        return delay

    def _recovered(self, part: str) -> None:
        if self.runtime.health.recovered(part):
            log.info("%s: working again", part)

    def _prune_when_due(self) -> None:
        now = self.runtime.clock.now()
        every = timedelta(hours=self.runtime.settings.retention.every_hours)
        if self._pruned_at is not None and now - self._pruned_at < every:
            return
        self._pruned_at = now
        pruned = prune_old(self.runtime)
        if pruned.total:
            log.info("pruned %d processed events, %d finished timers, %d audit entries",
                     pruned.events, pruned.timers, pruned.decisions)

    def _reconcile_loop(self, index: int) -> None:
        owner = worker_name(index)
        self.runtime.health.running("reconcile")
        failures = 0
        while not self._stop.is_set():
            try:
                done = reconcile_next(self.runtime, self.reconciler, owner)
            except Exception as exc:  # the thread must outlive any failure
                # reconcile_next keeps a failing ticket's own errors: this is the store's.
                failures += 1
                self._stop.wait(self._failed("reconcile", "claiming a ticket to reconcile", exc,
                                             failures))
                continue
            if failures:
                failures = 0
                self._recovered("reconcile")
            if done is None:
                self._work_ready.wait(self.settings.poll_seconds)
                self._work_ready.clear()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def dead_local_owners(owners: list[str]) -> list[str]:
    """The lease owners that were processes of this host which no longer run.

    Their leases can be taken back at once instead of waiting for them to expire; leases
    of live processes (other ``serve`` workers) and of other hosts are left alone.
    """
    host = socket.gethostname()
    dead = []
    for owner in owners:
        name, _, rest = owner.partition(":")
        pid_text = rest.partition(":")[0]
        if name != host or not pid_text.isdigit() or int(pid_text) == os.getpid():
            continue
        try:
            os.kill(int(pid_text), 0)
        except ProcessLookupError:
            dead.append(owner)
        except PermissionError:
            continue  # alive, owned by another user
    return dead


def prune_old(runtime: Runtime) -> Pruned:
    """Delete what the retention settings no longer keep (one batch of each kind)."""
    keep, now = runtime.settings.retention, runtime.clock.now()
    return runtime.store.prune(
        events_before=now - timedelta(days=keep.processed_events_days),
        timers_before=now - timedelta(days=keep.finished_timers_days),
        decisions_before=now - timedelta(days=keep.decisions_days))


def sweep_when_due(runtime: Runtime, owner: str,
                   next_check: dict[str, datetime] | None = None) -> list[tuple[str, Swept]]:
    """Run the sweep of each :class:`~sla_bridge.platforms.Periodic` platform that is due
    (at most once its ``every``, across replicas: the store hands each period's sweep to one
    of them), from where the last sweep got to; return what the sweeps that ran did.

    ``next_check`` (sweep name -> instant, kept by the caller) spares the store a look
    before a sweep can be due. A sweep runs in the calling thread (the timer worker's).
    """
    now, done = runtime.clock.now(), []
    for platform in runtime.platforms.values():
        if not isinstance(platform, Periodic):
            continue
        every = platform.every
        if every is None or (next_check is not None
                             and now < next_check.get(platform.name, now)):
            continue
        claim = runtime.store.claim_sweep(platform.name, owner, every)
        if next_check is not None:
            next_check[platform.name] = claim.started_at + every
        if not claim.claimed:
            continue
        since = claim.since or now - every
        try:
            swept = platform.sweep(runtime.store, since)
        except StoreUnavailable:
            raise
        except Exception:  # a bug in a plugin must not stop the timers
            log.exception("the %s sweep failed; it runs again in %s", platform.name, every)
            continue
        runtime.store.finish_sweep(platform.name, swept.until)
        if swept.error:
            log.warning("the %s sweep stopped early, at %s: %s", platform.name,
                        swept.until.isoformat(), swept.error)
        log.info("swept %s for changes since %s: %d changed tickets, %d looked at again",
                 platform.name, since.isoformat(), swept.seen, swept.queued)
        done.append((platform.name, swept))
    return done


def fire_due_timers(runtime: Runtime, owner: str) -> list[Timer]:
    """Fire one batch of due timers and record their lateness: from the due instant to the
    commit of the batch's UPDATE (a timer has fired once its ticket is woken for good, so
    the batch's own time counts)."""
    fired = runtime.store.fire_due(owner, runtime.settings.worker.timer_batch)
    committed = runtime.clock.now()
    for timer in fired:
        log.info("timer %s fired for %s (due %s)", timer.kind, timer.ref,
                 timer.due_at.isoformat(), extra={"ticket": str(timer.ref), "timer": timer.kind})
        runtime.metrics.timers_fired.inc()
        runtime.metrics.timer_lateness.observe((committed - timer.due_at).total_seconds())
    return fired


def reconcile_next(runtime: Runtime, reconciler: Reconciler, owner: str) -> Reconciled | None:
    """Claim the next ready ticket and reconcile it; ``None`` when nothing is ready."""
    lease = timedelta(seconds=runtime.settings.worker.lease_seconds)
    claim = runtime.store.claim(owner, lease)
    if claim is None:
        return None
    # A duration, not an instant: the injected clock tells business time.
    started, outcome = time.perf_counter(), "error"
    try:
        with kept_lease(runtime, claim, lease):
            try:
                done = reconciler.reconcile(claim)
            except StoreUnavailable:
                raise
            except Exception as exc:
                log.exception("reconciling %s failed", claim.ref,
                              extra={"ticket": str(claim.ref)})
                runtime.store.retry_later(claim, runtime.clock.now() + timedelta(minutes=1),
                                          f"{type(exc).__name__}: {exc}")
                return Reconciled(claim, "retry", detail=str(exc))
            outcome = done.outcome
            return done
    finally:
        metrics = runtime.metrics
        metrics.reconciliations.labels(claim.ref.platform, outcome).inc()
        metrics.reconcile_seconds.labels(claim.ref.platform, outcome).observe(
            time.perf_counter() - started)


@dataclass
class DrainReport:
    """What :func:`drain` did."""

    fired: list[Timer] = field(default_factory=list)
    reconciled: list[Reconciled] = field(default_factory=list)


def drain(runtime: Runtime, owner: str | None = None, max_rounds: int = 10_000) -> DrainReport:
    """Fire every timer due now and reconcile every ready ticket, in the calling thread.

    Used by ``sla-bridge run-due`` (with a clock set to ``--as-of``) and by tests.
    """
    owner = owner or worker_name("drain")
    reconciler = Reconciler(runtime)
    report = DrainReport()
    for _ in range(max_rounds):
        fired = fire_due_timers(runtime, owner)
        report.fired += fired
        result = reconcile_next(runtime, reconciler, owner)
        if result is not None:
            report.reconciled.append(result)
        if not fired and result is None:
            break
    return report
