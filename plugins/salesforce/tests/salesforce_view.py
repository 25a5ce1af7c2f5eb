"""A case read back from the Salesforce sandbox org as the conformance suite's neutral
:class:`~sla_bridge.testing.conformance.TicketView`: its fields, field history, CaseComments
and e-mails, as a Salesforce agent sees them.

Salesforce's words in neutral terms (the driver's module says why):

* status: the Case status through the plugin's status map; a closed status (``IsClosed``) is
  closed; ``New`` is new;
* the Owner is the group (a queue, ``00G``) or the assignee (a user, ``005``); the org's
  default owner of new cases (its Automated Process user) is nobody;
* tags: the words of ``SLA_Tags__c``, and ``sla_approval_requested`` while the approval flag
  ``SLA_Approval_Requested__c`` is checked; their changes are the tags field's history (the
  bridge sets the flag beside the tag);
* comments: CaseComments (``IsPublished`` is public) and the customer's incoming e-mails;
* the bridge's key: a CaseComment has no field for it, so a comment of the bridge is named by
  the bridge's ledger entry that posted that text (a comment the bridge posted twice is named
  twice, and counted so); the approval fallback's internal note is the approval.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sla_bridge import neutral
from sla_bridge.testing import BridgeHarness
from sla_bridge.testing.conformance import (
    BRIDGE,
    SeenApproval,
    SeenChange,
    SeenComment,
    TicketView,
)
from sla_bridge_salesforce.loop import SEVERITY_FIELD
from sla_bridge_salesforce.sandbox import Sandbox
from sla_bridge_salesforce.settings import SalesforceSettings

AUTOMATION = "the helpdesk"
DECISION_FIELD = "SLA_Escalation_Decision__c"
DECISION_TAGS = {"approved": neutral.ESCALATION_APPROVED_TAG,
                 "declined": neutral.ESCALATION_DECLINED_TAG}
VENDOR_SEVERITY = "SLA_Vendor_Severity__c"
DUE_FIELDS = {"first_response": "SLA_First_Response_Due__c",
              "next_update": "SLA_Next_Update_Due__c"}
USER_PREFIX, QUEUE_PREFIX = "005", "00G"
Severity = Callable[[str | None], str | None]


@dataclass
class CaseReader:
    """Reads cases of ``sandbox``; ``people`` names record ids (users, contacts, queues);
    ``harness`` is the bridge, whose ledger names its comments."""

    sandbox: Sandbox
    settings: SalesforceSettings
    people: Mapping[str, str]
    harness: BridgeHarness

    def view(self, case_id: str, severity: Severity) -> TicketView:
        """The case ``case_id``; ``severity`` names a severity value as its policy's id."""
        case = self.sandbox.case(case_id)
        names = {**self.people, self.sandbox.bridge_user_id: BRIDGE,
                 self.sandbox.org.system_user: AUTOMATION}
        comments, approvals = self._comments(case, names)
        flag, tags_field = self.settings.approval_flag_field, self.settings.tags_field
        tags = set(str(case.get(tags_field) or "").split())
        if case.get(flag) is True:
            tags.add(neutral.APPROVAL_REQUESTED_TAG)
        if str(case.get(DECISION_FIELD) or "").lower() in DECISION_TAGS:
            tags.add(DECISION_TAGS[str(case[DECISION_FIELD]).lower()])
        owner = str(case.get("OwnerId") or "")
        due = {metric: _time(case[name]) for metric, name in DUE_FIELDS.items()
               if case.get(name)}
        replies = {c.at: c.author for c in comments if c.author not in (BRIDGE, AUTOMATION)
                   and c.at in self._email_times(case)}
        status, changes = self._changes(case, names, replies)
        return TicketView(
            id=case_id, status=status,
            severity=severity(case.get(VENDOR_SEVERITY) or case.get(SEVERITY_FIELD)),
            group=names.get(owner) if owner.startswith(QUEUE_PREFIX) else None,
            assignee=_person(names, owner) if owner.startswith(USER_PREFIX) else None,
            tags=frozenset(tags), due=due, comments=tuple(comments), changes=tuple(changes),
            approvals=tuple(approvals), awaiting_approval=case.get(flag) is True,
            follow_up_of=case.get("ParentId"))

    def neutral_status(self, status: str) -> str:
        """A Case status as the neutral status the plugin's settings give it."""
        closed = {str(s["MasterLabel"]).lower() for s in self.sandbox.store.find("CaseStatus")
                  if s["IsClosed"]}
        if status.lower() in closed:
            return "closed"
        return str(self.settings.statuses.get(status.lower(), "open"))

    def _comments(self, case: dict[str, Any], names: Mapping[str, str],
                  ) -> tuple[list[SeenComment], list[SeenApproval]]:
        """The case's comments and e-mails, oldest first; the approval fallback's notes."""
        keys = self._bridge_keys(case["Id"])
        comments: list[tuple[datetime, SeenComment]] = []
        approvals = []
        for comment in case["comments"]:
            when, body = _time(comment["CreatedDate"]), str(comment["CommentBody"])
            author = names.get(comment["CreatedById"], "?")
            key = _key_of(keys, body) if author == BRIDGE else None
            if key is not None and key.startswith("request_approval:"):
                approvals.append(SeenApproval.from_note(when, body, key))
                continue
            comments.append((when, SeenComment(author, bool(comment["IsPublished"]), body,
                                               when, key)))
        for email in case["emails"]:
            if not email["Incoming"]:
                continue
            when = _time(email["MessageDate"])
            author = names.get(case["ContactId"], "?")  # e-mails come from the case's contact
            comments.append((when, SeenComment(author, True, str(email["TextBody"]), when)))
        return [c for _, c in sorted(comments, key=lambda pair: pair[0])], approvals

    def _bridge_keys(self, case_id: str) -> list[tuple[str, str]]:
        """(text, key) of every comment the bridge's ledger says it posted on the case,
        the key without its ``salesforce:<case>:`` prefix."""
        found = []
        for entry in self.harness.runtime.store.ledger(self.harness.ref(case_id)):
            action = json.loads(entry.action)
            text = action.get("body") or action.get("summary")
            if entry.kind in ("add_comment", "request_approval") and text:
                found.append((str(text), entry.key.removeprefix(f"salesforce:{case_id}:")))
        return found

    @staticmethod
    def _email_times(case: dict[str, Any]) -> set[datetime]:
        return {_time(e["MessageDate"]) for e in case["emails"] if e["Incoming"]}

    def _changes(self, case: dict[str, Any], names: Mapping[str, str],
                 replies: Mapping[datetime, str]) -> tuple[str, list[SeenChange]]:
        """The case's neutral status, and its field history as neutral changes; ``replies``
        are the customers' e-mails by instant (the bridge's re-open answering one is named
        after its customer)."""
        changes: list[SeenChange] = []
        status = "new"
        flag, tags_field = self.settings.approval_flag_field, self.settings.tags_field
        for entry in case["history"]:
            when, by = _time(entry["CreatedDate"]), names.get(entry["CreatedById"], "?")
            field, old, new = entry["Field"], entry["OldValue"], entry["NewValue"]
            if field == "Status":
                if self.neutral_status(str(new)) != status:
                    status = self.neutral_status(str(new))
                    if by == BRIDGE and status == "open" and when in replies:
                        by = replies[when]  # the re-open on this customer's reply
                    changes.append(SeenChange(when, "status", status, by))
            elif field == "OwnerId":
                target = str(new or "")
                kind = "group" if target.startswith(QUEUE_PREFIX) else "assignee"
                changes.append(SeenChange(when, kind, _person(names, target), by))
            elif field == tags_field:
                changes += SeenChange.tags(when, str(old or "").split(),
                                           str(new or "").split(), by)
            elif field == flag and not tags_field:
                # The flag is the approval tag only where no tags field holds the tags.
                tag = neutral.APPROVAL_REQUESTED_TAG
                changes.append(SeenChange(when, "tag_added" if new else "tag_removed", tag, by))
        return status, changes


def _key_of(keys: list[tuple[str, str]], body: str) -> str | None:
    """The bridge's key for a comment with ``body``: the ledger's entry whose text it is (or
    the fallback note that carries it)."""
    for text, key in keys:
        if body.strip() == text.strip():
            return key
    for text, key in keys:
        if text.strip() and text.strip() in body:
            return key
    return None


def _person(names: Mapping[str, str], record_id: str) -> str | None:
    """The name of a user or queue; the org's Automated Process user as the default owner
    is nobody."""
    name = names.get(record_id)
    return None if name == AUTOMATION else name


def _time(value: Any) -> datetime:
    """A Salesforce time (``2026-11-30T15:00:00.000+0000``) as an aware datetime."""
    if isinstance(value, datetime):
        return value
    text = str(value)
    if len(text) > 5 and text[-5] in "+-" and text[-3] != ":":
        text = f"{text[:-2]}:{text[-2:]}"
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
