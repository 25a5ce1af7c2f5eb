"""``sla-bridge demo``: a scripted Thanksgiving week on the Zendesk sandbox, on a virtual clock.

Only the script is here (:class:`ThanksgivingWeek`); the frame is the kit's
(:func:`sla_bridge.testing.run_demo` on :class:`~.loop.BridgeOnSandbox`): the Zendesk
sandbox, the bridge's webhook server (real uvicorn, real HTTP, signed webhooks), SQLite,
zenpy write-back, all on loopback and in a temporary folder. The clock is virtual: the
script moves it, the bridge's timers fire at their instants, and each step ends when the
bridge has processed every webhook and written everything back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from sla_bridge import testing
from sla_bridge.testing import BridgeHarness

from .loop import BridgeOnSandbox
from .sandbox import Sandbox

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


def seed(sandbox: Sandbox) -> Cast:
    """The demo's organizations, people and groups."""
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


def play(world: BridgeOnSandbox, cast: Cast, out: TextIO) -> None:
    """The scripted week, told to ``out``."""
    sandbox = world.sandbox
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
    world.step(at("11-26T09:20"), "Avery agrees with the bridge's severity 4 in a note",
               lambda: sandbox.agent_update(howto["id"], cast.agent["id"],
                                            comment="Agreed: a how-to is Severity 4.",
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
    out.write(f"\n{'':22}Globex's Severity 1 was never answered: see the warning and "
                    "the breach above.\n")


class ThanksgivingWeek:
    """The demo's script: Wed 25 Nov - Mon 30 Nov 2026 under code42-enterprise (Acme: Gold,
    Globex: Silver) and crashplan-small-business (Initech)."""

    span = "week: Wed 25 Nov - Mon 30 Nov 2026"

    def __init__(self) -> None:
        self.cast: Cast | None = None

    def build(self, folder: Path, out: TextIO) -> BridgeOnSandbox:
        """The world on the Zendesk sandbox, seeded with the cast, not started."""
        world = BridgeOnSandbox(folder, start=START, webhook_secret=SECRET,
                                policies=["code42-enterprise", "crashplan-small-business"],
                                manager_group="Customer Champion managers", out=out,
                                zone=ZoneInfo("America/Chicago"))
        self.cast = seed(world.sandbox)
        return world

    def play(self, world: BridgeHarness, out: TextIO) -> None:
        """The scripted week."""
        if not isinstance(world, BridgeOnSandbox) or self.cast is None:
            raise TypeError("ThanksgivingWeek plays on the world its build() made")
        play(world, self.cast, out)


def run_demo(out: TextIO) -> int:
    """Play the demo, printing the timeline to ``out``; return the exit status."""
    return testing.run_demo(ThanksgivingWeek(), out)
