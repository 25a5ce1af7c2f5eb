"""Every hook is prefixed, typed, documented, and exercised by at least one test."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from sla_bridge import hookspecs

HOOKS = [name for name, value in vars(hookspecs).items()
         if callable(value) and hasattr(value, "sla_bridge_spec")]
TESTS = Path(__file__).parent


def test_hookspecs_define_hooks() -> None:
    assert len(HOOKS) >= 4


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_is_prefixed_typed_and_documented(hook: str) -> None:
    function = getattr(hookspecs, hook)
    assert hook.startswith("sla_bridge_")
    doc = inspect.getdoc(function) or ""
    assert len(doc) > 80, f"{hook} needs a docstring saying when it is called and what it returns"
    assert "Called" in doc, f"{hook}'s docstring must say when it is called"
    signature = inspect.signature(function)
    assert signature.return_annotation is not inspect.Signature.empty
    for parameter in signature.parameters.values():
        assert parameter.annotation is not inspect.Parameter.empty, f"{hook}({parameter.name})"


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_is_exercised_by_a_test(hook: str) -> None:
    users = [path for path in TESTS.rglob("*.py")
             if path.name != Path(__file__).name and hook in path.read_text(encoding="utf-8")]
    assert users, f"no test implements or exercises {hook}"
