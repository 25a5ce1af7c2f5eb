"""The real bridge on the Zendesk sandbox, on a virtual clock: the loop the demo and the
end-to-end tests play on.

::

    from sla_bridge_zendesk.loop import BridgeOnSandbox

    world = BridgeOnSandbox(folder, start=datetime(2026, 11, 30, 9, tzinfo=CENTRAL),
                            policies=["code42-enterprise"])
    org = world.sandbox.add_organization("Acme", {"support_plan": "gold"})   # seed first ...
    world.start()                                                            # ... then wire
    ticket = world.sandbox.open_ticket(...)
    world.settle()                  # every webhook delivered, everything processed
    world.advance(later)            # the clock moves, the bridge's timers fire on the way
    world.close()

The loop itself is the kit's :class:`sla_bridge.testing.BridgeHarness` (the bridge's webhook
server under a real uvicorn, SQLite, the worker in the caller's thread, the timeline); this
module only says how Zendesk takes part (:class:`ZendeskSandboxHookup`): the sandbox on the
harness's clock, the ``SLA_BRIDGE_ZENDESK__*`` settings that point zenpy at it, and wiring it
the way ``sla-bridge zendesk setup`` wires an account (webhook, triggers, fields, macros).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, tzinfo
from pathlib import Path
from typing import TextIO

from sla_bridge.settings import Settings
from sla_bridge.testing import BridgeHarness, VirtualClock, describe_decision

from .client import ZendeskClient
from .provision import Mode, Provisioner
from .sandbox import Sandbox
from .settings import ZendeskSettings

__all__ = ["BridgeOnSandbox", "ZendeskSandboxHookup", "describe_decision"]

DEFAULT_SECRET = "loop-webhook-signing-secret-0042"


class ZendeskSandboxHookup:
    """The Zendesk sandbox as the harness drives it (a ``PlatformSandbox``)."""

    platform = "zendesk"

    def __init__(self, sandbox: Sandbox, *, manager_group: str | None = None,
                 mode: Mode = "triggers") -> None:
        self.sandbox = sandbox
        self.manager_group = manager_group
        self.mode: Mode = mode
        self.settings: ZendeskSettings | None = None

    def plugin_environment(self) -> Mapping[str, str]:
        """The sandbox's ``SLA_BRIDGE_ZENDESK__*`` variables, look-ups never cached."""
        return {**self.sandbox.plugin_env(), "SLA_BRIDGE_ZENDESK__LOOKUP_TTL_SECONDS": "0"}

    def connect(self, bridge_url: str, bridge_settings: Settings) -> None:
        """What ``sla-bridge zendesk setup --bridge-url URL`` does, against the sandbox."""
        self.settings = settings = bridge_settings.section(ZendeskSettings)
        provisioner = Provisioner(ZendeskClient(settings), settings, bridge_url,
                                  mode=self.mode, manager_group=self.manager_group)
        provisioner.apply(provisioner.plan())

    def deliver(self) -> None:
        """Wait until the sandbox has sent its queued webhooks."""
        self.sandbox.flush(10)

    def close(self) -> None:
        """Stop the sandbox."""
        self.sandbox.stop()


class BridgeOnSandbox(BridgeHarness):
    """The Zendesk sandbox, the bridge and the virtual clock, wired together.

    ``policies`` are the policies in force (first match wins), ``start`` the virtual
    instant the story begins at, ``environment`` extra ``SLA_BRIDGE_*`` variables in force
    while the bridge is built and works (retry settings, field mapping ...). Seed the
    sandbox's organizations, users and groups between construction and :meth:`start`
    when the wiring needs them (``manager_group`` must exist), or at any time otherwise.
    """

    def __init__(self, folder: Path, *, start: datetime,
                 policies: Sequence[str] = ("code42-enterprise",),
                 webhook_secret: str = DEFAULT_SECRET, manager_group: str | None = None,
                 mode: Mode = "triggers", environment: Mapping[str, str] | None = None,
                 out: TextIO | None = None, zone: tzinfo | None = None) -> None:
        clock = VirtualClock(start)
        self.sandbox = Sandbox(clock=clock, webhook_secret=webhook_secret)
        self.sandbox.start()
        self.hookup = ZendeskSandboxHookup(self.sandbox, manager_group=manager_group,
                                           mode=mode)
        super().__init__(folder, self.hookup, clock=clock, policies=policies,
                         environment=environment, out=out, zone=zone or start.tzinfo)

    @property
    def zendesk_settings(self) -> ZendeskSettings:
        """The plugin's settings, as the wiring read them (after :meth:`start`)."""
        if self.hookup.settings is None:
            raise RuntimeError("BridgeOnSandbox.start() has not been called")
        return self.hookup.settings
