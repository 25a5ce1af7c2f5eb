"""The real bridge on the Zendesk sandbox, on a virtual clock: the loop the demo and the
end-to-end tests play on.

::

    from sla_bridge_zendesk.loop import BridgeOnSandbox

    world = BridgeOnSandbox(folder, start=datetime(2026, 11, 30, 9, tzinfo=CENTRAL),
                            policies=["code42-enterprise"])
    org = world.sandbox.add_organization("Acme", {"support_plan": "gold"})   # seed first ...
    world.start()                                                            # ... then wire
    ticket = world.sandbox.open_ticket(...)
    world.settle()                  # every webhook delivered, everything processed
    world.advance(later)            # the clock moves, the bridge's timers fire on the way
    world.close()

Everything runs on loopback and in ``folder``: the sandbox (its webhooks signed), the
bridge's webhook server (the FastAPI app under a real uvicorn, without background
workers), SQLite, zenpy write-back. :meth:`BridgeOnSandbox.start` wires them the way
``sla-bridge zendesk setup`` wires an account (webhook, triggers, fields, macros). The
bridge does its work in the caller's thread (:meth:`~BridgeOnSandbox.settle`), so a step
ends when the bridge has processed every webhook and written everything back. With
``out`` it prints a readable timeline of what the bridge decided and wrote; without, it
is quiet.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any, TextIO, TypeVar, cast

import uvicorn

from sla_bridge.clock import FixedClock
from sla_bridge.plugin import PluginHost
from sla_bridge.runtime import Runtime
from sla_bridge.server import bind, create_app, uvicorn_config
from sla_bridge.settings import load_settings
from sla_bridge.store import Decision
from sla_bridge.tickets import TicketRef
from sla_bridge.worker import drain

from .client import ZendeskClient
from .provision import Mode, Provisioner
from .sandbox import Sandbox
from .settings import ZendeskSettings

__all__ = ["BridgeOnSandbox", "describe_decision"]

DEFAULT_SECRET = "loop-webhook-signing-secret-0042"
_T = TypeVar("_T")


class BridgeOnSandbox:
    """The sandbox, the bridge and the virtual clock, wired together.

    ``policies`` are the policies in force (first match wins), ``start`` the virtual
    instant the story begins at, ``environment`` extra ``SLA_BRIDGE_*`` variables in force
    while the bridge is built and works (retry settings, field mapping ...). Seed the
    sandbox's organizations, users and groups between construction and :meth:`start`
    when the wiring needs them (``manager_group`` must exist), or at any time otherwise.
    """

    def __init__(self, folder: Path, *, start: datetime,
                 policies: Sequence[str] = ("code42-enterprise",),
                 webhook_secret: str = DEFAULT_SECRET, manager_group: str | None = None,
                 mode: Mode = "triggers", environment: Mapping[str, str] | None = None,
                 out: TextIO | None = None, zone: tzinfo | None = None) -> None:
        self.folder = folder
        self.policies = list(policies)
        self.manager_group = manager_group
        self.mode: Mode = mode
        self.out = out
        self.zone = zone or start.tzinfo
        self.clock = FixedClock(start)
        self.sandbox = Sandbox(clock=self.clock, webhook_secret=webhook_secret)
        self.sandbox.start()
        self._env = {**self.sandbox.plugin_env(), "SLA_BRIDGE_ZENDESK__LOOKUP_TTL_SECONDS": "0",
                     **(environment or {})}
        self.names: dict[str, str] = {}
        self._seen = 0
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._runtime: Runtime | None = None
        self.url = ""

    # -- lifecycle ----------------------------------------------------------------------

    def start(self) -> BridgeOnSandbox:
        """Build the bridge, serve its webhooks and wire the sandbox to it."""
        if self._runtime is not None:
            return self
        with self.environment():
            settings = load_settings(
                database_url=f"sqlite:///{self.folder / 'sla-bridge.db'}",
                policies=self.policies)
            self._runtime = Runtime.build(settings, self.clock,
                                          PluginHost.from_settings(settings))
            self.zendesk_settings = ZendeskSettings()
        self._runtime.store.upgrade()
        self._serve(self._runtime)
        provisioner = Provisioner(ZendeskClient(self.zendesk_settings), self.zendesk_settings,
                                  self.url, mode=self.mode, manager_group=self.manager_group)
        provisioner.apply(provisioner.plan())
        return self

    @property
    def runtime(self) -> Runtime:
        """The bridge (after :meth:`start`)."""
        if self._runtime is None:
            raise RuntimeError("BridgeOnSandbox.start() has not been called")
        return self._runtime

    def _serve(self, runtime: Runtime) -> None:
        sock = bind("127.0.0.1", 0)
        port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        config = uvicorn_config(create_app(runtime, run_workers=False), host="127.0.0.1",
                                port=port)
        self._server = server = uvicorn.Server(config)
        self._thread = thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]},
                                                 daemon=True)
        thread.start()
        deadline = time.monotonic() + 20
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("the bridge's server did not start")
            time.sleep(0.02)

    def close(self) -> None:
        """Stop the bridge's server and the sandbox."""
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(10)
            self._server = None
        if self._runtime is not None:
            self._runtime.close()
        self.sandbox.stop()

    def __enter__(self) -> BridgeOnSandbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def environment(self) -> Iterator[None]:
        """The bridge's environment variables, in force for the block."""
        saved = {name: os.environ.get(name) for name in self._env}
        os.environ.update(self._env)
        try:
            yield
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value

    # -- moving the story on ------------------------------------------------------------

    def settle(self) -> None:
        """Deliver every webhook and let the bridge process everything due, until quiet."""
        runtime = self.runtime
        with self.environment():
            for _ in range(50):
                self.sandbox.flush(10)
                report = drain(runtime)
                if not report.fired and not report.reconciled:
                    self.sandbox.flush(10)
                    if not runtime.store.inbox_depth()[0]:
                        return
        raise RuntimeError("the bridge did not settle")

    def advance(self, to: datetime) -> None:
        """Move the clock to ``to``, stopping at every timer due on the way."""
        store = self.runtime.store
        while True:
            due = store.next_timer_due()
            if due is None or due > to:
                break
            self.clock.set(max(due, self.clock.now()))
            if self.out is not None:
                kinds = sorted({t.kind.split(":")[0].replace("_", " ") for t in
                                store.timers(due_before=self.clock.now())})
                self._line(self.clock.now(), f"(the bridge's timers: {', '.join(kinds)})")
            self.settle()
            self.report()
        self.clock.set(to)

    def step(self, when: datetime, what: str, action: Callable[[], _T],
             label: str | None = None) -> _T:
        """At ``when``, let ``action`` happen, settle, and report what the bridge did.

        ``label`` names the ticket ``action`` returns in the timeline.
        """
        self.advance(when)
        if self.out is not None:
            self._line(self.clock.now(), what)
        result = action()
        if label is not None:
            number = cast(Mapping[str, Any], result)["id"]
            self.names[str(number)] = f"#{number} {label}"
        self.settle()
        self.report()
        return result

    # -- what the bridge did -------------------------------------------------------------

    def decisions(self, ticket_id: int | str) -> list[Decision]:
        """The bridge's audit trail of one ticket, oldest first."""
        ref = TicketRef(platform="zendesk", ticket_id=str(ticket_id))
        return list(reversed(self.runtime.store.decisions(ref, limit=1000)))

    def report(self) -> None:
        """Print the bridge's new decisions since the last report (when printing)."""
        for entry_id, ref, decision in self.runtime.store.decisions_after(self._seen):
            self._seen = entry_id
            if self.out is not None:
                self.out.write(f"  {self._name(ref):<16}{describe_decision(decision)}\n")

    def _name(self, ref: TicketRef) -> str:
        return self.names.get(ref.ticket_id, f"#{ref.ticket_id}")

    def _line(self, when: datetime, what: str) -> None:
        assert self.out is not None
        local = when.astimezone(self.zone)
        self.out.write(f"\n{local:%a %d %b %H:%M %Z}   {what}\n")


_LABELS = {
    "policy.selected": "policy", "sla.first_response": "SLA", "sla.next_update": "SLA",
    "severity.suggested": "severity", "severity.recategorised": "severity",
    "intake.missing": "intake", "intake.complete": "intake", "entitlement.admin": "entitled?",
    "entitlement.channel": "entitled?", "escalation.incomplete": "escalation",
    "escalation.requested": "escalation", "escalation.approved": "escalation",
    "escalation.declined": "escalation", "auto_close.closed": "auto-close",
    "auto_close.solved": "auto-close", "follow_up.opened": "follow-up",
    "sla.first_response.breach": "BREACH", "sla.next_update.breach": "BREACH",
    "sla.first_response.paused": "paused", "sla.next_update.paused": "paused",
}


def describe_decision(decision: Decision) -> str:
    """One line of the timeline: a label and the decision's summary."""
    if decision.kind.startswith("action."):
        label, text = decision.summary.split(" ", 1)
        return f"{label:<11}{text}"
    label = _LABELS.get(decision.kind, decision.kind.split(".")[0])
    return f"{label:<11}{decision.summary}"
