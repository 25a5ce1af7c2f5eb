"""The site's records as the REST APIs show them (platform API v2 and service desk API)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from ._fields import PRIORITIES
from ._people import date_dto
from ._sla import sla_json
from ._workflow import BY_NAME, CATEGORIES, status_json

if TYPE_CHECKING:
    from ._state import IssueRecord, SiteState

#: How many of the latest changelog entries ``expand=changelog`` shows (the number is
#: [inferred]; the API's page size).
EXPANDED_HISTORIES = 100
LINK_TYPES = {"Blocks": ("10000", "is blocked by", "blocks"),
              "Cloners": ("10001", "is cloned by", "clones"),
              "Duplicate": ("10002", "is duplicated by", "duplicates"),
              "Relates": ("10003", "relates to", "relates to")}


def user_json(state: SiteState, account_id: str | None, root: str) -> dict[str, Any] | None:
    """A user as the platform API shows it (``None`` for nobody)."""
    if account_id is None or account_id not in state.users:
        return None
    user = state.users[account_id]
    return {"self": f"{root}/rest/api/2/user?accountId={account_id}", **user,
            "avatarUrls": {"48x48": f"{root}/avatar/{account_id}.png"}}


def sd_user_json(state: SiteState, account_id: str, root: str) -> dict[str, Any]:
    """A user as the service desk API shows it (``UserDTO``)."""
    user = state.users[account_id]
    return {"accountId": account_id, "displayName": user["displayName"],
            "emailAddress": user["emailAddress"], "active": user["active"],
            "timeZone": user["timeZone"],
            "_links": {"self": f"{root}/rest/api/2/user?accountId={account_id}"}}


def comment_json(state: SiteState, record: IssueRecord, comment: dict[str, Any], root: str,
                 properties: bool = False) -> dict[str, Any]:
    """A comment as the platform API shows it (with ``properties`` when expanded)."""
    internal = comment["properties"].get("sd.public.comment", {}).get("internal") is True
    body = {"self": f"{root}/rest/api/2/issue/{record.id}/comment/{comment['id']}",
            "id": comment["id"], "author": user_json(state, comment["author"], root),
            "body": comment["body"],
            "updateAuthor": user_json(state, comment["updateAuthor"], root),
            "created": comment["created"], "updated": comment["updated"],
            "jsdPublic": not internal}
    if properties:
        body["properties"] = [{"key": k, "value": v} for k, v in comment["properties"].items()]
    return body


def request_type_value(state: SiteState, record: IssueRecord, root: str) -> dict[str, Any] | None:
    """The Request Type field's value: the request type and the current status."""
    type_id = record.fields.get("customfield_10010")
    if type_id is None:
        return None
    status = BY_NAME[record.status]
    return {"_links": {"web": f"{root}/servicedesk/customer/portal/1/{record.key}"},
            "requestType": {**state.request_types[type_id]},
            "currentStatus": {"status": status.name,
                              "statusCategory": CATEGORIES[status.category]["key"].upper(),
                              "statusDate": date_dto(state.clock())}}


def _link_json(state: SiteState, link: dict[str, Any], root: str) -> dict[str, Any]:
    type_id, inward, outward = LINK_TYPES[link["type"]]
    body: dict[str, Any] = {"id": link["id"], "self": f"{root}/rest/api/2/issueLink/{link['id']}",
                            "type": {"id": type_id, "name": link["type"], "inward": inward,
                                     "outward": outward}}
    for side in ("inward", "outward"):
        if side in link:
            other = state.issues[link[side]]
            body[f"{side}Issue"] = {"id": other.id, "key": other.key,
                                    "self": f"{root}/rest/api/2/issue/{other.id}", "fields": {
                                        "summary": other.fields["summary"],
                                        "status": status_json(BY_NAME[other.status], root)}}
    return body


def field_value(state: SiteState, record: IssueRecord, field_id: str, root: str) -> Any:
    """One field's value as the platform API shows it."""
    value = record.fields.get(field_id)
    kind = state.fields[field_id].kind if field_id in state.fields else "text"
    project = state.projects[record.project]
    if field_id == "status":
        return status_json(BY_NAME[str(value)], root)
    if field_id == "priority":
        return {"self": f"{root}/rest/api/2/priority/{value}", "name": PRIORITIES[str(value)],
                "id": str(value)}
    if field_id == "project":
        return {"self": f"{root}/rest/api/2/project/{project.id}", "id": project.id,
                "key": project.key, "name": project.name, "projectTypeKey": "service_desk"}
    if field_id == "issuetype":
        return {"self": f"{root}/rest/api/2/issuetype/10004", "id": "10004",
                "name": "Service Request", "subtask": False}
    if field_id == "issuelinks":
        return [_link_json(state, link, root) for link in record.links]
    if field_id == "comment":
        comments = [comment_json(state, record, c, root) for c in record.comments]
        return {"comments": comments, "maxResults": len(comments), "total": len(comments),
                "startAt": 0}
    if field_id == "customfield_10010":
        return request_type_value(state, record, root)
    if field_id == "customfield_10020":
        return sla_json(record.sla, state.clock())
    if field_id == "resolution" and value:
        return {"self": f"{root}/rest/api/2/resolution/1", "id": "1", **value}
    if kind == "user":
        return user_json(state, value, root)
    if kind == "users":
        return [user_json(state, a, root) for a in value or []] or None
    if kind == "group":
        if value is None:
            return None
        group = state.groups[value]
        return {"name": value, "groupId": group["groupId"],
                "self": f"{root}/rest/api/2/group?groupId={group['groupId']}"}
    if kind == "organizations":
        return [{"id": i, "name": state.organizations[i]["name"],
                 "_links": {"self": f"{root}/rest/servicedeskapi/organization/{i}"}}
                for i in value or []] or None
    return value


def issue_json(state: SiteState, record: IssueRecord, root: str, *,
               fields: str | None = None, expand: str | None = None,
               properties: str | None = None) -> dict[str, Any]:
    """The issue as ``GET /rest/api/2/issue/{key}`` shows it."""
    wanted = _wanted(list(state.fields), fields)
    expands = {e.strip() for e in (expand or "").split(",") if e.strip()}
    body: dict[str, Any] = {
        "expand": "renderedFields,names,schema,operations,editmeta,changelog,transitions",
        "id": record.id, "self": f"{root}/rest/api/2/issue/{record.id}", "key": record.key,
        "fields": {f: field_value(state, record, f, root) for f in wanted}}
    if "names" in expands:
        body["names"] = {f: state.fields[f].name for f in wanted}
    if "changelog" in expands:
        # "A list of recent updates to an issue, sorted by date, starting from the most
        # recent" (getIssue's expand): the latest entries; listed here oldest first, as the
        # order the sentence gives is ambiguous [inferred]. The whole history is
        # GET .../changelog's, oldest first.
        latest = record.histories[-EXPANDED_HISTORIES:]
        histories = [history_json(state, h, root) for h in latest]
        body["changelog"] = {"startAt": 0, "maxResults": len(histories),
                             "total": len(record.histories), "histories": histories}
    if properties:
        keys = set(properties.split(","))
        body["properties"] = {k: v for k, v in record.properties.items()
                              if "*all" in keys or k in keys}
    return body


def history_json(state: SiteState, history: dict[str, Any], root: str) -> dict[str, Any]:
    """One changelog entry: who changed what when."""
    return {"id": history["id"], "author": user_json(state, history["author"], root),
            "created": history["created"], "items": history["items"]}


def _wanted(names: list[str], fields: str | None) -> list[str]:
    """The fields ``fields`` asks for: all by default, ``*all`` / ``*navigable``, names, and
    ``-name`` to leave one out."""
    if not fields:
        return names
    asked = [f.strip() for f in fields.split(",") if f.strip()]
    chosen = set(names) if {"*all", "*navigable"} & set(asked) else set()
    chosen |= {f for f in asked if f in names}
    chosen -= {f[1:] for f in asked if f.startswith("-")}
    return [n for n in names if n in chosen]


def approval_json(state: SiteState, record: IssueRecord, approval: dict[str, Any], root: str,
                  viewer: str) -> dict[str, Any]:
    """An approval as the service desk API shows it (``ApprovalDTO``)."""
    body = {"id": approval["id"], "name": approval["name"],
            "finalDecision": approval["finalDecision"],
            "canAnswerApproval": (approval["finalDecision"] == "pending"
                                  and approval["approvers"].get(viewer) == "pending"),
            "approvers": [{"approver": sd_user_json(state, a, root), "approverDecision": d}
                          for a, d in approval["approvers"].items()],
            "createdDate": date_dto(approval["createdDate"]),
            "_links": {"self": f"{root}/rest/servicedeskapi/request/{record.id}/approval/"
                               f"{approval['id']}"}}
    if approval["completedDate"] is not None:
        body["completedDate"] = date_dto(approval["completedDate"])
    return body


def request_json(state: SiteState, record: IssueRecord, root: str) -> dict[str, Any]:
    """The issue as the service desk API shows it (``CustomerRequestDTO``)."""
    project = state.projects[record.project]
    status = BY_NAME[record.status]
    created = datetime.fromisoformat(record.fields["created"])
    values = [{"fieldId": "summary", "label": "Summary", "value": record.fields["summary"]}]
    if record.fields.get("description"):
        values.append({"fieldId": "description", "label": "Description",
                       "value": record.fields["description"]})
    return {"issueId": record.id, "issueKey": record.key,
            "requestTypeId": record.fields.get("customfield_10010") or "",
            "serviceDeskId": project.service_desk_id, "createdDate": date_dto(created),
            "reporter": sd_user_json(state, record.fields["reporter"], root),
            "requestFieldValues": values,
            "currentStatus": {"status": status.name,
                              "statusCategory": CATEGORIES[status.category]["key"].upper(),
                              "statusDate": date_dto(state.clock())},
            "_links": {"jiraRest": f"{root}/rest/api/2/issue/{record.id}",
                       "web": f"{root}/servicedesk/customer/portal/{project.service_desk_id}/"
                              f"{record.key}",
                       "self": f"{root}/rest/servicedeskapi/request/{record.id}"}}
