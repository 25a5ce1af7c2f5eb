"""Correctly signed bodies the stores cannot keep are refused with 400 and the reason, on
SQLite and PostgreSQL alike, and nothing is stored (issue: hostile input)."""

from __future__ import annotations

import json

import pytest
from server_helpers import StartBridge

NESTED = b'{"ticket_id": "T-1", "x": ' + b"[" * 1000 + b"]" * 1000 + b"}"
CASES = {
    "NaN": b'{"ticket_id": "T-1", "score": NaN}',
    "Infinity": b'{"ticket_id": "T-1", "score": -Infinity}',
    "huge number": b'{"ticket_id": "T-1", "n": 1e400}',
    "huge integer": b'{"ticket_id": "T-1", "n": ' + b"9" * 40 + b"}",
    "long ticket id": json.dumps({"ticket_id": "T" * 201}).encode(),
    "NUL in a value": json.dumps({"ticket_id": "T-1", "note": "a\u0000b"}).encode(),
    "NUL in the ticket id": json.dumps({"ticket_id": "T\u00001"}).encode(),
    "lone surrogate": b'{"ticket_id": "T-1", "note": "\\ud800"}',
    "nested 1,000 deep": NESTED,
    "nested 40 deep": b'{"ticket_id": "T-1", "x": ' + b"[" * 40 + b"]" * 40 + b"}",
}


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest) -> str | None:
    """The default SQLite file, or a fresh PostgreSQL schema."""
    return None if request.param == "sqlite" else str(request.getfixturevalue("pg_url"))


@pytest.mark.parametrize("body", CASES.values(), ids=CASES.keys())
def test_a_signed_body_no_store_can_keep_is_400_and_stored_nowhere(
        start_bridge: StartBridge, database: str | None, body: bytes) -> None:
    bridge = start_bridge(database_url=database)
    response = bridge.webhook(body=body)
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "bad_payload"
    assert response.json()["reason"]
    assert bridge.inbox() == []

