"""The real bridge on a platform's sandbox, on a virtual clock: the loop that end-to-end tests,
the conformance suite and the demos play on, for any platform.

::

    clock = VirtualClock(monday_8am)
    harness = BridgeHarness(folder, sandbox, clock=clock, policies=["code42-enterprise"])
    harness.start()                  # the bridge under uvicorn, the sandbox wired to it
    ticket = harness.step(monday_9am, "Dana opens", lambda: desk.open_ticket(...))
    harness.advance(friday)          # the clock moves; the bridge's timers fire on the way
    harness.close()

The platform supplies a :class:`PlatformSandbox`: the settings that point its plugin at the
sandbox, how to wire the sandbox's webhooks to the bridge, and how to deliver what it has
queued. Everything else is the bridge's own code: the FastAPI app under a real uvicorn
(without background workers), SQLite in ``folder``, the plugin host, the worker's reconciler.
The bridge works in the caller's thread (:meth:`BridgeHarness.settle`), so a step ends when
every webhook was delivered and processed and everything was written back. Its retries sleep
through a :class:`RecordingSleep` (no real time spent; :attr:`BridgeHarness.retry_waits`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Protocol, Self, TextIO, TypeVar

from sla_bridge.platforms import InboundEvent
from sla_bridge.plugin import PluginHost
from sla_bridge.runtime import Runtime
from sla_bridge.settings import Settings, load_settings
from sla_bridge.store import Decision
from sla_bridge.tickets import TicketRef
from sla_bridge.worker import Applied, Applier, Reconciler, fire_due_timers, reconcile_next

from ._serving import RecordingSleep, ServedBridge, VirtualClock
from ._timeline import Timeline

_T = TypeVar("_T")
#: A short retry back-off, so that tests with faults stay fast (a ``Retry-After`` still wins).
FAST_RETRIES = {"SLA_BRIDGE_RETRY__INITIAL_SECONDS": "0.01",
                "SLA_BRIDGE_RETRY__MAX_SECONDS": "0.05"}
# A step that keeps producing work after this many deliver-and-drain rounds is a bug.
MAX_ROUNDS = 50


# Harnesses closing in the background (close(wait=False)), joined by finish_closing().
_CLOSING: list[threading.Thread] = []
log = logging.getLogger("sla_bridge.testing")


def finish_closing(timeout: float = 30.0) -> None:
    """Wait until every harness closed with ``wait=False`` has stopped."""
    while _CLOSING:
        _CLOSING.pop().join(timeout)


def _ticket_id(result: object) -> str:
    """The id of the ticket a step returned."""
    if isinstance(result, Mapping):
        return str(result["id"])
    ref = getattr(result, "ref", None)
    return str(getattr(ref, "ticket_id", result))


def _logged(work: Callable[[], None]) -> Callable[[], None]:
    def run() -> None:
        try:
            work()
        except Exception:
            log.exception("closing a harness failed")

    return run


class PlatformSandbox(Protocol):
    """What a platform gives the harness: its sandbox, and how to point the plugin at it."""

    @property
    def platform(self) -> str:
        """The platform's name in ticket references (``zendesk``)."""
        ...

    def plugin_environment(self) -> Mapping[str, str]:
        """The ``SLA_BRIDGE_*`` variables that point the platform's plugin at the sandbox."""
        ...

    def connect(self, bridge_url: str, settings: Settings) -> None:
        """Send the sandbox's webhooks to the bridge at ``bridge_url`` (run once, after the
        bridge serves: the way an admin wires the helpdesk, e.g. ``zendesk setup``);
        ``settings`` are the bridge's (the plugin's section: ``settings.section(...)``)."""
        ...

    def deliver(self) -> None:
        """Send every webhook the sandbox has queued; return once they were answered."""
        ...

    def close(self) -> None:
        """Stop the sandbox."""
        ...


class BridgeHarness:
    """The bridge, a platform's sandbox (``helpdesk``) and a virtual clock, wired together.

    ``policies`` are in force (first match wins); ``clock`` is the virtual clock, standing at
    the story's first instant (the sandbox should read the same clock; the bridge's retry
    waits are spent on its monotonic timer); ``environment`` holds extra ``SLA_BRIDGE_*``
    variables (retries, field mapping ...). The bridge reads its settings, the plugins'
    sections included, from the sandbox's :meth:`~PlatformSandbox.plugin_environment` and
    ``environment`` only: never from the process environment or a ``.env`` file, which it
    leaves alone. With ``out`` it prints a timeline of what the bridge decided, in ``zone``
    (UTC by default).
    """

    def __init__(self, folder: Path, helpdesk: PlatformSandbox, *, clock: VirtualClock,
                 policies: Sequence[str] = ("code42-enterprise",),
                 environment: Mapping[str, str] | None = None, out: TextIO | None = None,
                 zone: tzinfo | None = None) -> None:
        self.folder = folder
        self.helpdesk = helpdesk
        self.clock = clock
        self.policies = list(policies)
        self.timeline = Timeline(out, zone or clock.now().tzinfo)
        self.sleep = RecordingSleep(clock)
        self._env = {**helpdesk.plugin_environment(), **(environment or {})}
        self._seen = 0
        self._served: ServedBridge | None = None
        self._runtime: Runtime | None = None
        self._reconciler: Reconciler | None = None
        self._looks = 0
        self._closed = False
        self.url = ""

    # -- lifecycle ----------------------------------------------------------------------

    def start(self) -> Self:
        """Build the bridge, serve its webhooks and wire the sandbox to it (once)."""
        if self._runtime is not None:
            return self
        settings = load_settings(environ=self._env,
                                 database_url=f"sqlite:///{self.folder / 'sla-bridge.db'}",
                                 policies=self.policies)
        runtime = Runtime.build(settings, self.clock, PluginHost.from_settings(settings))
        if self.helpdesk.platform not in runtime.platforms:
            runtime.close()
            raise RuntimeError(f"the {self.helpdesk.platform} plugin did not register its "
                               "platform: is it installed, and does the sandbox's "
                               "environment configure it?")
        self._runtime = runtime
        runtime.store.upgrade()
        self._reconciler = Reconciler(runtime, Applier(runtime.store, runtime.metrics,
                                                       runtime.settings.retry,
                                                       sleep=self.sleep))
        self._served = ServedBridge(runtime)
        self.url = self._served.url
        self.helpdesk.connect(self.url, settings)
        return self

    @property
    def runtime(self) -> Runtime:
        """The bridge (after :meth:`start`, until :meth:`close`)."""
        if self._runtime is None:
            raise RuntimeError("the harness is not running (start() it first)")
        return self._runtime

    def close(self, *, wait: bool = True) -> None:
        """Stop the bridge's server and the sandbox (at the same time), release the
        bridge's database.

        With ``wait=False`` the shutdown (a few tenths of a second of the servers' own
        timers) finishes in a background thread, so that the next test need not wait for
        it; :func:`finish_closing` waits for every such shutdown (the kit's pytest plugin
        calls it at the end of the session).
        """
        if self._closed:
            return
        self._closed = True
        served, runtime = self._served, self._runtime
        self._served = self._runtime = None
        if served is not None:
            served.begin_stop()

        def finish() -> None:
            self.helpdesk.close()
            if served is not None:
                served.stop()
            if runtime is not None:
                runtime.close()

        if wait:
            finish()
            return
        closing = threading.Thread(target=_logged(finish), name="harness-close", daemon=True)
        _CLOSING.append(closing)
        closing.start()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- moving the story on ------------------------------------------------------------

    def settle(self) -> None:
        """Deliver every webhook and let the bridge process everything due, until quiet."""
        runtime = self.runtime
        for _ in range(MAX_ROUNDS):
            self.helpdesk.deliver()
            if not self._drain():
                self.helpdesk.deliver()
                if not runtime.store.inbox_depth()[0]:
                    return
        raise RuntimeError("the bridge did not settle")

    def _drain(self) -> bool:
        """Fire the due timers and reconcile the ready tickets; whether there was any work."""
        runtime, reconciler = self.runtime, self._reconciler
        assert reconciler is not None
        worked = False
        while True:
            fired = fire_due_timers(runtime, "harness")
            done = reconcile_next(runtime, reconciler, "harness")
            if not fired and done is None:
                return worked
            worked = True

    def advance(self, to: datetime) -> None:
        """Move the clock to ``to``, stopping at every timer due on the way."""
        store = self.runtime.store
        while True:
            due = store.next_timer_due()
            if due is None or due > to:
                break
            self.clock.set(max(due, self.clock.now()))
            kinds = sorted({t.kind.split(":")[0].replace("_", " ") for t in
                            store.timers(due_before=self.clock.now())})
            self.timeline.step(self.clock.now(), f"(the bridge's timers: {', '.join(kinds)})")
            self.settle()
            self.report()
        self.clock.set(to)

    def step(self, when: datetime, what: str, action: Callable[[], _T],
             label: str | None = None) -> _T:
        """At ``when``, let ``action`` happen, settle, and report what the bridge did.

        ``label`` names, in the timeline, the ticket ``action`` returns (a mapping with an
        ``id`` as a vendor's API answers, a neutral ticket, or the id itself).
        """
        self.advance(when)
        self.timeline.step(self.clock.now(), what)
        result = action()
        if label is not None:
            self.timeline.name(_ticket_id(result), label)
        self.settle()
        self.report()
        return result

    def look_again(self, ticket_id: int | str) -> list[Applied]:
        """Make the bridge reconcile the ticket once more, as any webhook would; return what
        that look wrote (nothing, once the bridge has settled)."""
        self._looks += 1
        ref = self.ref(ticket_id)
        self.runtime.store.accept([InboundEvent(ref=ref, delivery_id=f"harness-look-"
                                                f"{self._looks}", event_type="harness.look")])
        runtime, reconciler = self.runtime, self._reconciler
        assert reconciler is not None
        done = reconcile_next(runtime, reconciler, "harness")
        if done is None or done.claim.ref != ref:
            raise RuntimeError(f"the bridge did not look at {ref} (is work still waiting?)")
        written = [a for a in done.applied if a.outcome == "applied"]
        self.settle()
        return written

    # -- what the bridge did -------------------------------------------------------------

    @property
    def names(self) -> dict[str, str]:
        """Ticket id -> how the timeline shows it (``#3 Globex S1``)."""
        return self.timeline.names

    @property
    def retry_waits(self) -> list[float]:
        """Every wait (seconds) the bridge's retries asked for, in order."""
        return self.sleep.waits

    def ref(self, ticket_id: int | str) -> TicketRef:
        """The bridge's reference of one of the sandbox's tickets."""
        return TicketRef(platform=self.helpdesk.platform, ticket_id=str(ticket_id))

    def decisions(self, ticket_id: int | str) -> list[Decision]:
        """The bridge's audit trail of one ticket, oldest first."""
        return list(reversed(self.runtime.store.decisions(self.ref(ticket_id), limit=1000)))

    def metric(self, name: str, **labels: str) -> float:
        """A sample of the bridge's metrics (0 when absent)."""
        value = self.runtime.metrics.registry.get_sample_value(name, labels or None)
        return value or 0.0

    def report(self) -> None:
        """Print the bridge's new decisions since the last report (when printing)."""
        for entry_id, ref, decision in self.runtime.store.decisions_after(self._seen):
            self._seen = entry_id
            self.timeline.decision(ref, decision)

    def say(self, text: str) -> None:
        """Add free text to the timeline (when printing)."""
        self.timeline.say(text)
