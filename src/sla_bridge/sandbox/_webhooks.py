"""Sending webhooks the way a vendor does: queued, from one thread, retried by its rule.

The vendor's sandbox decides what to send (a trigger fired, an event happened) and calls
:meth:`WebhookSender.send`; the sender signs each attempt with the vendor's headers, retries
by the vendor's documented :class:`RetryRule` (which may read the answer's headers, e.g. a
``Retry-After``, and says how long the vendor waits for an answer), records every attempt,
and can lose or repeat deliveries on request (:attr:`WebhookSender.drop_next`,
:attr:`WebhookSender.duplicate_next`).
"""

from __future__ import annotations

import http.client
import json
import logging
import queue
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

log = logging.getLogger("sla_bridge.sandbox")


def iso_seconds(instant: datetime) -> str:
    """``2026-11-30T09:00:00Z``."""
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def new_delivery_id() -> str:
    """A random delivery id."""
    return uuid.uuid4().hex


@dataclass
class Delivery:
    """One webhook invocation and its attempts.

    ``status`` is ``accepted`` (queued), ``dropped`` (lost on request), ``cancelled`` (the
    sandbox stopped first), or the last attempt's: ``success``, ``client error``, ``server
    error`` or ``failed`` (no answer).
    """

    id: str
    webhook_id: str
    endpoint: str
    body: bytes
    event_type: str
    created_at: str
    attempts: list[dict[str, Any]] = field(default_factory=list)
    status: str = "accepted"

    def json(self) -> Any:
        """The body, parsed."""
        return json.loads(self.body)


def server_errors_and_429(status: int) -> bool:
    """Retry on 5xx and 429."""
    return status >= 500 or status == 429


def linear_backoff(attempt: int) -> float:
    """0.2 s after the first attempt, 0.4 s after the second ..."""
    return 0.2 * attempt


@dataclass(frozen=True)
class RetryRule:
    """When a vendor sends a webhook again: at most ``attempts`` attempts; another after an
    answer whose status ``retry_status`` accepts (or, when given, that ``retry_answer``
    accepts from the status and the answer's headers, names in lower case), or after no
    answer at all when ``retry_unanswered``; ``backoff(n)`` seconds after the n-th attempt.
    ``timeout`` is how long the vendor waits for an answer (seconds); later is no answer."""

    attempts: int = 3
    retry_status: Callable[[int], bool] = server_errors_and_429
    retry_unanswered: bool = True
    backoff: Callable[[int], float] = linear_backoff
    retry_answer: Callable[[int, Mapping[str, str]], bool] | None = None
    timeout: float = 10.0

    def again(self, status: int | None, headers: Mapping[str, str] | None = None) -> bool:
        """Whether an attempt answered ``status`` with ``headers`` (``None``: no answer) is
        tried again."""
        if status is None:
            return self.retry_unanswered
        if self.retry_answer is not None:
            return self.retry_answer(status, {k.lower(): v for k, v in (headers or {}).items()})
        return self.retry_status(status)


class WebhookSender:
    """Delivers webhooks from one thread, in order.

    ``headers(delivery)`` gives each attempt's headers (the vendor's signature, ids, content
    type); ``timestamp`` formats the sandbox's ``clock`` for ``created_at``; ``timeout``
    (seconds) overrides the rule's.
    """

    def __init__(self, *, clock: Callable[[], datetime],
                 headers: Callable[[Delivery], Mapping[str, str]] | None = None,
                 retry: RetryRule | None = None,
                 timestamp: Callable[[datetime], str] = iso_seconds,
                 delivery_id: Callable[[], str] = new_delivery_id,
                 timeout: float | None = None, name: str = "sandbox-webhooks") -> None:
        self.clock = clock
        self.headers = headers or (lambda delivery: {"Content-Type": "application/json"})
        self.retry = retry or RetryRule()
        self.timestamp = timestamp
        self.delivery_id = delivery_id
        self.timeout = self.retry.timeout if timeout is None else timeout
        self.name = name
        self.drop_next = 0
        self.duplicate_next = 0
        self._deliveries: list[Delivery] = []
        self._queue: queue.Queue[Delivery | None] = queue.Queue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stopping = False

    @property
    def deliveries(self) -> list[Delivery]:
        """Every delivery so far, sent or not."""
        with self._lock:
            return list(self._deliveries)

    def now(self) -> str:
        """The sandbox's current time, formatted as the vendor's webhooks show it."""
        return self.timestamp(self.clock())

    def send(self, *, webhook_id: str, endpoint: str, body: bytes,
             event_type: str) -> Delivery:
        """Queue one delivery (lost when :attr:`drop_next` says so, queued twice when
        :attr:`duplicate_next` does); return it."""
        delivery = Delivery(id=self.delivery_id(), webhook_id=webhook_id, endpoint=endpoint,
                            body=body, event_type=event_type, created_at=self.now())
        with self._lock:
            self._deliveries.append(delivery)
            if self.drop_next > 0:
                self.drop_next -= 1
                delivery.status = "dropped"
                return delivery
            copies = 1
            if self.duplicate_next > 0:
                self.duplicate_next -= 1
                copies = 2
        for _ in range(copies):
            self._queue.put(delivery)
        return delivery

    # -- lifecycle -----------------------------------------------------------------

    def start(self) -> None:
        """Start the delivery thread."""
        self._stopping = False
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop the delivery thread; deliveries not attempted yet are cancelled."""
        self._stopping = True
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=30)
            self._thread = None

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every queued delivery was attempted; return whether it was."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._queue.unfinished_tasks == 0:
                return True
            time.sleep(0.01)
        return False

    # -- delivery ------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            delivery = self._queue.get()
            try:
                if delivery is None:
                    return
                self._deliver(delivery)
            except Exception:  # a bad endpoint must not stop the sandbox
                log.exception("webhook delivery failed")
            finally:
                self._queue.task_done()

    def _deliver(self, delivery: Delivery) -> None:
        for attempt in range(1, self.retry.attempts + 1):
            if self._stopping:
                delivery.status = "cancelled"
                return
            record: dict[str, Any] = {"attempt": attempt, "created_at": self.now()}
            started = time.monotonic()
            answer: dict[str, str] = {}
            try:
                code, text, answer = self._post(delivery.endpoint, delivery.body,
                                                self.headers(delivery))
            except (OSError, http.client.HTTPException) as exc:  # no answer
                record.update(status="failed", error_message=type(exc).__name__)
                status: int | None = None
            else:
                record.update(response_code=code, response_body=text,
                              response_headers=answer,
                              status="success" if code < 300 else
                              "client error" if code < 500 else "server error")
                status = code
            record["duration_ms"] = int((time.monotonic() - started) * 1000)
            delivery.attempts.append(record)
            delivery.status = record["status"]
            succeeded = status is not None and status < 300
            if succeeded or not self.retry.again(status, answer):
                return
            if attempt < self.retry.attempts:
                time.sleep(self.retry.backoff(attempt))

    def _post(self, url: str, body: bytes,
              headers: Mapping[str, str]) -> tuple[int, str, dict[str, str]]:
        request = urllib.request.Request(url, data=body, headers=dict(headers), method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return (int(response.status), _text(response.read()),
                        _headers(response.headers))
        except urllib.error.HTTPError as answer:  # an answer, only not a 2xx
            with answer:
                return answer.code, _text(answer.read()), _headers(answer.headers)


def _text(raw: bytes) -> str:
    return raw[:500].decode("utf-8", "replace")


def _headers(message: Any) -> dict[str, str]:
    """An answer's headers, names in lower case (the last of repeated ones)."""
    return {str(k).lower(): str(v) for k, v in (message or {}).items()}
