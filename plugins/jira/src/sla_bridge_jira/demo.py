"""``sla-bridge demo --platform jira``: the scripted Thanksgiving week on the Jira Service
Management sandbox, on a virtual clock.

The same week as the Zendesk plugin's demo, told as a JSM site lives it: customers raise
requests on the portal choosing a priority, agents comment and transition, the customer's
reply to a closed request becomes a new request linked to it, and the escalation is a JSM
approval the manager answers. The week itself (instants, words, steps) is the kit's
:mod:`sla_bridge.testing.thanksgiving`; here are JSM's acts (:class:`JiraActs`) and words. The
frame is the kit's (:func:`sla_bridge.testing.run_demo` on :class:`~.loop.BridgeOnSandbox`): the
sandbox, the bridge's webhook server (real uvicorn, signed admin webhooks), SQLite, the
``jira`` client writing back, all on loopback and in a temporary folder.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from sla_bridge.testing import BridgeHarness
from sla_bridge.testing.thanksgiving import POLICIES, SPAN, START, ZONE, Narration, play_week

from .loop import BridgeOnSandbox
from .sandbox import Sandbox

SECRET = "demo-webhook-signing-secret-4242"
MANAGERS = "Customer Champion managers"
# The priority a customer picks for each severity of the week.
PRIORITIES = {"Normal": "Medium", "2": "High", "1": "Highest"}
WORDS = Narration(
    sandbox="Jira Service Management is the local sandbox.",
    open_initech="Initech raises a Medium request: backups stopped",
    solve_initech="Avery answers Initech with the fix and resolves it",
    open_gold="Acme (Gold) raises a High request: restores fail",
    open_globex="Thanksgiving, 03:00: Globex (Silver) raises a Highest request with few details",
    open_howto="Acme raises a 'Highest' request that is a how-to question",
    note_howto="Avery agrees with the bridge's severity 4 in an internal comment",
    reply_to_closed="Initech answers the closed request's e-mail: it happens again",
    globex_label="Globex", howto_label="How-to", follow_up_label="followup")


@dataclass
class Cast:
    """The demo's people, by accountId."""

    dana: str  # Acme's registered admin
    gil: str  # Globex's registered admin
    ivy: str  # Initech's owner
    avery: str  # an agent
    morgan: str  # a manager, the escalation approver


def seed(site: Sandbox) -> tuple[Cast, dict[str, str]]:
    """The demo's organizations, people and groups; the settings that name the approver."""
    def customer(name: str, email: str) -> str:
        return str(site.add_customer(name, email)["accountId"])

    dana = customer("Dana Acme", "dana@acme.test")
    gil = customer("Gil Globex", "gil@globex.test")
    ivy = customer("Ivy Initech", "ivy@initech.test")
    site.add_organization("Acme", [dana], {"support_plan": "gold", "support_location": "usa",
                                           "registered_admins": [dana]})
    site.add_organization("Globex", [gil], {"support_plan": "silver",
                                            "support_location": "usa",
                                            "registered_admins": [gil]})
    site.add_organization("Initech", [ivy], {"support_plan": "small-business"})
    avery = str(site.add_agent("Avery (agent)", "avery@code42.test")["accountId"])
    morgan = str(site.add_agent("Morgan (manager)", "morgan@code42.test")["accountId"])
    site.add_group("Customer Champions", [avery])
    site.add_group(MANAGERS, [morgan])
    site.add_group("Senior Customer Champions", [avery])
    cast = Cast(dana=dana, gil=gil, ivy=ivy, avery=avery, morgan=morgan)
    return cast, {"SLA_BRIDGE_JIRA__APPROVERS": json.dumps({MANAGERS: [morgan]})}


@dataclass
class JiraActs:
    """The week's people on the JSM site: portal requests with a priority, comments,
    transitions, the approval decision (a ``WeekActs``)."""

    site: Sandbox
    cast: Cast

    def open(self, who: str, subject: str, text: str, severity: str) -> str:
        """A portal request with the priority the customer picks for ``severity``."""
        reporter = {"initech": self.cast.ivy, "acme": self.cast.dana, "globex": self.cast.gil}
        return str(self.site.open_request(reporter[who], subject, text, fields={
            "priority": {"name": PRIORITIES[severity]}}))

    def answer_and_solve(self, ticket: str, text: str) -> None:
        """A public comment, then the transition Resolve."""
        self.answer(ticket, text)
        self.site.transition(ticket, self.cast.avery, "Resolve")

    def note(self, ticket: str, text: str) -> None:
        """An internal comment."""
        self.site.comment(ticket, self.cast.avery, text, public=False)

    def answer(self, ticket: str, text: str) -> None:
        """A public comment."""
        self.site.comment(ticket, self.cast.avery, text)

    def reply_to_closed(self, ticket: str, text: str) -> None:
        """The reporter's reply to the closed request's e-mail."""
        reporter = self.site.issue(ticket)["fields"]["reporter"]["accountId"]
        self.site.email_reply(ticket, reporter, text)

    def customer_says(self, ticket: str, text: str) -> None:
        """The reporter's comment on the portal."""
        reporter = self.site.issue(ticket)["fields"]["reporter"]["accountId"]
        self.site.comment(ticket, reporter, text)

    def approve_with_severity(self, ticket: str) -> None:
        """The manager accepts the severity (the label) and approves the JSM approval."""
        self.site.edit(ticket, self.cast.morgan, update={"labels": [
            {"add": "sla_escalation_severity_accepted"}]})
        self.site.decide(ticket, self.cast.morgan, "approve")

    def follow_ups(self, ticket: str) -> list[tuple[str, str]]:
        """JSM has no follow-ups: the requests the bridge raised later and linked to it."""
        def number(key: str) -> int:
            return int(key.rsplit("-", 1)[1])

        links = self.site.issue(ticket)["fields"].get("issuelinks") or []
        keys = [str((link.get("inwardIssue") or link.get("outwardIssue") or {}).get("key"))
                for link in links]
        return [(key, f"#{key}") for key in keys if number(key) > number(ticket)]


def play(world: BridgeOnSandbox, cast: Cast, out: TextIO) -> None:
    """The scripted week, told to ``out``."""
    play_week(world, JiraActs(world.sandbox, cast), out, WORDS)


class ThanksgivingWeek:
    """The demo's script: Wed 25 Nov - Mon 30 Nov 2026 under code42-enterprise (Acme: Gold,
    Globex: Silver) and crashplan-small-business (Initech), on JSM."""

    span = SPAN

    def __init__(self) -> None:
        self.cast: Cast | None = None

    def build(self, folder: Path, out: TextIO) -> BridgeOnSandbox:
        """The world on the JSM sandbox, seeded with the cast, not started."""
        def seeded(site: Sandbox) -> dict[str, str]:
            self.cast, settings = seed(site)
            return settings

        return BridgeOnSandbox(folder, start=START, webhook_secret=SECRET,
                               policies=POLICIES, seed=seeded, out=out, zone=ZONE)

    def play(self, world: BridgeHarness, out: TextIO) -> None:
        """The scripted week."""
        if not isinstance(world, BridgeOnSandbox) or self.cast is None:
            raise TypeError("ThanksgivingWeek plays on the world its build() made")
        play(world, self.cast, out)
