"""``sla-bridge demo``: a scripted Thanksgiving week on the Zendesk sandbox, on a virtual clock.

The week itself (instants, words, steps) is the kit's :mod:`sla_bridge.testing.thanksgiving`;
here are Zendesk's acts (:class:`ZendeskActs`: priorities, agent updates, the escalation
macro). The frame is the kit's (:func:`sla_bridge.testing.run_demo` on
:class:`~.loop.BridgeOnSandbox`): the Zendesk sandbox, the bridge's webhook server (real
uvicorn, real HTTP, signed webhooks), SQLite, zenpy write-back, all on loopback and in a
temporary folder. The clock is virtual: the script moves it, the bridge's timers fire at their
instants, and each step ends when the bridge has processed every webhook and written
everything back.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from sla_bridge.testing import BridgeHarness
from sla_bridge.testing.thanksgiving import POLICIES, SPAN, START, ZONE, play_week

from .loop import BridgeOnSandbox
from .sandbox import Sandbox

SECRET = "demo-webhook-signing-secret-4242"
# The priority a customer picks for each severity of the week.
PRIORITIES = {"Normal": "normal", "2": "high", "1": "urgent"}


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


@dataclass
class ZendeskActs:
    """The week's people on the Zendesk sandbox (a ``WeekActs``)."""

    sandbox: Sandbox
    cast: Cast

    def open(self, who: str, subject: str, text: str, severity: str) -> str:
        """A ticket with the priority the customer picks for ``severity``."""
        requester = {"initech": self.cast.initech_owner, "acme": self.cast.acme_admin,
                     "globex": self.cast.globex_admin}[who]
        return str(self.sandbox.open_ticket(requester["id"], subject, text,
                                            priority=PRIORITIES[severity])["id"])

    def answer_and_solve(self, ticket: str, text: str) -> None:
        """A public reply and the status solved, in one update."""
        self.sandbox.agent_update(int(ticket), self.cast.agent["id"], comment=text,
                                  status="solved")

    def note(self, ticket: str, text: str) -> None:
        """An internal note."""
        self.sandbox.agent_update(int(ticket), self.cast.agent["id"], comment=text,
                                  public=False)

    def answer(self, ticket: str, text: str) -> None:
        """A public reply."""
        self.sandbox.agent_update(int(ticket), self.cast.agent["id"], comment=text)

    def reply_to_closed(self, ticket: str, text: str) -> None:
        """The requester's e-mail reply (Zendesk makes it a follow-up)."""
        self.sandbox.customer_reply(int(ticket), text)

    def customer_says(self, ticket: str, text: str) -> None:
        """The requester's public reply."""
        self.sandbox.customer_reply(int(ticket), text)

    def approve_with_severity(self, ticket: str) -> None:
        """The manager applies the bridge's "approve escalation and severity" macro."""
        macro = self.sandbox.macro_id("sla-bridge: approve escalation and severity")
        self.sandbox.apply_macro(int(ticket), macro, self.cast.manager["id"])

    def follow_ups(self, ticket: str) -> list[tuple[str, str]]:
        """The follow-up tickets Zendesk lists on the closed one."""
        return [(str(number), f"#{number}")
                for number in self.sandbox.ticket(int(ticket)).get("followup_ids") or []]


def play(world: BridgeOnSandbox, cast: Cast, out: TextIO) -> None:
    """The scripted week, told to ``out``."""
    play_week(world, ZendeskActs(world.sandbox, cast), out)


class ThanksgivingWeek:
    """The demo's script: Wed 25 Nov - Mon 30 Nov 2026 under code42-enterprise (Acme: Gold,
    Globex: Silver) and crashplan-small-business (Initech)."""

    span = SPAN

    def __init__(self) -> None:
        self.cast: Cast | None = None

    def build(self, folder: Path, out: TextIO) -> BridgeOnSandbox:
        """The world on the Zendesk sandbox, seeded with the cast, not started."""
        world = BridgeOnSandbox(folder, start=START, webhook_secret=SECRET, policies=POLICIES,
                                manager_group="Customer Champion managers", out=out, zone=ZONE)
        self.cast = seed(world.sandbox)
        return world

    def play(self, world: BridgeHarness, out: TextIO) -> None:
        """The scripted week."""
        if not isinstance(world, BridgeOnSandbox) or self.cast is None:
            raise TypeError("ThanksgivingWeek plays on the world its build() made")
        play(world, self.cast, out)
