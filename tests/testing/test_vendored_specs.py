"""A plugin's vendored OpenAPI documents: the trim script writes the trimmed copies with
where they come from, and the tests read them back (or the full documents when asked)."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from sla_bridge.testing import vendored_document, write_trimmed_specs

PUBLISHED: dict[str, Any] = {
    "openapi": "3.0.1", "info": {"title": "Acme", "version": "1"},
    "paths": {
        "/v3/tickets/{id}": {"get": {"responses": {"200": {"description": "ok", "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/Ticket"}}}}}}},
        "/v3/users": {"get": {"responses": {"200": {"description": "ok"}}}},
    },
    "components": {"schemas": {"Ticket": {"type": "object"}, "User": {"type": "object"}}},
}
DOCUMENTS = {"acme-openapi.json": ("acme-openapi.trimmed.json", {"/v3/tickets/{id}": ["get"]})}
TRIM_SCRIPT = '''
def load_full(path):
    import json
    return {"read by the trim script": json.loads(path.read_text())["info"]["title"]}
'''


@pytest.fixture
def published(tmp_path: Path) -> Path:
    folder = tmp_path / "published"
    folder.mkdir()
    (folder / "acme-openapi.json").write_text(json.dumps(PUBLISHED), encoding="utf-8")
    return folder


@pytest.fixture
def specs(tmp_path: Path) -> Path:
    """The plugin's ``specs`` folder, with its trim script."""
    folder = tmp_path / "plugins" / "acme" / "specs"
    folder.mkdir(parents=True)
    (folder / "trim_specs.py").write_text(TRIM_SCRIPT, encoding="utf-8")
    return folder


def as_v2(trimmed: dict[str, Any]) -> dict[str, str]:
    trimmed["paths"] = {p.replace("/v3/", "/v2/"): item for p, item in trimmed["paths"].items()}
    return {"paths_from": "/v3 written as /v2"}


def test_the_trimmed_copy_keeps_the_operations_and_records_its_origin(
        published: Path, specs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert write_trimmed_specs([str(published)], description="Trim Acme's documents.",
                               documents=DOCUMENTS, script=specs / "trim_specs.py",
                               vendor="Acme", rewrite=as_v2, today=lambda: date(2026, 12, 1)) == 0
    written = json.loads((specs / "acme-openapi.trimmed.json").read_text(encoding="utf-8"))
    assert list(written["paths"]) == ["/v2/tickets/{id}"]
    assert list(written["components"]["schemas"]) == ["Ticket"]
    origin = written["info"]["x-sla-bridge-trimmed"]
    assert origin == {"date": "2026-12-01",
        "source": "acme-openapi.json",
        "sha256": hashlib.sha256((published / "acme-openapi.json").read_bytes()).hexdigest(),
        "by": "plugins/acme/specs/trim_specs.py", "operations": 1,
        "paths_from": "/v3 written as /v2"}
    assert "acme-openapi.trimmed.json: " in capsys.readouterr().out


def test_tests_read_the_trimmed_copy_or_the_full_document_when_asked(
        published: Path, specs: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_trimmed_specs([str(published)], description="", documents=DOCUMENTS,
                        script=specs / "trim_specs.py", vendor="Acme",
                        today=lambda: date(2026, 12, 1))

    def read_full(folder: Path, trim_specs: ModuleType) -> dict[str, Any]:
        loaded: dict[str, Any] = trim_specs.load_full(folder / "acme-openapi.json")
        return loaded

    monkeypatch.delenv("SLA_BRIDGE_ACME_FULL_SPECS", raising=False)
    trimmed = vendored_document(specs, "acme-openapi", full_specs="SLA_BRIDGE_ACME_FULL_SPECS",
                                read_full=read_full)
    assert list(trimmed["paths"]) == ["/v3/tickets/{id}"]
    monkeypatch.setenv("SLA_BRIDGE_ACME_FULL_SPECS", str(published))
    assert vendored_document(specs, "acme-openapi", full_specs="SLA_BRIDGE_ACME_FULL_SPECS",
                             read_full=read_full) == {"read by the trim script": "Acme"}
