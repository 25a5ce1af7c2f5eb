"""A policy key the model declares but no code reads is a promise the bridge does not keep.

Walks every field of the policy model (the top level and each section) and looks for a read
of it as an attribute in the code under ``src/sla_bridge`` outside the model's own
declarations: a key that is declared and never read fails here.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from pydantic import BaseModel

import sla_bridge
from sla_bridge.policy import Policy

SOURCE = Path(sla_bridge.__file__).parent
# Read by name rather than as an attribute: ``getattr(plan, metric)`` for each metric.
READ_BY_NAME = {("Plan", "first_response"), ("Plan", "next_update")}


def models(root: type[BaseModel]) -> dict[str, type[BaseModel]]:
    """The model and every model its fields hold (lists and dicts of models included)."""
    found: dict[str, type[BaseModel]] = {}

    def visit(model: type[BaseModel]) -> None:
        if model.__name__ in found:
            return
        found[model.__name__] = model
        for field in model.model_fields.values():
            for candidate in _types_in(field.annotation):
                visit(candidate)

    visit(root)
    return found


def _types_in(annotation: object) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [t for arg in getattr(annotation, "__args__", ()) for t in _types_in(arg)]


def attribute_reads() -> set[str]:
    reads: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load):
                reads.add(node.attr)
    return reads


READS = attribute_reads()
FIELDS = sorted((name, field) for name, model in models(Policy).items()
                for field in model.model_fields)


@pytest.mark.parametrize(("model", "field"), FIELDS, ids=[f"{m}.{f}" for m, f in FIELDS])
def test_every_policy_key_is_read(model: str, field: str) -> None:
    assert field in READS or (model, field) in READ_BY_NAME, (
        f"{model}.{field} is declared in the policy model but no code reads it: enforce it "
        "or remove it")
