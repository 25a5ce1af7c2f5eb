"""The sandbox's platform REST API, through the real ``jira`` 3.10.5 client over HTTP.

Each rule is Atlassian's, cited per test; the sandbox is a local Jira Service Management
Cloud site (``sla_bridge_jira.sandbox``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from jira import JIRA, JIRAError

from sla_bridge_jira.sandbox import Sandbox


@pytest.fixture
def site() -> Iterator[Sandbox]:
    """A running sandbox."""
    with Sandbox() as sandbox:
        yield sandbox


def client(site: Sandbox, email: str | None = None, token: str | None = None) -> JIRA:
    """The real client as the plugin builds it (one HTTP request per call)."""
    return JIRA(server=site.base_url, basic_auth=(email or site.api_email,
                                                  token or site.api_token), max_retries=0)


@pytest.fixture
def people(site: Sandbox) -> dict[str, dict[str, Any]]:
    """A customer (with a token), an agent (with a token)."""
    return {"grace": site.add_customer("Grace", "grace@gold.test", token="grace-token"),
            "ada": site.add_agent("Ada Agent", "ada@vendor.test", token="ada-token")}


def test_server_info_is_anonymous_and_says_cloud(site: Sandbox) -> None:
    """``GET /rest/api/2/serverInfo`` needs no credentials and names the deployment type
    (https://developer.atlassian.com/cloud/jira/platform/rest/v2/api-group-server-info/);
    the client switches to Cloud behaviour on ``"Cloud"``."""
    answer = httpx.get(f"{site.base_url}/rest/api/2/serverInfo")
    assert answer.status_code == 200
    assert answer.json()["deploymentType"] == "Cloud"
    assert answer.json()["versionNumbers"]
    assert client(site)._is_cloud


def test_wrong_api_token_is_401_with_error_messages(site: Sandbox) -> None:
    """Basic auth with e-mail and API token; wrong credentials answer 401
    (https://developer.atlassian.com/cloud/jira/platform/basic-auth-for-rest-apis/) with an
    ``ErrorCollection`` body."""
    jira = client(site, token="wrong")
    with pytest.raises(JIRAError) as raised:
        jira.myself()
    assert raised.value.status_code == 401
    assert raised.value.response.json()["errorMessages"]


def test_myself_is_the_bridge_account(site: Sandbox) -> None:
    """``GET /myself`` is the caller
    (https://developer.atlassian.com/cloud/jira/platform/rest/v2/api-group-myself/)."""
    me = client(site).myself()
    assert me["accountId"] == site.bridge["accountId"]
    assert me["accountType"] == "atlassian"


def test_unknown_or_invisible_issue_is_404(site: Sandbox, people: dict[str, Any]) -> None:
    """An issue that does not exist or that the caller may not see is 404, never 403
    (https://developer.atlassian.com/cloud/jira/platform/rest/v2/api-group-issues/#api-rest-api-2-issue-issueidorkey-get);
    a portal-only customer has no browse permission on the platform API."""
    key = site.open_request(people["grace"]["accountId"], "Restore fails")
    with pytest.raises(JIRAError) as unknown:
        client(site).issue("SUP-999")
    assert unknown.value.status_code == 404
    answer = httpx.get(f"{site.base_url}/rest/api/2/issue/{key}",
                       auth=("grace@gold.test", "grace-token"))
    assert answer.status_code == 404
    assert answer.json()["errorMessages"]  # its wording is the sandbox's [inferred]


def test_fields_describe_the_service_desk_custom_fields(site: Sandbox) -> None:
    """``GET /field`` lists custom fields with ``schema.custom``, by which the Request Type
    (``vp-origin``), participants, organizations and Approvers are found
    (https://developer.atlassian.com/cloud/jira/platform/rest/v2/api-group-issue-fields/)."""
    site.add_field("Severity", "select", ["Sev 1", "Sev 2"])
    by_custom = {f["schema"].get("custom"): f for f in client(site).fields()}
    assert by_custom["com.atlassian.servicedesk:vp-origin"]["name"] == "Request Type"
    assert "com.atlassian.servicedesk:sd-request-participants" in by_custom
    assert "com.atlassian.servicedesk:sd-customer-organizations" in by_custom
    assert by_custom["com.atlassian.servicedesk:sd-sla-field"]["name"] == "Time to resolution"
    select = by_custom["com.atlassian.jira.plugin.system.customfieldtypes:select"]
    assert select["name"] == "Severity"
    assert select["clauseNames"][0].startswith("cf[")


def test_issue_fields_and_changelog(site: Sandbox, people: dict[str, Any]) -> None:
    """``fields`` limits the fields shown and ``expand=changelog`` adds the history
    (same page as ``GET /issue``)."""
    key = site.open_request(people["grace"]["accountId"], "Restore fails")
    site.edit(key, people["ada"]["accountId"], {"priority": {"name": "High"}})
    jira = client(site)
    slim = jira.issue(key, fields="summary,status")
    assert set(slim.raw["fields"]) == {"summary", "status"}
    full = jira.issue(key, expand="changelog")
    items = [i for h in full.raw["changelog"]["histories"] for i in h["items"]]
    assert {"field": "priority", "fromString": "Medium", "toString": "High"}.items() <= \
        items[0].items()
    assert full.raw["fields"]["customfield_10010"]["requestType"]["name"] == "Get IT help"


def test_edit_fields_and_label_operations(site: Sandbox, people: dict[str, Any]) -> None:
    """``PUT /issue`` sets ``fields`` and applies ``update`` operations; labels are added and
    removed without replacing the rest (``editIssue``,
    https://developer.atlassian.com/cloud/jira/platform/rest/v2/api-group-issues/#api-rest-api-2-issue-issueidorkey-put)."""
    key = site.open_request(people["grace"]["accountId"], "Restore fails")
    jira = client(site)
    issue = jira.issue(key)
    issue.update(fields={"summary": "Restore fails on Sundays"},
                 update={"labels": [{"add": "sla_breached"}, {"add": "product_backup"}]})
    issue.update(update={"labels": [{"remove": "sla_breached"}]}, notify=False)
    again = jira.issue(key)
    assert again.fields.summary == "Restore fails on Sundays"
    assert again.fields.labels == ["product_backup"]


@pytest.mark.parametrize(("body", "field"), [
    ({"fields": {"labels": ["a"]}, "update": {"labels": [{"add": "b"}]}}, "labels"),
    ({"update": {"labels": [{"add": "has space"}]}}, "labels"),
    ({"fields": {"status": {"name": "Closed"}}}, "status"),
    ({"fields": {"customfield_10020": "x"}}, "customfield_10020"),
    ({"fields": {"customfield_10050": {"value": "Sev 9"}}}, "customfield_10050"),
])
def test_edits_jira_refuses_name_the_field(site: Sandbox, people: dict[str, Any],
                                           body: dict[str, Any], field: str) -> None:
    """400 for a field in both ``fields`` and ``update``, a field not on the edit screen
    (status, the read-only SLA) and an invalid value (an unknown option), each named in
    ``errors`` (``editIssue``, same page). That a label with a space is such an invalid value
    is well-known behaviour, not found on a vendor page [inferred]."""
    site.add_field("Severity", "select", ["Sev 1", "Sev 2"])
    key = site.open_request(people["grace"]["accountId"], "Restore fails")
    answer = httpx.put(f"{site.base_url}/rest/api/2/issue/{key}", json=body,
                       auth=(site.api_email, site.api_token))
    assert answer.status_code == 400
    assert field in answer.json()["errors"]


def test_assignee_accepts_account_null_and_default(site: Sandbox,
                                                   people: dict[str, Any]) -> None:
    """``PUT /issue/{key}/assignee`` takes an ``accountId``, ``null`` (unassigned) or
    ``"-1"`` (the default); 400 for a user who cannot be assigned (``assignIssue``,
    https://developer.atlassian.com/cloud/jira/platform/rest/v2/api-group-issues/#api-rest-api-2-issue-issueidorkey-assignee-put)."""
    key = site.open_request(people["grace"]["accountId"], "Restore fails")
    jira = client(site)
    url = f"{site.base_url}/rest/api/2/issue/{key}/assignee"
    jira._session.put(url, json={"accountId": people["ada"]["accountId"]})
    assert jira.issue(key).fields.assignee.accountId == people["ada"]["accountId"]
    jira._session.put(url, json={"accountId": None})
    assert jira.issue(key).fields.assignee is None
    with pytest.raises(JIRAError) as refused:
        jira._session.put(url, json={"accountId": people["grace"]["accountId"]})
    assert refused.value.status_code == 400
    jira._session.put(url, json={"accountId": "-1"})
    assert jira.issue(key).fields.assignee is None


def test_comment_visibility_follows_the_jsm_property(site: Sandbox,
                                                    people: dict[str, Any]) -> None:
    """A platform-API comment is public (``jsdPublic`` true) unless created with the
    ``sd.public.comment`` property ``{"internal": true}``; ``expand=properties`` shows the
    properties (``Comment`` schema and ``addComment``,
    https://developer.atlassian.com/cloud/jira/platform/rest/v2/api-group-issue-comments/)."""
    key = site.open_request(people["grace"]["accountId"], "Restore fails")
    jira = client(site)
    internal = jira.add_comment(key, "Looking at the logs", is_internal=True)
    public = jira.add_comment(key, "We are on it")
    assert (internal.jsdPublic, public.jsdPublic) == (False, True)
    answer = jira._session.post(f"{site.base_url}/rest/api/2/issue/{key}/comment", json={
        "body": "tagged", "properties": [{"key": "sla-bridge", "value": {"key": "k-1"}}]})
    comment_id = answer.json()["id"]
    listed = jira.comments(key, expand="properties")
    tagged = next(c for c in listed if c.id == comment_id)
    assert {"key": "sla-bridge", "value": {"key": "k-1"}} in tagged.raw["properties"]


def test_comments_are_paged(site: Sandbox, people: dict[str, Any]) -> None:
    """``GET /issue/{key}/comment`` pages with ``startAt``/``maxResults``/``total`` (same
    page, ``getComments``); the client reads one page."""
    key = site.open_request(people["grace"]["accountId"], "Restore fails")
    for n in range(5):
        site.comment(key, people["ada"]["accountId"], f"note {n}")
    page = client(site)._get_json(f"issue/{key}/comment",
                                  params={"startAt": 2, "maxResults": 2})
    assert page["total"] == 5
    assert [c["body"] for c in page["comments"]] == ["note 2", "note 3"]


def test_comment_property_created_then_updated(site: Sandbox, people: dict[str, Any]) -> None:
    """``PUT /comment/{id}/properties/{key}`` answers 201 when it creates the property and
    200 when it updates it (``setCommentProperty``,
    https://developer.atlassian.com/cloud/jira/platform/rest/v2/api-group-issue-comment-properties/)."""
    key = site.open_request(people["grace"]["accountId"], "Restore fails")
    comment = site.comment(key, people["ada"]["accountId"], "note")
    url = f"{site.base_url}/rest/api/2/comment/{comment['id']}/properties/sla-bridge"
    auth = (site.api_email, site.api_token)
    assert httpx.put(url, json={"key": "k-1"}, auth=auth).status_code == 201
    assert httpx.put(url, json={"key": "k-2"}, auth=auth).status_code == 200
    assert httpx.get(url, auth=auth).json()["value"] == {"key": "k-2"}


def test_transitions_listed_from_the_current_status(site: Sandbox,
                                                    people: dict[str, Any]) -> None:
    """``GET /transitions`` lists those valid now, an impossible ``transitionId`` gives an
    empty list; ``POST`` takes the id as a number and ``"fields": {}``, refuses an invalid
    transition and a field not on its screen (``getTransitions`` / ``doTransition``,
    https://developer.atlassian.com/cloud/jira/platform/rest/v2/api-group-issues/#api-rest-api-2-issue-issueidorkey-transitions-get)."""
    key = site.open_request(people["grace"]["accountId"], "Restore fails")
    jira = client(site)
    names = {t["name"] for t in jira.transitions(key)}
    assert "Resolve" in names
    assert "Close" not in names
    assert jira.transitions(key, id="51") == []
    with pytest.raises(JIRAError) as invalid:
        jira.transition_issue(key, "51")
    assert invalid.value.status_code == 400
    with pytest.raises(JIRAError) as off_screen:
        jira.transition_issue(key, "11", fields={"resolution": {"name": "Done"}})
    assert "resolution" in off_screen.value.response.json()["errors"]
    jira.transition_issue(key, "41", fields={"resolution": {"name": "Done"}})
    resolved = jira.issue(key)
    assert resolved.fields.status.name == "Resolved"
    assert resolved.fields.status.statusCategory.key == "done"
    assert resolved.fields.resolution.name == "Done"


def test_links_relate_both_ways(site: Sandbox, people: dict[str, Any]) -> None:
    """``GET /issueLinkType`` includes Relates; ``POST /issueLink`` (``"comment": null`` as
    the client sends) answers 201 with no body, a duplicate still succeeds, and both issues
    show the link (``linkIssues``,
    https://developer.atlassian.com/cloud/jira/platform/rest/v2/api-group-issue-links/)."""
    old = site.open_request(people["grace"]["accountId"], "Old")
    new = site.open_request(people["grace"]["accountId"], "Follow-up")
    jira = client(site)
    assert "Relates" in {t.name for t in jira.issue_link_types()}
    first = jira.create_issue_link("Relates", new, old)
    again = jira.create_issue_link("Relates", new, old)
    assert (first.status_code, first.content, again.status_code) == (201, b"", 201)
    assert [link.outwardIssue.key for link in jira.issue(new).fields.issuelinks] == [old]
    assert [link.inwardIssue.key for link in jira.issue(old).fields.issuelinks] == [new]


def test_user_search_finds_agents_for_assign_issue(site: Sandbox,
                                                   people: dict[str, Any]) -> None:
    """The client's ``assign_issue`` on Cloud looks the user up with
    ``GET /user/search?query=`` (https://developer.atlassian.com/cloud/jira/platform/rest/v2/api-group-user-search/)
    and then ``PUT /rest/api/latest/issue/{key}/assignee``."""
    key = site.open_request(people["grace"]["accountId"], "Restore fails")
    jira = client(site)
    assert jira.assign_issue(key, people["ada"]["accountId"])
    assert jira.issue(key).fields.assignee.displayName == "Ada Agent"


def test_writes_answer_204_with_an_empty_body(site: Sandbox, people: dict[str, Any]) -> None:
    """Edits, assignments and transitions answer 204 with nothing in the body; a transition
    id may be a string as well as a number (``doTransition``, ``editIssue``,
    ``assignIssue`` on
    https://developer.atlassian.com/cloud/jira/platform/rest/v2/api-group-issues/)."""
    key = site.open_request(people["grace"]["accountId"], "Restore fails")
    auth = (site.api_email, site.api_token)
    base = f"{site.base_url}/rest/api/2/issue/{key}"
    answers = [
        httpx.put(base, json={"fields": {"summary": "x"}, "update": {}}, auth=auth),
        httpx.put(f"{base}?notifyUsers=false", json={"fields": {"summary": "y"}}, auth=auth),
        httpx.put(f"{base}/assignee", json={"accountId": people["ada"]["accountId"]},
                  auth=auth),
        httpx.post(f"{base}/transitions", json={"transition": {"id": "21"}, "fields": {}},
                   auth=auth)]
    assert [(a.status_code, a.content) for a in answers] == [(204, b"")] * 4
    assert site.status(key) == "In progress"


def test_secrets_stay_out_of_reprs(site: Sandbox) -> None:
    """A webhook's secret and an automation rule's headers are not shown by ``repr``."""
    site.register_webhook("http://127.0.0.1:9/hook", secret="very-secret-value")
    site.add_automation("http://127.0.0.1:9/auto", "{}", {"X-Token": "another-secret"})
    shown = repr(site.engine.webhooks) + repr(site.engine.rules)
    assert "very-secret-value" not in shown
    assert "another-secret" not in shown


def test_issue_properties_hold_json(site: Sandbox, people: dict[str, Any]) -> None:
    """``PUT /issue/{key}/properties/{key}`` stores any JSON (201 new, 200 updated), listed by
    ``GET /properties`` and shown on the issue with ``properties=`` (``setIssueProperty``,
    https://developer.atlassian.com/cloud/jira/platform/rest/v2/api-group-issue-properties/)."""
    key = site.open_request(people["grace"]["accountId"], "Restore fails")
    jira = client(site)
    first = jira.add_issue_property(key, "sla-bridge", {"follow_ups": []})
    second = jira.add_issue_property(key, "sla-bridge", {"follow_ups": ["SUP-9"]})
    assert (first.status_code, second.status_code) == (201, 200)
    assert [p.key for p in jira.issue_properties(key)] == ["sla-bridge"]
    shown = jira.issue(key, properties="sla-bridge").raw["properties"]
    assert shown == {"sla-bridge": {"follow_ups": ["SUP-9"]}}


def test_the_whole_changelog_is_paged_oldest_first(site: Sandbox,
                                                   people: dict[str, Any]) -> None:
    """``GET /issue/{key}/changelog`` is "a paginated list of all changelogs for an issue
    sorted by date, starting from the oldest" (``getChangeLogs``,
    https://developer.atlassian.com/cloud/jira/platform/rest/v2/api-group-issues/#api-rest-api-2-issue-issueidorkey-changelog-get);
    ``expand=changelog`` holds only recent ones, with the ``total``."""
    key = site.open_request(people["grace"]["accountId"], "Restore fails")
    ada = people["ada"]["accountId"]
    site.edit(key, ada, {"priority": {"name": "Highest"}})
    for n in range(120):
        site.edit(key, ada, update={"labels": [{"remove" if n % 2 else "add": "watch"}]})
    jira = client(site)
    first = jira._get_json(f"issue/{key}/changelog", params={"startAt": 0, "maxResults": 50})
    assert (first["total"], len(first["values"]), first["isLast"]) == (121, 50, False)
    assert first["values"][0]["items"][0]["toString"] == "Highest"
    last = jira._get_json(f"issue/{key}/changelog", params={"startAt": 100})
    assert (len(last["values"]), last["isLast"]) == (21, True)
    expanded = jira.issue(key, expand="changelog").raw["changelog"]
    assert (expanded["total"], len(expanded["histories"])) == (121, 100)
