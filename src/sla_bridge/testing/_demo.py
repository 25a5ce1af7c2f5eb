"""The frame of ``sla-bridge demo``: a platform's script played on the harness, told as a
timeline, in a temporary folder, on a virtual clock.

A platform ships a :class:`DemoScript` (the Zendesk plugin's is its Thanksgiving week): it
builds its world -- a :class:`~sla_bridge.testing.BridgeHarness` on the platform's sandbox,
seeded but not started -- and plays it. :func:`run_demo` does the rest: the folder, starting
and closing the world, the closing line. It lives beside the harness (not in the command
line) because it is the harness with a printed timeline; nothing here imports pytest.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol, TextIO

from ._harness import BridgeHarness


class DemoScript(Protocol):
    """A scripted story a platform plugin offers as ``sla-bridge demo``."""

    @property
    def span(self) -> str:
        """The virtual time the script covers, after "virtual" in the closing line
        (``week: Wed 25 Nov - Mon 30 Nov 2026``)."""
        ...

    def build(self, folder: Path, out: TextIO) -> BridgeHarness:
        """The world in ``folder``, printing to ``out``: seeded, not started."""
        ...

    def play(self, world: BridgeHarness, out: TextIO) -> None:
        """Play the script on the started world."""
        ...


def run_demo(script: DemoScript, out: TextIO, *,
             stopwatch: Callable[[], float] = time.monotonic) -> int:
    """Play ``script`` in a temporary folder, telling it to ``out``; return the exit status
    (0). ``stopwatch`` measures the real time the demo took, for the closing line."""
    started = stopwatch()
    with tempfile.TemporaryDirectory(prefix="sla-bridge-demo-") as folder:
        world = script.build(Path(folder), out)
        try:
            world.start()
            script.play(world, out)
        finally:
            world.close()
    out.write(f"\nDone in {stopwatch() - started:.1f} s (virtual {script.span}). "
              "Nothing left the machine.\n")
    return 0
