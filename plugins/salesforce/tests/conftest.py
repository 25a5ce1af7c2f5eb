"""Fixtures of the Salesforce Service Cloud plugin's tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No SLA_BRIDGE_SALESFORCE__ variable or .env file from the developer's shell."""
    for name in list(os.environ):
        if name.startswith("SLA_BRIDGE_SALESFORCE__"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
