"""The link the dashboard and the admin API give for a Jira Service Management request: the
issue view agents work in (``/browse/<KEY>``), built from the site without a call."""

from __future__ import annotations

from sla_bridge.testing import VirtualClock
from sla_bridge_jira.platform import JiraPlatform
from sla_bridge_jira.settings import JiraSettings


def platform(clock: VirtualClock, base_url: str) -> JiraPlatform:
    return JiraPlatform(JiraSettings(base_url=base_url, email="bridge@acme.test",
                                     api_token="t"), clock)


def test_a_request_opens_in_the_agent_issue_view(clock: VirtualClock) -> None:
    assert platform(clock, "https://acme.atlassian.net").ticket_url("SUP-42") == (
        "https://acme.atlassian.net/browse/SUP-42")


def test_a_site_under_a_path_keeps_it(clock: VirtualClock) -> None:
    assert platform(clock, "https://jira.acme.test/jira/").ticket_url("SUP-7") == (
        "https://jira.acme.test/jira/browse/SUP-7")
