"""The bridge the hostile-input suite attacks: served by a real uvicorn in a thread, with the
platform under test configured, and the check that what it acknowledged is in its inbox."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import text

from sla_bridge.clock import SystemClock
from sla_bridge.platforms import InboundEvent, WebhookRequest
from sla_bridge.runtime import Runtime
from sla_bridge.sandbox import ThreadedServer
from sla_bridge.server import create_app, uvicorn_config
from sla_bridge.settings import load_settings
from sla_bridge.testing import WebhookSigner

# Small enough that "oversize" bodies are quick to send.
MAX_BODY_BYTES = 100_000


class HostileBridge:
    """A bridge (no workers: nothing is fetched or written back) for ``signer``'s platform."""

    def __init__(self, signer: WebhookSigner, database_url: str | None) -> None:
        overrides: dict[str, Any] = {"server": {"max_body_bytes": MAX_BODY_BYTES}}
        if database_url is not None:
            overrides["database_url"] = database_url
        self.signer = signer
        self.runtime = Runtime.build(load_settings(**overrides), SystemClock())
        assert signer.platform in self.runtime.platforms, (
            f"{signer.platform} is not registered with the signer's environment")
        self.platform = self.runtime.platforms[signer.platform]
        config = uvicorn_config(create_app(self.runtime, run_workers=False), host="127.0.0.1",
                                port=0)
        self.server = ThreadedServer(config, name="sla-bridge-hostile")
        self.url = self.server.start()
        self.client = httpx.Client(base_url=self.url, timeout=30)

    def stop(self) -> None:
        """Stop uvicorn and close the store."""
        self.client.close()
        self.server.stop(15)
        self.runtime.close()

    def post(self, body: bytes, headers: Mapping[str, str], *, chunked: bool = False
             ) -> httpx.Response:
        """POST a webhook; ``chunked`` sends it in two chunks without a Content-Length."""
        content: Any = iter([body[: len(body) // 2], body[len(body) // 2:]]) if chunked \
            else body
        raw = {name: value.encode("latin-1") for name, value in headers.items()}
        return self.client.post(f"/webhooks/{self.signer.platform}", content=content,
                                headers=raw)

    def acknowledged(self, body: bytes, headers: Mapping[str, str]) -> list[InboundEvent]:
        """The events the platform makes of this request (what a 200 acknowledged)."""
        request = WebhookRequest(headers={k.lower(): v for k, v in headers.items()},
                                 body=body, received_at=self.runtime.clock.now())
        return list(self.platform.parse_webhook(request))

    def stored(self, event: InboundEvent) -> bool:
        """Whether ``event``'s delivery is in the inbox."""
        with self.runtime.store.transaction() as conn:
            return conn.execute(
                text("SELECT 1 FROM inbox WHERE platform = :p AND delivery_id = :d"),
                {"p": event.ref.platform, "d": event.delivery_id}).first() is not None

    def inbox_size(self) -> int:
        """How many deliveries the inbox holds."""
        with self.runtime.store.transaction() as conn:
            return int(conn.execute(text("SELECT count(*) FROM inbox")).scalar_one())


@dataclass
class Tally:
    """What one run sent and got: requests, statuses, kinds of attack, time."""

    requests: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    kinds: Counter[str] = field(default_factory=Counter)
    acknowledged_events: int = 0
    started: float = field(default_factory=time.monotonic)

    def count(self, kind: str, status: int, events: int) -> None:
        """Count one request."""
        self.requests += 1
        self.statuses[status] += 1
        self.kinds[kind] += 1
        self.acknowledged_events += events
