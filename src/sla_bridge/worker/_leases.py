"""Keeping the leases of running reconciles: one thread per process renews them all.

A reconcile holds its ticket's lease for as long as it runs (retries of a vendor call can
take minutes). Its lease is renewed every third of the lease's length, by one keeper thread
shared by every reconcile of the process, instead of a thread started and joined per
reconcile (which cost more than the rest of a quick reconcile's bookkeeping).
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import timedelta

from sla_bridge.runtime import Runtime
from sla_bridge.store import Claim, StoreUnavailable

log = logging.getLogger("sla_bridge.worker")


@dataclass
class _Held:
    runtime: Runtime
    claim: Claim
    lease: timedelta
    every: float
    next_at: float


class LeaseKeeper:
    """Renews the registered claims' leases, each every third of its lease (real time)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._held: dict[int, _Held] = {}
        self._ids = itertools.count()
        self._thread: threading.Thread | None = None
        self._wake_at: float | None = None  # when the keeper thread next looks (None: idle)

    @contextmanager
    def keep(self, runtime: Runtime, claim: Claim, lease: timedelta) -> Iterator[None]:
        """Renew ``claim``'s lease while the block runs."""
        every = lease.total_seconds() / 3
        held = _Held(runtime, claim, lease, every, time.monotonic() + every)
        with self._cond:
            token = next(self._ids)
            self._held[token] = held
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="leases", daemon=True)
                self._thread.start()
            elif self._wake_at is None or held.next_at < self._wake_at:
                self._cond.notify()
        try:
            yield
        finally:
            with self._cond:
                self._held.pop(token, None)

    def _run(self) -> None:
        while True:
            with self._cond:
                now = time.monotonic()
                due = [(token, held) for token, held in self._held.items()
                       if held.next_at <= now]
                for _token, held in due:
                    held.next_at = now + held.every
                if not due:
                    self._wake_at = min((h.next_at for h in self._held.values()), default=None)
                    self._cond.wait(None if self._wake_at is None else self._wake_at - now)
                    continue
            for token, held in due:
                self._renew(token, held)

    def _renew(self, token: int, held: _Held) -> None:
        try:
            kept = held.runtime.store.extend(held.claim, held.lease)
        except StoreUnavailable:
            log.warning("could not renew the lease on %s: database unavailable", held.claim.ref)
            return
        except Exception:  # the keeper must outlive any failure
            log.exception("renewing the lease on %s failed", held.claim.ref)
            return
        if kept:
            return
        with self._cond:
            if self._held.pop(token, None) is None:
                return  # the reconcile had just finished: its release ended the lease
        log.error("lease on %s was lost while reconciling", held.claim.ref)


KEEPER = LeaseKeeper()


def kept_lease(runtime: Runtime, claim: Claim, lease: timedelta) -> AbstractContextManager[None]:
    """Renew ``claim``'s lease in the background while the block runs (retries can be long)."""
    return KEEPER.keep(runtime, claim, lease)
