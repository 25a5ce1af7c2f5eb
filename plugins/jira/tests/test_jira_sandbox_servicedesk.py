"""The sandbox's service desk API (``/rest/servicedeskapi``), through the real ``jira`` client
where it has helpers and through its session (same auth and headers) where it has none."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from jira import JIRA, JIRAError

from sla_bridge_jira.sandbox import Sandbox

SD = "/rest/servicedeskapi"


@pytest.fixture
def site() -> Iterator[Sandbox]:
    """A running sandbox with a customer in an organization and an agent."""
    with Sandbox() as sandbox:
        org = sandbox.add_organization("Gold Corp", properties={"support_plan": "gold"})
        sandbox.add_customer("Grace", "grace@gold.test", token="grace-token",
                             organization=org["id"])
        sandbox.add_customer("Gus", "gus@gold.test", token="gus-token",
                             organization=org["id"])
        sandbox.add_agent("Ada Agent", "ada@vendor.test", token="ada-token")
        yield sandbox


def client(site: Sandbox) -> JIRA:
    """The bridge's client."""
    return JIRA(server=site.base_url, basic_auth=(site.api_email, site.api_token),
                max_retries=0)


def org_id(site: Sandbox) -> int:
    """Gold Corp's id, as the service desk API lists it."""
    listed = client(site)._session.get(f"{site.base_url}{SD}/organization").json()
    return int(next(o["id"] for o in listed["values"] if o["name"] == "Gold Corp"))


def account(site: Sandbox, email: str) -> str:
    """The account id of the person with this e-mail."""
    return str(site.account(email)["accountId"])


def test_create_request_on_behalf_of_a_customer(site: Sandbox) -> None:
    """``POST /request`` with ``raiseOnBehalfOf``, ``requestParticipants`` and
    ``requestFieldValues`` answers 201 with ``issueKey``; the issue shows the request type in
    the Request Type field (``createCustomerRequest``,
    https://developer.atlassian.com/cloud/jira/service-desk/rest/api-group-request/#api-rest-servicedeskapi-request-post)."""
    jira = client(site)
    grace, gus = account(site, "grace@gold.test"), account(site, "gus@gold.test")
    issue = jira.create_customer_request({
        "serviceDeskId": site.service_desk_id(),
        "requestTypeId": int(site.request_type_id("Report a bug")),
        "requestFieldValues": {"summary": "Follow-up", "description": "From SUP-1"},
        "raiseOnBehalfOf": grace, "requestParticipants": [gus]})
    assert issue.fields.reporter.accountId == grace
    assert [p.accountId for p in issue.fields.customfield_10026] == [gus]
    assert issue.raw["fields"]["customfield_10010"]["requestType"]["name"] == "Report a bug"
    request = jira._session.get(f"{site.base_url}{SD}/request/{issue.key}").json()
    assert request["serviceDeskId"] == site.service_desk_id()
    assert request["currentStatus"]["statusCategory"] == "NEW"


def test_only_agents_raise_on_behalf_of_others(site: Sandbox) -> None:
    """A customer raises requests for themselves only ("raiseOnBehalfOf ... requires the
    user to be an agent", same page)."""
    answer = httpx.post(f"{site.base_url}{SD}/request", auth=("grace@gold.test",
                                                              "grace-token"), json={
        "serviceDeskId": site.service_desk_id(), "requestTypeId": site.request_type_id(
            "Get IT help"), "requestFieldValues": {"summary": "x"},
        "raiseOnBehalfOf": account(site, "gus@gold.test")})
    assert answer.status_code == 403
    assert "errorMessage" in answer.json()


def test_request_types_and_service_desks(site: Sandbox) -> None:
    """``GET /servicedesk`` and ``/servicedesk/{id}/requesttype`` are pages of ``values``
    (https://developer.atlassian.com/cloud/jira/service-desk/rest/api-group-servicedesk/)."""
    jira = client(site)
    assert [d.projectKey for d in jira.service_desks()] == ["SUP"]
    desk = jira.service_desk(site.service_desk_id())
    assert [t.name for t in jira.request_types(desk)] == ["Get IT help", "Report a bug",
                                                         "Emergency"]


def test_request_comment_needs_public(site: Sandbox) -> None:
    """``POST /request/{key}/comment`` is 400 without ``public``, in the service desk
    ``ErrorResponse`` shape; customers may comment in public only (``createRequestComment``,
    https://developer.atlassian.com/cloud/jira/service-desk/rest/api-group-request/#api-rest-servicedeskapi-request-issueidorkey-comment-post)."""
    key = site.open_request(account(site, "grace@gold.test"), "Restore fails")
    url = f"{site.base_url}{SD}/request/{key}/comment"
    missing = httpx.post(url, json={"body": "hi"}, auth=(site.api_email, site.api_token))
    assert missing.status_code == 400
    assert set(missing.json()) == {"errorMessage", "i18nErrorMessage"}
    internal = httpx.post(url, json={"body": "psst", "public": False},
                          auth=("grace@gold.test", "grace-token"))
    assert internal.status_code == 400
    made = httpx.post(url, json={"body": "internal note", "public": False},
                      auth=(site.api_email, site.api_token))
    assert made.status_code == 201
    assert made.json()["public"] is False


def test_customers_see_public_comments_only(site: Sandbox) -> None:
    """``GET /request/{key}/comment``: "Customers are returned public comments only" (same
    page, ``getRequestComments``); an organization member sees the organization's request."""
    grace = account(site, "grace@gold.test")
    key = site.open_request(grace, "Restore fails")
    site.comment(key, account(site, "ada@vendor.test"), "internal", public=False)
    site.comment(key, account(site, "ada@vendor.test"), "public")
    url = f"{site.base_url}{SD}/request/{key}/comment"
    seen = httpx.get(url, auth=("gus@gold.test", "gus-token")).json()
    assert [c["body"] for c in seen["values"]] == ["public"]
    agent = httpx.get(url, auth=("ada@vendor.test", "ada-token")).json()
    assert [c["body"] for c in agent["values"]] == ["internal", "public"]


def test_organization_properties_hold_the_plan(site: Sandbox) -> None:
    """Organization properties (``/organization/{id}/property/{key}``,
    https://developer.atlassian.com/cloud/jira/service-desk/rest/api-group-organization/)
    hold the plan; agents write them (201 created, 200 updated)."""
    org = org_id(site)
    jira = client(site)
    url = f"{site.base_url}{SD}/organization/{org}/property/support_plan"
    assert jira._session.get(url).json() == {"key": "support_plan", "value": "gold"}
    assert jira._session.put(url, data='"platinum"').status_code == 200
    new = f"{site.base_url}{SD}/organization/{org}/property/support_location"
    assert jira._session.put(new, data='"usa"').status_code == 201
    with pytest.raises(JIRAError) as missing:
        jira._session.get(f"{site.base_url}{SD}/organization/{org}/property/nothing")
    assert missing.value.status_code == 404


def test_participants_are_listed_and_added(site: Sandbox) -> None:
    """``/request/{key}/participant`` lists, adds and removes participants by
    ``accountIds`` (https://developer.atlassian.com/cloud/jira/service-desk/rest/api-group-request/#api-rest-servicedeskapi-request-issueidorkey-participant-get)."""
    key = site.open_request(account(site, "grace@gold.test"), "Restore fails")
    jira = client(site)
    url = f"{site.base_url}{SD}/request/{key}/participant"
    gus = account(site, "gus@gold.test")
    jira._session.post(url, json={"accountIds": [gus]})
    listed: dict[str, Any] = jira._session.get(url).json()
    assert [p["accountId"] for p in listed["values"]] == [gus]
    jira._session.delete(url, json={"accountIds": [gus]})
    assert jira._session.get(url).json()["values"] == []


def test_customers_see_only_their_own_and_their_organizations_requests(site: Sandbox) -> None:
    """A customer sees the requests they raised, take part in or share through their
    organization; any other is 404 (``getCustomerRequestByIdOrKey``,
    https://developer.atlassian.com/cloud/jira/service-desk/rest/api-group-request/#api-rest-servicedeskapi-request-issueidorkey-get)."""
    outsider = site.add_customer("Olive", "olive@other.test", token="olive-token")
    key = site.open_request(account(site, "grace@gold.test"), "Restore fails")
    url = f"{site.base_url}{SD}/request/{key}"
    assert httpx.get(url, auth=("gus@gold.test", "gus-token")).status_code == 200
    hidden = httpx.get(url, auth=("olive@other.test", "olive-token"))
    assert hidden.status_code == 404
    assert "errorMessage" in hidden.json()
    site.edit(key, account(site, "ada@vendor.test"),
              update={"customfield_10026": [{"add": {"accountId": outsider["accountId"]}}]})
    assert httpx.get(url, auth=("olive@other.test", "olive-token")).status_code == 200


def test_organization_members_are_listed(site: Sandbox) -> None:
    """``GET /organization/{id}/user`` pages the members (organization API page)."""
    org = org_id(site)
    members = client(site)._session.get(f"{site.base_url}{SD}/organization/{org}/user").json()
    assert {m["emailAddress"] for m in members["values"]} == {"grace@gold.test",
                                                              "gus@gold.test"}
