"""The subset of SOQL the plugin sends, parsed and run against the store.

``SELECT f1, Rel.f2, (SELECT ... FROM ChildRelationship ...), COUNT() FROM Obj [WHERE ...]
[ORDER BY f [ASC|DESC] [NULLS FIRST|LAST], ...] [LIMIT n] [OFFSET n]`` where a condition is
``field op value`` (``= != <> < <= > >=``),
``field [NOT] IN (...)``, ``field LIKE '...'``, joined by ``AND`` / ``OR`` / ``NOT`` and
parentheses; values are quoted strings with SOQL's backslash escapes (what
``simple_salesforce.format_soql`` makes), numbers, ``true``/``false``/``null`` and datetimes
(https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select.htm).
Anything else is ``MALFORMED_QUERY``; an unknown field ``INVALID_FIELD``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sla_bridge.sandbox import ApiError

from ._errors import sf_error
from ._ids import to_18
from ._schema import Schema
from ._values import parse_datetime

_TOKEN = re.compile(r"""\s*(?:
    (?P<string>'(?:[^'\\]|\\.)*')
  | (?P<datetime>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d))
  | (?P<number>-?\d+(?:\.\d+)?)
  | (?P<op><=|>=|!=|<>|=|<|>|\(|\)|,)
  | (?P<word>[A-Za-z_][A-Za-z0-9_.]*)
)""", re.VERBOSE)
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f"}
_KEYWORDS = {"select", "from", "where", "and", "or", "not", "in", "like", "order", "by",
             "asc", "desc", "nulls", "first", "last", "limit", "offset", "true", "false", "null"}

Row = dict[str, Any]
Lookup = Callable[[str], "Row | None"]


def malformed(message: str) -> ApiError:
    """400 ``MALFORMED_QUERY``."""
    return sf_error(400, "MALFORMED_QUERY", message)


def _tokens(text: str) -> list[tuple[str, Any]]:
    tokens: list[tuple[str, Any]] = []
    position = 0
    text = text.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise malformed(f"unexpected token at: {text[position:position + 20]!r}")
        position = match.end()
        kind = match.lastgroup or ""
        raw = match.group(kind)
        if kind == "string":
            value: Any = re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)),
                                raw[1:-1])
        elif kind == "number":
            value = float(raw) if "." in raw else int(raw)
        elif kind == "datetime":
            value = parse_datetime(raw)
        elif kind == "word" and raw.lower() in _KEYWORDS:
            kind, value = "kw", raw.lower()
        else:
            value = raw
        tokens.append((kind, value))
    return tokens


@dataclass
class Query:
    """A parsed query."""

    object_name: str
    fields: list[str]
    where: Callable[[Lookup, Row], bool] | None = None
    order: list[tuple[str, bool, bool]] = field(default_factory=list)  # path, desc, nulls last
    limit: int | None = None
    offset: int = 0
    count: bool = False
    #: For a child sub-query: its relationship name and the child's field pointing up.
    relationship: str | None = None
    foreign_key: str | None = None
    children: list[Query] = field(default_factory=list)


class _Parser:
    def __init__(self, text: str, schema: Schema) -> None:
        self.tokens = _tokens(text)
        self.at = 0
        self.schema = schema
        self.object_name = ""

    def peek(self, kind: str | None = None, value: Any = None) -> bool:
        if self.at >= len(self.tokens):
            return False
        got_kind, got = self.tokens[self.at]
        return (kind is None or got_kind == kind) and (value is None or got == value)

    def take(self, kind: str | None = None, value: Any = None) -> Any:
        if not self.peek(kind, value):
            found = self.tokens[self.at][1] if self.at < len(self.tokens) else "end of query"
            raise malformed(f"unexpected token: '{found}'"
                            + (f", expecting '{value or kind}'" if value or kind else ""))
        self.at += 1
        return self.tokens[self.at - 1][1]

    def parse(self) -> Query:
        query = self.select(None)
        if self.at != len(self.tokens):
            raise malformed(f"unexpected token: '{self.tokens[self.at][1]}'")
        return query

    def select(self, parent: str | None) -> Query:
        """``SELECT ... FROM ...`` up to LIMIT/OFFSET; ``parent`` names the outer object
        of a child sub-query (whose FROM is a child relationship, e.g. ``CaseComments``)."""
        self.take("kw", "select")
        selected: list[str] = []
        subqueries: list[tuple[int, int]] = []  # token positions of the sub-queries
        count = False
        while True:
            if self.peek("op", "(") and parent is None:
                self.take()
                start = self.at
                depth = 1
                while depth:
                    if self.at >= len(self.tokens):
                        raise malformed("unbalanced parentheses in the select list")
                    kind, value = self.tokens[self.at]
                    if kind == "op" and value in ("(", ")"):
                        depth += 1 if value == "(" else -1
                    self.at += 1
                subqueries.append((start, self.at - 1))
            else:
                name = self.take("word")
                if name.lower() == "count" and self.peek("op", "("):
                    self.take("op", "(")
                    self.take("op", ")")
                    count = True
                else:
                    selected.append(name)
            if not self.peek("op", ","):
                break
            self.take("op", ",")
        self.take("kw", "from")
        raw_object = self.take("word")
        foreign_key = None
        if parent is not None:
            child = self.schema.child(parent, raw_object)
            if child is None:
                raise sf_error(400, "INVALID_TYPE",
                               f"Didn't understand relationship '{raw_object}' in FROM part"
                               " of query call.")
            object_name, foreign_key = child
        else:
            found = self.schema.object_name(raw_object)
            if found is None:
                raise sf_error(400, "INVALID_TYPE",
                               f"sObject type '{raw_object}' is not supported.")
            object_name = found
        outer_object, self.object_name = self.object_name, object_name
        query = Query(object_name, [self.path(p) for p in selected], count=count,
                      relationship=raw_object if parent else None, foreign_key=foreign_key)
        if self.peek("kw", "where"):
            self.take()
            query.where = self.disjunction()
        if self.peek("kw", "order"):
            self.take()
            self.take("kw", "by")
            while True:
                path = self.path(self.take("word"))
                desc = bool(self.peek("kw", "desc"))
                if self.peek("kw", "asc") or desc:
                    self.take()
                nulls_last = desc
                if self.peek("kw", "nulls"):
                    self.take()
                    nulls_last = self.take("kw") == "last"
                query.order.append((path, desc, nulls_last))
                if not self.peek("op", ","):
                    break
                self.take()
        if self.peek("kw", "limit"):
            self.take()
            query.limit = int(self.take("number"))
        if self.peek("kw", "offset"):
            self.take()
            query.offset = int(self.take("number"))
        resume = self.at
        for start, end in subqueries:
            self.at = start
            sub = self.select(object_name)
            if self.at != end:
                raise malformed(f"unexpected token: '{self.tokens[self.at][1]}'")
            query.children.append(sub)
        self.at = resume
        self.object_name = outer_object or object_name
        return query

    def path(self, dotted: str) -> str:
        """``dotted`` checked against the schema and spelt as the schema does."""
        parts = dotted.split(".")
        object_name, proper = self.object_name, []
        for index, part in enumerate(parts):
            if index < len(parts) - 1:
                ref = self.schema.relationship(object_name, part)
                if ref is None:
                    raise self.unknown(dotted)
                proper.append(ref.relationship_name or part)
                object_name = ref.reference_to[0]
            else:
                spec = self.schema.field(object_name, part)
                if spec is None and index > 0 and object_name == "User":
                    spec = self.schema.field("Group", part)  # polymorphic Owner
                if spec is None:
                    raise self.unknown(dotted)
                proper.append(spec.name)
        return ".".join(proper)

    def unknown(self, dotted: str) -> ApiError:
        return sf_error(400, "INVALID_FIELD",
                        f"No such column '{dotted}' on entity '{self.object_name}'. If you"
                        " are attempting to use a custom field, be sure to append the '__c'"
                        " after the custom field name.")

    def disjunction(self) -> Callable[[Lookup, Row], bool]:
        terms = [self.conjunction()]
        while self.peek("kw", "or"):
            self.take()
            terms.append(self.conjunction())
        return terms[0] if len(terms) == 1 else (
            lambda look, row: any(t(look, row) for t in terms))

    def conjunction(self) -> Callable[[Lookup, Row], bool]:
        terms = [self.negation()]
        while self.peek("kw", "and"):
            self.take()
            terms.append(self.negation())
        return terms[0] if len(terms) == 1 else (
            lambda look, row: all(t(look, row) for t in terms))

    def negation(self) -> Callable[[Lookup, Row], bool]:
        if self.peek("kw", "not"):
            self.take()
            inner = self.negation()
            return lambda look, row: not inner(look, row)
        if self.peek("op", "("):
            self.take()
            inner = self.disjunction()
            self.take("op", ")")
            return inner
        return self.comparison()

    def value(self) -> Any:
        if self.peek("kw"):
            word = self.take("kw")
            if word in ("true", "false", "null"):
                return {"true": True, "false": False, "null": None}[word]
            raise malformed(f"unexpected token: '{word}'")
        kind, value = self.tokens[self.at] if self.at < len(self.tokens) else ("", None)
        if kind not in ("string", "number", "datetime"):
            raise malformed(f"unexpected token: '{value}', expecting a value")
        self.at += 1
        return value

    def comparison(self) -> Callable[[Lookup, Row], bool]:
        path = self.path(self.take("word"))
        negate = False
        if self.peek("kw", "not"):
            self.take()
            negate = True
        if self.peek("kw", "in"):
            self.take()
            self.take("op", "(")
            options = [self.value()]
            while self.peek("op", ","):
                self.take()
                options.append(self.value())
            self.take("op", ")")
            wanted = {_comparable(v) for v in options}
            return lambda look, row: (_comparable(resolve(look, row, path)) in wanted) != negate
        if negate:
            raise malformed("NOT must be followed by IN here")
        if self.peek("kw", "like"):
            self.take()
            pattern = _like(self.take("string"))
            return lambda look, row: bool(pattern.fullmatch(str(resolve(look, row, path) or "")))
        op = self.take("op")
        expected = _comparable(self.value())
        return lambda look, row: _compare(op, _comparable(resolve(look, row, path)), expected)


def _like(pattern: str) -> re.Pattern[str]:
    out = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern)
    return re.compile(out, re.IGNORECASE | re.DOTALL)


def _comparable(value: Any) -> Any:
    if isinstance(value, str) and len(value) in (15, 18):
        try:
            return to_18(value)  # ids compare in either form
        except ValueError:
            return value
    return value


def _compare(op: str, left: Any, right: Any) -> bool:
    if op == "=":
        return bool(left == right)
    if op in ("!=", "<>"):
        return bool(left != right)
    if left is None or right is None:
        return False
    try:
        return bool({"<": left < right, "<=": left <= right, ">": left > right,
                     ">=": left >= right}[op])
    except TypeError:
        return False


def resolve(look: Lookup, row: Row | None, path: str) -> Any:
    """The value at ``Rel.Field`` from ``row``, following references with ``look``."""
    parts = path.split(".")
    for part in parts[:-1]:
        if row is None:
            return None
        target = row.get(f"{part}Id") or row.get(part)
        row = look(target) if isinstance(target, str) else None
    return None if row is None else row.get(parts[-1])


def parse(text: str, schema: Schema) -> Query:
    """The query, or :class:`ApiError` (``MALFORMED_QUERY``, ``INVALID_FIELD``,
    ``INVALID_TYPE``)."""
    if not text.strip():
        raise malformed("the query is empty")
    return _Parser(text, schema).parse()
