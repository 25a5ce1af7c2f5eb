"""Signing webhooks for the hostile-input suite: what makes one platform's request valid.

The suite (``tests/hostile/``) sends thousands of generated requests to every installed
platform and needs, for each, the headers that make a body pass the signature check and
the shapes of the bodies the platform really sends (to mutate them field by field). A
platform plugin gives both with a :class:`WebhookSigner`, registered through the
``sla_bridge_register_webhook_signers`` hook::

    @hookimpl
    def sla_bridge_register_webhook_signers(register):
        register("acme", AcmeSigner)  # AcmeSigner(secret) -> a WebhookSigner

The kit's pytest plugin runs every test that takes the ``webhook_signer`` fixture once per
platform :func:`webhook_signers` finds: the memory platform ``testdesk`` and every
installed plugin's. Nothing here imports pytest or hypothesis.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar, Protocol, runtime_checkable

from ._testdesk import NAME as TESTDESK
from ._testdesk import sign as testdesk_sign

MakeSigner = Callable[[str], "WebhookSigner"]


@runtime_checkable
class WebhookSigner(Protocol):
    """How one platform's webhooks are made valid, for webhooks signed with ``secret``.

    ``platform`` is the platform's name (``POST /webhooks/{platform}``).
    """

    platform: str
    secret: str

    def environment(self) -> Mapping[str, str]:
        """The ``SLA_BRIDGE_*`` variables that register the platform with this webhook
        secret. Parsing a webhook never calls the vendor, so no account is needed: any
        other required setting gets a placeholder pointing nowhere."""
        ...

    def sign(self, body: bytes, *, at: datetime, delivery: str) -> dict[str, str]:
        """The headers (lower-case names) that make ``body`` a valid delivery: content type,
        signature (and its timestamp ``at``), and ``delivery`` wherever the platform sends
        its delivery id."""
        ...

    def bodies(self) -> Sequence[Mapping[str, Any]]:
        """Valid bodies, one per kind of webhook the platform sends: the shapes the suite
        mutates (each is accepted when signed)."""
        ...


class TestdeskSigner:
    """The memory platform's webhooks: ``x-testdesk-signature`` is hex HMAC-SHA256 of the
    body, the delivery id is ``x-testdesk-delivery``."""

    __test__: ClassVar[bool] = False  # not a test class, whatever its name
    platform = TESTDESK

    def __init__(self, secret: str) -> None:
        self.secret = secret

    def environment(self) -> Mapping[str, str]:
        """The webhook secret (the platform itself is installed by the ``testdesk`` fixture)."""
        return {"SLA_BRIDGE_TESTDESK__SECRET": self.secret}

    def sign(self, body: bytes, *, at: datetime, delivery: str) -> dict[str, str]:
        """The signature and delivery headers (testdesk signs no timestamp)."""
        return {"content-type": "application/json", "x-testdesk-delivery": delivery,
                "x-testdesk-signature": testdesk_sign(self.secret, body)}

    def bodies(self) -> Sequence[Mapping[str, Any]]:
        """An update, and an update the bridge made itself."""
        return [{"ticket_id": "T-1", "event": "updated"},
                {"ticket_id": "1042", "event": "created", "by_bridge": True}]


@functools.cache
def webhook_signers() -> dict[str, MakeSigner]:
    """Every installed platform's signer factory by platform name, the memory platform's
    included; read once per process from the plugins installed (entry points), whatever
    ``SLA_BRIDGE_PLUGINS`` says in the developer's shell."""
    from sla_bridge.plugin import PluginHost
    from sla_bridge.settings import load_settings

    found: dict[str, MakeSigner] = {TESTDESK: TestdeskSigner}
    found.update(PluginHost.from_settings(load_settings(environ={})).webhook_signers())
    return dict(sorted(found.items()))
