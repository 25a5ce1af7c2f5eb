"""Limits and faults as Salesforce shows them, through the real simple-salesforce over HTTPS:
403 ``REQUEST_LIMIT_EXCEEDED`` (never 429), 503 without ``Retry-After``, ``UNABLE_TO_LOCK_ROW``,
expired sessions, and a write done whose answer was lost (upsert by External ID makes the
retry harmless).

Status codes and bodies: https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm;
the API request limit: https://developer.salesforce.com/docs/atlas.en-us.salesforce_app_limits_cheatsheet.meta/salesforce_app_limits_cheatsheet/salesforce_app_limits_platform_api.htm.
The ``UNABLE_TO_LOCK_ROW`` message text is the sandbox's [inferred].
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from simple_salesforce.exceptions import (
    SalesforceExpiredSession,
    SalesforceGeneralError,
    SalesforceMalformedRequest,
    SalesforceRefusedRequest,
)

from sla_bridge_salesforce.sandbox import Sandbox

#: How requests reports an answer cut off after its status line.
BROKEN = (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError)


@pytest.fixture
def org() -> Iterator[Sandbox]:
    with Sandbox(autosend=False) as sandbox:
        yield sandbox


@pytest.fixture
def contact(org: Sandbox) -> dict[str, Any]:
    return org.add_contact("Alice Doe", "alice@acme.test")


def test_the_daily_api_limit_is_403_request_limit_exceeded(contact: dict[str, Any]) -> None:
    """Past the org's API request limit every call answers 403 ``REQUEST_LIMIT_EXCEEDED``,
    without ``Retry-After``."""
    with Sandbox(autosend=False, rate_limit=3) as small:
        case = small.client().Case
        for _ in range(3):
            case.describe()
        with pytest.raises(SalesforceRefusedRequest) as refused:
            case.describe()
        assert refused.value.status == 403
        assert refused.value.content[0]["errorCode"] == "REQUEST_LIMIT_EXCEEDED"
        answer = small.session().get(f"{small.instance_url}/services/data/v62.0/sobjects/",
                                     headers={"Authorization": f"Bearer {small.access_token}"},
                                     timeout=5)
        assert answer.status_code == 403
        assert "Retry-After" not in answer.headers
        assert answer.headers["Sforce-Limit-Info"] == "api-usage=3/3"


def test_injected_limit_overload_and_lock_errors(org: Sandbox,
                                                 contact: dict[str, Any]) -> None:
    """The faults the plugin retries: 403 ``REQUEST_LIMIT_EXCEEDED``, 503 (no
    ``Retry-After``), 400 ``UNABLE_TO_LOCK_ROW``; each leaves the record untouched."""
    sf = org.client()
    case_id = sf.Case.create({"Subject": "faults", "ContactId": contact["Id"]})["id"]
    org.limit_exceeded_next(1, method="PATCH")
    with pytest.raises(SalesforceRefusedRequest) as limit:
        sf.Case.update(case_id, {"Priority": "High"})
    assert limit.value.content[0]["errorCode"] == "REQUEST_LIMIT_EXCEEDED"
    org.overloaded_next(1, method="PATCH")
    with pytest.raises(SalesforceGeneralError) as overloaded:
        sf.Case.update(case_id, {"Priority": "High"})
    assert overloaded.value.status == 503
    org.overloaded_next(1)
    raw = org.session().get(f"{org.instance_url}/services/data/v62.0/sobjects/",
                            headers={"Authorization": f"Bearer {org.access_token}"}, timeout=5)
    assert raw.status_code == 503
    assert "Retry-After" not in raw.headers
    assert raw.json()[0]["errorCode"] == "SERVER_UNAVAILABLE"
    org.lock_row_next(1, method="PATCH")
    with pytest.raises(SalesforceMalformedRequest) as locked:
        sf.Case.update(case_id, {"Priority": "High"})
    assert locked.value.content[0]["errorCode"] == "UNABLE_TO_LOCK_ROW"
    assert sf.Case.get(case_id)["Priority"] == "Medium"
    assert sf.Case.update(case_id, {"Priority": "High"}) == 204
    faults = [e["fault"] for e in org.request_log() if e["method"] == "PATCH"]
    assert faults == ["403", "503", "400", None]


def test_an_expired_session_is_401_until_a_new_one(org: Sandbox) -> None:
    """An expired access token answers 401 ``INVALID_SESSION_ID``; a new session works."""
    sf = org.client()
    sf.Case.describe()
    fresh = org.expire_sessions()
    with pytest.raises(SalesforceExpiredSession) as expired:
        sf.Case.describe()
    assert expired.value.content[0]["errorCode"] == "INVALID_SESSION_ID"
    assert org.client(token=fresh).Case.describe()["name"] == "Case"


def test_a_lost_answer_after_the_work_was_done(org: Sandbox, contact: dict[str, Any]) -> None:
    """The connection drops after the follow-up was created: the client cannot know; a plain
    create retried makes two cases, an upsert on the External ID retried makes one."""
    sf = org.client()
    org.drop_next(1, after_processing=True, method="POST", path="/sobjects/Case$")
    with pytest.raises(BROKEN):
        sf.Case.create({"Subject": "dup", "ContactId": contact["Id"]})
    sf.Case.create({"Subject": "dup", "ContactId": contact["Id"]})
    assert sf.query("SELECT Id FROM Case WHERE Subject = 'dup'")["totalSize"] == 2

    org.drop_next(1, after_processing=True, method="PATCH", path="SLA_Bridge_Key__c")
    body = {"Subject": "follow-up", "ContactId": contact["Id"]}
    with pytest.raises(BROKEN):
        sf.Case.upsert("SLA_Bridge_Key__c/follow-1", body)
    assert sf.Case.upsert("SLA_Bridge_Key__c/follow-1", body) == 200  # it was there already
    assert sf.query("SELECT Id FROM Case WHERE SLA_Bridge_Key__c = 'follow-1'")[
        "totalSize"] == 1


def test_a_slow_answer_beyond_the_clients_timeout(org: Sandbox) -> None:
    """A slow answer: the client's own timeout gives up (simple-salesforce sets none; the
    plugin's session must)."""
    org.slow_next(1, delay=1.0, method="GET")
    with pytest.raises(requests.exceptions.Timeout):
        org.client().Case.get(org.bridge_user_id.replace("005", "500"), timeout=0.2)
