"""Opaque pagination cursors: an offset into a list, encoded so clients cannot make one up."""

from __future__ import annotations

import base64

_PREFIX = "o"


def encode_cursor(offset: int) -> str:
    """The cursor that points at ``offset``."""
    return base64.urlsafe_b64encode(f"{_PREFIX}{offset}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """The offset ``cursor`` points at; :class:`ValueError` when it is not a cursor that
    :func:`encode_cursor` made."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        raise ValueError(f"not a cursor: {cursor!r}") from None
    if not raw.startswith(_PREFIX) or not raw[len(_PREFIX):].isdigit():
        raise ValueError(f"not a cursor: {cursor!r}")
    return int(raw[len(_PREFIX):])
