"""The site's issues and Jira Service Management's rules on them.

Everything is in memory behind the one lock of :class:`~._people.People`. Each change is
reported to the listeners (the webhook engine) as a :class:`Change` after it is made.

Rules kept (the workflow itself is :mod:`._workflow`):

* an edit sets ``fields`` or ``update`` operations, never both for one field, only fields
  on the edit screen, valid values (400 naming the field otherwise,
  https://developer.atlassian.com/cloud/jira/platform/rest/v2/api-group-issues/#api-rest-api-2-issue-issueidorkey-put);
* a transition must be available from the current status and may set only its screen's
  fields (400 otherwise, same page, ``doTransition``);
* the assignee must be an agent of the site (400 otherwise); ``"-1"`` is the project default
  (unassigned here);
* a comment created through the platform API is public unless it carries the
  ``sd.public.comment`` property ``{"internal": true}``;
* a customer's comment moves "Waiting for customer" and "Resolved" back to "Waiting for
  support" (the JSM automation presets); a "Closed" request takes no edit, and takes a
  comment (left closed) unless :attr:`SiteState.closed_takes_comments` is off (then 403);
* entering "Waiting for approval" creates an approval (:mod:`._approvals`).
"""

from __future__ import annotations

import copy
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ._approvals import open_approval
from ._changelog import changelog_item
from ._errors import bad_request, forbidden, not_found
from ._fields import (
    PRIORITIES,
    FieldDef,
    check_label,
    parse_value,
    service_desk_fields,
    system_fields,
)
from ._jql import Values
from ._people import Clock, People, jira_time
from ._sla import sla_moves, sla_start
from ._workflow import (
    BY_NAME,
    BY_TRANSITION_ID,
    CATEGORIES,
    INITIAL,
    ApprovalStep,
    Transition,
    available,
    resolution_for,
)

INTERNAL_PROPERTY = "sd.public.comment"


@dataclass
class Change:
    """One thing that happened to an issue: the webhook engine's input."""

    event: str  # jira:issue_created | jira:issue_updated | comment_created | comment_updated
    key: str
    actor: str | None
    type_name: str  # issue_event_type_name: issue_created, issue_updated, issue_generic ...
    items: list[dict[str, Any]] = field(default_factory=list)
    comment: dict[str, Any] | None = None
    history_id: str | None = None


@dataclass
class IssueRecord:
    """An issue and what hangs on it."""

    id: str
    key: str
    project: str
    fields: dict[str, Any]
    comments: list[dict[str, Any]] = field(default_factory=list)
    properties: dict[str, Any] = field(default_factory=dict)
    histories: list[dict[str, Any]] = field(default_factory=list)
    links: list[dict[str, Any]] = field(default_factory=list)
    approvals: list[dict[str, Any]] = field(default_factory=list)
    sla: dict[str, Any] = field(default_factory=dict)
    indexed_from: float = 0.0  # the site's monotonic time it was created at (search lag)

    @property
    def status(self) -> str:
        """The current status's name."""
        return str(self.fields["status"])

    def pending_approval(self) -> dict[str, Any] | None:
        """The approval waiting for decisions, if any."""
        return next((a for a in self.approvals if a["finalDecision"] == "pending"), None)


def _added(values: list[Any], item: Any) -> list[Any]:
    return values if item in values else [*values, item]


class SiteState(People):
    """The site: its people (:class:`People`), fields and issues."""

    def __init__(self, clock: Clock) -> None:
        super().__init__(clock)
        self.fields: dict[str, FieldDef] = {f.id: f for f in
                                            [*system_fields(), *service_desk_fields()]}
        self.issues: dict[str, IssueRecord] = {}
        self.approval_steps: dict[str, ApprovalStep] = {
            "Waiting for approval": ApprovalStep("Waiting for approval", "customfield_10003")}
        self.listeners: list[Callable[[Change], None]] = []
        # Whether a non-editable status (Closed) still takes comments (left closed).
        self.closed_takes_comments = True
        # Seconds that pass: real ones, or a virtual clock's own monotonic timer.
        self.monotonic: Callable[[], float] = time.monotonic
        self._issue_ids = itertools.count(10001)
        self._counters: dict[str, itertools.count[int]] = {}
        self._other_ids = itertools.count(10001)
        self.automation = self.add_user("Automation for Jira", "automation@sandbox.invalid",
                                        "app")

    def next_id(self) -> str:
        """A fresh id for a comment, a history, a link or an approval."""
        return str(next(self._other_ids))

    def now(self) -> str:
        """The clock, in Jira's format."""
        return jira_time(self.clock())

    def _notify(self, change: Change) -> None:
        for listener in list(self.listeners):
            listener(change)

    # -- reading -----------------------------------------------------------------------

    def record(self, key_or_id: str, viewer: str | None = None) -> IssueRecord:
        """The issue by key or id; 404 when unknown or not visible to ``viewer``."""
        with self.lock:
            found = self.issues.get(key_or_id.upper()) or next(
                (r for r in self.issues.values() if r.id == key_or_id), None)
            if found is None or (viewer is not None and not self.can_see(viewer, found)):
                raise not_found()
            return found

    def can_see(self, account_id: str, record: IssueRecord) -> bool:
        """Agents see every issue; a customer their requests: as reporter, participant or a
        member of one of its organizations."""
        if self.is_agent(account_id):
            return True
        orgs = set(self.organizations_of(account_id))
        return (record.fields.get("reporter") == account_id
                or account_id in record.fields.get("customfield_10026", [])
                or bool(orgs & set(record.fields.get("customfield_10002", []))))

    def is_customer_of(self, account_id: str | None, record: IssueRecord) -> bool:
        """Whether the account is on the customer side of the request."""
        return account_id is not None and not self.is_agent(account_id) and self.can_see(
            account_id, record)

    def jql_values(self, record: IssueRecord) -> Values:
        """What a JQL clause reads of the issue (lower-cased; dates as Jira writes them)."""
        status = BY_NAME[record.status]
        known = {"project": {record.project.lower()}, "key": {record.key.lower()},
                 "status": {status.name.lower()},
                 "statuscategory": {status.category, CATEGORIES[status.category]["name"].lower()},
                 "labels": {label.lower() for label in record.fields["labels"]},
                 "priority": {PRIORITIES[record.fields["priority"]].lower()},
                 "issuetype": {"service request"},
                 "updated": {record.fields["updated"]}, "created": {record.fields["created"]},
                 "reporter": {str(record.fields["reporter"]).lower()},
                 "assignee": {str(record.fields["assignee"]).lower()}
                 if record.fields["assignee"] else set(),
                 "summary": {record.fields["summary"].lower()},
                 "text": {record.fields["summary"].lower(),
                          (record.fields["description"] or "").lower()}}
        return lambda name: known.get(name, set())

    # -- creating --------------------------------------------------------------------

    def create_issue(self, project_key: str, actor: str, values: dict[str, Any]) -> IssueRecord:
        """A new issue in the initial status (``values``: field id -> kept value)."""
        with self.lock:
            project = self.projects[project_key]
            counter = self._counters.setdefault(project_key, itertools.count(1))
            key = f"{project_key}-{next(counter)}"
            now = self.now()
            fields: dict[str, Any] = {
                "summary": "", "description": None, "priority": "3", "labels": [],
                "assignee": None, "reporter": actor, "customfield_10026": [],
                "customfield_10002": [], "customfield_10003": [], "duedate": None,
                **values, "status": INITIAL.name, "resolution": None, "resolutiondate": None,
                "created": now, "updated": now}
            record = IssueRecord(str(next(self._issue_ids)), key, project.key, fields,
                                 sla=sla_start(self.clock()), indexed_from=self.monotonic())
            self.issues[key] = record
            self._notify(Change("jira:issue_created", key, actor, "issue_created"))
            return record

    # -- editing ---------------------------------------------------------------------

    def parse_field(self, field_id: str, value: Any) -> Any:
        """The value kept for ``value`` written to the field (400 naming it if invalid)."""
        definition = self.fields.get(field_id)
        if definition is None:
            raise bad_request(**{field_id: f"Field '{field_id}' cannot be set. It is not on "
                                 "the appropriate screen, or unknown."})
        return parse_value(definition, value, users=self.users,
                           organizations=self.organizations, request_types=self.request_types,
                           groups=self.groups)

    def _operations(self, record: IssueRecord, update: dict[str, Any]) -> dict[str, Any]:
        """The values ``update`` operations (``set``/``add``/``remove``) give, field by field."""
        result: dict[str, Any] = {}
        for field_id, operations in update.items():
            if not isinstance(operations, list):
                raise bad_request(**{field_id: "Update operations must be a list."})
            value = copy.deepcopy(record.fields.get(field_id))
            for operation in operations:
                if not isinstance(operation, dict) or len(operation) != 1:
                    raise bad_request(**{field_id: "Each operation is one of set, add, remove."})
                (verb, argument), = operation.items()
                if verb == "set":
                    value = self.parse_field(field_id, argument)
                elif verb in ("add", "remove") and isinstance(value, list):
                    item = (check_label(self.fields["labels"], argument)
                            if field_id == "labels"
                            else self.parse_field(field_id, [argument])[0])
                    value = _added(value, item) if verb == "add" else [
                        v for v in value if v != item]
                else:
                    raise bad_request(**{field_id: f"Operation '{verb}' is not supported for "
                                         f"{field_id}."})
            result[field_id] = value
        return result

    def edit(self, key: str, actor: str, fields: dict[str, Any], update: dict[str, Any],
             type_name: str = "issue_updated") -> IssueRecord:
        """Edit the issue as ``actor`` (fields set as given, update operations applied)."""
        with self.lock:
            record = self.record(key, actor)
            if not BY_NAME[record.status].editable:
                raise bad_request("You do not have permission to edit issues in this "
                                  f"status ({record.status}).")
            both = sorted(set(fields) & set(update))
            if both:
                raise bad_request(**{f: "Field can not be set in both fields and update."
                                     for f in both})
            values = {f: self.parse_field(f, v) for f, v in fields.items()}
            values.update(self._operations(record, update))
            self._apply(record, actor, values, type_name)
            return record

    def _apply(self, record: IssueRecord, actor: str | None, values: dict[str, Any],
               type_name: str, comment: dict[str, Any] | None = None) -> None:
        items = []
        for field_id, value in values.items():
            before = record.fields.get(field_id)
            if before != value:
                items.append(changelog_item(self.fields[field_id], before, value, self.users))
                record.fields[field_id] = value
        if not items and comment is None:
            return
        record.fields["updated"] = self.now()
        history_id = None
        if items:
            history_id = self.next_id()
            record.histories.append({"id": history_id, "author": actor,
                                     "created": record.fields["updated"], "items": items})
        self._notify(Change("jira:issue_updated", record.key, actor, type_name, items,
                            comment, history_id))

    def assign(self, key: str, actor: str, account_id: str | None) -> IssueRecord:
        """Assign to an agent, unassign (``None``) or to the project default (``"-1"``)."""
        with self.lock:
            record = self.record(key, actor)
            if account_id == "-1":
                account_id = None
            if account_id is not None and not self.is_agent(account_id):
                raise bad_request(assignee=f"User '{account_id}' cannot be assigned issues.")
            self._apply(record, actor, {"assignee": account_id}, "issue_assigned")
            return record

    # -- transitions -----------------------------------------------------------------

    def transitions(self, record: IssueRecord) -> list[Transition]:
        """The transitions that can be run by hand now."""
        return available(record.status, record.pending_approval() is not None)

    def transition(self, key: str, actor: str, transition_id: str,
                   fields: dict[str, Any], update: dict[str, Any],
                   *, system: bool = False) -> IssueRecord:
        """Run a transition (with its screen's fields, and a comment through ``update``)."""
        with self.lock:
            record = self.record(key, actor)
            transition = BY_TRANSITION_ID.get(transition_id)
            possible = (transition is not None and transition.sources is not None
                        and record.status in transition.sources) if system else (
                transition in self.transitions(record))
            if transition is None or not possible:
                raise bad_request(f"Transition id '{transition_id}' is not valid for this "
                                  "issue.")
            both = sorted(set(fields) & set(update))
            if both:
                raise bad_request(**{f: "Field can not be set in both fields and update."
                                     for f in both})
            comments = update.pop("comment", [])
            for field_id in [*fields, *update]:
                if field_id not in transition.screen:
                    raise bad_request(**{field_id: f"Field '{field_id}' cannot be set. It is "
                                         "not on the appropriate screen, or unknown."})
            target = BY_NAME[transition.to]
            values: dict[str, Any] = {"status": target.name}
            resolution = fields.get("resolution") or resolution_for(target)
            if target.category == "done":
                if not isinstance(resolution, dict) or not ({"name", "id"} & set(resolution)):
                    raise bad_request(resolution="Specify a resolution by name or id.")
                values["resolution"] = {"name": str(resolution.get("name", "Done"))}
                values["resolutiondate"] = self.now()
            else:
                values["resolution"] = values["resolutiondate"] = None
            sla_moves(record.sla, target, self.clock())
            type_name = "issue_resolved" if target.name == "Resolved" else "issue_generic"
            self._apply(record, actor, values, type_name)
            for item in comments if isinstance(comments, list) else []:
                body = (item.get("add") or {}).get("body") if isinstance(item, dict) else None
                if isinstance(body, str):
                    self.add_comment(key, actor, body)
            step = self.approval_steps.get(target.name)
            if step is not None:
                open_approval(self, record, step)
            return record

    # -- comments ---------------------------------------------------------------------

    def add_comment(self, key: str, actor: str, body: str, *, public: bool = True,
                    properties: dict[str, Any] | None = None) -> dict[str, Any]:
        """A comment by ``actor``; a customer's moves the request on (see the module)."""
        with self.lock:
            record = self.record(key, actor)
            if not body.strip():
                raise bad_request(comment="Comment body can not be empty!")
            if not BY_NAME[record.status].editable and not self.closed_takes_comments:
                raise forbidden(f"{record.key} is {record.status}: comments are not allowed "
                                "in this status.")
            customer = self.is_customer_of(actor, record)
            if customer and not public:
                raise bad_request("Customers can only add public comments.")
            now = self.now()
            props = dict(properties or {})
            if not public:
                props[INTERNAL_PROPERTY] = {"internal": True}
            comment = {"id": self.next_id(), "author": actor, "updateAuthor": actor,
                       "body": body, "created": now, "updated": now, "properties": props}
            record.comments.append(comment)
            self._apply(record, actor, {}, "issue_commented", comment=comment)
            self._notify(Change("comment_created", key, actor, "issue_commented",
                                comment=comment))
            if customer and record.status in ("Waiting for customer", "Resolved"):
                self.transition(key, self.automation["accountId"], "91", {}, {}, system=True)
            return comment

    def comment(self, record: IssueRecord, comment_id: str) -> dict[str, Any]:
        """One comment of the issue (404 when it has no such comment)."""
        found = next((c for c in record.comments if c["id"] == comment_id), None)
        if found is None:
            raise not_found("Can not find a comment for the id: " + comment_id + ".")
        return found

    def update_comment(self, key: str, comment_id: str, actor: str, body: str | None,
                       properties: dict[str, Any] | None = None) -> dict[str, Any]:
        """Change a comment's body (and properties)."""
        with self.lock:
            record = self.record(key, actor)
            comment = self.comment(record, comment_id)
            if body is not None:
                comment["body"] = body
            if properties is not None:
                comment["properties"].update(properties)
            comment["updated"], comment["updateAuthor"] = self.now(), actor
            self._apply(record, actor, {}, "issue_comment_edited", comment=comment)
            self._notify(Change("comment_updated", key, actor, "issue_comment_edited",
                                comment=comment))
            return comment

    # -- links and properties -----------------------------------------------------------

    def link(self, type_name: str, inward: str, outward: str, actor: str) -> None:
        """Link two issues (a link that exists already is not made twice, and no error)."""
        with self.lock:
            source, target = self.record(inward, actor), self.record(outward, actor)
            if any(link["type"] == type_name and link["outward"] == target.key
                   for link in source.links):
                return
            link_id = self.next_id()
            source.links.append({"id": link_id, "type": type_name, "outward": target.key})
            target.links.append({"id": link_id, "type": type_name, "inward": source.key})
