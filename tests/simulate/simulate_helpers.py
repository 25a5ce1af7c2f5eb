"""Reading ``sla-bridge simulate --format json`` documents in the tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

# simulate(path, *options, status=0) -> the JSON document (the fixture in conftest.py)
Simulate = Callable[..., dict[str, Any]]

STORIES = Path(__file__).resolve().parents[2] / "config" / "stories"


def writes(result: dict[str, Any], kind: str | None = None) -> list[dict[str, Any]]:
    """The writes of one ticket's result, optionally of one kind."""
    return [w for w in result["writes"] if kind is None or w["kind"] == kind]


def at(result: dict[str, Any], instant: str) -> list[tuple[str, Any]]:
    """What was written at ``instant``: (kind, the part that matters) pairs."""
    parts = {"comment": "body", "fields": "fields", "tags": "tags_add", "status": "status",
             "assign": "assignee", "follow_up": "body", "approval": "group"}
    return [(w["kind"], w[parts[w["kind"]]]) for w in result["writes"] if w["at"] == instant]


def clock(result: dict[str, Any], metric: str) -> dict[str, Any]:
    """One clock of one ticket's result."""
    [found] = [c for c in result["clocks"] if c["metric"] == metric]
    return found
