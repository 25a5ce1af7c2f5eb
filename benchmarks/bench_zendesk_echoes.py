"""Echoes recognised without a reconcile, over the scripted demo week on the Zendesk sandbox.

Plays ``sla-bridge demo`` (the Thanksgiving week) twice: with echo recognition, as shipped,
and with it off (``ZendeskPlatform.echo_versions = False``: every echo of the bridge's own
update reconciled in full, as before). Counts the reconciles that read the ticket, the echoes
finished without one (``echo.skipped``), the bridge's Zendesk requests and the classifier's
runs. The figures are counts: the same every run.

    .venv/bin/python benchmarks/bench_zendesk_echoes.py        # writes docs/benchmarks.md
"""

from __future__ import annotations

import io
import platform
import sys
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from _docs import write_section
from bench_zendesk_calls import demo_world
from sla_bridge_zendesk import demo
from sla_bridge_zendesk.platform import ZendeskPlatform

AUDITS = "/api/v2/tickets/{id}/audits"


@dataclass(frozen=True)
class Week:
    """What one demo week cost."""

    requests: int  # the bridge's Zendesk requests (setup excluded)
    reads: int  # ticket reads (GET .../audits): one per reconcile that read its ticket
    skipped: int  # echoes finished without a read
    classified: int  # classifier runs
    echoes: int  # webhooks Zendesk sent for the bridge's own updates


def one_week(recognise: bool) -> Week:
    """Play the demo week once, with or without echo recognition."""
    ZendeskPlatform.echo_versions = recognise
    with tempfile.TemporaryDirectory(prefix="bench-zendesk-echoes-") as folder:
        world, cast = demo_world(Path(folder))
        try:
            world.start()
            world.sandbox.clear_request_log()  # setup's requests are not reconciles
            host, runs = world.runtime.host, [0]
            classify = host.classify

            def counted(*args: Any) -> Any:
                runs[0] += 1
                return classify(*args)

            host.classify = counted  # type: ignore[method-assign]
            demo.play(world, cast, io.StringIO())
            log = [r for r in world.sandbox.request_log()
                   if not r["path"].startswith("/_sandbox")]
            decisions = [d for _, _, d in world.runtime.store.decisions_after(0, limit=100_000)]
            classified = runs[0]
            bridge = str(world.zendesk_settings.email)
            echoes = sum(1 for d in world.sandbox.deliveries if bridge.encode() in d.body)
        finally:
            world.close()
            ZendeskPlatform.echo_versions = True
    reads = sum(1 for r in log if _shape(r["path"]) == AUDITS)
    return Week(len(log), reads, sum(d.kind == "echo.skipped" for d in decisions),
                int(classified), echoes)


def _shape(path: str) -> str:
    parts = [("{id}" if p.isdigit() else p) for p in path.split("?")[0].split("/")]
    return "/".join(parts).removesuffix(".json")


def main() -> None:
    """Play the week with and without echo recognition; report what it saved."""
    on, off = one_week(True), one_week(False)
    print(f"on: {on}\noff: {off}", file=sys.stderr)
    body = f"""\
## Echoes of the bridge's own writes

`benchmarks/bench_zendesk_echoes.py`, {date.today()}, Python {platform.python_version()},
{platform.machine()}: the scripted demo week (`sla-bridge demo`) on the Zendesk sandbox
(trigger webhooks, look-ups cached for 5 minutes), played with echo recognition and with it
off (every echo reconciled in full, as before). Counts, the same every run.

| | echo recognition | off |
|---|---|---|
| webhooks for the bridge's own updates | {on.echoes} | {off.echoes} |
| echoes finished without a read (`echo.skipped`) | {on.skipped} | {off.skipped} |
| reconciles that read the ticket (`GET .../audits`) | {on.reads} | {off.reads} |
| Zendesk requests | {on.requests} | {off.requests} |
| classifier runs | {on.classified} | {off.classified} |

{on.skipped} of the week's {on.echoes} echoes were recognised: {off.reads - on.reads} ticket
reads, {off.requests - on.requests} Zendesk requests and {off.classified - on.classified}
classifier runs fewer. The writing reconcile decides once more, on the ticket as its writes
leave it, instead (no I/O). The other {on.echoes - on.skipped}: echoes of writes whose next
look is not known without reading the ticket (an approval request, a follow-up, a write
refused), or that share their claim with someone else's event; those are reconciled in full.
"""
    write_section("zendesk-echoes", body)
    print(body)


if __name__ == "__main__":
    main()
