"""A JSM request read back from the sandbox as the conformance suite's neutral
:class:`~sla_bridge.testing.conformance.TicketView`: its fields, changelog, comments (and
their properties), links and approvals, as a JSM agent sees them.

JSM's words in neutral terms (the driver's module says why):

* status: the workflow status through the site's status map; ``new`` while the request has
  only waited for support (or for approval) and nobody has worked on it;
* the detour through "Waiting for approval" is the approval, not a status change; the
  manager's decision, kept on the approval, shows as the neutral decision tag;
* the "Automation for Jira" account is the helpdesk; its re-open on a customer's comment is
  named after that customer;
* the team is the "Support team" group picker; follow-ups are the linked requests;
* the approval note tells JSM's managers to answer the approval
  (:data:`sla_bridge_jira.approvals.HOW_TO_DECIDE`, the driver's ``how_to_decide``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sla_bridge.testing.conformance import (
    BRIDGE,
    SeenApproval,
    SeenChange,
    SeenComment,
    TicketView,
)
from sla_bridge.tickets import Status
from sla_bridge_jira.loop import GROUP_FIELD
from sla_bridge_jira.sandbox import Sandbox

AUTOMATION = "the helpdesk"
# The bridge's comment property ({"key": idempotency key}).
BRIDGE_PROPERTY = "sla-bridge"
APPROVAL_STATUS = "waiting for approval"
# Statuses a request waits in before anyone works on it: still "new".
UNTOUCHED = {"waiting for support", APPROVAL_STATUS}
DUE_NAMES = {"first_response": "SLA first response due", "next_update": "SLA next update due"}
DECISION_TAGS = {"approved": "sla_escalation_approved", "declined": "sla_escalation_declined"}
Severity = Callable[[str | None], str | None]


@dataclass
class RequestReader:
    """Reads requests of ``sandbox``; ``statuses`` is the site's status map (lower-case
    name -> neutral status), ``people`` names accountIds, ``customers`` are people's names."""

    sandbox: Sandbox
    statuses: Mapping[str, Status]
    people: Mapping[str, str]
    customers: set[str]

    def view(self, key: str, severity: Severity) -> TicketView:
        """The request ``key``; ``severity`` names a priority as its policy's severity."""
        sandbox = self.sandbox
        raw = sandbox.issue(key)
        fields = raw["fields"]
        names = {**self.people, sandbox.bridge["accountId"]: BRIDGE,
                 sandbox.state.automation["accountId"]: AUTOMATION}
        comments, notes = [], []
        for comment in sandbox.comments(key):
            when, bridge_key = _time(comment["created"]), _bridge_key(comment, key)
            if bridge_key is not None and bridge_key.startswith("request_approval:"):
                notes.append((when, str(comment["body"]), bridge_key))
                continue
            comments.append(SeenComment(names.get(comment["author"]["accountId"], "?"),
                                        comment.get("jsdPublic", True) is not False,
                                        comment["body"], when, bridge_key))
        team = sandbox.field_id(GROUP_FIELD)
        status, changes = self._changes(raw, names, comments, team)
        approvals = sandbox.approvals(key)
        due = {metric: _time(fields[sandbox.field_id(name)]) for metric, name in
               DUE_NAMES.items() if fields.get(sandbox.field_id(name))}
        return TicketView(
            id=key, status=status, severity=severity((fields.get("priority") or {}).get("name")),
            group=_plain(fields.get(team)),
            assignee=names.get((fields.get("assignee") or {}).get("accountId", "")),
            tags=frozenset([*(fields.get("labels") or []), *_decision(approvals)]), due=due,
            comments=tuple(comments), changes=tuple(changes),
            approvals=tuple(self._approvals(notes, approvals)),
            awaiting_approval=any(a["finalDecision"] == "pending" for a in approvals),
            follow_up_of=next(iter(linked(raw, before=True)), None))

    def _neutral(self, status: str, worked: bool) -> str:
        if status.lower() in UNTOUCHED and not worked:
            return "new"
        return str(self.statuses.get(status.lower(), "open"))

    def _changes(self, raw: dict[str, Any], names: Mapping[str, str],
                 comments: list[SeenComment], team: str) -> tuple[str, list[SeenChange]]:
        """The request's neutral status, and its changelog as neutral changes."""
        customers_at = {c.at: c.author for c in comments if c.author in self.customers}
        changes: list[SeenChange] = []
        status, worked = "new", False
        for entry in raw["changelog"]["histories"]:
            when = _time(entry["created"])
            by = names.get(entry["author"]["accountId"], entry["author"]["accountId"])
            if by == AUTOMATION and when in customers_at:
                by = customers_at[when]  # the re-open rule answering this customer's comment
            for item in entry["items"]:
                name = item.get("fieldId") or item.get("field")
                if name == "status":
                    target = str(item["toString"])
                    if target.lower() == APPROVAL_STATUS:
                        continue
                    worked = worked or target.lower() not in UNTOUCHED
                    if self._neutral(target, worked) != status:
                        status = self._neutral(target, worked)
                        changes.append(SeenChange(when, "status", status, by))
                elif name == "assignee":
                    changes.append(SeenChange(when, "assignee",
                                              names.get(item.get("to") or "", item.get("to")),
                                              by))
                elif name == team:
                    changes.append(SeenChange(when, "group", item.get("toString"), by))
                elif name == "labels":
                    changes += SeenChange.tags(when, (item.get("fromString") or "").split(),
                                               (item.get("toString") or "").split(), by)
        return status, changes

    def _approvals(self, notes: list[tuple[datetime, str, str]],
                   approvals: list[dict[str, Any]]) -> list[SeenApproval]:
        """The bridge's approval notes, each asked of the group its approval's approvers
        make up."""
        groups = self.sandbox.state.groups
        seen = []
        for when, body, key in notes:
            opened = [a for a in approvals if _time(a["createdDate"]["iso8601"]) >= when]
            approvers = ({a["approver"]["accountId"] for a in opened[0]["approvers"]}
                         if opened else set())
            group = next((name for name, group in groups.items()
                          if approvers and approvers <= group["members"]), "")
            seen.append(SeenApproval.from_note(when, body, key, group))
        return seen


def linked(raw: dict[str, Any], *, before: bool) -> list[str]:
    """The requests linked to ``raw``, raised before it (or after it), oldest first."""
    number = _number(raw["key"])
    keys = [str((link.get("inwardIssue") or link.get("outwardIssue") or {}).get("key"))
            for link in raw["fields"].get("issuelinks") or []]
    return sorted((k for k in keys if (_number(k) < number) == before), key=_number)


def _decision(approvals: list[dict[str, Any]]) -> list[str]:
    """The latest approval's decision as the neutral decision tag."""
    if not approvals:
        return []
    latest = max(approvals, key=lambda a: _time(a["createdDate"]["iso8601"]))
    decided = DECISION_TAGS.get(str(latest["finalDecision"]))
    return [decided] if decided else []


def _bridge_key(comment: dict[str, Any], key: str) -> str | None:
    """The bridge's idempotency key on the comment, without its ``jira:KEY:`` prefix."""
    for prop in comment.get("properties") or []:
        value = prop.get("value")
        if prop.get("key") == BRIDGE_PROPERTY and isinstance(value, dict) and value.get("key"):
            return str(value["key"]).removeprefix(f"jira:{key}:")
    return None


def _number(key: str) -> int:
    return int(key.rsplit("-", 1)[1])


def _time(text: str) -> datetime:
    """A Jira time (``2026-11-30T15:00:00.000+0000``) as an aware datetime."""
    if len(text) > 5 and text[-5] in "+-" and text[-3] != ":":
        text = f"{text[:-2]}:{text[-2:]}"
    return datetime.fromisoformat(text)


def _plain(value: Any) -> str | None:
    """A group picker's group name (or a select's option value)."""
    if isinstance(value, dict):
        found = value.get("name") or value.get("value")
        return str(found) if found else None
    return None
