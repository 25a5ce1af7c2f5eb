"""The groups the loaded policies name, and whether the Jira site has them.

A policy names groups: the managers asked to approve an escalation
(``escalation.manager_group``), the group an approved escalation goes to
(``escalation.escalation_group``) and those a warning or a breach notifies
(``clocks.on_warning.notify_group``, ``clocks.on_breach.notify_group``). In Jira a group is
written into the field ``SLA_BRIDGE_JIRA__FIELDS__GROUP`` maps (a group picker), and the
managers approve through the accountIds ``SLA_BRIDGE_JIRA__APPROVERS`` lists for their group
(JSM approvals need people in the Approvers field). Setup and check look each group up with
``GET /rest/api/2/groups/picker`` (the library's ``groups()``) and say which to create and
where; they create none, because who belongs in a group is an admin's choice. Groups are
created in Atlassian Administration, see
https://support.atlassian.com/user-management/docs/create-groups/.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sla_bridge.platformkit import Finding, Plan
from sla_bridge.policy import group_uses

from .client import JiraClient
from .settings import JiraSettings

__all__ = ["GROUPS_PAGE", "group_findings", "plan_groups"]

#: Where a Jira Cloud admin creates a group.
GROUPS_PAGE = "admin.atlassian.com > Directory > Groups > Create group"


def _site_group(client: JiraClient, group: str) -> str | None:
    """The site's group named ``group`` (any case), as Jira spells it, or ``None``."""
    names: list[str] = client.jira.groups(query=group)
    return next((n for n in names if n.casefold() == group.strip().casefold()), None)


def _approvers(settings: JiraSettings, group: str, where: Sequence[str]) -> str | None:
    """What is wrong with the approvers of a manager group, or ``None``."""
    if not any(w.endswith("escalation.manager_group") for w in where):
        return None
    if not settings.approval_status:
        return None  # approvals are the kit's note and label: nobody needs to be listed
    if settings.approvers.get(group):
        return None
    return (f"{settings.variable('approvers')} lists no accountIds for this group: the "
            "bridge cannot request its approval; add them, e.g. "
            f"{{\"{group}\": [\"<accountId>\"]}}")


def group_findings(client: JiraClient, settings: JiraSettings,
                   groups: Mapping[str, Sequence[str]]) -> list[Finding]:
    """For each group the policies name: whether the site has it (or what to create where),
    and for a manager group, whether its approvers are listed."""
    findings = []
    for group, where in groups.items():
        found = _site_group(client, group)
        if found is None:
            findings.append(Finding(False, "group", group, f"missing: create it in "
                                    f"{GROUPS_PAGE} and add its members; {group_uses(where)}"))
        else:
            findings.append(Finding(True, "group", found, f"exists; {group_uses(where)}"))
        problem = _approvers(settings, group, where)
        if problem is not None:
            findings.append(Finding(False, "approvers of", group, problem))
    return findings


def plan_groups(plan: Plan, client: JiraClient, settings: JiraSettings,
                groups: Mapping[str, Sequence[str]]) -> None:
    """A step per finding: ``unchanged`` when it is fine, else a ``note`` saying what to do
    (setup creates no group)."""
    for finding in group_findings(client, settings, groups):
        finding.add_to(plan)
