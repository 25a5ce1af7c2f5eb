"""A small, faithful Salesforce Service Cloud org for tests, the demo and trying the bridge.

::

    from sla_bridge_salesforce.sandbox import Sandbox

    with Sandbox() as org:                          # serves https://127.0.0.1:<port>
        acme = org.add_account("Acme", Support_Plan__c="gold", Support_Location__c="usa")
        alice = org.add_contact("Alice Doe", "alice@acme.test", acme["Id"])
        case = org.open_case(alice["Id"], "Restore fails", "...", Priority="High")
        sf = org.client()                           # simple-salesforce over HTTPS, as the bridge
        env = org.plugin_env()                      # SLA_BRIDGE_SALESFORCE__* for the plugin

**HTTPS** with a throw-away CA made by trustme: :attr:`Sandbox.ca_file` is what
``SLA_BRIDGE_SALESFORCE__CA_BUNDLE`` (or ``requests.Session.verify``) points at;
:meth:`Sandbox.session` is such a session, :meth:`Sandbox.client` a ``Salesforce(instance_url=,
session_id=, session=, version=)`` on it.

**REST** (any ``vNN.N``, trailing slashes optional; see :mod:`._routes_data`):
``GET /services/data/``; ``sobjects/`` and ``sobjects/{Object}/describe`` (fields with
``externalId``); ``POST sobjects/{Object}/`` (201 ``{"id", "success", "errors"}``);
``GET|PATCH|DELETE sobjects/{Object}/{id}`` (PATCH and DELETE 204); ``GET|PATCH
sobjects/{Object}/{ExternalIdField}/{value}`` (upsert: 201 created, 200 updated, 300 when
several match); ``query/?q=`` with ``nextRecordsUrl`` paging (:mod:`._soql` says which SOQL);
``process/approvals/`` (:mod:`._approvals`); ``/services/oauth2/token`` (JWT bearer,
password) and ``/services/Soap/u/{version}`` login (:mod:`._routes_auth`). Objects: Case,
Account, Contact, User, Group (queues), CaseComment, EmailMessage, CaseStatus, Entitlement,
CaseMilestone, ProcessInstance, ProcessInstanceStep, ProcessInstanceWorkitem. Errors are JSON
arrays ``[{"message", "errorCode", "fields"}]``: 401 ``INVALID_SESSION_ID``, 400
``INVALID_FIELD_FOR_INSERT_UPDATE`` (``IsClosed``, ``CaseNumber`` ... are computed),
``INVALID_FIELD``, ``INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST``, ``ENTITY_IS_LOCKED`` (a case
pending approval), ``DUPLICATE_VALUE``, ``MALFORMED_QUERY``; 404 ``NOT_FOUND`` /
``ENTITY_IS_DELETED``. Every API answer has ``Sforce-Limit-Info: api-usage=n/limit``.

**The bridge** is the user :attr:`Sandbox.bridge_user_id` with :attr:`Sandbox.access_token`
(also ``username`` / ``password`` + ``security_token`` for the SOAP login and the password
grant, and :meth:`Sandbox.add_connected_app` for the JWT bearer flow).

**Faults and limits** (the kit's :meth:`inject`, :meth:`fail_next`, :meth:`slow_next`,
:meth:`drop_next` with ``after_processing=True`` for "done, answer lost"; plus
:meth:`limit_exceeded_next` 403 ``REQUEST_LIMIT_EXCEEDED``, :meth:`overloaded_next` 503,
:meth:`lock_row_next` 400 ``UNABLE_TO_LOCK_ROW``, :meth:`expire_sessions`; none with
``Retry-After``). ``rate_limit`` is the org's daily API request limit.

**Outbound Messages** (:mod:`._outbound`): :meth:`add_outbound_message` points one at the
bridge; changes queue notifications, sent in messages of up to 100 with the latest record
data, acknowledged only by ``notificationsResponse``/``Ack`` true, retried on the clock
(30 s doubling to 2 h) until 24 hours old; :meth:`deliver_outbound` sends what is due now
(a background thread does too unless ``autosend=False``), :meth:`flush_outbound` waits;
:meth:`lose_outbound`, :meth:`duplicate_outbound`, :attr:`foreign_org_id`;
:attr:`outbound_messages` has every message with its attempts and bodies. The bridge's own
writes fire them too, with ``LastModifiedById`` = :attr:`bridge_user_id`.
**Flow HTTP callouts** (:mod:`._flow`): :meth:`add_flow_callout`, JSON with the
``X-Sla-Bridge-Secret`` header, through the kit's sender (:attr:`deliveries`).

**People** (:class:`._desk.Desk`, also as methods here): :meth:`add_account`,
:meth:`add_contact`, :meth:`add_agent`, :meth:`add_queue`, :meth:`add_field`,
:meth:`add_case_status`, :meth:`add_approval_process`; :meth:`open_case`,
:meth:`customer_reply` (an EmailMessage; a closed case stays closed), :meth:`comment`,
:meth:`update_case`, :meth:`approve` / :meth:`reject`; :meth:`case` reads a case with its
comments, emails, history and approvals. Time is the ``clock`` given (virtual in tests).
From another process: the kit's ``/_sandbox`` routes and :mod:`._routes_control`'s.
Run it standalone with ``python -m sla_bridge_salesforce.sandbox``.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from starlette.routing import BaseRoute
from starlette.types import ASGIApp

from sla_bridge.sandbox import Delivery, Fault, HelpdeskSandbox, quiet_config

from ._app import build_app, canonical_path, is_api
from ._approvals import ApprovalProcess
from ._desk import Desk
from ._errors import SALESFORCE_REPLIES
from ._flow import FLOW_RETRY, FlowCallout, FlowCallouts
from ._org import Org
from ._outbound import Message, OutboundMessage, OutboundSender
from ._routes_control import control_routes
from ._schema import Field
from ._store import Record
from ._tls import CloseAfterEachAnswer, SandboxTls

if TYPE_CHECKING:
    import requests
    from simple_salesforce.api import Salesforce

__all__ = ["API_VERSION", "BRIDGE_PASSWORD", "BRIDGE_SECURITY_TOKEN", "BRIDGE_USERNAME",
           "CASE_FIELDS", "Message", "OutboundMessage", "Sandbox"]

API_VERSION = "62.0"
BRIDGE_USERNAME = "sla-bridge@sandbox.test"
BRIDGE_PASSWORD = "sandbox-password"
BRIDGE_SECURITY_TOKEN = "sandboxSecurityToken"
#: The Case fields an Outbound Message sends by default (what the plugin maps).
CASE_FIELDS = ("CaseNumber", "Subject", "Status", "IsClosed", "ClosedDate", "Priority",
               "Origin", "OwnerId", "ContactId", "AccountId", "ParentId", "IsEscalated",
               "CreatedDate", "LastModifiedDate", "LastModifiedById")
#: The custom fields the org has from the start (those the plugin's default mapping names).
DEFAULT_FIELDS = (
    ("Case", Field("SLA_Bridge_Key__c", external_id=True, unique=True, length=80)),
    *(("Case", Field(name)) for name in (
        "SLA_Vendor_Severity__c", "SLA_Product__c", "SLA_Version__c",
        "SLA_Escalation_Reason__c", "SLA_Escalation_Severity__c",
        "SLA_Escalation_Contact__c", "SLA_Escalation_Decision__c",
        "SLA_Escalation_Decision_Reason__c")),
    # Text, as the plugin writes them (ISO 8601 instants, read back as written).
    ("Case", Field("SLA_First_Response_Due__c")), ("Case", Field("SLA_Next_Update_Due__c")),
    ("Case", Field("SLA_Tags__c")),
    ("Case", Field("SLA_Approval_Requested__c", "boolean")),
    ("Account", Field("SLA_Support_Plan__c")), ("Account", Field("SLA_Support_Location__c")),
    ("Contact", Field("SLA_Registered_Admin__c", "boolean")))


class Sandbox(HelpdeskSandbox, Desk):
    """A Service Cloud org on loopback over HTTPS, with the bridge's integration user.

    ``clock`` is the org's time (a ``FixedClock`` in tests: record dates and the Outbound
    Message retry schedule follow it); ``rate_limit`` is the API requests allowed per 24 hours
    (real time, as the kit counts them); ``page_size`` the records per query page;
    ``outbound_timeout`` how long an Outbound Message waits for the ack; ``autosend=False``
    sends Outbound Messages only from :meth:`deliver_outbound`; ``access_token`` fixes the
    bridge's token (a new one by default).
    """

    title = "Salesforce sandbox"
    scheme = "https"

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, clock: Any = None,
                 api_version: str = API_VERSION, rate_limit: int = 100_000,
                 page_size: int = 2000, outbound_timeout: float = 60.0,
                 autosend: bool = True, access_token: str | None = None) -> None:
        super().__init__(host=host, port=port, clock=clock, rate_limit=rate_limit,
                         rate_window=24 * 3600.0, replies=SALESFORCE_REPLIES, retry=FLOW_RETRY,
                         is_api=is_api, canonical_path=canonical_path)
        self.api_version = api_version
        self.org = Org(self.clock, page_size=page_size)
        for object_name, definition in DEFAULT_FIELDS:
            self.org.schema.add_field(object_name, definition)
        Desk.__init__(self, self.org)
        self.tls = SandboxTls()
        bridge = self.org.add_user("SLA Bridge", BRIDGE_USERNAME, username=BRIDGE_USERNAME)
        self.bridge_user_id: str = bridge["Id"]
        self.access_token = access_token or self.org.issue_token(self.bridge_user_id)
        self.org.add_token(self.access_token, self.bridge_user_id)
        self.org.set_password(BRIDGE_USERNAME, BRIDGE_PASSWORD, BRIDGE_SECURITY_TOKEN,
                              self.bridge_user_id)
        self.outbound = OutboundSender(self.store, organization_id=lambda: self.organization_id,
                                       instance_url=lambda: self.base_url,
                                       session_for=self.org.issue_token,
                                       timeout=outbound_timeout, version=api_version)
        self.flows = FlowCallouts(self.store, self.sender, self.organization_id)
        self.autosend = autosend

    # -- what the kit asks of a platform ----------------------------------------------

    def build_app(self) -> ASGIApp:
        """Salesforce's REST API (:mod:`._app`)."""
        return build_app(self.org)

    def server_config(self) -> Any:
        """uvicorn serving the API over TLS with the sandbox's certificate."""
        return quiet_config(CloseAfterEachAnswer(self.app),
                            ssl_certfile=str(self.tls.cert_file),
                            ssl_keyfile=str(self.tls.key_file))

    def extra_control_routes(self) -> list[BaseRoute]:
        """A customer's reply, an approver's decision, the Outbound Messages
        (:mod:`._routes_control`)."""
        return control_routes(self)

    def webhook_headers(self, delivery: Delivery) -> dict[str, str]:
        """A Flow callout's headers (its Named Credential's secret)."""
        return self.flows.headers(delivery)

    def plugin_env(self) -> dict[str, str]:
        """The ``SLA_BRIDGE_SALESFORCE__*`` variables that point the plugin at this org."""
        env = {"SLA_BRIDGE_SALESFORCE__INSTANCE_URL": self.base_url,
               "SLA_BRIDGE_SALESFORCE__ORGANIZATION_ID": self.organization_id,
               "SLA_BRIDGE_SALESFORCE__ACCESS_TOKEN": self.access_token,
               "SLA_BRIDGE_SALESFORCE__CA_BUNDLE": str(self.ca_file),
               "SLA_BRIDGE_SALESFORCE__API_VERSION": self.api_version}
        if self.flows.flows:
            env["SLA_BRIDGE_SALESFORCE__FLOW_SECRET"] = self.flows.flows[0].secret
        return env

    def start(self) -> str:
        """Serve (HTTPS) and, with ``autosend``, send Outbound Messages from a thread."""
        url = super().start()
        if self.autosend:
            self.outbound.start()
        return url

    def stop(self) -> None:
        """Stop sending and serving; remove the TLS files only when done for good."""
        self.outbound.stop()
        super().stop()

    def close(self) -> None:
        """Stop and remove the CA and certificate files."""
        self.stop()
        self.tls.cleanup()

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # -- the org ---------------------------------------------------------------------

    @property
    def organization_id(self) -> str:
        """The org's 18-character id (``00D...``)."""
        return self.org.organization_id

    @property
    def ca_file(self) -> str:
        """The CA certificate file clients trust."""
        return str(self.tls.ca_file)

    @property
    def url(self) -> str:
        """The same as :attr:`instance_url`."""
        return self.base_url

    @property
    def instance_url(self) -> str:
        """``https://127.0.0.1:<port>``, as ``Salesforce(instance_url=...)`` takes it."""
        return self.base_url

    def session(self) -> requests.Session:
        """A ``requests.Session`` trusting the sandbox's CA.

        It ignores the environment: requests lets ``REQUESTS_CA_BUNDLE`` / ``CURL_CA_BUNDLE``
        override a session's ``verify`` (psf/requests#4726, #3829), which would make the sandbox's
        CA unknown in a shell that sets them (no proxy is needed on loopback either).
        """
        import requests

        session = requests.Session()
        session.verify = self.ca_file
        session.trust_env = False
        return session

    def client(self, token: str | None = None, version: str | None = None) -> Salesforce:
        """simple-salesforce on the bridge's token (or ``token``), as the plugin builds it."""
        from simple_salesforce.api import Salesforce

        return Salesforce(instance_url=self.base_url, session_id=token or self.access_token,
                          session=self.session(), version=version or self.api_version)

    def add_case_status(self, label: str, *, closed: bool = False) -> Record:
        """Another Case Status (``closed``: cases with it are closed)."""
        return self.org.add_case_status(label, closed=closed)

    def add_approval_process(self, name: str, approver_ids: Iterable[str], *,
                             on_approve: dict[str, Any] | None = None,
                             on_reject: dict[str, Any] | None = None) -> ApprovalProcess:
        """An approval process for Case with these approvers, and the field updates its
        approval and rejection make (e.g. ``{"OwnerId": tier2_queue}``)."""
        return self.org.approvals.add(name, list(approver_ids), on_approve=on_approve,
                                      on_reject=on_reject)

    def approve(self, target_id: str, approver_id: str,
                comments: str | None = None) -> dict[str, Any]:
        """Approve as the approver (``target_id``: the work item or its case)."""
        return self.decide(target_id, approver_id, "Approve", comments)

    def reject(self, target_id: str, approver_id: str,
               comments: str | None = None) -> dict[str, Any]:
        """Reject as the approver (``target_id``: the work item or its case)."""
        return self.decide(target_id, approver_id, "Reject", comments)

    def add_connected_app(self, consumer_key: str, *, consumer_secret: str | None = None,
                          public_key_pem: str | None = None) -> None:
        """A connected app for the password grant (secret) or the JWT bearer flow (the
        public key of the certificate uploaded to it)."""
        self.org.add_connected_app(consumer_key, consumer_secret=consumer_secret,
                                   certificate_pem=public_key_pem)

    # -- faults ----------------------------------------------------------------------

    def limit_exceeded_next(self, count: int = 1, **match: Any) -> Fault:
        """403 ``REQUEST_LIMIT_EXCEEDED`` (the org's API limit; no ``Retry-After``)."""
        return self.inject("status", count, status=403, **match)

    def rate_limit_next(self, count: int = 1, retry_after: float = 1, **match: Any) -> Fault:
        """Salesforce's rate limit is the 403 above, never a 429."""
        return self.limit_exceeded_next(count, **match)

    def overloaded_next(self, count: int = 1, **match: Any) -> Fault:
        """503 ``SERVER_UNAVAILABLE`` (no ``Retry-After``)."""
        return self.inject("status", count, status=503, **match)

    def lock_row_next(self, count: int = 1, **match: Any) -> Fault:
        """400 ``UNABLE_TO_LOCK_ROW`` (a concurrent write held the record)."""
        return self.inject("status", count, status=400, **match)

    def expire_sessions(self) -> str:
        """Expire every access token; the bridge's new one (the sandbox's token changes)."""
        self.org.revoke_tokens()
        self.access_token = self.org.issue_token(self.bridge_user_id)
        return self.access_token

    # -- Outbound Messages and Flows -------------------------------------------------

    def add_outbound_message(self, endpoint: str, *, object_name: str = "Case",
                             fields: Iterable[str] = CASE_FIELDS, name: str = "SLA_Bridge",
                             send_session_id: bool = False,
                             silent_user_ids: Iterable[str] = ()) -> OutboundMessage:
        """An Outbound Message on ``object_name`` to ``endpoint``, fired by every create
        and update (a record-triggered Flow), sent as the bridge's user."""
        return self.outbound.define(name, object_name, tuple(fields), endpoint,
                                    self.bridge_user_id, send_session_id=send_session_id,
                                    silent_user_ids=frozenset(silent_user_ids))

    def deliver_outbound(self) -> int:
        """Send what is due now (on the clock); the number of attempts made."""
        return self.outbound.deliver_due()

    def flush_outbound(self, timeout: float = 10.0) -> bool:
        """Wait until nothing is due now (retries due later do not count)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.autosend:
                self.deliver_outbound()
            if self.outbound.idle():
                return True
            time.sleep(0.02)
        return False

    @property
    def outbound_messages(self) -> list[Message]:
        """Every SOAP message so far, with its attempts."""
        return list(self.outbound.messages)

    def lose_outbound(self, count: int = 1) -> None:
        """Never send the next ``count`` messages."""
        self.outbound.lose_next += count

    def duplicate_outbound(self, count: int = 1) -> None:
        """Deliver the next ``count`` acknowledged messages a second time."""
        self.outbound.repeat_next += count

    @property
    def foreign_org_id(self) -> str | None:
        """When set, messages carry this other org's id (for the bridge's 401)."""
        return self.outbound.foreign_org_id

    @foreign_org_id.setter
    def foreign_org_id(self, value: str | None) -> None:
        self.outbound.foreign_org_id = value

    def add_flow_callout(self, endpoint: str, secret: str, *, object_name: str = "Case",
                         fields: Iterable[str] = CASE_FIELDS,
                         name: str = "SLA_Bridge_Callout") -> FlowCallout:
        """A record-triggered Flow posting JSON to ``endpoint`` with the secret header."""
        return self.flows.define(FlowCallout(name, object_name, tuple(fields), endpoint,
                                             secret))
