"""The signers the hostile-input suite relies on: every platform plugin has one, and what it
signs is what the platform accepts (otherwise the generated requests would all stop at the
signature check and the parsers would never be attacked)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest
from hostile_bridge import HostileBridge

from sla_bridge.plugin import PluginHost
from sla_bridge.settings import load_settings
from sla_bridge.testing import WebhookSigner, webhook_signers
from sla_bridge.testing._fixtures import HOSTILE_SECRET


def test_every_installed_platform_plugin_registers_a_webhook_signer() -> None:
    host = PluginHost.from_settings(load_settings(environ={}))
    platform_plugins = [p.name for p in host.plugins()
                        if "sla_bridge_register_platforms" in p.hooks]
    without = [p.name for p in host.plugins() if "sla_bridge_register_platforms" in p.hooks
               and "sla_bridge_register_webhook_signers" not in p.hooks]
    assert platform_plugins, "no platform plugin is installed"
    assert without == [], "implement sla_bridge_register_webhook_signers (docs/plugins.md)"
    assert set(host.webhook_signers()) <= set(webhook_signers())
    assert "testdesk" in webhook_signers()


def test_the_signer_makes_its_platforms_valid_bodies_accepted_and_stored(
        webhook_signer: WebhookSigner, hostile_bridge: HostileBridge) -> None:
    assert webhook_signer.secret == HOSTILE_SECRET
    acknowledged = 0
    for shape in webhook_signer.bodies():
        body = json.dumps(shape).encode()
        headers = webhook_signer.sign(body, at=datetime.now(UTC), delivery=uuid.uuid4().hex)
        response = hostile_bridge.post(body, headers)
        assert response.status_code == 200, (shape, response.text)
        events = hostile_bridge.acknowledged(body, headers)
        assert all(hostile_bridge.stored(event) for event in events)
        acknowledged += len(events)
    assert acknowledged >= 1
    assert hostile_bridge.inbox_size() == acknowledged


@pytest.mark.parametrize("proof", ["another secret", "non-ASCII bytes"])
def test_a_bad_signature_is_401_and_stores_nothing(webhook_signer: WebhookSigner,
                                                  hostile_bridge: HostileBridge,
                                                  proof: str) -> None:
    body = json.dumps(webhook_signer.bodies()[0]).encode()
    now = datetime.now(UTC)
    if proof == "another secret":
        impostor = webhook_signers()[webhook_signer.platform]("a-guessed-secret")
        headers = impostor.sign(body, at=now, delivery="d-1")
    else:  # found by the fuzz: testdesk compared text, and non-ASCII text made it a 500
        # The proof is the header that depends on the secret (an HMAC signature or a shared
        # secret): the one an impostor's signing of the same body changes.
        headers = webhook_signer.sign(body, at=now, delivery="d-1")
        impostor = webhook_signers()[webhook_signer.platform]("a-guessed-secret")
        guessed = impostor.sign(body, at=now, delivery="d-1")
        proof_header = next(name for name in headers if headers[name] != guessed.get(name))
        headers[proof_header] = "\u00e9" + headers[proof_header][1:]
    response = hostile_bridge.post(body, headers)
    assert response.status_code == 401, response.text
    assert hostile_bridge.inbox_size() == 0
