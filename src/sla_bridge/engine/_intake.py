"""The intake checklist: what the policy asks customers to include, asked for once if missing."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from sla_bridge.actions import AddComment, SetStatus
from sla_bridge.policy import Policy
from sla_bridge.records import Decision
from sla_bridge.tickets import Status, Ticket

from ._memory import TicketMemory
from ._outcome import Part

_OS = re.compile(r"\b(windows|win\s?\d{1,2}|mac\s?os|macos|os\s?x|linux|ubuntu|debian|centos|"
                 r"red\s?hat|rhel|fedora|solaris|suse)\b", re.IGNORECASE)
_VERSION = re.compile(r"\b(?:v(?:ersion)?\.?\s*)?\d+\.\d+(?:\.\d+)*\b", re.IGNORECASE)
_GUID = re.compile(r"\b(?:guid|computer id)\b|\b\d{15,20}\b", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_USER = re.compile(r"\buser\s?name\b|\busername\b|\buser id\b", re.IGNORECASE)
_SCREEN = re.compile(r"\.(png|jpe?g|gif|bmp)$", re.IGNORECASE)
_LOG = re.compile(r"\.(log|zip|txt|gz)$", re.IGNORECASE)
_BUG = re.compile(r"\b(bugs?|unexpected(?:ly)? behaviou?r|behaves? (?:strangely|oddly|wrong)|"
                  r"regression)\b", re.IGNORECASE)
_STEPS = re.compile(r"\b(steps?(?: to reproduce)?|to reproduce|repro|reproduc\w+|"
                    r"first,? .{0,80}\bthen\b)|^\s*(?:\d+[.)]|-)\s+\w",
                    re.IGNORECASE | re.MULTILINE)
_CLOUD = re.compile(r"\b(crashplan central|code42 cloud|proe cloud|cloud destination|"
                    r"own (?:server|destination)|on-?prem(?:ises)?|local destination)\b",
                    re.IGNORECASE)

LABELS = {
    "product": "the product name",
    "os_version": "the operating system and its version",
    "app_version": "the version of the app you are running",
    "device_guid": "the computer ID (GUID) of the affected devices",
    "logs": "the logs from the app",
    "username_or_email": "the username or email address of the affected users",
    "description": "a detailed description of the problem",
    "screenshots": "screenshots of the relevant settings or error messages",
    "cloud_destination": "which cloud backup destinations you use",
    "steps_to_reproduce": "the steps that reproduce the unexpected behaviour",
}


def _text(ticket: Ticket) -> str:
    parts = [ticket.subject, ticket.description]
    parts += [c.body for c in ticket.comments if c.author_role == "customer"]
    return "\n".join(parts)


def _attachments(ticket: Ticket) -> list[str]:
    return [name for c in ticket.comments for name in c.attachments]


def _check(item: str, policy: Policy) -> Callable[[Ticket, str], bool]:
    products = [policy.title.split()[0], *policy.applies_to.products]
    checks: dict[str, Callable[[Ticket, str], bool]] = {
        "product": lambda t, text: bool(t.product) or any(
            p and p.lower() in text.lower() for p in products),
        "os_version": lambda t, text: bool(_OS.search(text)),
        "app_version": lambda t, text: bool(t.version) or bool(_VERSION.search(text)),
        "device_guid": lambda t, text: bool(_GUID.search(text)),
        "logs": lambda t, text: any(_LOG.search(n) for n in _attachments(t))
        or bool(re.search(r"\blogs? (?:are |is )?attached\b", text, re.IGNORECASE)),
        "username_or_email": lambda t, text: bool(_EMAIL.search(text) or _USER.search(text)),
        "description": lambda t, text: len(re.findall(r"[A-Za-z]{2,}", t.description)) >= 12,
        "screenshots": lambda t, text: any(_SCREEN.search(n) for n in _attachments(t))
        or bool(re.search(r"\bscreen\s?shots? (?:are |is )?attached\b", text, re.IGNORECASE)),
        "cloud_destination": lambda t, text: bool(_CLOUD.search(text)),
        # Asked for only when the ticket reports a bug ("File a bug: include the steps").
        "steps_to_reproduce": lambda t, text: not _BUG.search(text) or bool(_STEPS.search(text)),
    }
    return checks[item]


def missing_items(policy: Policy, ticket: Ticket) -> list[str]:
    """Return the policy's intake items this ticket does not carry yet."""
    text = _text(ticket)
    return [item for item in policy.intake.required if not _check(item, policy)(ticket, text)]


def intake(policy: Policy, ticket: Ticket, memory: TicketMemory, now: datetime) -> Part:
    """On a new ticket, ask once, in one public comment, for whatever is missing."""
    part = Part()
    if memory.intake_checked or ticket.follow_up_of:
        return part
    part.state["intake_checked"] = now.isoformat()
    if ticket.status not in (Status.NEW, Status.OPEN):
        return part
    missing = missing_items(policy, ticket)
    if not missing and policy.intake.required:
        part.decisions.append(Decision("intake.complete", "the ticket carries everything the "
                                       "policy asks for", now, {}))
    if not missing:
        return part
    lines = "\n".join(f"- {LABELS[item]}" for item in missing)
    text = ("Thank you for contacting support. To help us diagnose this quickly, please reply "
            f"with:\n{lines}")
    why = "intake checklist: missing " + ", ".join(missing)
    part.actions.append(AddComment(ref=ticket.ref, key="intake:ask", body=text, public=True,
                                   reason=why))
    if policy.intake.set_pending_when_missing:
        part.actions.append(SetStatus(ref=ticket.ref, key="intake:pending",
                                      status=Status.PENDING, reason=why))
    part.decisions.append(Decision("intake.missing", why, now, {"missing": missing}))
    return part
