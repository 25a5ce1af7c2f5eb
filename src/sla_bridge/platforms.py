"""The contract between the bridge and a helpdesk platform plugin.

A platform plugin registers a :class:`Platform` through the
``sla_bridge_register_platforms`` hook. The webhook server hands it raw requests; the
reconciler asks it for tickets and gives it actions to apply. Errors are typed so the
server can answer the right status and the reconciler can retry, dead-letter or take
another path (a closed ticket gets a follow-up instead).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sla_bridge.actions import Action
from sla_bridge.records import VERSION_KEY
from sla_bridge.tickets import StorableText, Ticket, TicketRef, storable_text


@dataclass(frozen=True)
class WebhookRequest:
    """An inbound webhook exactly as received: signatures are computed over ``body``."""

    headers: Mapping[str, str]  # lower-case names
    body: bytes
    received_at: datetime
    query: Mapping[str, str] = field(default_factory=dict)

    def header(self, name: str) -> str | None:
        """Return a header by case-insensitive name."""
        return self.headers.get(name.lower())


class InboundEvent(BaseModel):
    """One "look at this ticket again" from a platform, with what it said happened."""

    model_config = ConfigDict(frozen=True)

    ref: TicketRef
    # The platform's delivery or event id: the same delivery twice is processed once.
    delivery_id: StorableText = Field(min_length=1, max_length=200)
    event_type: StorableText = Field(default="ticket.updated", max_length=100)
    occurred_at: datetime | None = None
    # The update was made by the bridge's own API user (its write-back echoing back).
    by_bridge: bool = False
    payload: dict[str, Any] = Field(default_factory=dict)
    # The ticket's version stamp the webhook reports (Zendesk: its ``updated_at``), in the
    # form the platform's writes report theirs (:class:`EchoRecognizer`); kept in the
    # payload under ``VERSION_KEY``, which the store keeps.
    version: StorableText | None = Field(default=None, max_length=100)

    @model_validator(mode="after")
    def _version_in_payload(self) -> InboundEvent:
        """Keep the version with the payload (the store keeps the payload, not the model)."""
        if self.version is not None and self.payload.get(VERSION_KEY) != self.version:
            self.payload[VERSION_KEY] = self.version
        return self

    @field_validator("payload")
    @classmethod
    def _storable_payload(cls, payload: dict[str, Any]) -> dict[str, Any]:
        """Only what every store keeps as JSON: finite numbers, text without NUL or lone
        surrogates, nested at most ``MAX_PAYLOAD_DEPTH`` levels."""
        _check_json(payload, "payload", 0)
        return payload


MAX_PAYLOAD_DEPTH = 32
# Integers beyond what PostgreSQL's JSON numbers and most clients read back exactly.
_MAX_INT = 2**63


def _check_json(value: Any, where: str, depth: int) -> None:
    if depth > MAX_PAYLOAD_DEPTH:
        raise ValueError(f"{where}: nested more than {MAX_PAYLOAD_DEPTH} levels")
    if isinstance(value, str):
        storable_text(value)
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, int):
        if abs(value) >= _MAX_INT:
            raise ValueError(f"{where}: the number {str(value)[:20]}... is out of range")
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{where}: {value!r} is not a JSON number")
    elif isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValueError(f"{where}: keys must be text")
            storable_text(key)
            _check_json(item, f"{where}.{key[:40]}", depth + 1)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _check_json(item, f"{where}[{index}]", depth + 1)
    else:
        raise ValueError(f"{where}: a {type(value).__name__} is not JSON")


@dataclass(frozen=True)
class WebhookReply:
    """The success body a platform expects (Salesforce wants a SOAP acknowledgement)."""

    status: int = 200
    body: bytes = b'{"status":"accepted"}'
    media_type: str = "application/json"


class WebhookRejected(Exception):
    """A webhook the bridge refuses. ``public`` is safe to send back; ``detail`` is logged."""

    status = 400
    reason = "bad_request"

    def __init__(self, public: str, detail: str = "") -> None:
        super().__init__(public)
        self.public = public
        self.detail = detail or public


class Unauthorized(WebhookRejected):
    """Missing, wrong or stale signature. Answered 401 without detail."""

    status = 401
    reason = "unauthorized"


class BadPayload(WebhookRejected):
    """A body that is not what the platform sends. Answered 400 with the reason."""

    status = 400
    reason = "malformed"


class VendorError(Exception):
    """A call to the platform's API failed.

    ``retryable`` errors (429, 5xx, timeouts, dropped connections) are retried with
    backoff, honouring ``retry_after`` seconds when the platform sent it; the others go
    straight to the dead letters.
    """

    def __init__(self, message: str, *, platform: str, retryable: bool,
                 status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.platform = platform
        self.retryable = retryable
        self.status = status
        self.retry_after = retry_after


class TicketClosed(VendorError):
    """The ticket is closed and cannot be updated (Zendesk answers 422)."""

    def __init__(self, message: str, *, platform: str, status: int | None = 422) -> None:
        super().__init__(message, platform=platform, retryable=False, status=status)


@runtime_checkable
class Platform(Protocol):
    """What a helpdesk plugin provides to the bridge.

    A platform may also set ``delivery_id_header`` (a string attribute: the header its
    webhooks name their delivery in, e.g. ``X-Zendesk-Webhook-Invocation-Id``), which the
    server logs for requests that fail before they are parsed, and ``closed_is_final``
    (``True`` when a closed ticket accepts no update at all, as on Zendesk, where a merged
    ticket is closed too): the worker then tries no write to a closed ticket and only opens
    its follow-ups.
    """

    @property
    def name(self) -> str:
        """The platform's name in URLs and ticket references, e.g. ``zendesk``."""
        ...

    def parse_webhook(self, request: WebhookRequest) -> Sequence[InboundEvent]:
        """Verify the request's signature and parse it into events.

        Raise :class:`Unauthorized` for a missing, bad or stale signature and
        :class:`BadPayload` for a body that cannot be understood. May return no events
        (a ping, an event type the bridge ignores).
        """
        ...

    def acknowledge(self, events: Sequence[InboundEvent]) -> WebhookReply:
        """Return the success reply, sent only after the events are stored durably."""
        ...

    def fetch_ticket(self, ticket_id: str) -> Ticket:
        """Return the ticket's current state, comments included. Raise :class:`VendorError`."""
        ...

    def apply(self, action: Action) -> str | None:
        """Apply one action to the ticket; return an id worth keeping (e.g. a new ticket's).

        Raise :class:`TicketClosed` when the ticket no longer accepts updates and
        :class:`VendorError` for other failures.
        """
        ...

    def ticket_url(self, ticket_id: str) -> str | None:
        """Where an agent opens the ticket in the helpdesk (its agent UI, e.g.
        ``https://acme.zendesk.com/agent/tickets/42``), built from the configured site
        without a call; ``None`` when the platform has no such page or no site is set."""
        ...


@runtime_checkable
class BatchWriter(Protocol):
    """A platform that can write several of one reconcile's actions on a ticket in one vendor
    update (Zendesk takes a comment, fields, tags, status and assignee in one ``PUT``).

    The worker collects the pending writes :meth:`can_batch` accepts and hands them to
    :meth:`apply_batch` together; each keeps its own idempotency key and ledger entry, and
    the batch's entries are recorded in one transaction. A platform built on
    :class:`sla_bridge.platformkit.PlatformBase` is a batch writer that batches nothing
    until it lists the action kinds it can combine.
    """

    def can_batch(self, action: Action) -> bool:
        """Whether ``action`` can go in one update with the ticket's other batchable writes."""
        ...

    def apply_batch(self, actions: Sequence[Action]) -> None:
        """Write ``actions`` (all on one ticket) in one update: all of them land or none.

        Raise :class:`TicketClosed` when the ticket no longer accepts updates and
        :class:`VendorError` for other failures; after a refusal that is not retryable the
        worker applies the actions one by one, so that one refused write does not hold back
        the others.
        """
        ...


@runtime_checkable
class EchoRecognizer(Protocol):
    """A platform whose writes tell the ticket's new version stamp and whose webhooks carry
    the stamp of the update they report, so that the echo of the bridge's own write is known
    for what it is without reading the ticket again.

    After a reconcile whose writes all landed, the worker remembers the stamps its writes got
    back (with the ticket's memory, in the reconcile's last transaction). A later claim whose
    events are all the bridge's own (``by_bridge``) and each carry one of those stamps, with
    no timer of the ticket due since, is finished without fetching the ticket or deciding
    (a decision ``echo.skipped``). Anything else is reconciled in full: a stamp missing or
    different, an event of anyone else's in the claim, a timer due. A change by anyone else
    sends a webhook of its own, which is not the bridge's.
    """

    def written_versions(self, ticket_id: str) -> tuple[str, ...] | None:
        """The version stamps the calling thread's writes to the ticket got back since the
        last call, oldest first (and forget them); ``None`` when the platform does not
        recognise echoes."""
        ...


class Inbox(Protocol):
    """Where a platform puts the events it finds by itself (the bridge's store)."""

    def accept(self, events: Sequence[InboundEvent]) -> int:
        """Store the events durably and wake their tickets; return how many were new (an
        event whose ``delivery_id`` is stored already is a duplicate and left out)."""
        ...


@dataclass(frozen=True)
class Swept:
    """What one periodic sweep did."""

    # Every change before this instant was looked at: the next sweep starts here.
    until: datetime
    seen: int = 0  # changed tickets the platform listed
    queued: int = 0  # events new to the inbox (the others were there already)
    error: str | None = None  # why the sweep stopped early (the next one resumes at until)


@runtime_checkable
class Periodic(Protocol):
    """A platform that looks, every so often, for changes its webhooks did not report: the
    helpdesk does not retry a webhook the bridge refused, nor one lost while the bridge was
    down for longer than the helpdesk retries.

    The timer worker calls :meth:`sweep` at most once an :attr:`every` (across replicas:
    the store hands the sweep to one of them), with the instant the last sweep got to (a
    bridge that was down for three days sweeps the three days); the first sweep looks
    :attr:`every` back. The sweep puts an event into ``inbox`` for each ticket changed since
    then, with a delivery id derived from the change, so that seeing one change twice adds
    nothing; the reconciler then looks at those tickets as after any webhook.
    """

    @property
    def every(self) -> timedelta | None:
        """How often to sweep; ``None``: never (the setting is off)."""
        ...

    def sweep(self, inbox: Inbox, since: datetime) -> Swept:
        """Queue an event for every ticket changed since ``since``. A failure of the
        platform's API ends the sweep early with :attr:`Swept.error` set and
        :attr:`Swept.until` where it got to; it should not raise."""
        ...
