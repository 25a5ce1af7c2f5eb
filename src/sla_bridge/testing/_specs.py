"""A plugin's vendored OpenAPI documents: making the trimmed copies the tests read, and
reading them back (or, for a one-off check, the full published documents).

A plugin keeps ``specs/trim_specs.py`` (a script: the operations its sandbox serves and its
client calls, per document) whose ``main`` is :func:`write_trimmed_specs`; its tests read
``specs/<name>.trimmed.json`` with :func:`vendored_document`, nothing outside the checkout.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

from ._openapi import trim_document

#: Which methods of which paths a trimmed document keeps.
Operations = Mapping[str, list[str]]
#: The published document's file name -> (the trimmed copy's file name, what it keeps).
TrimmedDocuments = Mapping[str, tuple[str, Operations]]


def read_json(path: Path) -> Any:
    """A JSON document as a vendor publishes it."""
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


def trim_spec_file(source: Path, operations: Operations, *, by: str, today: date,
                   load: Callable[[Path], Any] = read_json,
                   rewrite: Callable[[dict[str, Any]], Mapping[str, Any]] | None = None,
                   ) -> dict[str, Any]:
    """The published document ``source`` trimmed to ``operations`` (and what they
    reference), its origin recorded in ``info.x-sla-bridge-trimmed``: the file's name and
    sha256, ``today``, the script ``by`` and the number of operations. ``rewrite`` changes
    the trimmed document in place and returns what to add to that record."""
    trimmed = trim_document(load(source), operations)
    noted = dict(rewrite(trimmed)) if rewrite is not None else {}
    trimmed["info"]["x-sla-bridge-trimmed"] = {
        "source": source.name,
        "sha256": hashlib.sha256(source.read_bytes()).hexdigest(),
        "date": today.isoformat(),
        "by": by,
        "operations": sum(len(methods) for methods in operations.values()),
        **noted,
    }
    return trimmed


def write_trimmed_specs(argv: Sequence[str] | None, *, description: str,
                        documents: TrimmedDocuments, script: Path, vendor: str,
                        load: Callable[[Path], Any] = read_json,
                        rewrite: Callable[[dict[str, Any]], Mapping[str, Any]] | None = None,
                        today: Callable[[], date] = date.today) -> int:
    """The ``main`` of a plugin's ``specs/trim_specs.py`` (``script``, described by
    ``description``): read each of ``documents`` from the folder the command line names,
    write its trimmed copy next to the script (or to ``--out``), dated ``today()``, print
    each one's name and size."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("source_dir", type=Path, help=f"the folder with {vendor}'s documents")
    parser.add_argument("--out", type=Path, default=script.parent,
                        help="where to write (default: here)")
    args = parser.parse_args(argv)
    by = "/".join(script.parts[-4:])  # plugins/<plugin>/specs/trim_specs.py
    for name, (output, operations) in documents.items():
        document = trim_spec_file(args.source_dir / name, operations, by=by,
                                  today=today(), load=load, rewrite=rewrite)
        target = args.out / output
        target.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n",
                          encoding="utf-8")
        print(f"{target}: {target.stat().st_size} bytes", file=sys.stdout)
    return 0


def trim_script(specs: Path) -> ModuleType:
    """The plugin's ``specs/trim_specs.py`` (a script, not a package) loaded as a module,
    for what it knows about the published documents (how to read them, paths rewritten)."""
    spec = importlib.util.spec_from_file_location("trim_specs", specs / "trim_specs.py")
    if spec is None or spec.loader is None:
        raise FileNotFoundError(f"{specs / 'trim_specs.py'}: no trim script to load")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def vendored_document(specs: Path, name: str, *, full_specs: str,
                      read_full: Callable[[Path, ModuleType], Mapping[str, Any]],
                      ) -> Mapping[str, Any]:
    """The trimmed document ``specs/<name>.trimmed.json``; when the environment variable
    ``full_specs`` names a folder of the full published documents, ``read_full(folder,
    trim_specs)`` instead (a one-off check against the whole document)."""
    full = os.environ.get(full_specs)
    if not full:
        loaded: Mapping[str, Any] = read_json(specs / f"{name}.trimmed.json")
        return loaded
    return read_full(Path(full), trim_script(specs))
