"""A tiny HTTP endpoint that records what a sandbox's webhook sender delivers."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

from sla_bridge.clock import Clock, SystemClock
from sla_bridge.platforms import WebhookRequest


class WebhookReceiver:
    """Records each POST as the bridge's server would see it (a :class:`WebhookRequest`)
    and answers :attr:`status` (200 unless a test wants the sender to retry) with
    :attr:`headers` (e.g. ``{"Retry-After": "5"}``).

    ``received_at`` is read from ``clock`` (the system clock by default).
    """

    def __init__(self, clock: Clock | None = None) -> None:
        self.requests: list[WebhookRequest] = []
        self.status = 200
        self.headers: dict[str, str] = {}
        self.clock: Clock = clock or SystemClock()
        self._arrived = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                receiver._record(WebhookRequest(
                    headers={k.lower(): v for k, v in self.headers.items()}, body=body,
                    received_at=receiver.clock.now()))
                self.send_response(receiver.status)
                for name, value in receiver.headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args: Any) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,),
                                       name="webhook-receiver", daemon=True)
        self.thread.start()

    def _record(self, request: WebhookRequest) -> None:
        with self._arrived:
            self.requests.append(request)
            self._arrived.notify_all()

    def wait_for(self, count: int, timeout: float = 5.0) -> list[WebhookRequest]:
        """Wait until ``count`` requests arrived (at most ``timeout`` s); return them all."""
        with self._arrived:
            self._arrived.wait_for(lambda: len(self.requests) >= count, timeout)
            return list(self.requests)

    def close(self) -> None:
        """Stop listening."""
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
