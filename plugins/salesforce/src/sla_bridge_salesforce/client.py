"""simple-salesforce, configured the bridge's way.

* One ``requests.Session`` per thread (sessions are not thread-safe) that verifies TLS with
  ``CA_BUNDLE`` when set, gives every request ``TIMEOUT_SECONDS`` (simple-salesforce sets no
  timeout) and never retries by itself (``max_retries=0``: a POST repeated after a dropped
  connection could create a second comment; retries are the bridge's, which look first).
* Every call goes to ``INSTANCE_URL`` with the pinned ``API_VERSION``, in simple-salesforce's
  direct mode (an access token). With password or JWT credentials the token comes from
  simple-salesforce's own ``SalesforceLogin`` at ``LOGIN_URL``; a ``401 INVALID_SESSION_ID``
  then logs in again once and repeats the call (the library's own re-login loops without
  bound in 1.12.10 and needs the error body to be a list).
* Salesforce's refusals become :class:`~sla_bridge.platforms.VendorError` in its own words:
  its API limit is ``403 REQUEST_LIMIT_EXCEEDED`` without ``Retry-After`` (retried after
  ``LIMIT_BACKOFF_SECONDS``), overload is 503, a record another transaction holds is
  ``UNABLE_TO_LOCK_ROW`` (retried), a record in an approval is ``ENTITY_IS_LOCKED`` (not
  retried: it stays locked until the approval ends), see
  https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urlparse

import requests
from requests.adapters import HTTPAdapter
from simple_salesforce.api import Salesforce
from simple_salesforce.exceptions import (
    SalesforceAuthenticationFailed,
    SalesforceError,
    SalesforceExpiredSession,
)
from simple_salesforce.login import SalesforceLogin

from sla_bridge.clock import Clock, SystemClock
from sla_bridge.platformkit import VendorErrors, vendor_message
from sla_bridge.platforms import VendorError

from ._version import __version__
from .settings import PLATFORM, SalesforceSettings

_T = TypeVar("_T")
SALESFORCE_LOGIN = "https://login.salesforce.com"
# Codes of refusals worth retrying: another transaction holds the row; the org is busy.
RETRYABLE_CODES = frozenset({"UNABLE_TO_LOCK_ROW", "SERVER_UNAVAILABLE"})
LIMIT_CODE = "REQUEST_LIMIT_EXCEEDED"
LOCKED_CODE = "ENTITY_IS_LOCKED"
# What to do about refusals that come from the plugin's settings not matching the org.
HINTS = {
    "INVALID_FIELD": "a mapped field does not exist on the object or is not visible to the "
    "integration user: check SLA_BRIDGE_SALESFORCE__FIELDS__* and the field-level security",
    "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST": "the org's picklist has no such value: add it "
    "(Setup -> Case Statuses / Case Priorities) or change SLA_BRIDGE_SALESFORCE__STATUS_TARGETS "
    "or __PRIORITY_MAP",
    "INVALID_FIELD_FOR_INSERT_UPDATE": "a mapped field is read only (a formula or a system "
    "field): map the value to a writable Case field",
}


class BridgeSession(requests.Session):
    """A session with a default timeout, the CA bundle, no retries, and (for a login URL
    that is not Salesforce's own) logins sent there."""

    def __init__(self, settings: SalesforceSettings) -> None:
        super().__init__()
        self.timeout = settings.timeout_seconds
        self.ca_bundle = str(settings.ca_bundle) if settings.ca_bundle is not None else None
        if self.ca_bundle is not None:
            self.verify = self.ca_bundle
        self.headers["User-Agent"] = f"sla-bridge-salesforce/{__version__}"
        self.mount("https://", HTTPAdapter(max_retries=0))
        login = settings.login_url or SALESFORCE_LOGIN
        self.login_url = None if _salesforce_domain(login) else login

    def request(self, method: str | bytes, url: str | bytes,
                *args: Any, **kwargs: Any) -> requests.Response:
        """Send with the default timeout; a login meant for login.salesforce.com goes to the
        configured login URL."""
        kwargs.setdefault("timeout", self.timeout)
        if self.ca_bundle is not None:
            # Per request: requests lets REQUESTS_CA_BUNDLE override a session's verify.
            kwargs.setdefault("verify", self.ca_bundle)
        text = url.decode() if isinstance(url, bytes) else url
        if self.login_url and text.startswith(SALESFORCE_LOGIN + "/"):
            text = self.login_url + text[len(SALESFORCE_LOGIN):]
        return super().request(method, text, *args, **kwargs)


def _salesforce_domain(url: str) -> str | None:
    """``login`` for https://login.salesforce.com, ``acme.my`` for a My Domain; ``None`` for
    any other host (a sandbox, a proxy), which :class:`BridgeSession` rewrites to."""
    parsed = urlparse(url)
    host = parsed.hostname or ""
    if parsed.port in (None, 443) and host.endswith(".salesforce.com"):
        return host[:-len(".salesforce.com")]
    return None


@dataclass(frozen=True, repr=False)
class SalesforceErrors(VendorErrors):
    """:class:`VendorErrors` that read simple-salesforce's exceptions and Salesforce's codes."""

    limit_backoff: float = field(default=300.0, kw_only=True)

    def translate(self, exc: BaseException, what: str) -> VendorError:
        """As the kit's, with simple-salesforce's exceptions (status and parsed body)."""
        if isinstance(exc, SalesforceAuthenticationFailed):
            return VendorError(f"{what}: Salesforce refused the login ({exc.code}: "
                               f"{exc.message}); check SLA_BRIDGE_SALESFORCE__USERNAME and "
                               "its password and security token, or the connected app "
                               "(CLIENT_ID, PRIVATE_KEY_FILE)", platform=self.platform,
                               retryable=False, status=401)
        if isinstance(exc, SalesforceError):
            content = exc.content
            body = content if isinstance(content, str | bytes) else json.dumps(content)
            return self.from_answer(what, exc.status, {}, body)
        return super().translate(exc, what)

    def from_answer(self, what: str, status: int, headers: Mapping[str, str],
                    body: str | bytes, reason: str = "") -> VendorError:
        """Salesforce's answer: its error codes decide what is retried and after how long."""
        codes = error_codes(body)
        words = vendor_message(body, reason)
        message = f"{what}: Salesforce answered {status}: {words}"
        if LIMIT_CODE in codes:
            return VendorError(f"{message} (the org's API request limit; retried in "
                               f"{self.limit_backoff:.0f} s)", platform=self.platform,
                               retryable=True, status=status, retry_after=self.limit_backoff)
        if LOCKED_CODE in codes:
            return VendorError(f"{message} (the case is locked, usually by a pending "
                               "approval: approve or recall it, or give the integration user "
                               "'Modify All' on Case)", platform=self.platform,
                               retryable=False, status=status)
        if codes & RETRYABLE_CODES or status >= 500:
            return VendorError(message, platform=self.platform, retryable=True, status=status)
        if status == 401:
            message += (" (check SLA_BRIDGE_SALESFORCE__ACCESS_TOKEN, or configure password "
                        "or JWT credentials, which the bridge renews)")
        for code, hint in HINTS.items():
            if code in codes:
                message += f" ({hint})"
        return VendorError(message, platform=self.platform, retryable=False, status=status)


def error_codes(body: str | bytes) -> set[str]:
    """The ``errorCode`` values of a Salesforce error list (``[{"errorCode": ...}]``)."""
    try:
        data = json.loads(body)
    except (ValueError, TypeError):
        return set()
    items = data if isinstance(data, list) else [data]
    return {str(i.get("errorCode")) for i in items if isinstance(i, dict) and i.get("errorCode")}


def exception_codes(exc: SalesforceError) -> set[str]:
    """The ``errorCode`` values of the answer a simple-salesforce exception carries."""
    content = exc.content
    return error_codes(content if isinstance(content, str | bytes) else json.dumps(content))


def salesforce_errors(settings: SalesforceSettings, clock: Clock) -> SalesforceErrors:
    """The translator of the plugin's failures (``requests``' and simple-salesforce's)."""
    return SalesforceErrors(PLATFORM, "Salesforce", clock, timeouts=(requests.Timeout,),
                            disconnects=(requests.ConnectionError,),
                            transport=(requests.RequestException,),
                            retryable_statuses=frozenset(),
                            limit_backoff=settings.limit_backoff_seconds)


class SalesforceClient:
    """One org: a ``simple_salesforce.Salesforce`` per thread, sharing one access token."""

    def __init__(self, settings: SalesforceSettings, clock: Clock | None = None) -> None:
        self.settings = settings
        self.errors = salesforce_errors(settings, clock or SystemClock())
        self._local = threading.local()
        self._token_lock = threading.Lock()
        self._token: str | None = settings.access_token.get_secret_value() or None
        self._sessions: list[BridgeSession] = []  # every thread's, to close them all
        self._sessions_lock = threading.Lock()

    def __repr__(self) -> str:
        return (f"SalesforceClient(instance_url={self.settings.instance_url!r}, "
                f"credentials={self.settings.credential_mode()!r})")

    @property
    def renewable(self) -> bool:
        """Whether an expired token can be replaced (password or JWT credentials)."""
        return self.settings.credential_mode() in ("password", "JWT bearer")

    def _login(self) -> str:
        settings = self.settings
        login = settings.login_url or SALESFORCE_LOGIN
        domain = _salesforce_domain(login) or "login"
        session = self.session
        if settings.credential_mode() == "password":
            token, _ = SalesforceLogin(
                username=settings.username, password=settings.password.get_secret_value(),
                security_token=settings.security_token.get_secret_value(),
                sf_version=settings.api_version, domain=domain, session=session)
        else:
            token, _ = SalesforceLogin(
                username=settings.username, consumer_key=settings.client_id,
                privatekey_file=str(settings.private_key_file), domain=domain,
                session=session)
        return str(token)

    def token(self, renew_from: str | None = None) -> str:
        """The access token; with ``renew_from`` (a token Salesforce refused) a new one, unless
        another thread renewed it already."""
        with self._token_lock:
            if self._token is None or (renew_from is not None and self._token == renew_from):
                self._token = self._login()
            return self._token

    @property
    def session(self) -> BridgeSession:
        """This thread's session."""
        session: BridgeSession | None = getattr(self._local, "session", None)
        if session is None:
            session = BridgeSession(self.settings)
            self._local.session = session
            with self._sessions_lock:
                self._sessions.append(session)
        return session

    def close(self) -> None:
        """Close every thread's connections (their next call opens new ones)."""
        with self._sessions_lock:
            sessions, self._sessions = self._sessions, []
        for session in sessions:
            session.close()

    @property
    def sf(self) -> Salesforce:
        """This thread's client with the current token (direct mode: no call is made)."""
        token = self.token()
        client: Salesforce | None = getattr(self._local, "sf", None)
        if client is None or getattr(self._local, "token", None) != token:
            client = Salesforce(session_id=token, instance_url=self.settings.instance_url,
                                version=self.settings.api_version, session=self.session)
            self._local.sf = client
            self._local.token = token
        return client

    def call(self, work: Callable[[Salesforce], _T]) -> _T:
        """Run ``work`` with the client; after an expired session, log in again once."""
        client = self.sf
        try:
            return work(client)
        except SalesforceExpiredSession:
            if not self.renewable:
                raise
            self.token(renew_from=client.session_id)
            return work(self.sf)

    # -- calls -----------------------------------------------------------------------------

    def query(self, soql: str) -> list[dict[str, Any]]:
        """Every record a SOQL query finds, following ``nextRecordsUrl``."""
        answer = self.call(lambda sf: sf.query_all(soql))
        return [dict(r) for r in answer.get("records") or []]

    def update(self, object_name: str, record_id: str, data: Mapping[str, Any],
               headers: Mapping[str, str] | None = None) -> None:
        """``PATCH /sobjects/{object}/{id}``: one update of several fields."""
        self.call(lambda sf: getattr(sf, object_name).update(
            record_id, dict(data), headers=dict(headers or {})))

    def create(self, object_name: str, data: Mapping[str, Any]) -> str:
        """``POST /sobjects/{object}/``; the new record's id."""
        answer = self.call(lambda sf: getattr(sf, object_name).create(dict(data)))
        return str(answer["id"])

    def upsert(self, object_name: str, key_field: str, key: str, data: Mapping[str, Any],
               headers: Mapping[str, str] | None = None) -> str | None:
        """``PATCH /sobjects/{object}/{field}/{key}``: create or update by External ID; the
        record's id when Salesforce's answer names it."""
        from simple_salesforce.format import format_external_id

        response = self.call(lambda sf: getattr(sf, object_name).upsert(
            format_external_id(key_field, key), dict(data), raw_response=True,
            headers=dict(headers or {})))
        try:
            answer = response.json() if response.content else {}
        except ValueError:
            return None
        found = answer.get("id") if isinstance(answer, dict) else None
        return str(found) if found else None

    def restful(self, path: str, method: str = "GET", body: Any = None) -> Any:
        """A REST resource below ``/services/data/vXX.X/`` (``process/approvals/``)."""
        return self.call(lambda sf: sf.restful(path, method=method, json=body))

    def user_id(self) -> str:
        """The integration user's id, from ``/services/oauth2/userinfo``."""
        info = self.call(lambda sf: sf.oauth2("userinfo"))
        if not isinstance(info, Mapping) or not info.get("user_id"):
            raise VendorError("look up the integration user: /services/oauth2/userinfo "
                              "returned no user_id; set SLA_BRIDGE_SALESFORCE__BRIDGE_USER_ID",
                              platform=PLATFORM, retryable=False)
        return str(info["user_id"])
