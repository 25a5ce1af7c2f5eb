"""``sla-bridge demo``: a scripted week on a virtual clock, the real bridge and the sandbox.

Everything runs on loopback and in a temporary folder: the Zendesk sandbox, the bridge's
webhook server (real uvicorn, real HTTP, signed webhooks), SQLite, zenpy write-back. The
clock is virtual: the script moves it, the bridge's timers fire at their instants, and each
step ends when the bridge has processed every webhook and written everything back.
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

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
from .provision import Provisioner
from .sandbox import Sandbox
from .settings import ZendeskSettings

CENTRAL = "-06:00"
START = datetime.fromisoformat(f"2026-11-25T08:00:00{CENTRAL}")
SECRET = "demo-webhook-signing-secret-4242"
COMPLETE = ("Product: CrashPlan (Code42 app 11.2) on Windows 11 and macOS 14. GUID "
            "987654321098765432, user dana@acme.test, logs attached, screenshot attached, "
            "cloud destination: Code42 cloud.")


def at(text: str) -> datetime:
    """An instant of the demo week, US Central (the week is all in standard time)."""
    return datetime.fromisoformat(f"2026-{text}:00{CENTRAL}")


@dataclass
class Cast:
    """The demo's organizations and people."""

    acme_admin: dict[str, Any]
    globex_admin: dict[str, Any]
    initech_owner: dict[str, Any]
    agent: dict[str, Any]
    manager: dict[str, Any]


class DemoWorld:
    """The sandbox, the bridge and the virtual clock, wired together."""

    def __init__(self, folder: Path, out: TextIO) -> None:
        self.out = out
        self.clock = FixedClock(START)
        self.sandbox = Sandbox(clock=self.clock, webhook_secret=SECRET)
        self.sandbox.start()
        self.cast = self._seed()
        self._env = {**self.sandbox.plugin_env(), "SLA_BRIDGE_ZENDESK__LOOKUP_TTL_SECONDS": "0"}
        with _environment(self._env):
            settings = load_settings(
                database_url=f"sqlite:///{folder / 'sla-bridge.db'}",
                policies=["code42-enterprise", "crashplan-small-business"])
            self.runtime = Runtime.build(settings, self.clock, PluginHost.from_settings(settings))
            self.zendesk_settings = ZendeskSettings()
        self.runtime.store.upgrade()
        self._serve()
        provisioner = Provisioner(ZendeskClient(self.zendesk_settings), self.zendesk_settings,
                                  self.url, manager_group="Customer Champion managers")
        provisioner.apply(provisioner.plan())
        self._seen = 0
        self.names: dict[str, str] = {}

    def _seed(self) -> Cast:
        sandbox = self.sandbox
        acme = sandbox.add_organization("Acme", {"support_plan": "gold",
                                                 "support_location": "usa"})
        globex = sandbox.add_organization("Globex", {"support_plan": "silver",
                                                     "support_location": "usa"})
        initech = sandbox.add_organization("Initech", {"support_plan": "small-business"})
        for group in ("Customer Champions", "Customer Champion managers",
                      "Senior Customer Champions"):
            sandbox.add_group(group)
        return Cast(
            acme_admin=sandbox.add_user("Dana Acme", "dana@acme.test", acme["id"],
                                        tags=["support_admin"]),
            globex_admin=sandbox.add_user("Gil Globex", "gil@globex.test", globex["id"],
                                          tags=["support_admin"]),
            initech_owner=sandbox.add_user("Ivy Initech", "ivy@initech.test", initech["id"]),
            agent=sandbox.add_agent("Avery (agent)", "avery@code42.test"),
            manager=sandbox.add_agent("Morgan (manager)", "morgan@code42.test"),
        )

    def _serve(self) -> None:
        sock = bind("127.0.0.1", 0)
        port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        config = uvicorn_config(create_app(self.runtime, run_workers=False), host="127.0.0.1",
                                port=port)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [sock]},
                                       daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the bridge's server did not start")
            time.sleep(0.02)

    def close(self) -> None:
        """Stop the server and the sandbox."""
        self.server.should_exit = True
        self.thread.join(10)
        self.runtime.close()
        self.sandbox.stop()

    # -- moving the story on ------------------------------------------------------------

    def settle(self) -> None:
        """Deliver every webhook and let the bridge process everything due, until quiet."""
        with _environment(self._env):
            for _ in range(50):
                self.sandbox.flush(10)
                report = drain(self.runtime)
                if not report.fired and not report.reconciled:
                    self.sandbox.flush(10)
                    if not self.runtime.store.inbox_depth()[0]:
                        return
        raise RuntimeError("the bridge did not settle")

    def advance(self, to: datetime) -> None:
        """Move the clock to ``to``, stopping at every timer due on the way."""
        while True:
            due = self.runtime.store.next_timer_due()
            if due is None or due > to:
                break
            self.clock.set(max(due, self.clock.now()))
            kinds = sorted({t.kind.split(":")[0].replace("_", " ") for t in
                            self.runtime.store.timers(due_before=self.clock.now())})
            self._line(self.clock.now(), f"(the bridge's timers: {', '.join(kinds)})")
            self.settle()
            self.report()
        self.clock.set(to)

    def step(self, when: datetime, what: str, action: Callable[[], Any],
             label: str | None = None) -> Any:
        """At ``when``, let ``action`` happen, settle, and print what the bridge did."""
        self.advance(when)
        self._line(self.clock.now(), what)
        result = action()
        if label is not None:
            self.names[str(result["id"])] = f"#{result['id']} {label}"
        self.settle()
        self.report()
        return result

    def report(self) -> None:
        """Print the bridge's new decisions since the last report."""
        for entry_id, ref, decision in self.runtime.store.decisions_after(self._seen):
            self._seen = entry_id
            self.out.write(f"  {self._name(ref):<16}{_describe(decision)}\n")

    def _name(self, ref: TicketRef) -> str:
        return self.names.get(ref.ticket_id, f"#{ref.ticket_id}")

    def _line(self, when: datetime, what: str) -> None:
        local = when.astimezone(START.tzinfo)
        self.out.write(f"\n{local:%a %d %b %H:%M} CST   {what}\n")


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


def _describe(decision: Decision) -> str:
    if decision.kind.startswith("action."):
        label, text = decision.summary.split(" ", 1)
        return f"{label:<11}{text}"
    label = _LABELS.get(decision.kind, decision.kind.split(".")[0])
    return f"{label:<11}{decision.summary}"


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def play(world: DemoWorld) -> None:
    """The scripted week."""
    sandbox, cast = world.sandbox, world.cast
    out = world.out
    out.write("sla-bridge demo: a week of support under code42-enterprise (Acme: Gold, Globex: "
              "Silver)\nand crashplan-small-business (Initech), on a virtual clock. Zendesk is "
              "the local sandbox.\n")

    initech = world.step(at("11-25T09:00"), "Initech opens a Normal ticket: backups stopped",
                         lambda: sandbox.open_ticket(
                             cast.initech_owner["id"], "Backups stopped on the office Mac",
                             "CrashPlan for Small Business 11.2 on macOS 14 stopped backing "
                             "up. Computer ID 123456789012345678, user ivy@initech.test, logs "
                             "attached, screenshot attached, destination CrashPlan Central. "
                             "It stalls at 42% every night.", priority="normal"),
                         label="Initech")
    world.step(at("11-25T10:00"), "Avery answers Initech with the fix and marks it solved",
               lambda: sandbox.agent_update(initech["id"], cast.agent["id"],
                                            comment="Please update to 11.2.1; that fixes it.",
                                            status="solved"))

    gold = world.step(at("11-25T16:00"), "Acme (Gold) opens a Severity 2: restores fail",
                      lambda: sandbox.open_ticket(
                          cast.acme_admin["id"], "Restores fail from many devices",
                          "Restores fail from many devices since Monday's upgrade; we can "
                          "still restore from a few. " + COMPLETE, priority="high"),
                      label="Acme S2")

    world.step(at("11-26T03:00"), "Thanksgiving, 03:00: Globex (Silver) opens a "
                                           "Severity 1 with few details",
                        lambda: sandbox.open_ticket(
                            cast.globex_admin["id"], "Cannot restore anything",
                            "Nobody in the company can restore files since last night.",
                            priority="urgent"),
                        label="Globex S1")

    howto = world.step(at("11-26T09:00"), "Acme opens a 'Severity 1' that is a how-to question",
                       lambda: sandbox.open_ticket(
                           cast.acme_admin["id"], "URGENT: how do I exclude a folder?",
                           "How do I exclude the Downloads folder from backup for one user? "
                           "Just asking for information. " + COMPLETE, priority="urgent"),
                       label="Acme how-to")
    world.step(at("11-26T09:20"), "Avery accepts the suggestion: severity 4 (priority low)",
               lambda: sandbox.agent_update(howto["id"], cast.agent["id"], priority="low",
                                            comment="Re-categorised to Severity 4.",
                                            public=False))

    world.names[str(initech["id"] + 4)] = f"#{initech['id'] + 4} follow-up"
    world.step(at("11-28T12:00"), "Initech replies to its closed ticket: it happens again",
               lambda: sandbox.customer_reply(initech["id"], "It stalls again since yesterday."))

    world.step(at("11-30T10:30"), "Avery answers Acme's Severity 2",
               lambda: sandbox.agent_update(gold["id"], cast.agent["id"],
                                            comment="We are on it: it is the new restore "
                                                    "throttle. Collecting logs now."))
    world.step(at("11-30T11:00"), "Acme asks to escalate, expecting severity 1",
               lambda: sandbox.customer_reply(
                   gold["id"], "Please escalate: restores from many devices have failed for "
                               "five days and our audit is on Wednesday. We expect severity 1. "
                               "Call me at +1 612 555 0100."))
    macro = sandbox.macro_id("sla-bridge: approve escalation and severity")
    world.step(at("11-30T11:30"), "Morgan (manager) approves the escalation and the severity",
               lambda: sandbox.apply_macro(gold["id"], macro, cast.manager["id"]))
    world.advance(at("11-30T17:30"))
    world.report()
    world.out.write(f"\n{'':22}Globex's Severity 1 was never answered: see the warning and "
                    "the breach above.\n")


def run_demo(out: TextIO) -> int:
    """Play the demo, printing the timeline to ``out``; return the exit status."""
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="sla-bridge-demo-") as folder:
        world = DemoWorld(Path(folder), out)
        try:
            play(world)
        finally:
            world.close()
    out.write(f"\nDone in {time.monotonic() - started:.1f} s (virtual week: Wed 25 Nov - Mon 30 "
              "Nov 2026). Nothing left the machine.\n")
    return 0
