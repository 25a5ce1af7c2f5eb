"""Logging in to the sandbox with simple-salesforce's own login flows: the SOAP ``login``
(username, password + security token), the OAuth 2.0 JWT bearer flow, and the library's
re-login on a 401 ``INVALID_SESSION_ID``.

simple-salesforce sends its logins to ``https://login.salesforce.com``; the session here
rewrites that host to the sandbox, as the plugin's ``LOGIN_URL`` setting does.
SOAP login: https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_login.htm;
JWT bearer flow: https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_jwt_flow.htm&type=5.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from simple_salesforce.api import Salesforce
from simple_salesforce.exceptions import SalesforceAuthenticationFailed

from sla_bridge_salesforce.sandbox import (
    BRIDGE_PASSWORD,
    BRIDGE_SECURITY_TOKEN,
    BRIDGE_USERNAME,
    Sandbox,
)

LOGIN_HOST = "https://login.salesforce.com"


class LoginAtSandbox(requests.Session):
    """A session sending what is meant for ``login.salesforce.com`` to the sandbox."""

    def __init__(self, sandbox: Sandbox) -> None:
        super().__init__()
        self.verify = sandbox.ca_file
        self.trust_env = False
        self.instance_url = sandbox.instance_url

    def request(self, method: str, url: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(url, str) and url.startswith(LOGIN_HOST):
            url = self.instance_url + url[len(LOGIN_HOST):]
        return super().request(method, url, *args, **kwargs)


@pytest.fixture
def org() -> Iterator[Sandbox]:
    with Sandbox(autosend=False) as sandbox:
        yield sandbox


def logins(org: Sandbox, path: str) -> int:
    return sum(1 for e in org.request_log() if e["path"].startswith(path))


def test_soap_login_with_password_and_security_token(org: Sandbox) -> None:
    """``login(username, password + security token)`` answers a session and the server URL
    whose host is the instance; a wrong password is an ``INVALID_LOGIN`` fault."""
    sf = Salesforce(username=BRIDGE_USERNAME, password=BRIDGE_PASSWORD,
                    security_token=BRIDGE_SECURITY_TOKEN, session=LoginAtSandbox(org),
                    version="62.0")
    assert sf.sf_instance == org.instance_url.removeprefix("https://")
    assert sf.oauth2("userinfo")["user_id"] == org.bridge_user_id
    with pytest.raises(SalesforceAuthenticationFailed) as refused:
        Salesforce(username=BRIDGE_USERNAME, password="wrong",
                   security_token=BRIDGE_SECURITY_TOKEN, session=LoginAtSandbox(org))
    assert refused.value.code == "INVALID_LOGIN"


def test_the_library_logs_in_again_on_invalid_session_id(org: Sandbox) -> None:
    """After a 401 whose JSON list says ``INVALID_SESSION_ID``, simple-salesforce (in a login
    mode) logs in again and repeats the call."""
    sf = Salesforce(username=BRIDGE_USERNAME, password=BRIDGE_PASSWORD,
                    security_token=BRIDGE_SECURITY_TOKEN, session=LoginAtSandbox(org),
                    version="62.0")
    sf.Case.describe()
    org.expire_sessions()
    assert sf.query("SELECT Id FROM Case")["totalSize"] == 0
    assert logins(org, "/services/Soap/u/") == 2
    statuses = [e["status"] for e in org.request_log() if "/query" in e["path"]]
    assert statuses == [401, 200]


def test_jwt_bearer_flow(org: Sandbox) -> None:
    """An RS256 assertion (``iss`` consumer key, ``sub`` username, ``aud`` the login host)
    signed with the key whose certificate the connected app holds gives a session; another
    key is refused."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = key.private_bytes(serialization.Encoding.PEM,
                                    serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()).decode()
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    org.add_connected_app("bridge-app", public_key_pem=public_pem)
    sf = Salesforce(username=BRIDGE_USERNAME, consumer_key="bridge-app",
                    privatekey=private_pem, session=LoginAtSandbox(org), version="62.0")
    assert sf.oauth2("userinfo")["user_id"] == org.bridge_user_id
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()).decode()
    with pytest.raises(SalesforceAuthenticationFailed) as refused:
        Salesforce(username=BRIDGE_USERNAME, consumer_key="bridge-app", privatekey=other,
                   session=LoginAtSandbox(org), version="62.0")
    assert refused.value.code == "invalid_grant"
