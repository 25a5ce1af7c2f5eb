"""The site's people and structure: accounts, API tokens, groups, organizations, service desks.

Accounts are ``atlassian`` (agents and admins, licensed) or ``customer`` (portal-only
customers, account ids ``qm:...``), as the ``accountType`` of Jira's user objects says
(https://developer.atlassian.com/cloud/jira/platform/rest/v2/api-group-users/). Each may have
an API token, used with their e-mail in Basic auth
(https://developer.atlassian.com/cloud/jira/platform/basic-auth-for-rest-apis/).
"""

from __future__ import annotations

import hmac
import itertools
import threading
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

Clock = Callable[[], datetime]


def jira_time(instant: datetime) -> str:
    """Jira's date-time format, ``2024-06-01T10:00:00.123+0000``."""
    return instant.strftime("%Y-%m-%dT%H:%M:%S.") + f"{instant.microsecond // 1000:03d}+0000"


def date_dto(instant: datetime) -> dict[str, Any]:
    """A service desk ``DateDTO``."""
    return {"iso8601": instant.strftime("%Y-%m-%dT%H:%M:%S+0000"), "jira": jira_time(instant),
            "friendly": instant.strftime("%d/%b/%y %I:%M %p"),
            "epochMillis": int(instant.timestamp() * 1000)}


@dataclass
class Project:
    """A project: a service desk one (with request types) unless ``service_desk`` is off."""

    id: str
    key: str
    name: str
    service_desk_id: str
    request_types: list[str] = field(default_factory=list)
    service_desk: bool = True


class People:
    """Accounts, tokens, groups, organizations, projects and request types, behind ``lock``."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.lock = threading.RLock()
        self.users: dict[str, dict[str, Any]] = {}
        self.tokens: dict[str, tuple[str, str]] = {}  # e-mail -> (token, accountId)
        self.admins: set[str] = set()
        self.groups: dict[str, dict[str, Any]] = {}
        self.organizations: dict[int, dict[str, Any]] = {}
        self.projects: dict[str, Project] = {}
        self.request_types: dict[str, dict[str, Any]] = {}
        self._ids = itertools.count(1)

    # -- accounts ------------------------------------------------------------------

    def add_user(self, name: str, email: str, account_type: str = "atlassian", *,
                 token: str | None = None, admin: bool = False,
                 time_zone: str = "UTC") -> dict[str, Any]:
        """An account; ``customer`` ones get a ``qm:`` account id, as portal-only customers do."""
        if account_type not in ("atlassian", "customer", "app"):
            raise ValueError(f"accountType {account_type!r}: atlassian, customer or app")
        with self.lock:
            if any(u["emailAddress"] == email for u in self.users.values()):
                raise ValueError(f"an account with the e-mail {email} exists already")
            number = next(self._ids)
            account_id = (f"qm:{uuid.UUID(int=number)}" if account_type == "customer"
                          else f"5b10ac8d82e05b22cc7d{number:04x}")
            user = {"accountId": account_id, "accountType": account_type,
                    "displayName": name, "emailAddress": email, "active": True,
                    "timeZone": time_zone}
            self.users[account_id] = user
            if token is not None:
                self.tokens[email] = (token, account_id)
            if admin:
                self.admins.add(account_id)
            return dict(user)

    def authenticate(self, email: str, token: str) -> dict[str, Any] | None:
        """The account whose e-mail and API token these are, else ``None``."""
        with self.lock:
            known = self.tokens.get(email)
            if known is None or not hmac.compare_digest(known[0].encode(), token.encode()):
                return None
            return dict(self.users[known[1]])

    def user(self, account_id: str) -> dict[str, Any]:
        """The account (``KeyError`` when unknown)."""
        with self.lock:
            return dict(self.users[account_id])

    def is_agent(self, account_id: str | None) -> bool:
        """Whether the account is a licensed (``atlassian``) one."""
        with self.lock:
            user = self.users.get(account_id or "")
            return user is not None and user["accountType"] != "customer"

    def search_users(self, query: str) -> list[dict[str, Any]]:
        """Accounts whose id, name or e-mail contains ``query`` (case-insensitive), agents only
        (customers are not found by the user search)."""
        wanted = query.lower()
        with self.lock:
            return [dict(u) for u in self.users.values() if u["accountType"] != "customer"
                    and any(wanted in str(u[k]).lower()
                            for k in ("accountId", "displayName", "emailAddress"))]

    # -- groups and organizations ------------------------------------------------------

    def add_group(self, name: str, members: Iterable[str] = ()) -> dict[str, Any]:
        """A group of accounts."""
        with self.lock:
            group = {"name": name, "groupId": str(uuid.UUID(int=next(self._ids) + 10**6)),
                     "members": set(members)}
            self.groups[name] = group
            return {"name": name, "groupId": group["groupId"]}

    def add_organization(self, name: str, members: Iterable[str] = (),
                         properties: dict[str, Any] | None = None) -> dict[str, Any]:
        """A customer organization with members (account ids) and properties."""
        with self.lock:
            org_id = next(self._ids)
            self.organizations[org_id] = {"id": org_id, "name": name, "members": set(members),
                                          "properties": dict(properties or {}),
                                          "created": self.clock()}
            return {"id": org_id, "name": name}

    def organizations_of(self, account_id: str) -> list[int]:
        """The organizations the account belongs to."""
        with self.lock:
            return [i for i, o in self.organizations.items() if account_id in o["members"]]

    # -- projects ----------------------------------------------------------------------

    def add_project(self, key: str, name: str, service_desk: bool = True) -> Project:
        """A project, a service desk one unless ``service_desk`` is off (its service desk's id
        is a number, as a string)."""
        with self.lock:
            if key in self.projects:
                raise ValueError(f"a project with the key {key} exists already")
            number = next(self._ids)
            project = Project(str(10000 + number), key, name, str(number),
                              service_desk=service_desk)
            self.projects[key] = project
            return project

    def add_request_type(self, project_key: str, name: str,
                         description: str = "") -> dict[str, Any]:
        """A request type of the project's service desk."""
        with self.lock:
            project = self.projects[project_key]
            type_id = str(next(self._ids) + 100)
            request_type = {"id": type_id, "name": name, "description": description,
                            "helpText": "", "serviceDeskId": project.service_desk_id,
                            "issueTypeId": "10004", "groupIds": []}
            self.request_types[type_id] = request_type
            project.request_types.append(type_id)
            return dict(request_type)

    def service_desk(self, desk_id: str) -> Project | None:
        """The project of the service desk with this id."""
        with self.lock:
            return next((p for p in self.projects.values()
                         if p.service_desk and p.service_desk_id == desk_id), None)
