"""Cached look-ups: the site's fields and the organizations' properties.

Fields come from ``GET /rest/api/2/field`` (id, name and schema), found by id, by exact name
(case-insensitive) or by JSM's custom type (the request type, organizations and participants
fields have site-specific ids: never hard-code ``customfield_10010``). Organization
properties come from ``GET /rest/servicedeskapi/organization/{id}/property/{key}``, see
https://developer.atlassian.com/cloud/jira/service-desk/rest/api-group-organization/.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

from jira.exceptions import JIRAError

from sla_bridge.platformkit import TTLCache

from .client import JiraClient
from .mapping import JiraField


class Lookups:
    """The site's fields and organization properties, each cached ``ttl`` seconds."""

    def __init__(self, client: JiraClient, ttl: float,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.client = client
        self.cache = TTLCache(ttl, monotonic)

    def fields(self) -> list[JiraField]:
        """Every field of the site."""
        def load() -> list[JiraField]:
            found = []
            for raw in self.client.jira.fields():
                schema = raw.get("schema") or {}
                found.append(JiraField(id=str(raw["id"]), name=str(raw.get("name") or ""),
                                       type=str(schema.get("type") or ""),
                                       items=str(schema.get("items") or ""),
                                       custom=str(schema.get("custom") or "")))
            return found

        value: list[JiraField] = self.cache.get("fields", load)
        return value

    def field(self, ref: str) -> JiraField | None:
        """A field by id (``customfield_10050``, ``priority``) or by its exact name."""
        wanted = ref.strip()
        every = self.fields()
        by_id = next((f for f in every if f.id == wanted), None)
        return by_id or next((f for f in every if f.name.lower() == wanted.lower()), None)

    def field_of_type(self, custom: str) -> JiraField | None:
        """The first field of a custom type (``com.atlassian.servicedesk:vp-origin``)."""
        return next((f for f in self.fields() if f.custom == custom), None)

    def organization(self, org_id: str, keys: Iterable[str]) -> dict[str, Any]:
        """The organization's properties named ``keys`` that it has (others left out)."""
        found: dict[str, Any] = {}
        for key in keys:
            value = self.cache.get(("org", org_id, key), partial(self._property, org_id, key))
            if value is not None:
                found[key] = value
        return found

    def members(self, org_id: str) -> frozenset[str]:
        """The accountIds of the organization's customers
        (``GET /rest/servicedeskapi/organization/{id}/user``)."""
        def load() -> frozenset[str]:
            return frozenset(str(u["accountId"]) for u in self.client.service_desk_pages(
                f"/rest/servicedeskapi/organization/{org_id}/user") if u.get("accountId"))

        value: frozenset[str] = self.cache.get(("members", org_id), load)
        return value

    def _property(self, org_id: str, key: str) -> Any:
        try:
            answer = self.client.get(f"/rest/servicedeskapi/organization/{org_id}/property/{key}",
                                     experimental=True)
        except JIRAError as exc:
            if exc.status_code == 404:
                return None
            raise
        return answer.get("value") if isinstance(answer, dict) else None
