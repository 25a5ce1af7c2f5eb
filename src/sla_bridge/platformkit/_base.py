"""A base class for platforms: webhook checking, echo recognition and action dispatch.

``apply`` calls one method per action type, named after the action's ``kind``
(``add_comment``, ``set_fields`` ...). A platform implements the writes its API makes and
inherits the rest:

* ``add_comment`` posts through :meth:`PlatformBase.post_comment`;
* ``change_tags`` goes through :meth:`~PlatformBase.add_tags` / :meth:`~PlatformBase.remove_tags`;
* ``request_approval`` falls back, for platforms without an approvals API, to an internal
  note with the summary (:func:`approval_note`) plus the tag ``sla_approval_requested``.

A platform whose API takes several changes in one update lists the action kinds it can
combine in ``batch_kinds`` and implements :meth:`PlatformBase.write_batch`; the worker then
writes one reconcile's pending changes to a ticket in one call
(:class:`~sla_bridge.platforms.BatchWriter`), and a single action of those kinds is a batch
of one: the write methods only those kinds use need not be written.

Which methods a platform must write is checked when its class is defined, and the kit
checks at import that every action type has its method, so a new action type cannot be
forgotten.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, ClassVar, TypeVar, get_args
from urllib.parse import quote

from sla_bridge import actions
from sla_bridge.actions import Action
from sla_bridge.clock import Clock
from sla_bridge.platforms import (
    InboundEvent,
    TicketClosed,
    VendorError,
    WebhookReply,
    WebhookRequest,
)
from sla_bridge.tickets import Ticket

from ._errors import VendorErrors
from ._identity import BridgeIdentity
from ._signatures import WebhookVerifier

_F = TypeVar("_F", bound=Callable[..., Any])
ACTION_TYPES: tuple[type[Any], ...] = get_args(get_args(Action)[0])
# The method each action type is applied by: its kind.
ACTION_METHODS: dict[type[Any], str] = {
    t: str(t.model_fields["kind"].default) for t in ACTION_TYPES}
# Actions that must happen at most once (a second attempt first looks whether one landed):
# the action types that say so themselves (``Action.one_off``).
ONE_OFF_ACTIONS = tuple(t for t in ACTION_TYPES if t.one_off)


def describe(action: Action) -> str:
    """What an action does, for messages: ``set fields on ticket 42``."""
    return f"{action.kind.replace('_', ' ')} on ticket {action.ref.ticket_id}"


def approval_note(action: actions.RequestApproval, how_to_decide: str | None = None) -> str:
    """The internal note that asks ``action.group`` for a decision: ``[group] summary`` and
    how to answer, the action's (the tags) or ``how_to_decide``, a platform's own words (its
    approvals, say)."""
    if how_to_decide is None:
        return action.note
    return action.model_copy(update={"how_to_decide": how_to_decide}).note


def _required(method: _F) -> _F:
    """Mark a method a concrete platform must override (checked at class definition)."""
    setattr(method, "__platformkit_required__", True)  # noqa: B010 - a marker on a function
    return method


class PlatformBase:
    """The shared half of a :class:`~sla_bridge.platforms.Platform`.

    Subclasses set ``name`` and call ``super().__init__`` with the platform's clock,
    verifier, error translator and identity. Pass ``abstract=True`` in the class statement
    for an intermediate base that leaves methods to its subclasses.
    """

    name: ClassVar[str] = ""
    # The action kinds write_batch can put in one vendor update (none: one call per action).
    batch_kinds: ClassVar[frozenset[str]] = frozenset()
    # A closed ticket accepts no update at all (Zendesk): the worker does not try writing.
    closed_is_final: ClassVar[bool] = False
    # The platform recognises echoes (sla_bridge.platforms.EchoRecognizer): each write calls
    # note_version with the stamp the vendor answered and parse_events sets
    # InboundEvent.version in the same form.
    echo_versions: ClassVar[bool] = False

    def __init__(self, *, clock: Clock, verifier: WebhookVerifier, errors: VendorErrors,
                 bridge: BridgeIdentity) -> None:
        self.clock = clock
        self.verifier = verifier
        self.errors = errors
        self.bridge = bridge
        # Keys of one-off actions whose last attempt may have landed (a timeout, a dropped
        # connection): before trying again, the platform looks whether it did.
        self._uncertain: set[str] = set()
        self._uncertain_lock = threading.Lock()
        # Per thread (a reconcile writes in its own): ticket id -> the stamps its writes got.
        self._versions = threading.local()

    def __init_subclass__(cls, abstract: bool = False, **kwargs: Any) -> None:
        """Refuse, when the class is defined, a platform that leaves a write unimplemented."""
        super().__init_subclass__(**kwargs)
        if abstract:
            return
        left = [m for m in REQUIRED_METHODS
                if getattr(getattr(cls, m), "__platformkit_required__", False)
                and not METHOD_KINDS.get(m, frozenset({""})) <= cls.batch_kinds]
        if left:
            raise TypeError(f"{cls.__name__} does not implement {', '.join(left)}; see "
                            "sla_bridge.platformkit.PlatformBase")
        if cls.batch_kinds and cls.write_batch is PlatformBase.write_batch:
            raise TypeError(f"{cls.__name__} lists batch_kinds but does not implement "
                            "write_batch")
        unknown = cls.batch_kinds - set(ACTION_METHODS.values())
        if unknown:
            raise TypeError(f"{cls.__name__}.batch_kinds: {', '.join(sorted(unknown))} "
                            "is not an action kind")
        if not cls.name:
            raise TypeError(f"{cls.__name__}: set name, the platform's name in webhook URLs "
                            "and ticket references (e.g. 'zendesk')")

    # -- inbound ---------------------------------------------------------------------

    def parse_webhook(self, request: WebhookRequest) -> Sequence[InboundEvent]:
        """Verify the request (:class:`WebhookVerifier`), then parse it into events."""
        return self.parse_events(request, self.verifier.verify(request))

    @_required
    def parse_events(self, request: WebhookRequest,
                     signed_at: datetime | None) -> Sequence[InboundEvent]:
        """Parse a verified request (``signed_at``: its signed instant, if the scheme has one);
        raise :class:`~sla_bridge.platforms.BadPayload` for a body that is not understood."""
        raise NotImplementedError

    def acknowledge(self, events: Sequence[InboundEvent]) -> WebhookReply:
        """A JSON 200 saying how many events were stored."""
        return WebhookReply(body=json.dumps({"status": "accepted",
                                             "events": len(events)}).encode())

    # -- reading ---------------------------------------------------------------------

    @_required
    def fetch_ticket(self, ticket_id: str) -> Ticket:
        """The ticket's current state, comments included; raise :class:`VendorError`."""
        raise NotImplementedError

    def ticket_url(self, ticket_id: str) -> str | None:
        """Where an agent opens the ticket in the helpdesk; ``None`` (no link) unless the
        platform says."""
        return None

    @staticmethod
    def site_link(site: str | None, path: str, ticket_id: str) -> str | None:
        """``site`` (a configured URL) followed by ``path`` with ``{id}`` replaced by the
        ticket id, percent-encoded (an id cannot add a path segment or a query); ``None``
        without a site."""
        if not site:
            return None
        return site.rstrip("/") + path.replace("{id}", quote(ticket_id, safe=""))

    # -- writing ---------------------------------------------------------------------

    def apply(self, action: Action) -> str | None:
        """Apply one action by its method; return an id worth keeping (a follow-up's).

        Failures become :class:`VendorError`; after a retryable failure of a one-off action
        the next attempt sees :meth:`may_have_landed` true.
        """
        try:
            with self.errors.calling(describe(action)):
                self.before_write(action)
                return self.dispatch(action)
        except VendorError as exc:
            if exc.retryable and action.one_off:
                with self._uncertain_lock:
                    self._uncertain.add(action.idempotency_key)
            raise

    def can_batch(self, action: Action) -> bool:
        """Whether ``action`` can share one update with the ticket's other writes: its kind
        is in ``batch_kinds`` and :meth:`batchable` does not object."""
        return action.kind in self.batch_kinds and self.batchable(action)

    def batchable(self, action: Action) -> bool:
        """A platform's say on one action of a batchable kind (e.g. not a status that takes
        two steps); yes by default."""
        return True

    def apply_batch(self, actions: Sequence[Action]) -> None:
        """Write several actions on one ticket in one update (:meth:`write_batch`).

        Failures become :class:`VendorError`; after any failure but a closed ticket, the
        batch's one-off actions see :meth:`may_have_landed` true on their next attempt
        (a batch of two comments takes two updates, so a refusal may follow a write that
        landed; the worker then writes the actions one by one).
        """
        kinds = ", ".join(a.kind.replace("_", " ") for a in actions)
        try:
            with self.errors.calling(f"update ticket {actions[0].ref.ticket_id} ({kinds})"):
                self.before_write(actions[0])
                self.write_batch(actions)
        except TicketClosed:
            raise
        except VendorError:
            with self._uncertain_lock:
                self._uncertain.update(a.idempotency_key for a in actions if a.one_off)
            raise

    def write_batch(self, actions: Sequence[Action]) -> None:
        """Write ``actions`` (kinds from ``batch_kinds``, one ticket) in one vendor update:
        all land or none. A one-off action that :meth:`may_have_landed` and did is left out."""
        raise NotImplementedError

    def dispatch(self, action: Action) -> str | None:
        """Call the method of ``action``'s type, or :meth:`write_batch` with it alone when the
        platform batches it (no error translation: see :meth:`apply`)."""
        if self.can_batch(action):
            self.write_batch([action])
            return None
        method: Callable[[Action], str | None] = getattr(self, ACTION_METHODS[type(action)])
        return method(action)

    def note_version(self, ticket_id: str, stamp: str | None) -> None:
        """Remember the version stamp a write to the ticket got back (for
        :meth:`written_versions`; ``None``, no stamp, is not remembered)."""
        if stamp:
            noted: dict[str, list[str]] = self._versions.__dict__.setdefault("noted", {})
            noted.setdefault(str(ticket_id), []).append(stamp)

    def written_versions(self, ticket_id: str) -> tuple[str, ...] | None:
        """The stamps this thread's writes to the ticket got since the last call, oldest
        first, forgotten once returned; ``None`` unless ``echo_versions``."""
        noted: dict[str, list[str]] = self._versions.__dict__.get("noted", {})
        stamps = tuple(noted.pop(str(ticket_id), ()))
        return stamps if self.echo_versions else None

    def before_write(self, action: Action) -> None:
        """Called before each write (e.g. to learn the bridge's user id); nothing by default."""

    def may_have_landed(self, action: Action) -> bool:
        """Whether the last attempt of this one-off action may have landed (asked once)."""
        with self._uncertain_lock:
            if action.idempotency_key in self._uncertain:
                self._uncertain.discard(action.idempotency_key)
                return True
        return False

    @_required
    def post_comment(self, action: Action, body: str, public: bool) -> None:
        """Post a comment on ``action.ref`` carrying ``action.idempotency_key``, unless
        :meth:`may_have_landed` and the ticket already has it."""
        raise NotImplementedError

    @_required
    def add_tags(self, action: Action, tags: Sequence[str]) -> None:
        """Add tags to ``action.ref`` without touching the others."""
        raise NotImplementedError

    @_required
    def remove_tags(self, action: Action, tags: Sequence[str]) -> None:
        """Remove tags from ``action.ref`` without touching the others."""
        raise NotImplementedError

    def add_comment(self, action: actions.AddComment) -> str | None:
        """A public reply or an internal note, through :meth:`post_comment`."""
        self.post_comment(action, action.body, action.public)
        return None

    @_required
    def set_fields(self, action: actions.SetFields) -> str | None:
        """Write neutral fields through the platform's field mapping."""
        raise NotImplementedError

    def change_tags(self, action: actions.ChangeTags) -> str | None:
        """Add and remove tags, through :meth:`add_tags` and :meth:`remove_tags`."""
        if action.add:
            self.add_tags(action, action.add)
        if action.remove:
            self.remove_tags(action, action.remove)
        return None

    @_required
    def set_status(self, action: actions.SetStatus) -> str | None:
        """Move the ticket to another status."""
        raise NotImplementedError

    @_required
    def assign(self, action: actions.Assign) -> str | None:
        """Assign the ticket to a group and/or an agent."""
        raise NotImplementedError

    @_required
    def create_follow_up(self, action: actions.CreateFollowUp) -> str | None:
        """Open a follow-up of a closed ticket; return the new ticket's id."""
        raise NotImplementedError

    def request_approval(self, action: actions.RequestApproval) -> str | None:
        """Without an approvals API: an internal note for the group (:func:`approval_note`)
        and the tag ``sla_approval_requested`` its views can list."""
        self.post_comment(action, approval_note(action), False)
        self.add_tags(action, (actions.APPROVAL_REQUESTED_TAG,))
        return None


# What a concrete platform must write itself (the methods marked required); the other
# action methods have defaults built on them.
REQUIRED_METHODS: tuple[str, ...] = tuple(
    name for name, value in vars(PlatformBase).items()
    if getattr(value, "__platformkit_required__", False))
# The action kinds each write method serves: a platform that batches all of them (writes
# them through write_batch) need not write the method.
METHOD_KINDS: dict[str, frozenset[str]] = {
    "post_comment": frozenset({"add_comment", "request_approval"}),
    "add_tags": frozenset({"change_tags", "request_approval"}),
    "remove_tags": frozenset({"change_tags"}),
    "set_fields": frozenset({"set_fields"}),
    "set_status": frozenset({"set_status"}),
    "assign": frozenset({"assign"}),
}


def _check_every_action_has_a_method() -> None:
    missing = [f"{t.__name__} (def {m})" for t, m in ACTION_METHODS.items()
               if not callable(getattr(PlatformBase, m, None))]
    if missing:
        raise TypeError("sla_bridge.platformkit.PlatformBase has no method for "
                        + ", ".join(missing) + "; add one named after the action's kind")


_check_every_action_has_a_method()
