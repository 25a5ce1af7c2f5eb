"""Run ``sla-bridge simulate`` in-process and read its JSON."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from simulate_helpers import Simulate


@pytest.fixture
def simulate(run_cli: Callable[..., Any]) -> Simulate:
    """Return ``simulate(path, *options, status=0)``: the command's JSON document."""

    def run(path: Path | str, *options: str, status: int = 0) -> dict[str, Any]:
        result = run_cli("simulate", str(path), "--format", "json", *options)
        assert result.exit_code == status, result.output
        document: dict[str, Any] = json.loads(result.output)
        return document

    return run
