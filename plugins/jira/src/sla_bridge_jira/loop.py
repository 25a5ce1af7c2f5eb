"""The real bridge on the Jira Service Management sandbox, on a virtual clock: the loop the
demo and the end-to-end tests play on.

::

    from sla_bridge_jira.loop import BridgeOnSandbox

    def seed(site):                                    # before the bridge reads its settings
        org = site.add_organization("Acme", properties={"support_plan": "gold"})
        morgan = site.add_agent("Morgan", "morgan@vendor.test")
        return {"SLA_BRIDGE_JIRA__APPROVERS": json.dumps({"managers": [morgan["accountId"]]})}

    world = BridgeOnSandbox(folder, start=datetime(2026, 11, 30, 9, tzinfo=CENTRAL),
                            policies=["code42-enterprise"], seed=seed)
    world.start()                   # the bridge serves, the site is wired to it
    key = world.sandbox.open_request(...)
    world.settle()                  # every webhook delivered, everything processed
    world.advance(later)            # the clock moves, the bridge's timers fire on the way
    world.close()

The loop itself is the kit's :class:`sla_bridge.testing.BridgeHarness`; this module only
says how JSM takes part (:class:`JiraSandboxHookup`): the sandbox on the harness's clock,
the ``SLA_BRIDGE_JIRA__*`` settings that point the ``jira`` client at it and say how the site
is set up (the approval status, the team field: the admin's choices), and wiring the site the
way ``sla-bridge jira setup`` does (:class:`~.provision.Provisioner`: the admin webhook signed
with the bridge's secret, the custom fields the field mapping names).

Unlike Zendesk's, the bridge's Jira settings name accounts of the site (the approvers'
accountIds, ``SLA_BRIDGE_JIRA__APPROVERS``): the site is seeded (``seed``) before the bridge
reads its settings, and ``seed`` returns the settings that depend on it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, tzinfo
from pathlib import Path
from typing import TextIO

from sla_bridge.clock import Clock
from sla_bridge.settings import Settings
from sla_bridge.testing import BridgeHarness, VirtualClock, describe_decision

from .client import JiraClient
from .provision import Provisioner
from .sandbox import Sandbox
from .settings import ENV_PREFIX, JiraSettings

__all__ = ["GROUP_FIELD", "BridgeOnSandbox", "JiraSandboxHookup", "describe_decision"]

DEFAULT_SECRET = "loop-webhook-signing-secret-0042"
#: The group picker field that holds the team a request is with (Jira issues have no group).
GROUP_FIELD = "Support team"
#: How the bridge is configured for the sandbox's site: its workflow's approval status, the
#: team field, and look-ups never cached (a story may add fields and people at any time).
SITE_SETTINGS = {f"{ENV_PREFIX}APPROVAL_STATUS": "Waiting for approval",
                 f"{ENV_PREFIX}FIELDS__GROUP": f"field:{GROUP_FIELD}",
                 f"{ENV_PREFIX}LOOKUP_TTL_SECONDS": "0"}

Seed = Callable[[Sandbox], Mapping[str, str] | None]


class JiraSandboxHookup:
    """The JSM sandbox as the harness drives it (a ``PlatformSandbox``)."""

    platform = "jira"

    def __init__(self, sandbox: Sandbox, clock: Clock,
                 environment: Mapping[str, str] | None = None) -> None:
        self.sandbox = sandbox
        self.clock = clock
        self.environment = dict(environment or {})
        self.settings: JiraSettings | None = None

    def plugin_environment(self) -> Mapping[str, str]:
        """The sandbox's ``SLA_BRIDGE_JIRA__*`` variables and the site's configuration."""
        return {**self.sandbox.plugin_env(), **SITE_SETTINGS, **self.environment}

    def connect(self, bridge_url: str, bridge_settings: Settings) -> None:
        """What ``sla-bridge jira setup --bridge-url URL`` does, against the sandbox: the
        admin webhook, the custom fields the field mapping names (the team field a group
        picker)."""
        self.settings = settings = bridge_settings.section(JiraSettings)
        provisioner = Provisioner(JiraClient(settings, self.clock), settings,
                                  bridge_url, mode="webhook")
        provisioner.plan().apply()

    def deliver(self) -> None:
        """Wait until the sandbox has sent its queued webhooks."""
        self.sandbox.flush(10)

    def close(self) -> None:
        """Stop the sandbox."""
        self.sandbox.stop()


class BridgeOnSandbox(BridgeHarness):
    """The JSM sandbox, the bridge and the virtual clock, wired together.

    ``policies`` are the policies in force (first match wins), ``start`` the virtual
    instant the story begins at, ``environment`` extra ``SLA_BRIDGE_*`` variables in force
    while the bridge is built and works (retry settings, field mapping ...). ``seed`` adds
    the site's organizations, people and groups before the bridge reads its settings, and
    returns the settings that name them (or ``None``); the site can change at any time later.
    """

    def __init__(self, folder: Path, *, start: datetime,
                 policies: Sequence[str] = ("code42-enterprise",),
                 webhook_secret: str = DEFAULT_SECRET, seed: Seed | None = None,
                 environment: Mapping[str, str] | None = None,
                 out: TextIO | None = None, zone: tzinfo | None = None) -> None:
        clock = VirtualClock(start)
        # The escalation approval's decline leaves the request open, as on other helpdesks.
        self.sandbox = Sandbox(clock=clock, webhook_secret=webhook_secret,
                               decline_to="Waiting for support")
        self.sandbox.start()
        try:
            seeded = dict((seed(self.sandbox) or {}) if seed is not None else {})
        except BaseException:
            self.sandbox.stop()
            raise
        self.hookup = JiraSandboxHookup(self.sandbox, clock, seeded)
        super().__init__(folder, self.hookup, clock=clock, policies=policies,
                         environment=environment, out=out, zone=zone or start.tzinfo)

    @property
    def jira_settings(self) -> JiraSettings:
        """The plugin's settings, as the wiring read them (after :meth:`start`)."""
        if self.hookup.settings is None:
            raise RuntimeError("BridgeOnSandbox.start() has not been called")
        return self.hookup.settings
