"""Cached look-ups of things that change rarely: organizations, users, groups, fields.

Entries live ``SLA_BRIDGE_ZENDESK__LOOKUP_TTL_SECONDS`` (five minutes by default) in the
kit's :class:`~sla_bridge.platformkit.TTLCache`, so a plan changed on an organization is
seen within minutes without a call per webhook.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

from zenpy.lib.exception import RecordNotFoundException  # type: ignore[import-untyped,unused-ignore]

from sla_bridge.platformkit import TTLCache

from .client import ZendeskClient

__all__ = ["Lookups", "TTLCache"]


class Lookups:
    """Organizations, users, registered admins, groups and ticket fields, cached."""

    def __init__(self, client: ZendeskClient, ttl: float,
                 timer: Callable[[], float] = time.monotonic) -> None:
        self.client = client
        self.cache = TTLCache(ttl, timer)

    def organization(self, org_id: int) -> dict[str, Any] | None:
        """The organization as a dict, or ``None`` when it no longer exists."""
        def load() -> dict[str, Any] | None:
            try:
                data: dict[str, Any] = self.client.zenpy.organizations(id=org_id).to_dict()
            except RecordNotFoundException:
                return None
            return data
        return self.cache.get(("org", org_id), load)

    def users(self, user_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
        """Users by id (one ``show_many`` call per 100 of those not cached)."""
        def load(batch: list[int]) -> dict[int, dict[str, Any]]:
            return {int(u.id): u.to_dict() for u in self.client.zenpy.users(ids=batch)}
        wanted = sorted({int(u) for u in user_ids if u is not None and int(u) > 0})
        return self.cache.get_many("user", wanted, load)

    def user(self, user_id: int) -> dict[str, Any] | None:
        """One user, or ``None`` when Zendesk does not know it."""
        return self.users([user_id]).get(int(user_id))

    def registered_admins(self, org_id: int, tag: str) -> tuple[str, ...] | None:
        """Ids of the organization's users tagged as registered admins, oldest first.

        ``None`` when the organization no longer exists (the bridge then skips the check).
        """
        def load() -> tuple[str, ...] | None:
            try:
                members = [u.to_dict() for u in
                           self.client.zenpy.organizations.users(org_id)]
            except RecordNotFoundException:
                return None
            admins = [u for u in members if tag in (u.get("tags") or [])
                      and u.get("active", True) is not False]
            # In registration order: when the user was created, then id.
            admins.sort(key=lambda u: (str(u.get("created_at") or ""), int(u["id"])))
            return tuple(str(u["id"]) for u in admins)
        return self.cache.get(("admins", org_id, tag), load)

    def groups(self) -> dict[int, str]:
        """Group id -> name."""
        def load() -> dict[int, str]:
            return {int(g.id): str(g.name) for g in self.client.zenpy.groups()}
        return self.cache.get("groups", load)

    def group_id(self, name_or_id: str) -> int | None:
        """The id of the group named (case-insensitively) or numbered ``name_or_id``."""
        groups = self.groups()
        if name_or_id.strip().isdigit() and int(name_or_id) in groups:
            return int(name_or_id)
        wanted = name_or_id.strip().lower()
        return next((gid for gid, name in groups.items() if name.lower() == wanted), None)

    def is_member(self, user_id: int, group_id: int) -> bool:
        """Whether the agent is a member of the group (``GET /group_memberships``, cached)."""
        def load() -> frozenset[tuple[int, int]]:
            return frozenset((int(m.user_id), int(m.group_id))
                             for m in self.client.zenpy.group_memberships())
        return (user_id, group_id) in self.cache.get("group_memberships", load)

    def required_on_solve(self) -> dict[int, str]:
        """Id -> title of the active ticket fields a ticket cannot be solved without
        (``required``: "agents must enter a value in the field to change the ticket status
        to solved", Ticket Fields API)."""
        return {int(f["id"]): str(f["title"]) for f in self._ticket_fields()
                if f.get("required") and f.get("active", True) is not False}

    def ticket_fields(self) -> dict[str, int]:
        """Custom ticket field title (lower case) -> id."""
        return {str(f["title"]).strip().lower(): int(f["id"]) for f in self._ticket_fields()}

    def ticket_field_types(self) -> dict[int, str]:
        """Custom ticket field id -> type (``text``, ``checkbox``, ``integer``, ...)."""
        return {int(f["id"]): str(f.get("type") or "") for f in self._ticket_fields()}

    def _ticket_fields(self) -> list[dict[str, Any]]:
        """``GET /ticket_fields`` (one cached list for every use above)."""
        def load() -> list[dict[str, Any]]:
            return [f.to_dict() for f in self.client.zenpy.ticket_fields()]
        return self.cache.get("ticket_fields", load)
