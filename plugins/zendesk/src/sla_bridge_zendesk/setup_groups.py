"""The agent groups the loaded policies name, and whether the Zendesk account has them.

A policy names groups by name: the one an approved escalation is assigned to
(``escalation.escalation_group``), the managers asked to approve it
(``escalation.manager_group``), and those a warning or breach notifies
(``clocks.on_warning.notify_group``, ``clocks.on_breach.notify_group``). Zendesk refuses a
ticket update that names a group it does not have, so a missing escalation group leaves an
approved escalation unassigned. ``sla-bridge zendesk setup`` and ``check`` say which groups
to create; they do not create them, because a group is only useful with the right agents in
it, and that is an admin's choice. The groups are collected by
:func:`sla_bridge.policy.groups_named`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sla_bridge.platformkit import Finding, Plan, find_named
from sla_bridge.policy import group_uses

from .client import ZendeskClient

__all__ = ["GROUPS_PAGE", "group_findings", "plan_groups"]

#: Where a Zendesk admin creates a group (Admin Center).
GROUPS_PAGE = "Admin Center > People > Team > Groups"
def _missing(group: str, where: Sequence[str]) -> str:
    return (f"missing: create the group {group!r} in {GROUPS_PAGE} and add its agents; "
            f"{group_uses(where)}")


def plan_groups(plan: Plan, client: ZendeskClient, groups: Mapping[str, Sequence[str]]
                ) -> None:
    """Add a step per group the policies name: ``unchanged`` if the account has it, else a
    ``note`` saying to create it (setup does not create groups)."""
    if not groups:
        return
    have = client.get_all("/groups", "groups")
    for group, where in groups.items():
        found = _find(have, group)
        if found is None:
            plan.add("group", group, "note", _missing(group, where))
        else:
            plan.add("group", str(found["name"]), "unchanged", group_uses(where))


def group_findings(client: ZendeskClient, groups: Mapping[str, Sequence[str]]
                   ) -> list[Finding]:
    """``check``'s findings: each group the policies name, its id or what to create."""
    have = client.get_all("/groups", "groups") if groups else []
    findings = []
    for group, where in groups.items():
        found = _find(have, group)
        findings.append(Finding(True, "group", group, f"id {found['id']}") if found is not None
                        else Finding(False, "group", group, _missing(group, where)))
    return findings


def _find(have: Sequence[Mapping[str, Any]], group: str) -> Mapping[str, Any] | None:
    """The group named (case-insensitively) or numbered ``group``, as the platform finds it
    when it assigns one (:meth:`.lookups.Lookups.group_id`); a deleted group is none."""
    live = [g for g in have if not g.get("deleted")]
    if group.strip().isdigit():
        by_id = next((g for g in live if str(g.get("id")) == group.strip()), None)
        if by_id is not None:
            return by_id
    return find_named(live, group, ignore_case=True)
