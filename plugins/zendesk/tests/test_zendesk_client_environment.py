"""The client reads the proxy and CA bundle variables once per session, and still obeys them."""

from __future__ import annotations

import pytest
import requests

from sla_bridge_zendesk.client import ZendeskClient
from sla_bridge_zendesk.sandbox import Sandbox
from sla_bridge_zendesk.settings import ZendeskSettings

# Nothing listens there: a request sent through this proxy fails.
DEAD_PROXY = "http://127.0.0.1:9"


def test_a_proxy_variable_is_obeyed(sandbox: Sandbox, settings: ZendeskSettings,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", DEAD_PROXY)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    with pytest.raises(requests.exceptions.ProxyError):
        ZendeskClient(settings).request_json("GET", "/users/me")


def test_no_proxy_exempts_the_account(sandbox: Sandbox, settings: ZendeskSettings,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", DEAD_PROXY)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    me = ZendeskClient(settings).request_json("GET", "/users/me")
    assert me["user"]["email"] == sandbox.api_email


def test_a_ca_bundle_variable_is_the_sessions_trust(settings: ZendeskSettings,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/company-ca.pem")
    assert ZendeskClient(settings).session.verify == "/etc/ssl/company-ca.pem"


def test_variables_are_read_when_the_session_is_made_not_per_request(
        sandbox: Sandbox, settings: ZendeskSettings, monkeypatch: pytest.MonkeyPatch) -> None:
    client = ZendeskClient(settings)
    client.request_json("GET", "/users/me")
    monkeypatch.setenv("HTTP_PROXY", DEAD_PROXY)  # later changes need a new process
    assert client.request_json("GET", "/users/me")["user"]["email"] == sandbox.api_email
