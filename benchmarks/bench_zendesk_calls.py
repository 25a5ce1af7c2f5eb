"""Zendesk API calls per reconcile, over the scripted demo week on the sandbox.

Plays ``sla-bridge demo`` (the Thanksgiving week: tickets opened, answered, escalated,
breached, solved, closed and followed up) and counts, from the sandbox's request log, the
bridge's API requests against the reconciles it ran: per reconcile that wrote something and
per reconcile that wrote nothing, and which of them read the ticket in full. Look-ups
(users, groups, fields, memberships) are cached as in production, so they count once per
cache period. At Zendesk's 700 requests a minute (Support Professional), the calls per
writing reconcile cap the tickets a bridge can act on.

    .venv/bin/python benchmarks/bench_zendesk_calls.py        # writes docs/benchmarks.md
"""

from __future__ import annotations

import io
import platform
import re
import statistics
import sys
import tempfile
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

from _docs import write_section
from sla_bridge_zendesk import demo
from sla_bridge_zendesk.loop import BridgeOnSandbox

ROUNDS = 3
ZENDESK_LIMIT = 700  # requests a minute
AUDITS = "/api/v2/tickets/{id}/audits"
TICKET_PATH = re.compile(r"^/api/v2/tickets/(\d+)(/[a-z_]+)?$")


def demo_world(folder: Path) -> tuple[BridgeOnSandbox, Any]:
    """The demo week's world and cast, with look-ups cached for the default 5 minutes, as a
    user runs it (the demo itself reads them afresh)."""
    world = BridgeOnSandbox(folder, start=demo.START, webhook_secret=demo.SECRET,
                            policies=["code42-enterprise", "crashplan-small-business"],
                            manager_group="Customer Champion managers", out=io.StringIO(),
                            environment={"SLA_BRIDGE_ZENDESK__LOOKUP_TTL_SECONDS": "300"})
    return world, demo.seed(world.sandbox)


def one_round() -> list[dict[str, Any]]:
    """The bridge's API requests of one demo week, in order."""
    with tempfile.TemporaryDirectory(prefix="bench-zendesk-calls-") as folder:
        world, cast = demo_world(Path(folder))
        try:
            world.start()
            world.sandbox.clear_request_log()  # setup's requests are not reconciles
            demo.play(world, cast, io.StringIO())
            log = world.sandbox.request_log()
        finally:
            world.close()
    return [r for r in log if not r["path"].startswith("/_sandbox")]


def _shape(path: str) -> str:
    parts = [("{id}" if p.isdigit() else p) for p in path.split("?")[0].split("/")]
    return "/".join(parts).removesuffix(".json")


def reconciles(log: list[dict[str, Any]]) -> list[list[str]]:
    """The ticket requests of each reconcile: from one read of a ticket's audits to the
    next, the requests on that ticket (``GET``/``PUT /tickets/{id}...``), by shape."""
    spans: dict[str, list[str]] = {}
    done: list[list[str]] = []
    for entry in log:
        match = TICKET_PATH.match(entry["path"].split("?")[0].removesuffix(".json"))
        if match is None:
            continue
        number, rest = match.groups()
        call = f"{entry['method']} /tickets/{{id}}{rest or ''}"
        if call == "GET /tickets/{id}/audits" and number in spans:
            done.append(spans.pop(number))
        spans.setdefault(number, []).append(call)
    return done + list(spans.values())


def main() -> None:
    """Play the week ``ROUNDS`` times; report the requests per reconcile."""
    per_read: list[float] = []
    log: list[dict[str, Any]] = []
    for _ in range(ROUNDS):
        log = one_round()
        reads = sum(1 for r in log if _shape(r["path"]) == AUDITS)
        per_read.append(len(log) / max(reads, 1))
        print(f"round: {len(log)} requests, {reads} ticket reads", file=sys.stderr)
    per_read.sort()
    table = Counter(f"{r['method']} {_shape(r['path'])}" for r in log)
    rows = "\n".join(f"| `{k}` | {n} |" for k, n in sorted(table.items(), key=lambda i: -i[1]))
    spans = [s for s in reconciles(log) if s and s[0] == "GET /tickets/{id}/audits"]
    writing = [len(s) for s in spans if any(not c.startswith("GET") for c in s)]
    quiet = [len(s) for s in spans if all(c.startswith("GET") for c in s)]
    by_cost = Counter((s.count("PUT /tickets/{id}"), "GET /tickets/{id}" in s, len(s))
                      for s in spans)
    costs = "\n".join(f"| {puts} | {'yes' if full else 'no'} | {n} | {count} |"
                       for (puts, full, n), count in sorted(by_cost.items()))
    full_reads = sum(1 for s in spans if "GET /tickets/{id}" in s)
    over = [s for s in spans if len(s) > (2 if s.count("PUT /tickets/{id}") else 1)]
    over_else = [s for s in over if "GET /tickets/{id}" not in s
                 and s.count("PUT /tickets/{id}") < 2]
    low, mid, high = per_read[0], per_read[len(per_read) // 2], per_read[-1]
    tickets = len({m.group(1) for r in log
                   if (m := TICKET_PATH.match(r["path"].split("?")[0].removesuffix(".json")))})
    body = f"""\
## Zendesk API calls per reconcile

`benchmarks/bench_zendesk_calls.py`, {date.today()}, Python {platform.python_version()},
{platform.machine()}: the scripted demo week (`sla-bridge demo`) on the sandbox, {ROUNDS}
rounds (the figures are counts, the same every round), counting the bridge's requests from
the sandbox's log (setup excluded).

A reconcile reads the ticket's audits (one GET per 100 audits) and nothing else: the first
read of a ticket in a process builds it from its creation audit's `Create` events and the
changes since (`sla_bridge_zendesk.first_read`), later reads bring the ticket kept from the
previous read up to date (`sla_bridge_zendesk.audit_fold`). The first of the process's first
reads, and every 20th after it (`SLA_BRIDGE_ZENDESK__FIRST_READ_CHECK_EVERY`), also reads
`GET /tickets/{{id}}` and compares; so does a first read the audits cannot tell. It
writes everything it decided in one safe `PUT` (a closing of an unsolved ticket: a solve
first, and a GET). Ticket requests per reconcile in the last round (a reconcile's requests
on its ticket, from one read of its audits to the next):

- writing reconciles: {len(writing)}, median {_median(writing)}, max {max(writing, default=0)}
  requests;
- reconciles that write nothing: {len(quiet)}, median {_median(quiet)}, max
  {max(quiet, default=0)}.

| updates (`PUT`) | full read (`GET /tickets/{{id}}`) | ticket requests | reconciles |
|---|---|---|---|
{costs}

{full_reads} reconcile(s) read a ticket in full, for the week's {tickets} tickets (the check of
the process's first first read; a solve before a close is another); a reconcile with two
comments makes two updates (Zendesk takes one comment per update). Over the issue's target
(at most 2 requests for a reconcile that writes, 1 for one that does not): {len(over)}
reconciles, {len(over_else)} of them for another reason than a full read or a second
comment.

Every kind of request included (look-ups of users, organizations and fields too: cached
for 5 minutes, but the week's events are hours apart on the virtual clock, so most reads
find them expired; under load they amortise), requests per ticket read: min {low:.2f} /
median {mid:.2f} / max {high:.2f}: at Zendesk's {ZENDESK_LIMIT} requests a minute, about
{ZENDESK_LIMIT / mid / 60:.1f} reconciles a second (3.53 and 3.3 when each ticket's first
read was a full one; 4.39 and 2.7 before tickets were read from their audits).

| request | count (one round) |
|---|---|
{rows}
"""
    write_section("zendesk-calls", body)
    print(body)


def _median(values: list[int]) -> float:
    return statistics.median(values) if values else 0


if __name__ == "__main__":
    main()
