"""The groups a set of loaded policies name, for a platform's ``setup`` and ``check``.

A policy names groups by name: the group an approved escalation is assigned to
(``escalation.escalation_group``), the managers asked to approve it
(``escalation.manager_group``) and those a warning or a breach notifies
(``clocks.on_warning.notify_group``, ``clocks.on_breach.notify_group``). Each platform looks
them up in its own way (Zendesk groups, Jira groups, Salesforce queues) and says which to
create; this module only collects them, once for every platform.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ._model import Policy

__all__ = ["GROUP_USES", "group_uses", "groups_named"]

#: What the bridge does with a group, by the policy setting that names it.
GROUP_USES = {
    "escalation.escalation_group": "approved escalations are assigned to it",
    "escalation.manager_group": "asked to approve escalations",
    "clocks.on_warning.notify_group": "notified when a clock nears its target",
    "clocks.on_breach.notify_group": "notified when a clock breaches",
}


def groups_named(policies: Iterable[Policy]) -> dict[str, list[str]]:
    """Each group the policies name, with where (``policy-id: setting``), in the order met.

    The escalation's groups count only when the policy's escalation is enabled.
    """
    found: dict[str, list[str]] = {}
    for policy in policies:
        escalation = policy.escalation
        named = {
            "escalation.escalation_group": escalation.escalation_group
            if escalation.enabled else None,
            "escalation.manager_group": escalation.manager_group if escalation.enabled else None,
            "clocks.on_warning.notify_group": policy.clocks.on_warning.notify_group,
            "clocks.on_breach.notify_group": policy.clocks.on_breach.notify_group,
        }
        for setting, group in named.items():
            if group:
                found.setdefault(group, []).append(f"{policy.id}: {setting}")
    return found


def group_uses(where: Sequence[str]) -> str:
    """``where`` (from :func:`groups_named`) as a sentence: what the bridge does with the
    group, and which policies and settings name it."""
    settings = sorted({w.split(": ", 1)[1] for w in where})
    policies = sorted({w.split(": ", 1)[0] for w in where})
    return (f"{'; '.join(GROUP_USES[s] for s in settings)} (policy {', '.join(policies)}: "
            f"{', '.join(settings)})")
