"""Who the bridge is on a platform, to recognise its own writes echoing back as webhooks.

Every write the bridge makes fires the platform's webhooks too; an event is the bridge's own
when its actor is the bridge's API user (by id, or by e-mail while the id is unknown) or when
it carries the bridge's marker (a value the bridge writes with its updates).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


def _text(value: Any) -> str:
    return str(value).strip() if value is not None else ""


class BridgeIdentity:
    """The bridge's API user (id and e-mail) and marker on one platform; thread-safe."""

    def __init__(self, email: str = "", user_id: Any = None, marker: str | None = None) -> None:
        self.email = email.strip().lower()
        self.marker = marker
        self._user_id = _text(user_id) or None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"BridgeIdentity(email={self.email!r}, user_id={self._user_id!r})"

    @property
    def user_id(self) -> str | None:
        """The API user's id, once configured, looked up or learnt."""
        return self._user_id

    def learn(self, user_id: Any) -> None:
        """Remember the API user's id (looked up, or seen next to the bridge's e-mail)."""
        with self._lock:
            self._user_id = _text(user_id) or None

    def ensure(self, look_up: Callable[[], Any]) -> str:
        """The API user's id, calling ``look_up`` (e.g. ``/users/me``) only while it is unknown."""
        if self._user_id is None:
            self.learn(look_up())
        if self._user_id is None:
            raise ValueError("the look-up of the bridge's API user returned no id")
        return self._user_id

    def notice(self, user_id: Any, email: Any) -> None:
        """Learn the id from an event whose actor has the bridge's e-mail, if still unknown."""
        if self._user_id is None and _text(user_id) and self.is_bridge(email=email):
            self.learn(user_id)

    def is_bridge(self, user_id: Any = None, email: Any = None, marker: Any = None) -> bool:
        """Whether an event's actor (id, else e-mail) or its ``marker`` is the bridge's own.

        A known id decides alone: an actor id that differs is not the bridge even with the
        bridge's e-mail.
        """
        if self.marker and _text(marker) == self.marker:
            return True
        if _text(user_id) and self._user_id is not None:
            return _text(user_id) == self._user_id
        given = _text(email).lower() if isinstance(email, str) else ""
        return bool(given and self.email and given == self.email)
