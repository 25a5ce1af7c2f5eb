"""Committing webhooks to the inbox from the event loop: dedicated writer threads with
group commit.

The store is synchronous. Handing every webhook to a general thread pool would make
many threads race for SQLite's single write lock, and the losers sleep in SQLite's busy
handler (1, 2, 5, 10... ms), which is what a p99 is made of. Instead, webhooks queue for
a small number of writer threads (one for SQLite, a few for PostgreSQL); a writer takes
everything that queued while it was committing and stores it in one transaction
(``Store.accept`` of all the events), then answers each waiting request. Under light load
a batch is a single webhook; under heavy load the cost of a transaction is shared.

A batch holds one platform's events, so the duplicate counts per platform stay exact. If
a batch fails for a reason other than the database being unavailable, its webhooks are
retried one by one so that one bad webhook fails alone.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sla_bridge.platforms import InboundEvent
from sla_bridge.runtime import Metrics
from sla_bridge.store import Store, StoreUnavailable

log = logging.getLogger("sla_bridge.server")

_STOP = object()


@dataclass(frozen=True)
class Accepted:
    """The outcome of storing one webhook's events.

    ``new`` and ``duplicates`` count this webhook's events when the batch told them
    apart; ``None`` when the batch mixed new and duplicate events of several webhooks
    (the batch totals, which the metrics count, are exact either way).
    """

    new: int | None
    duplicates: int | None
    batch_new: int
    batch_total: int


@dataclass
class _Job:
    platform: str
    events: Sequence[InboundEvent]
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[Accepted] = field(repr=False)


class Ingestor:
    """Writer threads that store webhooks' events durably, in arrival order per thread."""

    def __init__(self, store: Store, metrics: Metrics, *, threads: int | None = None,
                 max_batch: int = 64, timeout: float = 5.0) -> None:
        self.store = store
        self.metrics = metrics
        self.timeout = timeout
        # Called in the writer thread after new events were committed (wakes the workers).
        self.on_new: Callable[[], None] | None = None
        self.max_batch = max_batch
        self.threads = threads or (1 if store.dialect == "sqlite" else 4)
        self._queue: queue.SimpleQueue[_Job | object] = queue.SimpleQueue()
        self._workers: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._stopped = False

    def start(self) -> None:
        """Start the writer threads (once; later calls do nothing)."""
        with self._lock:
            self._stopped = False
            if self._workers:
                return
            for number in range(self.threads):
                thread = threading.Thread(target=self._run, name=f"sla-bridge-ingest-{number}",
                                          daemon=True)
                thread.start()
                self._workers.append(thread)

    def stop(self, timeout: float = 10.0) -> None:
        """Finish what is queued, then stop the threads."""
        with self._lock:
            workers, self._workers = self._workers, []
            self._stopped = True
        for _ in workers:
            self._queue.put(_STOP)
        for thread in workers:
            thread.join(timeout)
        left: list[tuple[_Job, Accepted | BaseException]] = []
        while True:  # a webhook that slipped in behind the stop is refused, not forgotten
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if isinstance(item, _Job):
                left.append((item, StoreUnavailable("the bridge is shutting down")))
        _deliver(left)

    async def accept(self, platform: str, events: Sequence[InboundEvent]) -> Accepted:
        """Store ``events`` durably; returns once they are committed.

        Raises what ``Store.accept`` raised (``StoreUnavailable`` when the database does
        not answer, or once the server is shutting down).
        """
        if self._stopped:
            raise StoreUnavailable("the bridge is shutting down")
        if not self._workers:
            self.start()
        loop = asyncio.get_running_loop()
        job = _Job(platform, events, loop, loop.create_future())
        self._queue.put(job)
        try:
            # Shielded: a commit that lands after the answer is kept; the sender's retry
            # is then a duplicate, stored once.
            return await asyncio.wait_for(asyncio.shield(job.future), self.timeout)
        except TimeoutError:
            raise StoreUnavailable(f"the database did not answer within {self.timeout:g} s "
                                   "(SLA_BRIDGE_SERVER__STORE_TIMEOUT_SECONDS)") from None

    # -- writer thread ---------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is _STOP:
                return
            assert isinstance(first, _Job)
            batch = [first]
            stop = False
            while len(batch) < self.max_batch:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is _STOP:
                    stop = True
                    break
                assert isinstance(item, _Job)
                batch.append(item)
            outcomes: list[tuple[_Job, Accepted | BaseException]] = []
            for group in _by_platform(batch):
                outcomes += self._commit(group)
            _deliver(outcomes)
            if stop:
                return

    def _commit(self, jobs: list[_Job]) -> list[tuple[_Job, Accepted | BaseException]]:
        events = [event for job in jobs for event in job.events]
        try:
            new = self.store.accept(events)
        except StoreUnavailable as exc:
            return [(job, exc) for job in jobs]
        except Exception as exc:
            if len(jobs) == 1:
                return [(jobs[0], exc)]
            log.warning("a batch of %d webhooks failed to commit; retrying them one by one",
                        len(jobs), extra={"platform": jobs[0].platform})
            return [outcome for job in jobs for outcome in self._commit([job])]
        total = len(events)
        platform = jobs[0].platform
        if new:
            self.metrics.webhooks_received.labels(platform).inc(new)
            if self.on_new is not None:
                self.on_new()
        if total > new:
            self.metrics.webhooks_duplicate.labels(platform).inc(total - new)
        outcomes: list[tuple[_Job, Accepted | BaseException]] = []
        for job in jobs:
            count = len(job.events)
            if len(jobs) == 1 or new == total:
                mine: int | None = count if new == total else new
            elif new == 0:
                mine = 0
            else:
                mine = None
            outcomes.append((job, Accepted(mine, None if mine is None else count - mine, new,
                                           total)))
        return outcomes


def _by_platform(batch: list[_Job]) -> list[list[_Job]]:
    groups: dict[str, list[_Job]] = {}
    for job in batch:
        groups.setdefault(job.platform, []).append(job)
    return list(groups.values())


def _deliver(outcomes: list[tuple[_Job, Accepted | BaseException]]) -> None:
    """Answer the waiting requests: one wake-up of each event loop for the whole batch."""
    by_loop: dict[asyncio.AbstractEventLoop, list[tuple[_Job, Accepted | BaseException]]] = {}
    for job, outcome in outcomes:
        by_loop.setdefault(job.loop, []).append((job, outcome))
    for loop, items in by_loop.items():
        try:
            loop.call_soon_threadsafe(_set_outcomes, items)
        except RuntimeError:  # the loop is closed: the server went away, nobody waits
            log.debug("%d webhook(s) committed after their event loop closed", len(items))


def _set_outcomes(items: list[tuple[_Job, Accepted | BaseException]]) -> None:
    for job, outcome in items:
        if job.future.done():  # the request was cancelled meanwhile
            continue
        if isinstance(outcome, BaseException):
            job.future.set_exception(outcome)
        else:
            job.future.set_result(outcome)
