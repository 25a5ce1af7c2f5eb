"""The enhanced JQL search (``GET /rest/api/2/search/jql``) through the real client, which
uses it on Cloud
(https://developer.atlassian.com/cloud/jira/platform/rest/v2/api-group-issue-search/)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from jira import JIRA, JIRAError

from sla_bridge.testing import VirtualClock
from sla_bridge_jira.sandbox import Sandbox

START = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> VirtualClock:
    """The site's clock."""
    return VirtualClock(START)


@pytest.fixture
def site(clock: VirtualClock) -> Iterator[Sandbox]:
    """Five requests, one an hour, the last two labelled."""
    with Sandbox(clock=clock) as sandbox:
        grace = sandbox.add_customer("Grace", "grace@gold.test")["accountId"]
        ada = sandbox.add_agent("Ada", "ada@vendor.test")["accountId"]
        for hour in range(5):
            clock.set(START + timedelta(hours=hour))
            key = sandbox.open_request(grace, f"Request {hour}")
            if hour >= 3:
                sandbox.edit(key, ada, update={"labels": [{"add": "sla_breached"}]})
        yield sandbox


@pytest.fixture
def jira(site: Sandbox) -> JIRA:
    """The bridge's client."""
    return JIRA(server=site.base_url, basic_auth=(site.api_email, site.api_token),
                max_retries=0)


def test_pages_follow_the_next_page_token(jira: JIRA) -> None:
    """A page holds ``maxResults`` issues and a ``nextPageToken`` while more follow; the
    client's ``maxResults=0`` reads them all by the tokens."""
    first = jira.enhanced_search_issues("project = SUP ORDER BY created DESC", maxResults=2)
    assert [i.key for i in first] == ["SUP-5", "SUP-4"]
    assert first.nextPageToken
    everything = jira.enhanced_search_issues("project = SUP ORDER BY key", maxResults=0)
    assert [i.key for i in everything] == [f"SUP-{n}" for n in range(1, 6)]


def test_clauses_select_by_label_and_time(jira: JIRA) -> None:
    """``labels = x`` and ``updated >= "yyyy-MM-dd HH:mm"`` narrow the search."""
    labelled = jira.search_issues("labels = sla_breached")
    assert sorted(i.key for i in labelled) == ["SUP-4", "SUP-5"]
    recent = jira.search_issues('project = SUP AND updated >= "2026-11-30 11:00"')
    assert sorted(i.key for i in recent) == ["SUP-3", "SUP-4", "SUP-5"]


def test_jql_it_cannot_read_is_a_400(jira: JIRA) -> None:
    """JQL outside what the site reads is refused, never taken as "everything"."""
    with pytest.raises(JIRAError) as raised:
        jira.search_issues("resolution = Unresolved")
    assert raised.value.status_code == 400


def test_a_reporters_request_is_found_by_its_summary(site: Sandbox, jira: JIRA) -> None:
    """``reporter = <accountId>`` and ``summary ~ "words"`` find a request raised already
    (e.g. before re-raising a follow-up whose answer was lost)."""
    grace = site.account("grace@gold.test")["accountId"]
    site.open_request(grace, "Follow-up to ticket SUP-1")
    found = jira.search_issues(f'project = SUP AND reporter = "{grace}" '
                               'AND summary ~ "follow-up SUP-1"')
    assert [i.key for i in found] == ["SUP-6"]
    assert jira.search_issues('summary ~ "nothing like this"') == []


def test_the_search_index_lags_behind_new_issues(site: Sandbox, jira: JIRA,
                                                 clock: VirtualClock) -> None:
    """The search "doesn't provide read-after-write consistency by default" and
    ``reconcileIssues`` makes the listed issues current
    (https://developer.atlassian.com/cloud/jira/platform/search-and-reconcile/); reading the
    issue itself is consistent."""
    site.search_lag(30)
    grace = site.account("grace@gold.test")["accountId"]
    key = site.open_request(grace, "Just raised")
    new = jira.issue(key)
    assert jira.search_issues('summary ~ "just raised"') == []
    reconciled = jira.enhanced_search_issues('summary ~ "just raised"',
                                             reconcileIssues=[int(new.id)])
    assert [i.key for i in reconciled] == [key]
    clock.set(clock.now() + timedelta(seconds=31))
    assert [i.key for i in jira.search_issues('summary ~ "just raised"')] == [key]


def test_fields_may_be_repeated_or_comma_separated(site: Sandbox) -> None:
    """``fields`` is a list parameter: ``fields=a,b`` and ``fields=a&fields=b`` ask for the
    same (``searchForIssuesUsingJqlEnhancedSearch``, same page)."""
    auth = (site.api_email, site.api_token)
    url = f"{site.base_url}/rest/api/2/search/jql"
    once = httpx.get(url, params={"jql": "key = SUP-1", "fields": "summary,created"},
                     auth=auth).json()
    twice = httpx.get(url, params=[("jql", "key = SUP-1"), ("fields", "summary"),
                                   ("fields", "created")], auth=auth).json()
    assert set(once["issues"][0]["fields"]) == {"summary", "created"}
    assert twice["issues"][0]["fields"] == once["issues"][0]["fields"]


def test_the_lag_passes_on_the_monotonic_timer_alone(site: Sandbox, jira: JIRA,
                                                     clock: VirtualClock) -> None:
    """Waiting spends the site's monotonic time (a bridge's retries on a virtual clock do
    only that): the lag passes though the clock's instant stays put."""
    site.search_lag(30)
    key = site.open_request(site.account("grace@gold.test")["accountId"], "Just raised")
    clock.spend(31)
    assert [i.key for i in jira.search_issues('summary ~ "just raised"')] == [key]
