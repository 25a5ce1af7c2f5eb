"""The scripted Thanksgiving week every platform's ``sla-bridge demo`` plays: the instants, the
customers' and agents' words, the narration and the order of the steps, written once.

A platform's demo supplies the acts (:class:`WeekActs`: how its people open a ticket, answer,
solve, reply to a closed ticket, approve an escalation, in its API) and its own words where
they differ (:class:`Narration`: "request" on JSM, "case" on Salesforce; the timeline's
labels); :func:`play_week` plays the week on the platform's started
:class:`~sla_bridge.testing.BridgeHarness`::

    class ZendeskActs:                          # a WeekActs
        def open(self, who, subject, text, severity): ...

    play_week(world, ZendeskActs(world.sandbox, cast), out, Narration(sandbox="Zendesk is"))

The week (US Central, all in standard time): Wed 25 Nov Initech (crashplan-small-business)
reports stalled backups, answered and solved; Acme (Gold) opens a Severity 2 before the
holiday; on Thanksgiving Globex (Silver) opens a vague Severity 1 and Acme a "Severity 1"
how-to; Initech replies to its closed ticket on Saturday; on Monday Acme's Severity 2 is
answered, Acme asks to escalate and the manager approves with the severity.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, TextIO
from zoneinfo import ZoneInfo

from ._harness import BridgeHarness

__all__ = ["POLICIES", "SPAN", "START", "ZONE", "Narration", "WeekActs", "at", "play_week"]

CENTRAL = "-06:00"
ZONE = ZoneInfo("America/Chicago")
START = datetime.fromisoformat(f"2026-11-25T08:00:00{CENTRAL}")
SPAN = "week: Wed 25 Nov - Mon 30 Nov 2026"
#: The policies in force, first match wins: Acme and Globex are Code42 enterprise customers,
#: Initech a CrashPlan small business.
POLICIES = ("code42-enterprise", "crashplan-small-business")
COMPLETE = ("Product: CrashPlan (Code42 app 11.2) on Windows 11 and macOS 14. GUID "
            "987654321098765432, user dana@acme.test, logs attached, screenshot attached, "
            "cloud destination: Code42 cloud.")
BACKUPS = ("CrashPlan for Small Business 11.2 on macOS 14 stopped backing up. Computer ID "
           "123456789012345678, user ivy@initech.test, logs attached, screenshot attached, "
           "destination CrashPlan Central. It stalls at 42% every night.")
RESTORES = ("Restores fail from many devices since Monday's upgrade; we can still restore "
            "from a few. " + COMPLETE)
VAGUE = "Nobody in the company can restore files since last night."
HOWTO = ("How do I exclude the Downloads folder from backup for one user? Just asking for "
         "information. " + COMPLETE)
FIX = "Please update to 11.2.1; that fixes it."
AGREED = "Agreed: a how-to is Severity 4."
AGAIN = "It stalls again since yesterday."
ON_IT = "We are on it: it is the new restore throttle. Collecting logs now."
ESCALATE = ("Please escalate: restores from many devices have failed for five days and our "
            "audit is on Wednesday. We expect severity 1. Call me at +1 612 555 0100.")


def at(text: str) -> datetime:
    """An instant of the demo week, US Central (``"11-25T09:00"``)."""
    return datetime.fromisoformat(f"2026-{text}:00{CENTRAL}")


class WeekActs(Protocol):
    """What the week's people do, in a platform's API. Severities are the customer's
    choice in the policies' words (``"Normal"``, ``"2"``, ``"1"``); tickets are the
    platform's ids as the bridge references them."""

    def open(self, who: str, subject: str, text: str, severity: str) -> str:
        """``who`` (``initech``, ``acme`` or ``globex``) opens a ticket; its id."""
        ...

    def answer_and_solve(self, ticket: str, text: str) -> None:
        """The agent answers publicly and marks the ticket solved."""
        ...

    def note(self, ticket: str, text: str) -> None:
        """The agent leaves an internal note."""
        ...

    def answer(self, ticket: str, text: str) -> None:
        """The agent answers publicly."""
        ...

    def reply_to_closed(self, ticket: str, text: str) -> None:
        """The requester answers the closed ticket's e-mail."""
        ...

    def customer_says(self, ticket: str, text: str) -> None:
        """The requester answers publicly (the ticket is open)."""
        ...

    def approve_with_severity(self, ticket: str) -> None:
        """The manager approves the escalation and the severity the customer asked for."""
        ...

    def follow_ups(self, ticket: str) -> list[tuple[str, str]]:
        """The follow-ups of ``ticket`` as (id, how the timeline shows it without the
        label), once the bridge opened them."""
        ...


@dataclass(frozen=True)
class Narration:
    """A platform's words in the week's narration and timeline; Zendesk's by default.

    ``sandbox`` ends the introduction ("Zendesk is the local sandbox."); ``labels`` name the
    tickets in the timeline (by role: initech, gold, globex, howto, follow_up); the other
    fields are the steps' lines.
    """

    sandbox: str = "Zendesk is the local sandbox."
    open_initech: str = "Initech opens a Normal ticket: backups stopped"
    solve_initech: str = "Avery answers Initech with the fix and marks it solved"
    open_gold: str = "Acme (Gold) opens a Severity 2: restores fail"
    open_globex: str = "Thanksgiving, 03:00: Globex (Silver) opens a Severity 1 with few details"
    open_howto: str = "Acme opens a 'Severity 1' that is a how-to question"
    note_howto: str = "Avery agrees with the bridge's severity 4 in a note"
    reply_to_closed: str = "Initech replies to its closed ticket: it happens again"
    answer_gold: str = "Avery answers Acme's Severity 2"
    ask_escalation: str = "Acme asks to escalate, expecting severity 1"
    approve: str = "Morgan (manager) approves the escalation and the severity"
    initech_label: str = "Initech"
    gold_label: str = "Acme S2"
    globex_label: str = "Globex S1"
    howto_label: str = "Acme how-to"
    follow_up_label: str = "follow-up"


def play_week(world: BridgeHarness, acts: WeekActs, out: TextIO,
              words: Narration = Narration(),
              shown: Callable[[str], str] = lambda ticket: f"#{ticket}") -> None:
    """The scripted week on the started ``world``, told to ``out``; ``shown`` is how the
    timeline shows a ticket before its label (``#42``; Salesforce's CaseNumber)."""
    def opened(label: str, who: str, subject: str, text: str, severity: str) -> Callable[[], str]:
        def act() -> str:
            ticket = acts.open(who, subject, text, severity)
            world.names[ticket] = f"{shown(ticket)} {label}"
            return ticket
        return act

    out.write("sla-bridge demo: a week of support under code42-enterprise (Acme: Gold, Globex: "
              f"Silver)\nand crashplan-small-business (Initech), on a virtual clock. "
              f"{words.sandbox}\n")
    initech = world.step(at("11-25T09:00"), words.open_initech, opened(
        words.initech_label, "initech", "Backups stopped on the office Mac", BACKUPS, "Normal"))
    world.step(at("11-25T10:00"), words.solve_initech,
               lambda: acts.answer_and_solve(initech, FIX))
    gold = world.step(at("11-25T16:00"), words.open_gold, opened(
        words.gold_label, "acme", "Restores fail from many devices", RESTORES, "2"))
    world.step(at("11-26T03:00"), words.open_globex, opened(
        words.globex_label, "globex", "Cannot restore anything", VAGUE, "1"))
    howto = world.step(at("11-26T09:00"), words.open_howto, opened(
        words.howto_label, "acme", "URGENT: how do I exclude a folder?", HOWTO, "1"))
    world.step(at("11-26T09:20"), words.note_howto, lambda: acts.note(howto, AGREED))

    # The follow-up's id is known once the bridge made it: named before the step is told.
    world.advance(at("11-28T12:00"))
    world.timeline.step(world.clock.now(), words.reply_to_closed)
    acts.reply_to_closed(initech, AGAIN)
    world.settle()
    for ticket, number in acts.follow_ups(initech):
        world.names.setdefault(ticket, f"{number} {words.follow_up_label}")
    world.report()

    world.step(at("11-30T10:30"), words.answer_gold, lambda: acts.answer(gold, ON_IT))
    world.step(at("11-30T11:00"), words.ask_escalation,
               lambda: acts.customer_says(gold, ESCALATE))
    world.step(at("11-30T11:30"), words.approve, lambda: acts.approve_with_severity(gold))
    world.advance(at("11-30T17:30"))
    world.report()
    out.write(f"\n{'':22}Globex's Severity 1 was never answered: see the warning and "
              "the breach above.\n")
