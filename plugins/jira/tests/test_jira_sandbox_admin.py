"""What a setup reads and creates on the sandbox: custom fields, projects and their statuses,
groups; and the facade's site-building calls."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from jira import JIRA, JIRAError

from sla_bridge.testing import VirtualClock
from sla_bridge_jira.sandbox import Sandbox

API = "/rest/api/2"
TEXTFIELD = "com.atlassian.jira.plugin.system.customfieldtypes:textfield"


@pytest.fixture
def site() -> Iterator[Sandbox]:
    """A running sandbox with an agent (not an admin) who has a token."""
    with Sandbox() as sandbox:
        sandbox.add_agent("Ada Agent", "ada@vendor.test", token="ada-token")
        yield sandbox


def client(site: Sandbox, email: str | None = None, token: str | None = None) -> JIRA:
    """The real client, as the bridge (or as someone else)."""
    return JIRA(server=site.base_url, basic_auth=(email or site.api_email,
                                                  token or site.api_token), max_retries=0)


def test_an_admin_creates_a_custom_field(site: Sandbox) -> None:
    """``POST /field`` needs *Administer Jira* and a ``name`` and ``type``; it answers 201
    with the field, which ``GET /field`` then lists (``createCustomField``,
    https://developer.atlassian.com/cloud/jira/platform/rest/v2/api-group-issue-fields/#api-rest-api-2-field-post)."""
    jira = client(site)
    made = jira._session.post(f"{site.base_url}{API}/field", json={
        "name": "SLA escalation reason", "type": TEXTFIELD})
    assert made.status_code == 201
    field = made.json()
    assert field["id"].startswith("customfield_")
    assert field["schema"]["custom"] == TEXTFIELD
    assert field["id"] in {f["id"] for f in jira.fields()}
    with pytest.raises(JIRAError) as agent:
        client(site, "ada@vendor.test", "ada-token")._session.post(
            f"{site.base_url}{API}/field", json={"name": "x", "type": TEXTFIELD})
    assert agent.value.status_code == 403
    with pytest.raises(JIRAError) as unknown:
        jira._session.post(f"{site.base_url}{API}/field", json={"name": "x", "type": "nope"})
    assert "type" in unknown.value.response.json()["errors"]


def test_projects_say_whether_they_are_service_desks(site: Sandbox) -> None:
    """``GET /project/{key}`` names the project type, 404 for an unknown key
    (https://developer.atlassian.com/cloud/jira/platform/rest/v2/api-group-projects/#api-rest-api-2-project-projectidorkey-get)."""
    site.add_project("DEV", "Development", service_desk=False)
    jira = client(site)
    assert jira.project("SUP").projectTypeKey == "service_desk"
    assert jira.project("DEV").projectTypeKey == "software"
    with pytest.raises(JIRAError) as missing:
        jira.project("NOPE")
    assert missing.value.status_code == 404


def test_project_statuses_list_the_workflow(site: Sandbox) -> None:
    """``GET /project/{key}/statuses`` lists each issue type's statuses with their categories
    (https://developer.atlassian.com/cloud/jira/platform/rest/v2/api-group-projects/#api-rest-api-2-project-projectidorkey-statuses-get)."""
    (issue_type,) = client(site)._get_json("project/SUP/statuses")
    names = {s["name"]: s["statusCategory"]["key"] for s in issue_type["statuses"]}
    assert names["Waiting for approval"] == "indeterminate"
    assert names["Closed"] == "done"


def test_groups_are_found_by_part_of_their_name(site: Sandbox) -> None:
    """``GET /groups/picker?query=`` finds groups whose name contains the query, in any case
    (https://developer.atlassian.com/cloud/jira/platform/rest/v2/api-group-groups/#api-rest-api-2-groups-picker-get)."""
    site.add_group("Escalation managers")
    site.add_group("Support")
    assert client(site).groups(query="MANAGER") == ["Escalation managers"]


def test_a_group_picker_field_takes_a_group_by_name(site: Sandbox) -> None:
    """A group picker custom field is set with ``{"name": ...}`` and shows the group; an
    unknown group is 400 naming the field."""
    site.add_group("L2 Support")
    field = site.add_field("Support team", "group")
    grace = site.add_customer("Grace", "grace@gold.test")
    key = site.open_request(grace["accountId"], "Restore fails")
    jira = client(site)
    jira.issue(key).update(fields={field: {"name": "L2 Support"}})
    assert jira.issue(key).raw["fields"][field]["name"] == "L2 Support"
    with pytest.raises(JIRAError) as unknown:
        jira.issue(key).update(fields={field: {"name": "Nobody"}})
    assert field in unknown.value.response.json()["errors"]


def test_the_facade_finds_what_it_made(site: Sandbox) -> None:
    """Request types and fields are found by name; an unknown name is a ``KeyError``."""
    type_id = site.add_request_type("Emailed request")
    assert site.request_type_id("Emailed request") == type_id
    assert site.field_id("Approvers") == "customfield_10003"
    with pytest.raises(KeyError):
        site.field_id("No such field")
    with pytest.raises(KeyError):
        site.request_type_id("No such type")


def test_the_per_issue_limit_runs_on_the_virtual_clock() -> None:
    """On a clock with its own monotonic timer (a test's), the per-issue write window passes
    when the clock moves, without waiting."""
    clock = VirtualClock(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    with Sandbox(clock=clock) as site:
        grace = site.add_customer("Grace", "grace@gold.test")
        key = site.open_request(grace["accountId"], "Restore fails")
        site.limit_issue_writes(1, per_seconds=60)
        jira = client(site)
        jira.add_comment(key, "one")
        with pytest.raises(JIRAError):
            jira.add_comment(key, "two")
        clock.set(clock.now() + timedelta(seconds=61))
        jira.add_comment(key, "three")
        assert [c["body"] for c in site.comments(key)] == ["one", "three"]
