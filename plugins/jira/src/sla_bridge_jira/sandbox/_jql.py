"""The small part of JQL a webhook filter and a resync search use: ``AND``-ed clauses
``field = value``, ``field != value``, ``field in (a, b)`` and ``field not in (a, b)`` on
``project``, ``key``, ``status``, ``labels``, ``priority``, ``issuetype``, ``statusCategory``,
``reporter`` and ``assignee`` (account ids); ``summary ~ "words"`` / ``text ~ "words"``
(every word contained, case-insensitive); ``updated`` / ``created`` compared (``>=``,
``>``, ``<=``, ``<``) with ``"yyyy-MM-dd HH:mm"`` or ``"yyyy-MM-dd"`` (UTC here); a trailing
``ORDER BY`` updated, created or key. Anything else is refused (a webhook's registration,
a search: 400), so a filter never silently matches everything."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

_CLAUSE = re.compile(
    r"""\s*(?P<field>[A-Za-z]+)\s*(?P<op>!=|>=|<=|>|<|=|~|not\s+in|in)\s*
        (?P<value>\((?P<list>[^)]*)\)|"(?P<quoted>[^"]*)"|(?P<bare>[^\s()"]+))\s*""",
    re.IGNORECASE | re.VERBOSE)
FIELDS = ("project", "key", "status", "labels", "priority", "issuetype", "statuscategory",
          "reporter", "assignee")
TEXTS = ("summary", "text")
DATES = ("updated", "created")
_ORDER = re.compile(r"\s+ORDER\s+BY\s+(?P<field>[A-Za-z]+)(?:\s+(?P<way>ASC|DESC))?\s*$",
                    re.IGNORECASE)

#: What a filter reads of an issue: a field's values (labels have many), lower-cased.
Values = Callable[[str], set[str]]


class JqlError(ValueError):
    """The filter is not JQL this sandbox understands; the message says which part."""


@dataclass(frozen=True)
class Clause:
    """``field op values``."""

    field: str
    negated: bool
    values: frozenset[str]
    compare: str | None = None  # >=, >, <=, < for a date field
    instant: datetime | None = None

    def holds(self, values: Values) -> bool:
        """Whether the issue's values satisfy the clause."""
        if self.compare == "~":
            text = " ".join(values(self.field))
            return all(word in text for word in self.values)
        if self.compare is not None and self.instant is not None:
            found = [datetime.fromisoformat(v) for v in values(self.field)]
            return any(_COMPARE[self.compare](v, self.instant) for v in found)
        hit = bool(values(self.field) & self.values)
        return hit != self.negated


_COMPARE: dict[str, Callable[[datetime, datetime], bool]] = {
    ">=": lambda a, b: a >= b, ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b, "<": lambda a, b: a < b}


def _instant(raw: str, part: str) -> datetime:
    for layout in ("%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M", "%Y-%m-%d", "%Y/%m/%d"):
        try:
            return datetime.strptime(raw, layout).replace(tzinfo=UTC)
        except ValueError:
            continue
    raise JqlError(f"cannot read the date {raw!r} in {part!r}: use \"yyyy-MM-dd HH:mm\"")


def order_of(jql: str) -> tuple[str, tuple[str, bool] | None]:
    """``jql`` without its ``ORDER BY``, and the order asked (field, descending)."""
    match = _ORDER.search(" " + jql)
    if match is None:
        return jql, None
    field = match["field"].lower()
    if field not in (*DATES, "key"):
        raise JqlError(f"ORDER BY {match['field']} is not supported here; use updated, "
                       "created or key")
    return (" " + jql)[:match.start()].strip(), (field, (match["way"] or "").upper() == "DESC")


def parse(jql: str) -> list[Clause]:
    """The clauses of ``jql`` (an empty filter matches every issue)."""
    clauses: list[Clause] = []
    parts = [p for p in re.split(r"\s+AND\s+", jql.strip(), flags=re.IGNORECASE) if p]
    for part in parts:
        match = _CLAUSE.fullmatch(part)
        if match is None:
            raise JqlError(f"cannot read the JQL clause {part!r}: use field = value, "
                           "field != value or field in (a, b), joined by AND")
        name = match["field"].lower()
        op = " ".join(match["op"].lower().split())
        if name in DATES:
            raw = match["quoted"] if match["quoted"] is not None else match["bare"]
            if op not in _COMPARE or raw is None:
                raise JqlError(f"compare {match['field']} with >=, >, <= or <: {part!r}")
            clauses.append(Clause(name, False, frozenset(), op, _instant(raw, part)))
            continue
        if name in TEXTS:
            raw = match["quoted"] if match["quoted"] is not None else match["bare"]
            if op != "~" or raw is None:
                raise JqlError(f"search {match['field']} with ~ \"words\": {part!r}")
            clauses.append(Clause(name, False, frozenset(raw.lower().split()), "~"))
            continue
        if op in (*_COMPARE, "~"):
            raise JqlError(f"{op} compares dates (updated, created) only: {part!r}")
        if name not in FIELDS:
            raise JqlError(f"field {match['field']!r} is not supported here; use one of "
                           f"{', '.join((*FIELDS, *DATES, *TEXTS))}")
        if match["list"] is not None:
            raw = [v.strip().strip('"') for v in match["list"].split(",")]
        else:
            raw = [match["quoted"] if match["quoted"] is not None else match["bare"]]
        if op in ("in", "not in") and match["list"] is None:
            raise JqlError(f"{op} takes a list in parentheses: {part!r}")
        clauses.append(Clause(name, op in ("!=", "not in"),
                              frozenset(v.lower() for v in raw if v)))
    return clauses


def matches(clauses: list[Clause], values: Values) -> bool:
    """Whether every clause holds."""
    return all(clause.holds(values) for clause in clauses)
