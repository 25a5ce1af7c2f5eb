"""``sla-bridge demo --platform salesforce``: the scripted Thanksgiving week on the Salesforce
sandbox org, on a virtual clock.

The same week as the Zendesk and Jira demos, told as a Service Cloud org lives it: customers
open cases on the web form choosing a severity, agents post CaseComments and change the
status, the customer's e-mail to a closed case becomes a new case whose parent it is, and the
manager answers the escalation in the case's decision field. The week itself (instants,
words, steps) is the kit's :mod:`sla_bridge.testing.thanksgiving`; here are Salesforce's acts
(:class:`SalesforceActs`) and words, and the frame is the kit's
(:func:`sla_bridge.testing.run_demo` on :class:`~.loop.BridgeOnSandbox`): the sandbox org
over HTTPS, its Outbound Messages (SOAP) to the bridge's server (real uvicorn), SQLite,
simple-salesforce writing back, all on loopback and in a temporary folder. Cases are shown
by their CaseNumber (without its leading zeros), as agents know them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from sla_bridge import neutral
from sla_bridge.testing import BridgeHarness
from sla_bridge.testing.thanksgiving import POLICIES, SPAN, START, ZONE, Narration, play_week

from .loop import REGISTERED_ADMIN_FIELD, RESOLVED, SEVERITY_FIELD, BridgeOnSandbox
from .sandbox import Sandbox

DECISION_FIELD = "SLA_Escalation_Decision__c"
TAGS_FIELD = "SLA_Tags__c"
QUEUES = ("Customer Champions", "Customer Champion managers", "Senior Customer Champions")
WORDS = Narration(
    sandbox="Salesforce Service Cloud is the local sandbox org.",
    open_initech="Initech opens a Normal case: backups stopped",
    solve_initech="Avery answers Initech with the fix and resolves it",
    open_gold="Acme (Gold) opens a Severity 2 case: restores fail",
    open_globex="Thanksgiving, 03:00: Globex (Silver) opens a Severity 1 case with few details",
    open_howto="Acme opens a 'Severity 1' case that is a how-to question",
    note_howto="Avery agrees with the bridge's severity 4 in an internal comment",
    reply_to_closed="Initech answers the closed case's e-mail: it happens again",
    ask_escalation="Acme e-mails to escalate, expecting severity 1",
    howto_label="How-to")


@dataclass
class Cast:
    """The demo's people, by record id (Contacts for customers, Users for staff)."""

    dana: str  # Acme's registered admin
    gil: str  # Globex's registered admin
    ivy: str  # Initech's owner
    avery: str  # an agent
    morgan: str  # a manager


def seed(org: Sandbox) -> Cast:
    """The demo's accounts, contacts, agents and queues."""
    acme = org.add_account("Acme", SLA_Support_Plan__c="gold", SLA_Support_Location__c="usa")
    globex = org.add_account("Globex", SLA_Support_Plan__c="silver",
                             SLA_Support_Location__c="usa")
    initech = org.add_account("Initech", SLA_Support_Plan__c="small-business")
    for queue in QUEUES:
        org.add_queue(queue, queue.replace(" ", "_"))

    def contact(name: str, email: str, account: str, admin: bool) -> str:
        return str(org.add_contact(name, email, account, **{REGISTERED_ADMIN_FIELD: admin})["Id"])

    return Cast(dana=contact("Dana Acme", "dana@acme.test", acme["Id"], True),
                gil=contact("Gil Globex", "gil@globex.test", globex["Id"], True),
                ivy=contact("Ivy Initech", "ivy@initech.test", initech["Id"], False),
                avery=str(org.add_agent("Avery (agent)", "avery@code42.test")["Id"]),
                morgan=str(org.add_agent("Morgan (manager)", "morgan@code42.test")["Id"]))


@dataclass
class SalesforceActs:
    """The week's people in the org: Web-to-Case with a severity, CaseComments, e-mails, the
    manager's decision field (a ``WeekActs``)."""

    org: Sandbox
    cast: Cast

    def open(self, who: str, subject: str, text: str, severity: str) -> str:
        """A case from the web form, the customer's severity in its field."""
        contact = {"initech": self.cast.ivy, "acme": self.cast.dana, "globex": self.cast.gil}
        return str(self.org.open_case(contact[who], subject, text, origin="Web",
                                      **{SEVERITY_FIELD: severity})["Id"])

    def answer_and_solve(self, ticket: str, text: str) -> None:
        """A public CaseComment, then the status Resolved."""
        self.answer(ticket, text)
        self.org.update_case(ticket, self.cast.avery, Status=RESOLVED)

    def note(self, ticket: str, text: str) -> None:
        """An internal CaseComment."""
        self.org.comment(ticket, self.cast.avery, text)

    def answer(self, ticket: str, text: str) -> None:
        """A public CaseComment."""
        self.org.comment(ticket, self.cast.avery, text, public=True)

    def reply_to_closed(self, ticket: str, text: str) -> None:
        """The customer's e-mail (Email-to-Case threads it onto the closed case)."""
        self.org.customer_reply(ticket, text)

    def customer_says(self, ticket: str, text: str) -> None:
        """The customer's e-mail."""
        self.org.customer_reply(ticket, text)

    def approve_with_severity(self, ticket: str) -> None:
        """The manager's decision field, and the severity accepted in the tags field."""
        tags = str(self.org.case(ticket).get(TAGS_FIELD) or "").split()
        self.org.update_case(ticket, self.cast.morgan, **{
            DECISION_FIELD: "approved",
            TAGS_FIELD: " ".join([*tags, neutral.SEVERITY_ACCEPTED_TAG])})

    def follow_ups(self, ticket: str) -> list[tuple[str, str]]:
        """The case's children (Salesforce has no follow-ups: the bridge opens a new case
        whose parent is the closed one)."""
        return [(str(child["Id"]), self.shown(str(child["Id"])))
                for child in self.org.store.find("Case", ParentId=ticket)]

    def shown(self, ticket: str) -> str:
        """A case as agents know it: its CaseNumber (without the leading zeros)."""
        return f"#{int(self.org.store.get('Case', ticket)['CaseNumber'])}"


class ThanksgivingWeek:
    """The demo's script: Wed 25 Nov - Mon 30 Nov 2026 under code42-enterprise (Acme: Gold,
    Globex: Silver) and crashplan-small-business (Initech), on Service Cloud."""

    span = SPAN

    def __init__(self) -> None:
        self.cast: Cast | None = None

    def build(self, folder: Path, out: TextIO) -> BridgeOnSandbox:
        """The world on the Salesforce sandbox org, seeded with the cast, not started."""
        def seeded(org: Sandbox) -> None:
            self.cast = seed(org)

        return BridgeOnSandbox(folder, start=START, policies=POLICIES, seed=seeded, out=out,
                               zone=ZONE)

    def play(self, world: BridgeHarness, out: TextIO) -> None:
        """The scripted week."""
        if not isinstance(world, BridgeOnSandbox) or self.cast is None:
            raise TypeError("ThanksgivingWeek plays on the world its build() made")
        acts = SalesforceActs(world.sandbox, self.cast)
        play_week(world, acts, out, WORDS, shown=acts.shown)
