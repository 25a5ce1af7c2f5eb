"""Salesforce record ids: 15 case-sensitive characters plus a 3-character checksum.

An id is a 3-character key prefix naming the object (``500`` Case, ``001`` Account ...),
the pod, a reserved character and a base-62 counter; the 18-character form appends one
character per 5-character chunk encoding which of its letters are upper case, so that
case-insensitive tools keep ids apart
(https://help.salesforce.com/s/articleView?id=000385585&type=1).
"""

from __future__ import annotations

import itertools
import secrets
import string
import threading

#: The key prefixes of the objects the sandbox serves (the first three characters of an id).
KEY_PREFIXES: dict[str, str] = {
    "Organization": "00D", "Case": "500", "Account": "001", "Contact": "003", "User": "005",
    "Group": "00G", "CaseComment": "00a", "EmailMessage": "02s", "CaseStatus": "01J",
    "Entitlement": "550", "CaseMilestone": "5OA", "MilestoneType": "557", "BusinessHours": "01m",
    "ProcessDefinition": "04a", "ProcessInstance": "04g", "ProcessInstanceWorkitem": "04i",
    "ProcessInstanceStep": "04h", "OutboundMessage": "04k", "Notification": "04l",
    "CaseHistory": "017", "QueryLocator": "01g",
}

_BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
_CHECKSUM = string.ascii_uppercase + "012345"
_POD = "5g0"  # pod "5g", reserved "0"


def checksum(id15: str) -> str:
    """The three characters that make a 15-character id 18 long."""
    if len(id15) != 15:
        raise ValueError(f"a 15-character id is needed, not {id15!r}")
    suffix = ""
    for start in range(0, 15, 5):
        bits = sum(1 << i for i, ch in enumerate(id15[start:start + 5]) if ch.isupper())
        suffix += _CHECKSUM[bits]
    return suffix


def to_18(record_id: str) -> str:
    """The 18-character form of a 15- or 18-character id (:class:`ValueError` otherwise,
    or when an 18-character id's checksum is wrong)."""
    if len(record_id) == 15:
        return record_id + checksum(record_id)
    if len(record_id) == 18 and checksum(record_id[:15]) == record_id[15:]:
        return record_id
    raise ValueError(f"{record_id!r} is not a valid Salesforce id")


def _base62(number: int, width: int) -> str:
    digits = ""
    while number:
        number, rest = divmod(number, 62)
        digits = _BASE62[rest] + digits
    return digits.rjust(width, "0")


class IdMaker:
    """Makes new 18-character ids, one counter for the whole org, starting at ``start`` (by
    default somewhere random, so that two sandboxes share no ids) high enough that the ids
    have letters of both cases (the checksum then matters)."""

    def __init__(self, start: int | None = None) -> None:
        if start is None:
            start = 3_000_000_000 + secrets.randbelow(10**12)
        self._counter = itertools.count(start, 7919)
        self._lock = threading.Lock()

    def new(self, object_name: str) -> str:
        """A fresh id for a record of ``object_name``."""
        with self._lock:
            number = next(self._counter)
        return to_18(KEY_PREFIXES[object_name] + _POD + _base62(number, 9))


def object_of(record_id: str) -> str | None:
    """The object whose key prefix ``record_id`` starts with, if the sandbox knows it."""
    for name, prefix in KEY_PREFIXES.items():
        if record_id.startswith(prefix):
            return name
    return None
