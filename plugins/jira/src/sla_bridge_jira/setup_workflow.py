"""The projects, their workflows and the approvals, as setup and check see them.

Nothing here is changed by setup: a project, its workflow and its approval step are the
team's own (an approval exists only as a step of a workflow status, configured in Project
settings > Workflows, see
https://support.atlassian.com/jira-service-management-cloud/docs/set-up-approvals/). What is
checked, for each project of ``SLA_BRIDGE_JIRA__PROJECTS``:

* it exists (``GET /rest/api/2/project/{key}``) and is a service project
  (``projectTypeKey`` ``service_desk``);
* its workflow has ``APPROVAL_STATUS``, when set (``GET /rest/api/2/project/{key}/statuses``),
  and the site has the approvers field (``APPROVERS_FIELD``) JSM's approval step reads;
* its workflow has each status the bridge transitions to (``STATUS_TARGETS``).
"""

from __future__ import annotations

from collections.abc import Sequence

from jira.exceptions import JIRAError

from sla_bridge.platformkit import Finding

from .client import JiraClient
from .mapping import JiraField
from .settings import JiraSettings

__all__ = ["SERVICE_DESK", "workflow_findings"]

#: ``projectTypeKey`` of a Jira Service Management project.
SERVICE_DESK = "service_desk"
_WORKFLOWS = "Project settings > Workflows"


def _project(client: JiraClient, key: str) -> dict[str, object] | None:
    try:
        raw: dict[str, object] = client.jira.project(key).raw
    except JIRAError as exc:
        if exc.status_code == 404:
            return None
        raise
    return raw


def _statuses(client: JiraClient, key: str) -> list[str]:
    """Every status of the project's workflows, as Jira spells them, in order met."""
    names: list[str] = []
    for issue_type in client.jira.issue_types_for_project(key):
        for status in issue_type.raw.get("statuses") or []:
            name = str(status.get("name") or "")
            if name and name not in names:
                names.append(name)
    return names


def _has(statuses: Sequence[str], wanted: str) -> bool:
    return wanted.strip().casefold() in {s.casefold() for s in statuses}


def workflow_findings(client: JiraClient, settings: JiraSettings,
                      fields: Sequence[JiraField]) -> list[Finding]:
    """The projects, the statuses the bridge needs in their workflows, and the approvals."""
    findings: list[Finding] = []
    projects = settings.variable("projects")
    if not settings.projects:
        findings.append(Finding(False, "projects", "(all)", f"{projects} is unset: the "
                                "bridge would look after every project of the site; set it "
                                "to the service projects' keys (e.g. SUP,HELP)"))
    for key in settings.projects:
        project = _project(client, key)
        if project is None:
            findings.append(Finding(False, "project", key, f"missing: the site has no "
                                    f"project {key} (or the bridge's account cannot browse "
                                    f"it); fix {projects} or the project's permissions"))
            continue
        kind = str(project.get("projectTypeKey") or "")
        if kind != SERVICE_DESK:
            findings.append(Finding(False, "project", key, f"is a {kind or 'non-service'} "
                                    "project, not a Jira Service Management service project: "
                                    f"it has no requests, customers or approvals; remove it "
                                    f"from {projects}"))
            continue
        findings.append(Finding(True, "project", key,
                                f"service project {project.get('name')!r}"))
        findings.extend(_status_findings(key, _statuses(client, key), settings))
    findings.extend(_approvers_field(settings, fields))
    return findings


def _status_findings(key: str, statuses: Sequence[str],
                     settings: JiraSettings) -> list[Finding]:
    findings = []
    approval = settings.approval_status
    if approval and _has(statuses, approval):
        findings.append(Finding(True, "approval status", approval, f"in {key}'s workflow; "
                                "JSM creates the approval when a request enters it, from its "
                                f"approval step ({_WORKFLOWS})"))
    elif approval:
        findings.append(Finding(False, "approval status", approval, f"missing from {key}'s "
                                f"workflow (it has {', '.join(statuses)}): add the status "
                                f"with an approval step on the field "
                                f"{settings.approvers_field!r} in {_WORKFLOWS}, or set "
                                f"{settings.variable('approval_status')} to the status that "
                                "has one"))
    targets: dict[str, list[str]] = {}
    for neutral_status, target in settings.targets.items():
        targets.setdefault(target, []).append(neutral_status.value)
    for status, neutral in targets.items():
        if not _has(statuses, status):
            findings.append(Finding(False, "status", status, f"missing from {key}'s workflow "
                                    f"(it has {', '.join(statuses)}): the bridge moves "
                                    f"requests there as {', '.join(neutral)}; set "
                                    f"{settings.variable('status_targets')}, e.g. "
                                    f"{{\"{neutral[0]}\": \"{statuses[0] if statuses else ''}\"}}"))
    return findings


def _approvers_field(settings: JiraSettings, fields: Sequence[JiraField]) -> list[Finding]:
    if not settings.approval_status:
        variable = settings.variable("approval_status")
        return [Finding(True, "approvals", "internal note", f"{variable} is unset: an "
                        "escalation approval is an internal note and the label "
                        "sla_approval_requested; set it to the workflow status with the "
                        "approval step to use JSM approvals")]
    ref = settings.approvers_field.strip()
    found = next((f for f in fields if f.id == ref), None) or next(
        (f for f in fields if f.name.casefold() == ref.casefold()), None)
    if found is None:
        return [Finding(False, "approvers field", ref, "missing: JSM's approval step reads "
                        "the approvers from a user picker field (JSM creates 'Approvers'); set "
                        f"{settings.variable('approvers_field')} to its name or id")]
    return [Finding(True, "approvers field", found.name, f"{found.id}; the bridge puts the "
                    f"accountIds of {settings.variable('approvers')} there")]
