"""Generated hostile webhooks for any platform, from its :class:`WebhookSigner`.

Most requests are a valid body of the platform (``signer.bodies()``) mutated in one place and
then signed correctly, so they get past the signature check and into the platform's
parsing: a field of any depth replaced by a value of the wrong type (huge numbers and
strings, NUL, lone surrogates, deep nesting), a field dropped or added, a key repeated, a
raw token no JSON encoder writes (``NaN``, ``1e400``, a 5,000-digit integer, 3,000 levels of
brackets), invalid UTF-8 spliced in, the body truncated, bodies over the size limit. The rest
are random bytes, JSON that is not an object, and requests with no, a wrong, a stale or a
tampered signature, a missing header or a wrong ``Content-Type``; any of them may be sent
chunked, without a ``Content-Length``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import strategies as st

from sla_bridge.testing import WebhookSigner, webhook_signers

_ANY_CHARACTER = st.characters(exclude_categories=())  # lone surrogates and NUL included
_TRICKY_TEXT = ["", " ", "0", "-1", "00042", "4213 ", "\u0661\u0662\u0663", "\u00b2", "1e3",
                "{{ticket.id}}", "9" * 30, "zen:ticket:", "zen:ticket:12:34",
                "zen:event-type:ticket.", "zen:event-type:user.", "\x00", "\ud800", "T" * 201,
                "\u202e", "null", "true", "2026-13-45T99:99:99Z", "0001-01-01T00:00:00+14:00",
                "9999-12-31T23:59:59-14:00", "99999999999999999999", "9" * 5000,
                "0" * 300 + "1"]
hostile_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True), st.text(_ANY_CHARACTER, max_size=40),
    st.text(max_size=300), st.sampled_from(_TRICKY_TEXT))
json_values = st.recursive(
    hostile_scalars,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(
        st.text(_ANY_CHARACTER, max_size=10), inner, max_size=5),
    max_leaves=20)
# Tokens no JSON encoder writes, put where a value goes.
raw_tokens = st.one_of(
    st.sampled_from([b"NaN", b"-Infinity", b"Infinity", b"1e400", b"-1e400", b"1e-400", b"-0",
                     b"9" * 5000, b"-" + b"9" * 4400, b'"\\ud800"', b'"\\udfff\\ud800"',
                     b'"\\u0000"', b'"\xff\xfe"', b'"\xed\xa0\x80"', b"[]", b"{}", b'""']),
    st.integers(min_value=1, max_value=3000).map(lambda n: b"[" * n + b"]" * n),
    st.integers(min_value=1, max_value=1200).map(lambda n: b'{"a":' * n + b"1" + b"}" * n))
# Header values are bytes: anything HTTP lets through (no control characters, no leading or
# trailing blanks), read by the server as latin-1.
header_values = st.text(st.characters(codec="latin-1", exclude_categories=("Cc",)),
                        min_size=1, max_size=250).map(str.strip).filter(bool)
delivery_ids = st.one_of(
    st.text(st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=250),
    header_values)
content_types = st.sampled_from([
    "application/json", "text/plain", "application/xml", "", "application/x-www-form-urlencoded",
    "application/json; charset=latin-1", "multipart/form-data; boundary=x", "*/*"])
_SENTINEL = "\x01hostile-sentinel\x01"


@dataclass(frozen=True)
class HostileRequest:
    """One generated webhook: what is sent, how, and what kind of attack it is."""

    body: bytes
    headers: dict[str, str]
    chunked: bool
    kind: str

    def __repr__(self) -> str:
        # ASCII only: a failing example is sent from an xdist worker as UTF-8, which a lone
        # surrogate in a header or the kind would make unreportable (an INTERNALERROR).
        return (f"HostileRequest(kind={self.kind!a}, chunked={self.chunked}, "
                f"headers={self.headers!a}, body={self.body[:2000]!r})")


def dumps(value: Any, ascii_only: bool = False) -> bytes:
    """JSON as a hostile sender writes it: NaN allowed, lone surrogates encoded as they are."""
    return json.dumps(value, allow_nan=True, ensure_ascii=ascii_only).encode(
        "utf-8", "surrogatepass")


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key path into nested objects and arrays, ``()`` (the whole body) first."""
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


def _replaced(body: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    copy: Any = dict(body) if isinstance(body, dict) else list(body)
    copy[path[0]] = _replaced(copy[path[0]], path[1:], new)
    return copy


def _dropped(body: Any, path: tuple[Any, ...]) -> Any:
    if len(path) == 1:
        copy: Any = dict(body) if isinstance(body, dict) else list(body)
        del copy[path[0]]
        return copy
    return _replaced(body, path[:1], _dropped(body[path[0]], path[1:]))


@st.composite
def _mutated(draw: st.DrawFn, valid: list[dict[str, Any]]) -> tuple[str, bytes]:
    body = draw(st.sampled_from(valid))
    path = draw(st.sampled_from(_paths(body)[1:] or [()]))
    how = draw(st.sampled_from(["value", "value", "value", "token", "drop", "add",
                                "duplicate"]))
    if how == "value":
        return "wrong value", dumps(_replaced(body, path, draw(json_values)),
                                    draw(st.booleans()))
    if how == "token":
        marked = dumps(_replaced(body, path, _SENTINEL), ascii_only=True)
        return "raw token", marked.replace(dumps(_SENTINEL, ascii_only=True), draw(raw_tokens))
    if how == "drop" and path:
        return "field dropped", dumps(_dropped(body, path))
    if how == "duplicate" and len(path) == 1:
        key, other = path[0], draw(json_values)
        pairs = [(key, other), *body.items()] if draw(st.booleans()) else \
            [*body.items(), (key, other)]
        return "duplicate key", b"{" + b",".join(dumps(k) + b":" + dumps(v)
                                                  for k, v in pairs) + b"}"
    parent = path[:-1] if path else ()
    return "field added", dumps(_replaced(body, parent, _with_key(
        _at(body, parent), draw(st.text(_ANY_CHARACTER, max_size=12)), draw(json_values))))


def _at(body: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        body = body[part]
    return body


def _with_key(container: Any, key: str, value: Any) -> Any:
    if isinstance(container, dict):
        return {**container, key: value}
    if isinstance(container, list):
        return [*container, value]
    return {key: value}


@st.composite
def _broken(draw: st.DrawFn, valid: list[dict[str, Any]]) -> tuple[str, bytes]:
    encoded = dumps(draw(st.sampled_from(valid)))
    at = draw(st.integers(min_value=0, max_value=len(encoded)))
    how = draw(st.sampled_from(["truncated", "invalid utf-8", "nul byte"]))
    if how == "truncated":
        return how, encoded[:at]
    junk = draw(st.binary(min_size=1, max_size=8)) if how == "invalid utf-8" else b"\x00"
    return how, encoded[:at] + junk + encoded[at:]


def bodies(signer: WebhookSigner, limit: int) -> st.SearchStrategy[tuple[str, bytes]]:
    """(kind, body) pairs, more than half of them the platform's own shapes mutated."""
    valid = [json.loads(json.dumps(b)) for b in signer.bodies()]
    return _body(valid, limit)


@st.composite
def _body(draw: st.DrawFn, valid: list[dict[str, Any]], limit: int) -> tuple[str, bytes]:
    # Weights out of 20, drawn explicitly: hypothesis's one_of favours its simplest branches.
    roll = draw(st.integers(min_value=0, max_value=19))
    if roll < 11:
        return draw(_mutated(valid))
    if roll < 13:
        return draw(_broken(valid))
    if roll == 13:
        return "random bytes", draw(st.binary(max_size=2000))
    if roll == 14:
        return "not an object", dumps(draw(json_values.filter(lambda v: not isinstance(v, dict))))
    if roll < 17:
        return "valid", dumps(draw(st.sampled_from(valid)))
    padding = draw(st.integers(min_value=limit - 400, max_value=limit * 2))
    return "oversize", dumps({**draw(st.sampled_from(valid)), "pad": "x" * padding})


@st.composite
def hostile_requests(draw: st.DrawFn, signer: WebhookSigner, limit: int) -> HostileRequest:
    """A generated request for ``signer``'s platform: mostly correctly signed."""
    kind, body = draw(bodies(signer, limit))
    delivery = draw(delivery_ids)
    now = datetime.now(UTC)
    proof = draw(st.sampled_from(["signed"] * 8 + ["unsigned", "wrong secret", "stale",
                                                   "tampered", "header missing",
                                                   "header garbled"]))
    if proof == "unsigned":
        headers = {"content-type": "application/json"}
    elif proof == "wrong secret":
        impostor = webhook_signers()[signer.platform]("not-the-secret-" + signer.secret[:4])
        headers = impostor.sign(body, at=now, delivery=delivery)
    else:
        at = now - timedelta(days=1) if proof == "stale" else now
        headers = signer.sign(body, at=at, delivery=delivery)
    if proof == "tampered":
        body = body + b" " if body[-1:] != b" " else body[:-1]
    names = sorted(headers)
    if proof == "header missing":
        del headers[draw(st.sampled_from(names))]
    if proof == "header garbled":
        headers[draw(st.sampled_from(names))] = draw(header_values)
    if draw(st.integers(min_value=0, max_value=5)) == 0:
        headers["content-type"] = draw(content_types)
    label = kind if proof == "signed" else f"{kind}, {proof}"
    return HostileRequest(body=body, headers=headers, chunked=draw(st.booleans()), kind=label)
