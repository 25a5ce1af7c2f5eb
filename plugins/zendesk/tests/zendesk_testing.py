"""Shared helpers of the Zendesk plugin's tests (a unique name: no clash with other suites)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from sla_bridge.platforms import WebhookRequest
from sla_bridge.tickets import TicketRef
from sla_bridge_zendesk.sandbox import Sandbox
from sla_bridge_zendesk.settings import ZendeskSettings

WEBHOOK_SECRET = "test-signing-secret-0123456789"
FIELD_TITLES = ("SLA first response due", "SLA next update due", "SLA escalation reason",
                "SLA escalation severity", "SLA escalation contact",
                "SLA escalation decision reason")


def settings_for(sandbox: Sandbox, **overrides: Any) -> ZendeskSettings:
    """Plugin settings pointing at ``sandbox`` (no environment involved)."""
    values: dict[str, Any] = {
        "subdomain": sandbox.subdomain, "base_url": sandbox.base_url,
        "email": sandbox.api_email, "api_token": sandbox.api_token,
        "webhook_secret": WEBHOOK_SECRET, "lookup_ttl_seconds": 0,
    }
    values.update(overrides)
    return ZendeskSettings(_env_file=None, **values)


@dataclass
class Account:
    """The sandbox's seeded data."""

    org: dict[str, Any]
    customer: dict[str, Any]
    colleague: dict[str, Any]
    agent: dict[str, Any]
    manager: dict[str, Any]
    support: dict[str, Any]
    escalations: dict[str, Any]
    fields: dict[str, int]


def ref(ticket: dict[str, Any] | int) -> TicketRef:
    """The neutral reference of a sandbox ticket."""
    number = ticket if isinstance(ticket, int) else ticket["id"]
    return TicketRef(platform="zendesk", ticket_id=str(number))


class Receiver:
    """An HTTP endpoint that records webhook requests as the bridge's server would see them."""

    def __init__(self) -> None:
        self.requests: list[WebhookRequest] = []
        self.status = 200
        self._event = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                request = WebhookRequest(
                    headers={k.lower(): v for k, v in self.headers.items()}, body=body,
                    received_at=datetime.now(UTC))
                with receiver._event:
                    receiver.requests.append(request)
                    receiver._event.notify_all()
                self.send_response(receiver.status)
                self.send_header("content-length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args: Any) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,),
                                       daemon=True)
        self.thread.start()

    def wait_for(self, count: int, timeout: float = 5.0) -> list[WebhookRequest]:
        """Wait until ``count`` requests arrived; return them all."""
        with self._event:
            self._event.wait_for(lambda: len(self.requests) >= count, timeout)
            return list(self.requests)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
