"""The sandbox's account apart from its tickets: users and their API tokens, organizations,
groups, ticket fields, business rules and webhooks, and the ids Zendesk would give them."""

from __future__ import annotations

import copy
import itertools
import secrets
import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from ._errors import not_found, record_invalid

AGENT_ROLES = ("agent", "admin")
SYSTEM_USER = -1

Clock = Callable[[], datetime]


def iso(instant: datetime) -> str:
    """Zendesk's timestamp format."""
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(value: str) -> datetime:
    """Read a Zendesk timestamp."""
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


class Account:
    """Everything but the tickets, in memory behind one lock (shared with the tickets)."""

    def __init__(self, clock: Clock, account_id: int = 9000001) -> None:
        self.clock = clock
        self.account_id = account_id
        self.lock = threading.RLock()
        self.users: dict[int, dict[str, Any]] = {}
        self.tokens: dict[str, str] = {}
        self.organizations: dict[int, dict[str, Any]] = {}
        self.groups: dict[int, dict[str, Any]] = {}
        self.memberships: dict[int, dict[str, Any]] = {}
        # Agents seeded without memberships (tests that do not model them): in every group.
        self.in_every_group: set[int] = set()
        self.ticket_fields: dict[int, dict[str, Any]] = {}
        self.organization_field_defs: dict[int, dict[str, Any]] = {}  # see ._fields
        self.triggers: dict[int, dict[str, Any]] = {}
        self.macros: dict[int, dict[str, Any]] = {}
        self.webhooks: dict[str, dict[str, Any]] = {}
        self.webhook_secrets: dict[str, str] = {}
        self._ids = {kind: itertools.count(start) for kind, start in (
            ("user", 1001), ("organization", 501), ("group", 301), ("field", 360001),
            ("ticket", 1), ("membership", 9001), ("audit", 70001), ("event", 800001),
            ("trigger", 4001), ("macro", 6001), ("webhook", 1))}

    def next_id(self, kind: str) -> int:
        """A fresh id of ``kind``."""
        return next(self._ids[kind])

    def now(self) -> str:
        """The account's current time, formatted."""
        return iso(self.clock())

    # -- users, organizations, groups, fields ------------------------------------------

    def add_user(self, name: str, email: str, role: str = "end-user",
                 organization_id: int | None = None, tags: Iterable[str] = (),
                 user_fields: dict[str, Any] | None = None,
                 token: str | None = None) -> dict[str, Any]:
        """Create a user, with an API token to sign in with if given."""
        if role not in ("end-user", *AGENT_ROLES):
            raise ValueError(f"role must be end-user, agent or admin, not {role!r}")
        with self.lock:
            user_id = self.next_id("user")
            now = self.now()
            user = {
                "id": user_id, "name": name, "email": email.lower(), "role": role,
                "active": True, "verified": True, "suspended": False, "shared": False,
                "organization_id": organization_id, "tags": sorted(set(tags)),
                "user_fields": dict(user_fields or {}), "time_zone": "UTC",
                "iana_time_zone": "Etc/UTC", "locale": "en-US", "locale_id": 1,
                "moderator": role in AGENT_ROLES, "only_private_comments": False,
                "restricted_agent": False, "ticket_restriction": None if role != "end-user"
                else "requested", "created_at": now, "updated_at": now,
                "default_group_id": None, "external_id": None, "details": "", "notes": "",
                "phone": None, "photo": None, "signature": "", "two_factor_auth_enabled": False,
                "report_csv": role == "admin", "custom_role_id": None, "alias": "",
                "role_type": None, "last_login_at": None,
            }
            self.users[user_id] = user
            if token is not None:
                self.tokens[email.lower()] = token
            return copy.deepcopy(user)

    def authenticate(self, email: str, token: str) -> dict[str, Any] | None:
        """The active user (agent, admin or customer) whose e-mail and API token these are,
        or ``None``; what a customer may call is the routes' business (``._http``)."""
        with self.lock:
            expected = self.tokens.get(email.lower())
            if expected is None or not secrets.compare_digest(expected, token):
                return None
            return next((u for u in self.users.values() if u["email"] == email.lower()
                         and u["active"]), None)

    def user(self, user_id: int) -> dict[str, Any]:
        """One user, or 404."""
        with self.lock:
            if user_id not in self.users:
                raise not_found()
            return copy.deepcopy(self.users[user_id])

    def add_organization(self, name: str, fields: dict[str, Any] | None = None,
                         tags: Iterable[str] = ()) -> dict[str, Any]:
        """Create an organization with custom organization fields."""
        with self.lock:
            org_id = self.next_id("organization")
            now = self.now()
            org = {"id": org_id, "name": name, "organization_fields": dict(fields or {}),
                   "tags": sorted(set(tags)), "created_at": now, "updated_at": now,
                   "details": "", "notes": "", "domain_names": [], "external_id": None,
                   "group_id": None, "shared_comments": False, "shared_tickets": False}
            self.organizations[org_id] = org
            return copy.deepcopy(org)

    def organization(self, org_id: int) -> dict[str, Any]:
        """One organization, or 404."""
        with self.lock:
            if org_id not in self.organizations:
                raise not_found()
            return copy.deepcopy(self.organizations[org_id])

    def add_group(self, name: str) -> dict[str, Any]:
        """Create a group of agents."""
        with self.lock:
            group_id = self.next_id("group")
            now = self.now()
            group = {"id": group_id, "name": name, "description": "", "default": False,
                     "deleted": False, "is_public": True, "created_at": now, "updated_at": now}
            self.groups[group_id] = group
            return copy.deepcopy(group)

    def add_membership(self, user_id: int, group_id: int) -> dict[str, Any]:
        """Make an agent a member of a group (``POST /group_memberships``)."""
        with self.lock:
            if self.users.get(user_id, {}).get("role") not in AGENT_ROLES:
                raise record_invalid("user_id", "User: must be an agent")
            if group_id not in self.groups:
                raise record_invalid("group_id", "Group: is invalid")
            membership_id = self.next_id("membership")
            now = self.now()
            first = not any(m["user_id"] == user_id for m in self.memberships.values())
            self.memberships[membership_id] = {
                "id": membership_id, "user_id": user_id, "group_id": group_id,
                "default": first, "created_at": now, "updated_at": now}
            if first:
                self.users[user_id]["default_group_id"] = group_id
            return copy.deepcopy(self.memberships[membership_id])

    def is_member(self, user_id: int, group_id: int) -> bool:
        """Whether the agent belongs to the group."""
        with self.lock:
            return user_id in self.in_every_group or any(
                m["user_id"] == user_id and m["group_id"] == group_id
                for m in self.memberships.values())

    def membership_list(self) -> dict[int, dict[str, Any]]:
        """Every membership by id, the in-every-group agents' included."""
        with self.lock:
            listed = dict(self.memberships)
            number = 1
            for user_id in sorted(self.in_every_group):
                for group_id in sorted(self.groups):
                    listed[-number] = {"id": 900000 + number, "user_id": user_id,
                                       "group_id": group_id, "default": False,
                                       "created_at": self.now(), "updated_at": self.now()}
                    number += 1
            return listed

    def add_ticket_field(self, title: str, type_: str = "text",
                         description: str = "") -> dict[str, Any]:
        """Create a custom ticket field (every ticket then shows it in ``custom_fields``)."""
        if type_ not in ("text", "textarea", "date", "integer", "decimal", "checkbox",
                         "regexp", "tagger", "multiselect"):
            raise record_invalid("type", f"Type: {type_} is not a valid field type")
        if not title.strip():
            raise record_invalid("title", "Title: cannot be blank", "BlankValue")
        with self.lock:
            field_id = self.next_id("field")
            now = self.now()
            ticket_field = {
                "id": field_id, "type": type_, "title": title, "raw_title": title,
                "description": description, "raw_description": description, "position": 0,
                "active": True, "required": False, "collapsed_for_agents": False,
                "regexp_for_validation": None, "title_in_portal": title,
                "raw_title_in_portal": title, "visible_in_portal": False,
                "editable_in_portal": False, "required_in_portal": False, "tag": None,
                "created_at": now, "updated_at": now, "removable": True,
                "agent_description": None, "key": None,
            }
            self.ticket_fields[field_id] = ticket_field
            return copy.deepcopy(ticket_field)

    def system_user(self) -> dict[str, Any]:
        """The pseudo-user of Zendesk's own automations."""
        return {"id": SYSTEM_USER, "role": "admin", "name": "Zendesk", "email": ""}
