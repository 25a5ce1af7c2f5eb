"""A made-up helpdesk ("Acme") built on the kit, as a plugin would build one."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, ClassVar

from pydantic import SecretStr

from sla_bridge.actions import Action, Assign, CreateFollowUp, SetFields, SetStatus
from sla_bridge.clock import Clock, FixedClock
from sla_bridge.platformkit import (
    BridgeIdentity,
    HmacSignature,
    PlatformBase,
    PlatformSettings,
    RequiredSettings,
    VendorErrors,
    WebhookVerifier,
    platform_settings_config,
)
from sla_bridge.platforms import InboundEvent, WebhookRequest
from sla_bridge.tickets import Status, Ticket, TicketRef

NOW = datetime(2026, 11, 25, 15, 4, 5, tzinfo=UTC)
SECRET = "acme-webhook-secret-0123456789"
TOKEN = "acme-api-token-9876543210"
SCHEME = HmacSignature("x-acme-signature", timestamp_header="x-acme-timestamp",
                       encoding="base64")


class AcmeSettings(PlatformSettings):
    """A platform section the way a plugin declares one."""

    model_config = platform_settings_config("acme")
    platform_label: ClassVar[str] = "Acme"
    required_settings: ClassVar[RequiredSettings] = (("site", "base_url"), "email",
                                                     "api_token")
    summary_fields: ClassVar[tuple[str, ...]] = ("site", "email", "api_token", "webhook_secret")

    site: str = ""
    email: str = ""
    api_token: SecretStr = SecretStr("")


def settings(**values: Any) -> AcmeSettings:
    """Complete settings (no environment, no .env), with ``values`` over them."""
    defaults: dict[str, Any] = {"site": "acme", "email": "bridge@acme.test",
                                "api_token": TOKEN, "webhook_secret": SECRET}
    return AcmeSettings(_env_file=None, **{**defaults, **values})


class Boom(Exception):
    """The fake vendor library's failure, with an HTTP answer attached."""

    def __init__(self, status: int, text: str = "", headers: dict[str, str] | None = None):
        super().__init__(f"HTTP {status}")
        self.response = type("Answer", (), {"status_code": status, "text": text,
                                            "headers": headers or {}, "reason": "Bad"})()


class FakeTimeout(Exception):
    """The fake vendor library's timeout."""


class AcmeDesk(PlatformBase):
    """Records each write instead of calling a vendor; ``fail`` makes the next call raise."""

    name = "acme"

    def __init__(self, clock: Clock | None = None, secret: str = SECRET) -> None:
        clock = clock or FixedClock(NOW)
        config = settings(webhook_secret=secret)
        super().__init__(
            clock=clock, verifier=WebhookVerifier.for_settings(SCHEME, config, clock),
            errors=VendorErrors("acme", "Acme", clock, timeouts=(FakeTimeout,)),
            bridge=BridgeIdentity(config.email))
        self.calls: list[tuple[str, Any]] = []
        self.fail: list[BaseException] = []
        self.landed: set[str] = set()

    def _call(self, what: str, value: Any) -> None:
        if self.fail:
            raise self.fail.pop(0)
        self.calls.append((what, value))

    def parse_events(self, request: WebhookRequest,
                     signed_at: datetime | None) -> Sequence[InboundEvent]:
        self.calls.append(("parse", signed_at))
        return [InboundEvent(ref=TicketRef(platform="acme", ticket_id="42"), delivery_id="d1",
                             occurred_at=signed_at)]

    def fetch_ticket(self, ticket_id: str) -> Ticket:
        return Ticket(ref=TicketRef(platform="acme", ticket_id=ticket_id), status=Status.OPEN,
                      subject="s", created_at=NOW, updated_at=NOW)

    def post_comment(self, action: Action, body: str, public: bool) -> None:
        if self.may_have_landed(action) and action.idempotency_key in self.landed:
            self.calls.append(("already posted", action.idempotency_key))
            return
        self._call("comment", (body, public, action.idempotency_key))
        self.landed.add(action.idempotency_key)

    def add_tags(self, action: Action, tags: Sequence[str]) -> None:
        self._call("add tags", tuple(tags))

    def remove_tags(self, action: Action, tags: Sequence[str]) -> None:
        self._call("remove tags", tuple(tags))

    def set_fields(self, action: SetFields) -> str | None:
        self._call("fields", action.fields)
        return None

    def set_status(self, action: SetStatus) -> str | None:
        self._call("status", str(action.status))
        return None

    def assign(self, action: Assign) -> str | None:
        self._call("assign", (action.group, action.assignee_id))
        return None

    def create_follow_up(self, action: CreateFollowUp) -> str | None:
        self._call("follow-up", action.subject)
        return "43"
