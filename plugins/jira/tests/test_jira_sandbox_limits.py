"""Rate limits and faults, as the real ``jira`` client (``max_retries=0``) meets them.

https://developer.atlassian.com/cloud/jira/platform/rate-limiting/ : 429 with a
whole-seconds ``Retry-After``, ``X-RateLimit-Limit`` / ``-Remaining`` / ``-Reset`` and
``RateLimit-Reason``; "some transient 5XX errors are accompanied by a Retry-After header".
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
import requests
from jira import JIRA, JIRAError

from sla_bridge_jira.sandbox import Sandbox


@pytest.fixture
def site() -> Iterator[Sandbox]:
    """A running sandbox with one request, SUP-1."""
    with Sandbox() as sandbox:
        grace = sandbox.add_customer("Grace", "grace@gold.test")
        sandbox.open_request(grace["accountId"], "Restore fails")
        yield sandbox


@pytest.fixture
def jira(site: Sandbox) -> JIRA:
    """The bridge's client, one HTTP request per call."""
    return JIRA(server=site.base_url, basic_auth=(site.api_email, site.api_token),
                max_retries=0)


@pytest.mark.parametrize("wait", [0, 7])
def test_429_carries_an_integer_retry_after(site: Sandbox, jira: JIRA, wait: int) -> None:
    """A 429 says when to come back in whole seconds and why (``RateLimit-Reason``); ``0``
    has been seen from Cloud (a third-party report, https://github.com/pycontribs/jira/issues/1805)."""
    site.rate_limit_next(1, retry_after=wait, path="/issue/")
    with pytest.raises(JIRAError) as raised:
        jira.issue("SUP-1")
    headers = raised.value.response.headers
    assert raised.value.status_code == 429
    assert headers["Retry-After"] == str(wait)
    assert headers["RateLimit-Reason"] == "jira-burst-based"
    assert jira.issue("SUP-1").key == "SUP-1"


def test_the_burst_limit_answers_with_the_rate_limit_headers() -> None:
    """Past the budget every call is 429 with ``X-RateLimit-Limit``, ``-Remaining: 0`` and
    ``-Reset`` (ISO 8601); within it the answers show what remains."""
    with Sandbox(rate_limit=3) as site:
        jira = JIRA(server=site.base_url, basic_auth=(site.api_email, site.api_token),
                    max_retries=0)  # serverInfo is the first of the three
        answer = jira._session.get(f"{site.base_url}/rest/api/2/myself")
        assert answer.headers["X-RateLimit-Remaining"] == "1"
        jira.myself()
        with pytest.raises(JIRAError) as raised:
            jira.myself()
    headers = raised.value.response.headers
    assert raised.value.status_code == 429
    assert (headers["X-RateLimit-Limit"], headers["X-RateLimit-Remaining"]) == ("3", "0")
    assert int(headers["Retry-After"]) >= 1
    datetime.strptime(headers["X-RateLimit-Reset"], "%Y-%m-%dT%H:%MZ")


@pytest.mark.parametrize(("retry_after", "header"), [(None, None), (30, "30")])
def test_503_with_or_without_retry_after(site: Sandbox, jira: JIRA, retry_after: int | None,
                                         header: str | None) -> None:
    """A 503 may carry ``Retry-After``, or not."""
    site.unavailable_next(1, retry_after=retry_after)
    with pytest.raises(JIRAError) as raised:
        jira.issue("SUP-1")
    assert raised.value.status_code == 503
    assert raised.value.response.headers.get("Retry-After") == header


def test_quick_writes_to_one_issue_hit_the_per_issue_limit(site: Sandbox, jira: JIRA) -> None:
    """Several quick writes to one issue are 429 ``jira-per-issue-on-write`` (the
    rate-limiting page's per-issue write limit); reads and other issues are not limited."""
    grace = site.account("grace@gold.test")
    other = site.open_request(grace["accountId"], "Other")
    site.limit_issue_writes(2, per_seconds=60)
    jira.add_comment("SUP-1", "one")
    jira.add_comment("SUP-1", "two")
    with pytest.raises(JIRAError) as raised:
        jira.add_comment("SUP-1", "three")
    assert raised.value.status_code == 429
    assert raised.value.response.headers["RateLimit-Reason"] == "jira-per-issue-on-write"
    assert jira.issue("SUP-1").key == "SUP-1"
    jira.add_comment(other, "elsewhere")
    assert [c["body"] for c in site.comments("SUP-1")] == ["one", "two"]


def test_a_dropped_answer_after_the_work_leaves_one_comment(site: Sandbox, jira: JIRA) -> None:
    """A connection dropped after the comment was made: the client sees a connection error,
    the comment exists once (with ``max_retries=0`` the client does not post it again)."""
    site.drop_next(1, after_processing=True, method="POST", path="/comment")
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        jira.add_comment("SUP-1", "made once")
    assert [c["body"] for c in site.comments("SUP-1")] == ["made once"]


def test_a_dropped_connection_before_the_work_changes_nothing(site: Sandbox,
                                                              jira: JIRA) -> None:
    """A connection dropped before the request took effect leaves the issue as it was."""
    site.drop_next(1, method="PUT")
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        jira.issue("SUP-1").update(fields={"summary": "changed"})
    assert site.issue("SUP-1")["fields"]["summary"] == "Restore fails"


def test_a_slow_answer_past_the_client_timeout_is_not_applied(site: Sandbox) -> None:
    """A request answered after the client gave up did nothing (the kit's ``slow`` fault
    runs the request only if the client is still there)."""
    jira = JIRA(server=site.base_url, basic_auth=(site.api_email, site.api_token),
                max_retries=0, timeout=0.2)
    site.slow_next(1, delay=1.0, method="POST")
    with pytest.raises(requests.exceptions.ReadTimeout):
        jira.add_comment("SUP-1", "too late")
    assert site.flush()
    assert site.comments("SUP-1") == []
