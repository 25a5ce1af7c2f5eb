"""Reaching the org for ``sla-bridge salesforce setup`` and ``check``: the instance, TLS, the
credentials, the org id and the API version.

:func:`connect` asks, in order:

1. ``GET /services/data/`` (no token needed): the instance answers over TLS verified with
   ``CA_BUNDLE`` (or the system's CAs), and lists the REST versions it serves, see
   https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_versions.htm;
2. ``GET /services/oauth2/userinfo`` with the configured credentials (an access token as it
   is, or a password / JWT bearer login first): who the integration user is and which org it
   belongs to, see
   https://help.salesforce.com/s/articleView?id=sf.remoteaccess_using_userinfo_endpoint.htm.

When either fails the command ends with status 2 and one line naming the setting to fix
(never the secret), since nothing else can be checked. What the org says is then judged as
findings: the org id must be ``ORGANIZATION_ID`` (every Outbound Message carries it and the
bridge refuses another), and ``API_VERSION`` must be served.
"""

from __future__ import annotations

import re
import ssl
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import click
import requests
from simple_salesforce.exceptions import SalesforceAuthenticationFailed, SalesforceError

from sla_bridge.clock import Clock
from sla_bridge.platformkit import Finding

from .client import SalesforceClient
from .settings import CREDENTIAL_SETS, SalesforceSettings

__all__ = ["ConnectFailed", "Connection", "connect", "summary_lines"]


class ConnectFailed(Exception):
    """The org cannot be reached or refused the credentials; the message names the setting."""


@dataclass
class Connection:
    """A client that reached the org and authenticated, with what the org said."""

    client: SalesforceClient
    versions: list[str]
    user: Mapping[str, Any]

    @property
    def settings(self) -> SalesforceSettings:
        """The plugin's settings the client runs on."""
        return self.client.settings

    @property
    def version_served(self) -> bool:
        """Whether the org serves ``API_VERSION``."""
        return self.settings.api_version in self.versions

    @property
    def integration_user(self) -> str:
        """The integration user's username (the one Outbound Messages are sent as)."""
        return str(self.user.get("preferred_username") or self.settings.username)

    def findings(self) -> list[Finding]:
        """The org, the integration user and the API version, as ``check`` shows them."""
        settings = self.settings
        org_id = str(self.user.get("organization_id") or "")
        variable = settings.variable("organization_id")
        if settings.same_org(org_id):
            org = Finding(True, "org", org_id, f"{settings.instance_url} (matches {variable})")
        else:
            org = Finding(False, "org", org_id, f"the credentials belong to org {org_id}, not "
                          f"{variable}={settings.organization_id}: the bridge would refuse "
                          f"every Outbound Message (401); set {variable} to {org_id} (Setup > "
                          "Company Information), or use credentials of the org it names")
        user = Finding(True, "user", self.integration_user,
                       f"{self.user.get('user_id')} ({settings.credential_mode()}; the "
                       "bridge's own writes are recognised by this id)")
        variable = settings.variable("api_version")
        newest = max(self.versions, key=float) if self.versions else "none"
        version = (Finding(True, "API version", settings.api_version, "served")
                   if self.version_served else
                   Finding(False, "API version", settings.api_version,
                           f"not served by this org (newest: {newest}): set {variable} to "
                           "one it serves"))
        return [org, user, version]


def _versions(client: SalesforceClient) -> list[str]:
    settings = client.settings
    url = f"{settings.instance_url}/services/data/"
    instance = settings.variable("instance_url")
    try:
        answer = client.session.get(url)
    except requests.exceptions.SSLError as exc:
        ca = settings.variable("ca_bundle")
        where = (f"with the CA file {settings.ca_bundle} ({ca}): is it the CA that signed "
                 "the org's certificate?" if settings.ca_bundle is not None else
                 f"with the system's CAs: for a private CA, set {ca} to its PEM file")
        raise ConnectFailed(f"TLS failure at {settings.instance_url}: its certificate does "
                            f"not verify {where} ({_reason(exc)})") from None
    except requests.RequestException as exc:
        raise ConnectFailed(f"cannot reach {settings.instance_url} ({_reason(exc)}): check "
                            f"{instance}") from None
    if answer.status_code != 200:
        raise ConnectFailed(f"{settings.instance_url} has no Salesforce REST API at "
                            f"/services/data/ ({answer.status_code}): check {instance} (the "
                            "org's My Domain URL)")
    try:
        listed = answer.json()
    except ValueError:
        listed = None
    if not isinstance(listed, list):
        raise ConnectFailed(f"{settings.instance_url}/services/data/ did not list API "
                            f"versions: check {instance} (the org's My Domain URL)")
    return [str(v.get("version")) for v in listed if isinstance(v, dict)]


def _reason(exc: BaseException) -> str:
    """The innermost cause of a ``requests`` failure, in its own words (``requests`` wraps
    urllib3's error, which wraps the socket's or the TLS library's)."""
    cause: BaseException = exc
    for _ in range(10):
        inner = getattr(cause, "reason", None)
        if not isinstance(inner, BaseException) and cause.args and isinstance(
                cause.args[0], BaseException):
            inner = cause.args[0]
        if not isinstance(inner, BaseException) or inner is cause:
            break
        cause = inner
    if isinstance(cause, ssl.SSLCertVerificationError) and cause.verify_message:
        return str(cause.verify_message)
    text = re.sub(r"\s*\(_ssl\.c:\d+\)", "", str(cause)).strip()
    return text.rsplit(": ", 1)[-1][:200] if text else type(cause).__name__


def _credentials(settings: SalesforceSettings) -> str:
    mode = settings.credential_mode() or "access token"
    return " and ".join(settings.variable(n) for n in CREDENTIAL_SETS[mode])


def _user(client: SalesforceClient) -> Mapping[str, Any]:
    settings = client.settings
    mode = settings.credential_mode()
    try:
        info = client.call(lambda sf: sf.oauth2("userinfo"))
    except SalesforceAuthenticationFailed as exc:
        raise ConnectFailed(f"Salesforce refused the {mode} login ({exc.code}): check "
                            f"{_credentials(settings)}, and "
                            f"{settings.variable('login_url')} ({settings.login_url})"
                            ) from None
    except SalesforceError as exc:
        if exc.status in (401, 403):
            renew = (" (an access token cannot be renewed: configure password or JWT "
                     "credentials instead)" if mode == "access token" else "")
            raise ConnectFailed(f"Salesforce refused the credentials ({exc.status}): check "
                                f"{_credentials(settings)}{renew}") from None
        raise ConnectFailed(f"Salesforce answered {exc.status} to /services/oauth2/userinfo: "
                            f"check {settings.variable('instance_url')}") from None
    except requests.RequestException as exc:
        raise ConnectFailed(f"the {mode} login failed ({_reason(exc)}): check "
                            f"{settings.variable('login_url')} ({settings.login_url})"
                            ) from None
    if not isinstance(info, Mapping) or not info.get("organization_id"):
        raise ConnectFailed("/services/oauth2/userinfo named no org: check "
                            f"{settings.variable('instance_url')}")
    return info


def connect(settings: SalesforceSettings, command: str, clock: Clock) -> Connection:
    """Reach the org and authenticate; a failure ends ``command`` with status 2 and one line
    naming the setting to fix."""
    client = SalesforceClient(settings, clock)
    try:
        versions = _versions(client)
        user = _user(client)
    except ConnectFailed as exc:
        client.close()
        click.echo(f"{command}: {exc}", err=True)
        sys.exit(2)
    return Connection(client, versions, user)


def summary_lines(settings: SalesforceSettings) -> Sequence[str]:
    """The settings worth showing, secrets masked."""
    return [f"{key:>18}: {value}" for key, value in settings.summary().items()]
