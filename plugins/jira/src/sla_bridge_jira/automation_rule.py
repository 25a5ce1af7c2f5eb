"""The Automation rule to paste, for teams that call the bridge from Automation for Jira
instead of an admin webhook.

Automation's "Send web request" action posts a custom body with smart values to a URL, with
headers an admin may mark hidden, see
https://support.atlassian.com/cloud-automation/docs/issue-data-automation-format-payload-for-send-web-request/.
Jira is renaming "issue" to "work item", so a site shows the triggers under either name.
The bridge checks the header ``X-Sla-Bridge-Secret`` against
``SLA_BRIDGE_JIRA__AUTOMATION_SECRET`` and reads the body
:func:`sla_bridge_jira.inbound.automation_body` gives (only ``issue_key`` is required: the
bridge fetches the request itself). Automation sends no delivery id and does not retry, so
one rule per kind of change, each with its ``event``, lets the bridge tell them apart.
"""

from __future__ import annotations

from .inbound import automation_body
from .settings import JiraSettings

__all__ = ["RULE_TRIGGERS", "automation_rule"]

#: (the rule's trigger, the body's ``event``): what the bridge needs to hear about.
RULE_TRIGGERS = (
    ("Work item created (Issue created)", "issue.created"),
    ("Work item updated (Issue updated)", "issue.updated"),
    ("Work item transitioned (Issue transitioned)", "issue.transitioned"),
    ("Work item commented (Issue commented)", "comment.created"),
)
_SECRET_PLACEHOLDER = "<the value of {variable}>"


def automation_rule(bridge_url: str, settings: JiraSettings, show_secret: bool = False) -> str:
    """The rules to create, as text to follow in Project settings > Automation: trigger,
    scope, the "Send web request" action with its URL, hidden header and JSON body. The
    secret is printed only with ``show_secret`` (else the variable that holds it)."""
    variable = settings.variable("automation_secret")
    secret = settings.automation_secret.get_secret_value()
    shown = secret if show_secret and secret else _SECRET_PLACEHOLDER.format(variable=variable)
    scope = ", ".join(settings.projects) or "the service projects the bridge looks after"
    url = bridge_url.rstrip("/") + "/webhooks/jira"
    lines = [
        f"Automation rules for sla-bridge (Project settings > Automation, scope: {scope}).",
        "Create one rule per trigger below, each with the same action:",
        "",
    ]
    for number, (trigger, _event) in enumerate(RULE_TRIGGERS, start=1):
        lines.append(f"  {number}. When: {trigger}")
    lines += [
        "",
        "  Then: Send web request",
        f"    Web request URL:  {url}",
        "    HTTP method:      POST",
        "    Web request body: Custom data",
        f"    Headers:          X-Sla-Bridge-Secret = {shown}   (tick 'Hidden')",
        "                      Content-Type = application/json",
        "    Custom data (set \"event\" to the rule's event):",
    ]
    for trigger, event in RULE_TRIGGERS:
        lines.append(f"      {trigger.split(' (')[0]}: \"event\": \"{event}\"")
    lines += ["", *("      " + x for x in automation_body(RULE_TRIGGERS[1][1]).splitlines())]
    if not secret:
        lines += ["", f"  {variable} is unset: the bridge refuses these requests (401) until "
                      "it is set; `sla-bridge jira setup --mode automation` makes one up and "
                      "writes it to .env"]
    return "\n".join(lines)
