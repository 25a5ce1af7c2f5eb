"""The Outbound Message sender: notifications queued when records change, sent as SOAP
messages of up to 100, retried until acknowledged or 24 hours old.

Salesforce's rules (https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_om_outboundmessaging_understanding.htm):
a message may hold up to 100 notifications; each retry sends the record's **latest** data;
retries are independent of the order the changes were made in (so deliveries arrive out of
order); a message may be delivered more than once; a message not acknowledged within 24
hours is dropped; retry intervals grow exponentially up to 2 hours (the 30-second start is
[3rd party]). The retry schedule runs on the sandbox's clock, so a test compresses a day by
advancing it; attempts are real HTTP with a real timeout.
"""

from __future__ import annotations

import http.client
import logging
import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from ._envelope import MAX_NOTIFICATIONS, Item, envelope, is_ack
from ._ids import IdMaker
from ._store import Record, Store

log = logging.getLogger("sla_bridge_salesforce.sandbox")

EXPIRY = timedelta(hours=24)
MAX_INTERVAL = timedelta(hours=2)
FIRST_INTERVAL = timedelta(seconds=30)
#: Criteria deciding whether a change fires the message: record, changed fields, created.
Criteria = Callable[[Record, dict[str, Any], bool], bool]


def retry_interval(attempts: int) -> timedelta:
    """How long after the ``attempts``-th failed attempt the next one is made."""
    interval: timedelta = FIRST_INTERVAL * (2 ** (attempts - 1))
    return min(MAX_INTERVAL, interval)


@dataclass
class OutboundMessage:
    """An Outbound Message as an admin defines it: its object, the fields it sends, the
    endpoint, the user it is sent as, and which changes fire it."""

    action_id: str
    name: str
    object_name: str
    fields: tuple[str, ...]
    endpoint: str
    user_id: str
    send_session_id: bool = False
    #: Users whose changes never fire it ("Send Outbound Messages" off on their profile).
    silent_user_ids: frozenset[str] = frozenset()
    criteria: Criteria | None = None


@dataclass
class Message:
    """One SOAP message and its attempts; ``status`` is ``queued``, ``retrying``,
    ``delivered``, ``expired`` (24 hours without an ack) or ``lost`` (on request)."""

    id: str
    action: OutboundMessage
    notifications: list[tuple[str, str]]  # (notification id, record id)
    queued_at: datetime
    next_at: datetime
    attempts: list[dict[str, Any]] = field(default_factory=list)
    status: str = "queued"
    bodies: list[bytes] = field(default_factory=list)

    @property
    def notification_ids(self) -> list[str]:
        """The ids of its notifications."""
        return [n for n, _ in self.notifications]


class OutboundSender:
    """Queues notifications from the store's changes and delivers them."""

    def __init__(self, store: Store, *, organization_id: Callable[[], str],
                 instance_url: Callable[[], str], session_for: Callable[[str], str],
                 timeout: float = 60.0, batch_size: int = MAX_NOTIFICATIONS,
                 version: str = "62.0") -> None:
        self.store = store
        self.organization_id = organization_id
        self.instance_url = instance_url
        self.session_for = session_for
        self.timeout = timeout
        self.batch_size = batch_size
        self.version = version
        self.actions: list[OutboundMessage] = []
        self.messages: list[Message] = []
        self.lose_next = 0
        self.repeat_next = 0
        self.foreign_org_id: str | None = None
        self._ids = IdMaker(start=5_000_000_000)
        self._unsent: dict[str, list[tuple[str, str]]] = {}
        self._lock = threading.RLock()
        self._delivering = threading.Lock()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._stopping = False
        self._busy = False
        store.listeners.append(self._changed)

    # -- configuration ---------------------------------------------------------------

    def define(self, name: str, object_name: str, fields: tuple[str, ...], endpoint: str,
               user_id: str, **options: Any) -> OutboundMessage:
        """Define an Outbound Message (``Id`` is always among the fields)."""
        wanted = ("Id", *(f for f in fields if f != "Id"))
        action = OutboundMessage(self._ids.new("OutboundMessage"), name, object_name, wanted,
                                 endpoint, user_id, **options)
        with self._lock:
            self.actions.append(action)
        return action

    # -- queueing --------------------------------------------------------------------

    def _changed(self, object_name: str, record: Record, changed: dict[str, Any],
                 actor: str, created: bool) -> None:
        for action in self.actions:
            if action.object_name != object_name or actor in action.silent_user_ids:
                continue
            if action.criteria is not None and not action.criteria(record, changed, created):
                continue
            with self._lock:
                pool = self._unsent.setdefault(action.action_id, [])
                # A change to a record already waiting is folded into its notification.
                if all(rid != record["Id"] for _, rid in pool):
                    pool.append((self._ids.new("Notification"), record["Id"]))
        self._wake.set()

    # -- delivery --------------------------------------------------------------------

    def deliver_due(self) -> int:
        """Batch what is waiting and make every attempt due now; return how many were made
        (one caller at a time: the background thread and a test never send a message
        twice at once)."""
        with self._delivering:
            return self._deliver_due()

    def _deliver_due(self) -> int:
        now = self.store.clock()
        with self._lock:
            for action in self.actions:
                pool = self._unsent.pop(action.action_id, [])
                for start in range(0, len(pool), self.batch_size):
                    message = Message(f"message-{len(self.messages) + 1}", action,
                                      pool[start:start + self.batch_size], now, now)
                    if self.lose_next > 0:
                        self.lose_next -= 1
                        message.status = "lost"
                    self.messages.append(message)
            due = sorted((m for m in self.messages
                          if m.status in ("queued", "retrying") and m.next_at <= now),
                         key=lambda m: m.next_at)
            self._busy = True
        made = 0
        try:
            for message in due:
                if now - message.queued_at >= EXPIRY:
                    message.status = "expired"
                    continue
                made += self._attempt(message, now)
        finally:
            self._busy = False
        return made

    def _attempt(self, message: Message, now: datetime) -> int:
        body = self._body(message)
        status, answer, error = self._post(message.action.endpoint, body)
        acked = status is not None and is_ack(status, answer)
        message.bodies.append(body)
        message.attempts.append({"at": now, "status": status, "acked": acked,
                                 "answer": answer[:500].decode("utf-8", "replace"),
                                 "error": error})
        if acked:
            message.status = "delivered"
            with self._lock:
                repeat = self.repeat_next > 0
                self.repeat_next -= 1 if repeat else 0
            if repeat:  # delivered more than once, as Salesforce may
                self._post(message.action.endpoint, body)
                message.attempts.append({"at": now, "status": None, "acked": True,
                                         "answer": "", "error": "duplicate"})
            return 1
        message.status = "retrying"
        message.next_at = now + retry_interval(len(message.attempts))
        return 1

    def _body(self, message: Message) -> bytes:
        action = message.action
        items = []
        for notification_id, record_id in message.notifications:
            record = self.store.resolve(record_id)
            fields = None if record is None else {name: record.get(name)
                                                  for name in action.fields}
            items.append(Item(notification_id, action.object_name, record_id, fields))
        org = self.foreign_org_id or self.organization_id()
        base = f"{self.instance_url()}/services/Soap"
        return envelope(organization_id=org, action_id=action.action_id,
                        session_id=self.session_for(action.user_id)
                        if action.send_session_id else None,
                        enterprise_url=f"{base}/c/{self.version}/{org[:15]}",
                        partner_url=f"{base}/u/{self.version}/{org[:15]}", items=items)

    def _post(self, url: str, body: bytes) -> tuple[int | None, bytes, str | None]:
        request = urllib.request.Request(url, data=body, method="POST", headers={
            "Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""',
            "User-Agent": "Salesforce - sandbox"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return int(response.status), response.read(), None
        except urllib.error.HTTPError as refused:
            with refused:
                return refused.code, refused.read(), None
        except (OSError, http.client.HTTPException) as exc:  # no answer (timeout included)
            return None, b"", type(exc).__name__

    # -- the background sender ---------------------------------------------------------

    def start(self, poll: float = 0.05) -> None:
        """Deliver from a thread, checking for due work every ``poll`` seconds."""
        self._stopping = False
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, args=(poll,), daemon=True,
                                            name="salesforce-outbound-messages")
            self._thread.start()

    def stop(self) -> None:
        """Stop the thread (messages not delivered stay as they are)."""
        self._stopping = True
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None

    def _run(self, poll: float) -> None:
        while not self._stopping:
            try:
                self.deliver_due()
            except Exception:  # a bad endpoint must not stop the sandbox
                log.exception("outbound message delivery failed")
            self._wake.wait(poll)
            self._wake.clear()

    def idle(self) -> bool:
        """Whether nothing is waiting to be sent now (retries due later do not count)."""
        now = self.store.clock()
        with self._lock:
            waiting = any(self._unsent.values()) or any(
                m.status in ("queued", "retrying") and m.next_at <= now
                and now - m.queued_at < EXPIRY for m in self.messages)
            return not waiting and not self._busy
