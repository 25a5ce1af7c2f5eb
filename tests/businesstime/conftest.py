"""Make the brute-force reference importable as ``businesstime_reference``.

The reference is loaded by path under a name of its own (not put on ``sys.path`` as
``reference``), so it cannot clash with a module of the same name in another test
folder, and works with plain ``pytest`` from the repository root.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

_NAME = "businesstime_reference"

if _NAME not in sys.modules:
    _spec = importlib.util.spec_from_file_location(_NAME, Path(__file__).with_name("reference.py"))
    if _spec is None or _spec.loader is None:
        raise ImportError(f"cannot load {_NAME} from {__file__}")
    _module = importlib.util.module_from_spec(_spec)
    sys.modules[_NAME] = _module
    _spec.loader.exec_module(_module)
