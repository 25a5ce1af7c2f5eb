"""A small Zendesk world for the resync and gone-ticket tests: the bridge on the sandbox from
Monday 30 Nov 2026 09:00 CST, with Dana of Acme (Gold, USA), on code42-enterprise."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from zendesk_e2e import COMPLETE, at

from sla_bridge_zendesk.loop import BridgeOnSandbox

FIRST = "SLA first response due"
MONDAY = at("2026-11-30 09:00")
ADMIN_TOKEN = "admin-token-for-the-tests"


def make_world(folder: Path, **environment: str) -> BridgeOnSandbox:
    """The world, started; ``environment``: extra ``SLA_BRIDGE_*`` variables."""
    world = BridgeOnSandbox(folder, start=MONDAY, policies=["code42-enterprise"],
                            environment={"SLA_BRIDGE_ADMIN_TOKEN": ADMIN_TOKEN,
                                         **environment})
    org = world.sandbox.add_organization("Acme", {"support_plan": "gold",
                                                  "support_location": "usa"})
    world.sandbox.add_user("Dana", "dana@acme.test", org["id"], tags=["support_admin"])
    world.sandbox.add_agent("Avery", "avery@vendor.test")
    world.start()
    return world


def person(world: BridgeOnSandbox, email: str) -> int:
    """The id of the sandbox's user with ``email``."""
    with world.sandbox.state.lock:
        return next(uid for uid, user in world.sandbox.state.users.items()
                    if user["email"] == email)


def dana(world: BridgeOnSandbox) -> int:
    """Dana's id."""
    return person(world, "dana@acme.test")


def open_ticket(world: BridgeOnSandbox, when: str, subject: str) -> dict[str, Any]:
    """Dana opens a complete high-priority ticket at ``when``; the bridge hears of it."""
    return world.step(at(when), f"Dana opens {subject!r}", lambda: world.sandbox.open_ticket(
        dana(world), subject, "Restores fail. " + COMPLETE, priority="high"))


def open_unseen(world: BridgeOnSandbox, when: str, subject: str) -> dict[str, Any]:
    """As :func:`open_ticket`, but its webhook is lost: the bridge does not hear of it."""
    world.clock.set(at(when))
    world.sandbox.drop_webhooks(1)
    ticket = world.sandbox.open_ticket(dana(world), subject, "Restores fail. " + COMPLETE,
                                       priority="high")
    world.settle()
    return ticket


def due(world: BridgeOnSandbox, ticket: dict[str, Any]) -> Any:
    """The ticket's "SLA first response due" field, as Zendesk shows it."""
    field = world.sandbox.field_id(FIRST)
    values = {f["id"]: f["value"] for f in world.sandbox.ticket(ticket["id"])["custom_fields"]}
    return values[field]
