"""The queues the loaded policies name, and whether the org has them.

A policy names groups (:func:`sla_bridge.policy.groups_named`); in Salesforce the bridge
assigns a case to a group by making a *queue* its owner, found by its name or API name
(``SELECT Id, Name, DeveloperName FROM Group WHERE Type = 'Queue'``, the query the platform
makes). Setup and check say which queues to create; they create none, because who is in a
queue (and which objects it holds: Case) is an admin's choice. Queues are created in Setup >
Users > Queues, see https://help.salesforce.com/s/articleView?id=sf.setting_up_queues.htm.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sla_bridge.platformkit import Finding
from sla_bridge.policy import group_uses

from .client import SalesforceClient

__all__ = ["QUEUES_PAGE", "QUEUE_QUERY", "org_queues", "queue_findings"]

QUEUES_PAGE = "Setup > Users > Queues > New (Supported Objects: Case)"
QUEUE_QUERY = "SELECT Id, Name, DeveloperName FROM Group WHERE Type = 'Queue'"


def org_queues(client: SalesforceClient) -> list[dict[str, Any]]:
    """Every queue of the org."""
    return client.query(QUEUE_QUERY)


def _queue(queues: Sequence[Mapping[str, Any]], group: str) -> Mapping[str, Any] | None:
    """The queue whose name or API name is ``group`` (any case), as the platform finds it."""
    wanted = group.strip().casefold()
    return next((q for q in queues
                 if wanted in {str(q.get("Name") or "").casefold(),
                               str(q.get("DeveloperName") or "").casefold()}), None)


def queue_findings(queues: Sequence[Mapping[str, Any]],
                   groups: Mapping[str, Sequence[str]]) -> list[Finding]:
    """For each group the policies name: whether the org has its queue, or what to create
    where."""
    findings = []
    for group, where in groups.items():
        found = _queue(queues, group)
        if found is None:
            findings.append(Finding(False, "queue", group, f"missing: create it in "
                                    f"{QUEUES_PAGE} and add its members; {group_uses(where)}"))
        else:
            findings.append(Finding(True, "queue", str(found.get("Name") or group),
                                    f"{found.get('Id')}; {group_uses(where)}"))
    return findings
