"""Helpers of the plugin's tests: Outbound Message envelopes as Salesforce sends them, the
plugin's settings and platform pointed at the sandbox, the org's people and fields."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from xml.sax.saxutils import escape

from sla_bridge.clock import Clock
from sla_bridge.platforms import WebhookRequest
from sla_bridge.settings import Settings, load_settings
from sla_bridge_salesforce.outbound import OUTBOUND, SOAP_ENV, SOBJECT, XSI
from sla_bridge_salesforce.platform import SalesforcePlatform
from sla_bridge_salesforce.sandbox import Sandbox
from sla_bridge_salesforce.settings import ENV_PREFIX, SalesforceSettings

# Makes platforms on the sandbox with settings by their short names (``status_map=...``).
PlatformFactory = Callable[..., SalesforcePlatform]

ORG_ID = "00D5g000004XyZaEAK"
FLOW_SECRET = "flow-secret-for-tests"
# The Case and Account fields the default mapping reads and writes (setup creates them).
CASE_TEXT_FIELDS = ("SLA_Vendor_Severity__c", "SLA_Product__c", "SLA_Version__c",
                    "SLA_First_Response_Due__c", "SLA_Next_Update_Due__c",
                    "SLA_Escalation_Reason__c", "SLA_Escalation_Severity__c",
                    "SLA_Escalation_Contact__c", "SLA_Escalation_Decision__c",
                    "SLA_Escalation_Decision_Reason__c", "SLA_Tags__c")
ACCOUNT_TEXT_FIELDS = ("SLA_Support_Plan__c", "SLA_Support_Location__c")
# The Contact checkbox of the Accounts' registered admins (REGISTERED_ADMIN_FIELD's default).
REGISTERED_ADMIN = "SLA_Registered_Admin__c"


def envelope(organization_id: str, notifications: Sequence[tuple[str, str, Mapping[str, Any]]],
             action_id: str = "04k5g000000CcXIAA0") -> bytes:
    """A ``notifications`` message as Salesforce sends it (the structure of the WSDL's
    documented example): ``(notification id, object type, fields)`` each."""
    parts = []
    for notification_id, object_type, fields in notifications:
        values = "".join(
            f'<sf:{name} xsi:nil="true"/>' if value is None else
            f"<sf:{name}>{escape(_wire(value))}</sf:{name}>" for name, value in fields.items())
        parts.append(f"<Notification><Id>{notification_id}</Id>"
                     f'<sObject xsi:type="sf:{object_type}" xmlns:sf="{SOBJECT}">{values}'
                     "</sObject></Notification>")
    return ('<?xml version="1.0" encoding="UTF-8"?>'
            f'<soapenv:Envelope xmlns:soapenv="{SOAP_ENV}" '
            'xmlns:xsd="http://www.w3.org/2001/XMLSchema" '
            f'xmlns:xsi="{XSI}"><soapenv:Body><notifications xmlns="{OUTBOUND}">'
            f"<OrganizationId>{organization_id}</OrganizationId><ActionId>{action_id}</ActionId>"
            '<SessionId xsi:nil="true"/>'
            "<EnterpriseUrl>https://acme.my.salesforce.com/services/Soap/c/66.0</EnterpriseUrl>"
            "<PartnerUrl>https://acme.my.salesforce.com/services/Soap/u/66.0</PartnerUrl>"
            + "".join(parts) + "</notifications></soapenv:Body></soapenv:Envelope>").encode()


def _wire(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def case_notification(notification_id: str, case_id: str, **fields: Any,
                      ) -> tuple[str, str, dict[str, Any]]:
    """A Case notification with the fields the bridge's Outbound Message selects."""
    return (notification_id, "Case", {"Id": case_id, "CaseNumber": "00001026",
                                      "IsClosed": False, "Status": "Working",
                                      "LastModifiedById": "0055g00000Agnt1AAC",
                                      "LastModifiedDate": "2026-11-23T14:00:00.000Z",
                                      **fields})


def soap_request(body: bytes, received_at: datetime, *, query: Mapping[str, str] | None = None,
                 headers: Mapping[str, str] | None = None) -> WebhookRequest:
    """An Outbound Message POST as the bridge's server hands it to the platform."""
    return WebhookRequest(headers={"content-type": "text/xml; charset=utf-8", "soapaction": '""',
                                   **(headers or {})},
                          body=body, received_at=received_at, query=dict(query or {}))


def settings_of(environ: Mapping[str, str]) -> SalesforceSettings:
    """The plugin's section read from ``environ`` only."""
    return load_settings(environ=dict(environ)).section(SalesforceSettings)


def offline_settings(**variables: str) -> SalesforceSettings:
    """Settings of an org nobody calls (parsing webhooks never does)."""
    return settings_of({f"{ENV_PREFIX}INSTANCE_URL": "https://acme.my.salesforce.com",
                        f"{ENV_PREFIX}ORGANIZATION_ID": ORG_ID,
                        f"{ENV_PREFIX}ACCESS_TOKEN": "token-value-1234",
                        f"{ENV_PREFIX}FLOW_SECRET": FLOW_SECRET,
                        **{f"{ENV_PREFIX}{k.upper()}": v for k, v in variables.items()}})


def environment_for(sandbox: Sandbox, **variables: str) -> dict[str, str]:
    """The plugin's variables for the sandbox (``variables`` by their short names)."""
    return {**sandbox.plugin_env(), f"{ENV_PREFIX}FLOW_SECRET": FLOW_SECRET,
            f"{ENV_PREFIX}API_VERSION": "66.0",
            **{f"{ENV_PREFIX}{k.upper()}": v for k, v in variables.items()}}


def platform_for(sandbox: Sandbox, clock: Clock, **variables: str) -> SalesforcePlatform:
    """The platform on the sandbox, through the real simple-salesforce over HTTPS."""
    return SalesforcePlatform(settings_of(environment_for(sandbox, **variables)), clock)


@dataclass(frozen=True)
class Org:
    """The sandbox org's people: Gold Corp's customer (its registered admin), an agent, a
    manager, a queue."""

    account: dict[str, Any]
    customer: dict[str, Any]
    agent: dict[str, Any]
    manager: dict[str, Any]
    tier2: dict[str, Any]

    @classmethod
    def on(cls, sandbox: Sandbox) -> Org:
        """Seed the org (and the fields the default mapping uses)."""
        for name in CASE_TEXT_FIELDS:
            sandbox.add_field("Case", name)
        sandbox.add_field("Case", "SLA_Bridge_Key__c", external_id=True, length=80)
        sandbox.add_field("Case", "SLA_Approval_Requested__c", "boolean")
        for name in ACCOUNT_TEXT_FIELDS:
            sandbox.add_field("Account", name)
        sandbox.add_field("Contact", REGISTERED_ADMIN, "boolean")
        if "On Hold" not in _statuses(sandbox):
            sandbox.add_case_status("On Hold")
        account = sandbox.add_account("Gold Corp", SLA_Support_Plan__c="gold",
                                      SLA_Support_Location__c="usa")
        customer = sandbox.add_contact("Grace Customer", "grace@gold.test", account["Id"],
                                       **{REGISTERED_ADMIN: True})
        agent = sandbox.add_agent("Ada Agent", "ada@vendor.test")
        manager = sandbox.add_agent("Morgan Manager", "morgan@vendor.test")
        tier2 = sandbox.add_queue("Tier 2", "Tier2")
        return cls(account, customer, agent, manager, tier2)


def _statuses(sandbox: Sandbox) -> list[str]:
    return [str(s.get("MasterLabel")) for s in sandbox.store.find("CaseStatus")]


class SalesforceHelpdesk:
    """The sandbox as :class:`sla_bridge.testing.BridgeHarness` drives a platform: an Outbound
    Message on Case pointed at the bridge, sent on demand."""

    platform = "salesforce"

    def __init__(self, sandbox: Sandbox, **variables: str) -> None:
        self.sandbox = sandbox
        self.variables = variables

    def plugin_environment(self) -> Mapping[str, str]:
        """The plugin pointed at the sandbox."""
        return environment_for(self.sandbox, **self.variables)

    def connect(self, bridge_url: str, settings: Settings) -> None:
        """The Outbound Messages an admin (or setup) defines, to the bridge: Case changes, and
        new CaseComments and EmailMessages (a reply does not change its case)."""
        endpoint = f"{bridge_url}/webhooks/salesforce"
        self.sandbox.add_outbound_message(endpoint)
        for object_name in ("CaseComment", "EmailMessage"):
            self.sandbox.add_outbound_message(
                endpoint, object_name=object_name, name=f"SLA_Bridge_{object_name}",
                fields=("ParentId", "CreatedById", "LastModifiedById", "LastModifiedDate"))

    def deliver(self) -> None:
        """Send what the sandbox has queued."""
        self.sandbox.flush_outbound()

    def close(self) -> None:
        """The test's fixture stops the sandbox."""
