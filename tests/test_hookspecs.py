"""Every hook is prefixed, typed, documented, and exercised by at least one test."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

from sla_bridge import hookspecs

HOOKS = [name for name, value in vars(hookspecs).items()
         if callable(value) and hasattr(value, "sla_bridge_spec")]
TESTS = Path(__file__).parent
SRC = Path(hookspecs.__file__).parent
DOCS = TESTS.parent / "docs" / "plugins.md"


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


def _facade_methods() -> dict[str, set[str]]:
    """Hook -> the PluginHost methods that call it (core code calls hooks only there)."""
    tree = ast.parse((SRC / "plugin" / "_host.py").read_text())
    calls: dict[str, set[str]] = {}
    for method in ast.walk(tree):
        if isinstance(method, ast.FunctionDef):
            for node in ast.walk(method):
                if isinstance(node, ast.Attribute) and node.attr.startswith("sla_bridge_"):
                    calls.setdefault(node.attr, set()).add(method.name)
    return calls


def _called_names(path: Path) -> set[str]:
    """The names a test module calls: ``f(...)``, ``obj.method(...)``."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute):
                names.add(func.attr)
            elif isinstance(func, ast.Name):
                names.add(func.id)
    return names


# Facade methods that the command line and the runtime call for the tests.
ENTRY_POINTS = {"extend_cli": {"build_cli", "run_cli", "main"},
                "platforms": {"platforms", "build", "Runtime"},
                "policy_library": {"policy_library", "run_cli", "load_policy"},
                "holiday_rule_kinds": {"holiday_rule_kinds", "run_cli", "policy_library"},
                "policy_directories": {"policy_directories", "run_cli", "policy_library"},
                "settings_sections": {"settings_sections", "run_cli"},
                "classify": {"classify", "run_cli", "drain"},
                "demos": {"demos", "run_cli"}}


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_is_called_through_the_host_and_exercised_by_a_test(hook: str) -> None:
    methods = _facade_methods().get(hook, set())
    assert methods, f"PluginHost never calls {hook}: core code must reach it through the host"
    wanted = set().union(*(ENTRY_POINTS.get(m, {m}) for m in methods))
    callers = [path for path in TESTS.rglob("test_*.py") if _called_names(path) & wanted]
    assert callers, f"no test calls {hook} (through {', '.join(sorted(wanted))})"
    plugins = TESTS.parent / "plugins"
    implementers = [path for path in [*TESTS.rglob("*.py"), *SRC.rglob("*.py"),
                                      *plugins.glob("*/src/**/*.py")]
                    if f"def {hook}(" in path.read_text(encoding="utf-8")
                    and path.name != "hookspecs.py"]
    assert implementers, f"nothing implements {hook}"


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_is_named_in_the_plugin_guide(hook: str) -> None:
    rows = [line for line in DOCS.read_text().splitlines() if line.startswith(f"| `{hook}(")]
    assert rows, f"docs/plugins.md has no row for {hook} in its hook table"
