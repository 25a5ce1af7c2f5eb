"""The real bridge on the Salesforce sandbox org, on a virtual clock: the loop the demo, the
conformance suite and the end-to-end tests play on.

::

    from sla_bridge_salesforce.loop import BridgeOnSandbox

    def seed(org):                                     # before the bridge reads its settings
        acme = org.add_account("Acme", SLA_Support_Plan__c="gold")
        morgan = org.add_agent("Morgan", "morgan@vendor.test")
        return {"SLA_BRIDGE_SALESFORCE__APPROVERS": json.dumps({"managers": [morgan["Id"]]})}

    world = BridgeOnSandbox(folder, start=datetime(2026, 11, 30, 9, tzinfo=CENTRAL),
                            policies=["code42-enterprise"], seed=seed)
    world.start()                   # the bridge serves, the org's Outbound Messages point at it
    case = world.sandbox.open_case(...)
    world.settle()                  # every Outbound Message acknowledged, everything processed
    world.advance(later)            # the clock moves, the bridge's timers fire on the way
    world.close()

The loop itself is the kit's :class:`sla_bridge.testing.BridgeHarness`; this module only says
how Salesforce takes part (:class:`SalesforceSandboxHookup`): the sandbox org on the harness's
clock, the ``SLA_BRIDGE_SALESFORCE__*`` settings that point simple-salesforce at it and say how
the org is set up (its "Resolved" status, its web form's severity field, the Contacts'
registered-admin checkbox), and the org's
Outbound Messages to the bridge as the package ``sla-bridge salesforce setup`` writes defines
them (:mod:`.metadata`): one on Case and one each on CaseComment and EmailMessage (a
customer's e-mail or a comment does not change its case), with the fields setup selects, to
the endpoint with ``?secret=<ENDPOINT_SECRET>``.

The org sends its Outbound Messages only when the loop delivers (``autosend=False``), so each
step ends once every message was acknowledged and the bridge processed it; a message the
bridge did not acknowledge is retried on the virtual clock, as Salesforce retries it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, tzinfo
from pathlib import Path
from typing import TextIO
from urllib.parse import urlencode

from sla_bridge.clock import Clock
from sla_bridge.settings import Settings
from sla_bridge.testing import BridgeHarness, VirtualClock

from .inbound import SECRET_PARAMETER
from .metadata import MESSAGE_FIELDS, OUTBOUND_NAME
from .sandbox import Sandbox
from .settings import ENV_PREFIX, PLATFORM, SalesforceSettings

__all__ = ["REGISTERED_ADMIN_FIELD", "RESOLVED", "SEVERITY_FIELD", "BridgeOnSandbox",
           "SalesforceSandboxHookup"]

#: The open Case status the org uses for "solved, waiting to close" (Salesforce's standard
#: statuses have none: "Closed" is final, and a reply to a closed case opens a new one).
RESOLVED = "Resolved"
#: The Case field the org's web form (Web-to-Case) keeps the customer's severity in: the
#: standard Priority has three values (High, Medium, Low) for the policies' four severities.
SEVERITY_FIELD = "SLA_Customer_Severity__c"
#: The Contact checkbox marking an Account's registered admins (the plugin's default
#: ``REGISTERED_ADMIN_FIELD``): seeded contacts tick it.
REGISTERED_ADMIN_FIELD = "SLA_Registered_Admin__c"
DEFAULT_ENDPOINT_SECRET = "loop-endpoint-secret-0042"
#: How the bridge is configured for the sandbox org: its "Resolved" status is the neutral
#: solved one (written for solved, read as solved), the customer's severity is the web form's
#: field, look-ups never cached (a story may add people and queues at any time).
ORG_SETTINGS = {f"{ENV_PREFIX}FIELDS__CUSTOMER_SEVERITY": f"case:{SEVERITY_FIELD}",
                f"{ENV_PREFIX}STATUS_MAP": json.dumps({RESOLVED: "solved"}),
                f"{ENV_PREFIX}STATUS_TARGETS": json.dumps({"solved": RESOLVED}),
                f"{ENV_PREFIX}LOOKUP_TTL_SECONDS": "0",
                f"{ENV_PREFIX}ENDPOINT_SECRET": DEFAULT_ENDPOINT_SECRET}
Seed = Callable[[Sandbox], Mapping[str, str] | None]


class SalesforceSandboxHookup:
    """The Salesforce sandbox org as the harness drives it (a ``PlatformSandbox``)."""

    platform = "salesforce"

    def __init__(self, sandbox: Sandbox, clock: Clock,
                 environment: Mapping[str, str] | None = None) -> None:
        self.sandbox = sandbox
        self.clock = clock
        self.environment = dict(environment or {})
        self.settings: SalesforceSettings | None = None

    def plugin_environment(self) -> Mapping[str, str]:
        """The sandbox's ``SLA_BRIDGE_SALESFORCE__*`` variables and the org's configuration."""
        return {**self.sandbox.plugin_env(), **ORG_SETTINGS, **self.environment}

    def connect(self, bridge_url: str, bridge_settings: Settings) -> None:
        """The Outbound Messages setup's package defines, to the bridge's endpoint: Case
        changes, and new CaseComments and EmailMessages (which leave their case unchanged)."""
        self.settings = settings = bridge_settings.section(SalesforceSettings)
        endpoint = f"{bridge_url}/webhooks/{PLATFORM}"
        if settings.is_set("endpoint_secret"):
            secret = settings.endpoint_secret.get_secret_value()
            endpoint += f"?{urlencode({SECRET_PARAMETER: secret})}"
        for object_name, fields in MESSAGE_FIELDS.items():
            self.sandbox.add_outbound_message(
                endpoint, object_name=object_name, name=f"{object_name}.{OUTBOUND_NAME}",
                fields=tuple(f for f in fields if f != "Id"))

    def deliver(self) -> None:
        """Send the Outbound Messages due now; return once they were answered."""
        self.sandbox.flush_outbound()

    def close(self) -> None:
        """Stop the org and remove its TLS files."""
        self.sandbox.close()


class BridgeOnSandbox(BridgeHarness):
    """The Salesforce sandbox org, the bridge and the virtual clock, wired together.

    ``policies`` are the policies in force (first match wins), ``start`` the virtual instant
    the story begins at, ``environment`` extra ``SLA_BRIDGE_*`` variables in force while the
    bridge is built and works (retry settings, field mapping ...). ``seed`` adds the org's
    accounts, contacts, agents and queues before the bridge reads its settings, and returns
    the settings that name them (the approvers' user ids) or ``None``.
    """

    def __init__(self, folder: Path, *, start: datetime,
                 policies: Sequence[str] = ("code42-enterprise",), seed: Seed | None = None,
                 environment: Mapping[str, str] | None = None,
                 out: TextIO | None = None, zone: tzinfo | None = None) -> None:
        clock = VirtualClock(start)
        self.sandbox = Sandbox(clock=clock, autosend=False)
        self.sandbox.start()
        try:
            self.sandbox.add_case_status(RESOLVED)
            self.sandbox.add_field("Case", SEVERITY_FIELD)
            self.sandbox.add_field("Contact", REGISTERED_ADMIN_FIELD, "boolean")
            seeded = dict((seed(self.sandbox) or {}) if seed is not None else {})
        except BaseException:
            self.sandbox.close()
            raise
        self.hookup = SalesforceSandboxHookup(self.sandbox, clock, seeded)
        super().__init__(folder, self.hookup, clock=clock, policies=policies,
                         environment=environment, out=out, zone=zone or start.tzinfo)

    @property
    def salesforce_settings(self) -> SalesforceSettings:
        """The plugin's settings, as the wiring read them (after :meth:`start`)."""
        if self.hookup.settings is None:
            raise RuntimeError("BridgeOnSandbox.start() has not been called")
        return self.hookup.settings
