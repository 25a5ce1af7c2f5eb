"""``sla-bridge demo --platform jira``: the scripted Thanksgiving week on the Jira Service
Management sandbox, on a virtual clock.

The same week as the Zendesk plugin's demo, told as a JSM site lives it: customers raise
requests on the portal choosing a priority, agents comment and transition, the customer's
reply to a closed request becomes a new request linked to it, and the escalation is a JSM
approval the manager answers. Only the script is here (:class:`ThanksgivingWeek`); the frame
is the kit's (:func:`sla_bridge.testing.run_demo` on :class:`~.loop.BridgeOnSandbox`): the
sandbox, the bridge's webhook server (real uvicorn, signed admin webhooks), SQLite, the
``jira`` client writing back, all on loopback and in a temporary folder.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from sla_bridge import testing
from sla_bridge.testing import BridgeHarness

from .loop import BridgeOnSandbox
from .sandbox import Sandbox

CENTRAL = "-06:00"
START = datetime.fromisoformat(f"2026-11-25T08:00:00{CENTRAL}")
SECRET = "demo-webhook-signing-secret-4242"
MANAGERS = "Customer Champion managers"
COMPLETE = ("Product: CrashPlan (Code42 app 11.2) on Windows 11 and macOS 14. GUID "
            "987654321098765432, user dana@acme.test, logs attached, screenshot attached, "
            "cloud destination: Code42 cloud.")


def at(text: str) -> datetime:
    """An instant of the demo week, US Central (the week is all in standard time)."""
    return datetime.fromisoformat(f"2026-{text}:00{CENTRAL}")


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


def play(world: BridgeOnSandbox, cast: Cast, out: TextIO) -> None:
    """The scripted week, told to ``out``."""
    site = world.sandbox

    def raise_request(who: str, summary: str, text: str, priority: str) -> str:
        return site.open_request(who, summary, text, fields={"priority": {"name": priority}})

    out.write("sla-bridge demo: a week of support under code42-enterprise (Acme: Gold, Globex: "
              "Silver)\nand crashplan-small-business (Initech), on a virtual clock. Jira "
              "Service Management is the local sandbox.\n")

    initech = world.step(at("11-25T09:00"), "Initech raises a Medium request: backups stopped",
                         lambda: raise_request(
                             cast.ivy, "Backups stopped on the office Mac",
                             "CrashPlan for Small Business 11.2 on macOS 14 stopped backing "
                             "up. Computer ID 123456789012345678, user ivy@initech.test, logs "
                             "attached, screenshot attached, destination CrashPlan Central. "
                             "It stalls at 42% every night.", "Medium"),
                         label="Initech")

    def answer_and_resolve() -> None:
        site.comment(initech, cast.avery, "Please update to 11.2.1; that fixes it.")
        site.transition(initech, cast.avery, "Resolve")

    world.step(at("11-25T10:00"), "Avery answers Initech with the fix and resolves it",
               answer_and_resolve)

    gold = world.step(at("11-25T16:00"), "Acme (Gold) raises a High request: restores fail",
                      lambda: raise_request(
                          cast.dana, "Restores fail from many devices",
                          "Restores fail from many devices since Monday's upgrade; we can "
                          "still restore from a few. " + COMPLETE, "High"),
                      label="Acme S2")

    world.step(at("11-26T03:00"), "Thanksgiving, 03:00: Globex (Silver) raises a Highest "
                                  "request with few details",
               lambda: raise_request(cast.gil, "Cannot restore anything",
                                     "Nobody in the company can restore files since last "
                                     "night.", "Highest"),
               label="Globex")

    howto = world.step(at("11-26T09:00"), "Acme raises a 'Highest' request that is a how-to "
                                          "question",
                       lambda: raise_request(
                           cast.dana, "URGENT: how do I exclude a folder?",
                           "How do I exclude the Downloads folder from backup for one user? "
                           "Just asking for information. " + COMPLETE, "Highest"),
                       label="How-to")
    world.step(at("11-26T09:20"), "Avery agrees with the bridge's severity 4 in an internal "
                                  "comment",
               lambda: site.comment(howto, cast.avery, "Agreed: a how-to is Severity 4.",
                                    public=False))

    # JSM has no follow-ups: the bridge raises the next request and links it ("Relates").
    world.timeline.name(f"{site.project_key}-{len(site.state.issues) + 1}", "followup")
    world.step(at("11-28T12:00"), "Initech answers the closed request's e-mail: it happens "
                                  "again",
               lambda: site.email_reply(initech, cast.ivy, "It stalls again since yesterday."))

    world.step(at("11-30T10:30"), "Avery answers Acme's Severity 2",
               lambda: site.comment(gold, cast.avery, "We are on it: it is the new restore "
                                                      "throttle. Collecting logs now."))
    world.step(at("11-30T11:00"), "Acme asks to escalate, expecting severity 1",
               lambda: site.comment(
                   gold, cast.dana, "Please escalate: restores from many devices have failed "
                                    "for five days and our audit is on Wednesday. We expect "
                                    "severity 1. Call me at +1 612 555 0100."))

    def approve_with_severity() -> None:
        site.edit(gold, cast.morgan, update={"labels": [
            {"add": "sla_escalation_severity_accepted"}]})
        site.decide(gold, cast.morgan, "approve")

    world.step(at("11-30T11:30"), "Morgan (manager) approves the escalation and the severity",
               approve_with_severity)
    world.advance(at("11-30T17:30"))
    world.report()
    out.write(f"\n{'':22}Globex's Severity 1 was never answered: see the warning and "
              "the breach above.\n")


class ThanksgivingWeek:
    """The demo's script: Wed 25 Nov - Mon 30 Nov 2026 under code42-enterprise (Acme: Gold,
    Globex: Silver) and crashplan-small-business (Initech), on JSM."""

    span = "week: Wed 25 Nov - Mon 30 Nov 2026"

    def __init__(self) -> None:
        self.cast: Cast | None = None

    def build(self, folder: Path, out: TextIO) -> BridgeOnSandbox:
        """The world on the JSM sandbox, seeded with the cast, not started."""
        def seeded(site: Sandbox) -> dict[str, str]:
            self.cast, settings = seed(site)
            return settings

        return BridgeOnSandbox(folder, start=START, webhook_secret=SECRET,
                               policies=["code42-enterprise", "crashplan-small-business"],
                               seed=seeded, out=out, zone=ZoneInfo("America/Chicago"))

    def play(self, world: BridgeHarness, out: TextIO) -> None:
        """The scripted week."""
        if not isinstance(world, BridgeOnSandbox) or self.cast is None:
            raise TypeError("ThanksgivingWeek plays on the world its build() made")
        play(world, self.cast, out)


def run_demo(out: TextIO) -> int:
    """Play the demo, printing the timeline to ``out``; return the exit status."""
    return testing.run_demo(ThanksgivingWeek(), out)
