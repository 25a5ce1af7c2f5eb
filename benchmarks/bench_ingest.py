"""Ingest benchmark: signed webhooks per second and acknowledgement latency into the
durable inbox on SQLite, side by side with a bare 200 endpoint on the same server.

Starts ``sla-bridge serve --bare-endpoint`` in a subprocess (the testdesk platform plugin
from ``tests/testdesk``, SQLite in a temporary directory, ``SLA_BRIDGE_WORKER__THREADS=0``
so only ingest is measured) and drives it from a separate load-generator process on
loopback with keep-alive connections:

- ``bridge``: ``POST /webhooks/testdesk``, each a signed webhook with a unique delivery id,
  answered only after it is committed to the inbox;
- ``bare``: ``POST /bench/bare/testdesk`` with the same requests, dispatched exactly as
  webhooks are (uvicorn, the webhook fast path in front of FastAPI), reading the body and
  answering 200 with nothing else: the floor under the bridge;
- ``bare-fastapi``: the same through a FastAPI route, for what FastAPI's routing costs
  (the reason webhooks take the fast path).

Two loads for each: closed loop (every connection sends its next request as soon as the
previous one is answered: the maximum rate) and open loop at the target rate (requests
scheduled at fixed instants whatever the server does; latency counts from the scheduled
instant, so a stall is not hidden by the generator waiting for it).

The load generator speaks HTTP/1.1 over asyncio streams itself: httpx spends more CPU
per request than the server does, so it would measure the client (``--client httpx``
shows that). Afterwards the inbox is counted: every acknowledged webhook must be there.

    .venv/bin/python benchmarks/bench_ingest.py            # 10 s per measurement
    .venv/bin/python benchmarks/bench_ingest.py --quick    # 3 s per measurement

Results go to docs/benchmarks.md between the bench_ingest markers.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import os
import platform
import re
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from _docs import write_section
from _rounds import Spread

ROOT = Path(__file__).resolve().parents[1]
TESTDESK = ROOT / "tests" / "testdesk"
SECRET = "bench-secret-5b8d0c"
TARGET_RATE = 1_500
PATHS = {"bridge": "/webhooks/testdesk", "bare": "/bench/bare/testdesk",
         "bare-fastapi": "/bench/fastapi/testdesk"}
ENDPOINTS = ("bare", "bare-fastapi", "bridge")


# -- the load generator (runs in its own process) ------------------------------------------

def build_requests(path: str, count: int, prefix: str, port: int,
                   per_ticket: int | None = None) -> list[bytes]:
    """Signed testdesk webhooks with unique delivery ids, as raw HTTP/1.1 requests.

    The n-th names ticket ``T-{n % 5000}``, or with ``per_ticket`` ``T-{n // per_ticket}``:
    runs of that many webhooks for one ticket, then the next ticket.
    """
    requests = []
    for n in range(count):
        ticket = f"T-{n // per_ticket}" if per_ticket else f"T-{n % 5000}"
        body = json.dumps({"ticket_id": ticket, "event": "updated",
                           "status": "open", "comment": "customer replied"}).encode()
        signature = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
                f"X-Testdesk-Delivery: {prefix}-{n}\r\nX-Testdesk-Signature: {signature}\r\n"
                "\r\n")
        requests.append(head.encode() + body)
    return requests


async def _send(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                request: bytes) -> int:
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    match = re.search(rb"(?i)\r\ncontent-length:\s*(\d+)", head)
    if match:
        await reader.readexactly(int(match.group(1)))
    return status


async def generate(port: int, path: str, prefix: str, seconds: float, connections: int,
                   rate: float | None, per_ticket: int | None = None) -> dict[str, Any]:
    """Closed loop (``rate`` None) or open loop at ``rate`` requests/s; returns a summary."""
    budget = int((rate or 6000) * seconds * 1.2) + connections
    requests = build_requests(path, budget, prefix, port, per_ticket)
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors = 0
    next_index = 0
    start = time.perf_counter() + 0.05
    end = start + seconds

    async def connection() -> None:
        nonlocal next_index, errors
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while True:
                index = next_index
                next_index += 1
                if index >= len(requests):
                    return
                if rate is None:
                    sent_at = time.perf_counter()
                    if sent_at >= end:
                        return
                else:
                    sent_at = start + index / rate
                    if sent_at >= end:
                        return
                    delay = sent_at - time.perf_counter()
                    if delay > 0:
                        await asyncio.sleep(delay)
                try:
                    status = await _send(reader, writer, requests[index])
                except (OSError, asyncio.IncompleteReadError):
                    errors += 1
                    writer.close()
                    reader, writer = await asyncio.open_connection("127.0.0.1", port)
                    continue
                latencies.append(time.perf_counter() - sent_at)
                statuses[status] = statuses.get(status, 0) + 1
        finally:
            writer.close()

    await asyncio.gather(*(connection() for _ in range(connections)))
    elapsed = time.perf_counter() - start
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

    return {"requests": len(latencies), "seconds": elapsed, "rate": len(latencies) / elapsed,
            "p50_ms": pct(0.50), "p90_ms": pct(0.90), "p99_ms": pct(0.99),
            "max_ms": latencies[-1] * 1000, "statuses": statuses, "errors": errors}


async def generate_httpx(port: int, path: str, prefix: str, seconds: float,
                         connections: int) -> dict[str, Any]:
    """Closed loop with httpx.AsyncClient (to show what the client itself costs)."""
    import httpx

    budget = int(6000 * seconds) + connections
    bodies = [json.dumps({"ticket_id": f"T-{n % 5000}", "event": "updated"}).encode()
              for n in range(budget)]
    latencies: list[float] = []
    next_index = 0
    end = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", limits=limits) as client:
        async def worker() -> None:
            nonlocal next_index
            while time.perf_counter() < end and next_index < budget:
                index = next_index
                next_index += 1
                body = bodies[index]
                signature = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
                sent_at = time.perf_counter()
                await client.post(path, content=body, headers={
                    "x-testdesk-delivery": f"{prefix}-{index}", "x-testdesk-signature": signature})
                latencies.append(time.perf_counter() - sent_at)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(connections)))
        elapsed = time.perf_counter() - started
    latencies.sort()
    return {"requests": len(latencies), "seconds": elapsed, "rate": len(latencies) / elapsed,
            "p50_ms": latencies[len(latencies) // 2] * 1000,
            "p99_ms": latencies[int(len(latencies) * 0.99)] * 1000}


def loadgen_main(spec: dict[str, Any]) -> None:
    """Entry of the load-generator process: run one measurement, print its JSON summary."""
    try:
        import uvloop
        uvloop.install()
    except ImportError:  # plain asyncio is fine, a little slower
        pass
    if spec.get("client") == "httpx":
        result = asyncio.run(generate_httpx(spec["port"], spec["path"], spec["prefix"],
                                            spec["seconds"], spec["connections"]))
    else:
        result = asyncio.run(generate(spec["port"], spec["path"], spec["prefix"],
                                      spec["seconds"], spec["connections"], spec.get("rate"),
                                      spec.get("per_ticket")))
    print(json.dumps(result))


# -- the orchestrating process ---------------------------------------------------------------

def install_testdesk(root: Path) -> dict[str, str]:
    """Install the testdesk plugin through an entry point in ``root`` (as the tests do)
    and return the bridge's environment."""
    site = root / "site"
    dist_info = site / "sla_bridge_testdesk-0.1.dist-info"
    dist_info.mkdir(parents=True)
    (dist_info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: sla-bridge-testdesk\nVersion: 0.1\n")
    (dist_info / "entry_points.txt").write_text("[sla_bridge]\ntestdesk = sla_bridge_testdesk\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLA_BRIDGE_")}
    env.update({
        "PYTHONPATH": os.pathsep.join([str(site), str(TESTDESK),
                                       *filter(None, [os.environ.get("PYTHONPATH")])]),
        "SLA_BRIDGE_TESTDESK__DB": str(root / "testdesk.db"),
        "SLA_BRIDGE_TESTDESK__SECRET": SECRET,
        "SLA_BRIDGE_DATABASE_URL": f"sqlite:///{root / 'bridge.db'}",
        "SLA_BRIDGE_WORKER__THREADS": "0",
        "SLA_BRIDGE_LOG_LEVEL": "WARNING",
    })
    return env


@contextmanager
def bridge_server(env: dict[str, str], workers: int, command: list[str] | None = None,
                  ) -> Iterator[tuple[int, int]]:
    """Run ``sla-bridge serve --bare-endpoint`` (or ``command``, which must log
    ``listening on http://HOST:PORT`` as it does) and yield (port, pid)."""
    env = {**env, "SLA_BRIDGE_LOG_LEVEL": "INFO"}
    process = subprocess.Popen(
        command or [sys.executable, "-m", "sla_bridge", "serve", "--port", "0", "--workers",
                    str(workers), "--bare-endpoint"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert process.stdout is not None
    lines: list[str] = []
    port = None
    deadline = time.monotonic() + 60
    while port is None:
        line = process.stdout.readline()
        if not line or time.monotonic() > deadline:
            process.kill()
            raise SystemExit("the bridge did not start:\n" + "".join(lines))
        lines.append(line)
        found = re.search(r"listening on http://[^:]+:(\d+)", line)
        port = int(found.group(1)) if found else None
    threading.Thread(target=lambda: [None for _ in process.stdout or ()], daemon=True).start()
    wait_ready(port)
    try:
        yield port, process.pid
    finally:
        process.terminate()
        process.wait(30)


def wait_ready(port: int) -> None:
    """Poll /readyz until the bridge answers 200."""
    import http.client

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/readyz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise SystemExit("the bridge never became ready")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its children so far (Linux /proc)."""
    total = 0.0
    pids = [pid, *children(pid)]
    for each in pids:
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def children(pid: int) -> list[int]:
    """Child process ids (the uvicorn workers when serving with several)."""
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def measure(port: int, pid: int, name: str, seconds: float, connections: int,
            rate: float | None, client: str = "raw",
            per_ticket: int | None = None) -> dict[str, Any]:
    """Run one load in a separate generator process; add the server's CPU per request."""
    spec = {"port": port, "path": PATHS[name], "prefix": f"{name}-{time.time_ns()}",
            "seconds": seconds, "connections": connections, "rate": rate, "client": client,
            "per_ticket": per_ticket}
    before = cpu_seconds(pid)
    done = subprocess.run([sys.executable, __file__, "--loadgen", json.dumps(spec)],
                          capture_output=True, text=True, check=True)
    used = cpu_seconds(pid) - before
    result: dict[str, Any] = json.loads(done.stdout)
    result["server_cpu_us"] = used / max(result["requests"], 1) * 1e6
    result["server_cpu_pct"] = used / result["seconds"] * 100
    return result


def inbox_rows(db: Path) -> int:
    """How many webhooks the inbox holds."""
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT count(*) FROM inbox").fetchone()[0])


def row(label: str, runs: list[dict[str, Any]]) -> str:
    """One Markdown table row: each cell the median (min-max) over the rounds."""
    def cell(key: str, fmt: str = "{:.1f}") -> str:
        return Spread(tuple(float(r[key]) for r in runs)).show(fmt)

    non_200 = sum(sum(v for k, v in r["statuses"].items() if k != "200") + r["errors"]
                  for r in runs)
    return (f"| {label} | {cell('rate', '{:,.0f}')} | {cell('p50_ms')} | {cell('p90_ms')} | "
            f"{cell('p99_ms')} | {cell('max_ms', '{:.0f}')} | {cell('server_cpu_us', '{:.0f}')}"
            f" | {non_200} |")


def store_accept_cost(root: Path) -> dict[int, float]:
    """``Store.accept`` alone, in this process: µs per event for batches of 1 and 16."""
    from sla_bridge.clock import SystemClock
    from sla_bridge.platforms import InboundEvent
    from sla_bridge.store import Store
    from sla_bridge.tickets import TicketRef

    store = Store(f"sqlite:///{root / 'accept-only.db'}", SystemClock())
    store.upgrade()
    payload = {"ticket_id": "T-1", "event": "updated", "status": "open"}
    costs: dict[int, float] = {}
    for batch in (1, 16):
        events = [InboundEvent(ref=TicketRef(platform="testdesk", ticket_id=f"T-{n % 5000}"),
                               delivery_id=f"{batch}-{n}", payload=payload)
                  for n in range(4000)]
        for at in range(0, 400, batch):  # warm-up
            store.accept(events[at:at + batch])
        started = time.perf_counter()
        for at in range(400, len(events), batch):
            store.accept(events[at:at + batch])
        costs[batch] = (time.perf_counter() - started) / (len(events) - 400) * 1e6
    store.close()
    return costs


def main() -> int:
    """Run the benchmark, print the report and write it to docs/benchmarks.md."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 s per measurement")
    parser.add_argument("--seconds", type=float, default=None, help="seconds per measurement")
    parser.add_argument("--connections", type=int, default=16,
                        help="keep-alive connections in the closed loop [16]")
    parser.add_argument("--rates", default=f"1000,{TARGET_RATE}",
                        help=f"open-loop rates for the bridge, requests/s [1000,{TARGET_RATE}]")
    parser.add_argument("--workers", type=int, default=1, help="server processes [1]")
    parser.add_argument("--client", choices=["raw", "httpx"], default="raw",
                        help="load generator's HTTP client for the closed loop [raw]")
    parser.add_argument("--rounds", type=int, default=3, help="paired rounds [3]")
    parser.add_argument("--no-write", action="store_true", help="do not touch docs/")
    parser.add_argument("--loadgen", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.loadgen:
        loadgen_main(json.loads(args.loadgen))
        return 0
    seconds = args.seconds or (3.0 if args.quick else 10.0)
    rates = [float(rate) for rate in args.rates.split(",")]
    closed: dict[str, list[dict[str, Any]]] = {name: [] for name in ENDPOINTS}
    plan = [(name, max(rates)) for name in ENDPOINTS if name != "bridge"]
    plan += [("bridge", rate) for rate in rates]
    opened: dict[tuple[str, float], list[dict[str, Any]]] = {step: [] for step in plan}
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        root = Path(tmp)
        accept_cost = store_accept_cost(root)
        env = install_testdesk(root)
        with bridge_server(env, args.workers) as (port, pid):
            for name in ENDPOINTS:  # warm up: imports, caches, SQLite pages
                measure(port, pid, name, 1.0, args.connections, None)
            accepted_before = inbox_rows(root / "bridge.db")
            # Every endpoint and rate once per round, in the same order: paired rounds.
            for round_number in range(args.rounds):
                for name in ENDPOINTS:
                    print(f"round {round_number + 1}: closed loop, {args.connections} "
                          f"connections: {name} ...", flush=True)
                    closed[name].append(measure(port, pid, name, seconds, args.connections,
                                                None, args.client))
                for name, rate in plan:
                    print(f"round {round_number + 1}: open loop at {rate:,.0f}/s: {name} ...",
                          flush=True)
                    opened[name, rate].append(measure(port, pid, name, seconds, 64, rate))
        stored = inbox_rows(root / "bridge.db") - accepted_before
    acknowledged = sum(r["statuses"].get("200", 0) for r in closed["bridge"]) + sum(
        r["statuses"].get("200", 0) for (name, _), runs in opened.items() if name == "bridge"
        for r in runs)
    report = render(args, seconds, closed, opened, accept_cost, acknowledged, stored)
    print(report)
    if not args.no_write:
        write_section("bench_ingest",
                      "## Ingest\n\n`python benchmarks/bench_ingest.py`\n\n" + report)
    return 0 if stored == acknowledged else 1


def render(args: argparse.Namespace, seconds: float, closed: dict[str, list[dict[str, Any]]],
           opened: dict[tuple[str, float], list[dict[str, Any]]], accept_cost: dict[int, float],
           acknowledged: int, stored: int) -> str:
    """The Markdown report."""
    header = ("| endpoint | webhooks/s | p50 ms | p90 ms | p99 ms | max ms | server CPU µs/req "
              "| not 200 |\n|---|---|---|---|---|---|---|---|")

    def cpu(name: str) -> float:
        return Spread(tuple(r["server_cpu_us"] for r in closed[name])).median

    own, fastapi = cpu("bridge") - cpu("bare"), cpu("bare-fastapi") - cpu("bare")
    client = ", httpx for the closed loop" if args.client == "httpx" else ""
    lines = [
        f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{datetime.now(UTC):%Y-%m-%d}. `sla-bridge serve` with {args.workers} server "
        f"process{'es' if args.workers > 1 else ''} (uvicorn, uvloop, httptools), SQLite "
        "(WAL, synchronous=NORMAL), reconcile workers off (`SLA_BRIDGE_WORKER__THREADS=0`): "
        "ingest alone, compared with the floor under it. The default serve, reconcile "
        "threads on, is the section *Ingest while reconciling* below, which holds the "
        "target. Load from a separate Python process on loopback (asyncio, raw HTTP/1.1 over "
        f"keep-alive connections{client}), {seconds:.0f} s per measurement after a warm-up, "
        f"{args.rounds} rounds, each endpoint and rate once per round in the same order; "
        "cells are median (min-max) over the rounds. "
        "Each webhook is signed (HMAC-SHA256) with a unique delivery id. `bridge` answers "
        "after the inbox commit; `bare` is dispatched like webhooks on the same server, reads "
        "the body and answers 200; `bare-fastapi` does the same through a FastAPI route.",
        "",
        f"Closed loop, {args.connections} connections (the maximum rate):",
        "",
        header,
        *(row(name, closed[name]) for name in ENDPOINTS),
        "",
        "Open loop at fixed rates, latency from the scheduled send time (a stall is not "
        "hidden by the generator waiting for it):",
        "",
        header,
        *(row(f"{name} at {rate:,.0f}/s", runs) for (name, rate), runs in opened.items()),
        "",
        f"Durability check: {acknowledged:,} webhooks acknowledged 200, {stored:,} rows in "
        "the inbox.",
        "",
        f"Where the time goes (server CPU per request, closed loop, medians): the bridge's own "
        f"work (verify, parse, commit) is {own:.0f} µs on top of the {cpu('bare'):.0f} µs "
        f"floor; routing through FastAPI would add {fastapi:.0f} µs, which is why webhooks "
        "are dispatched before it. Webhooks that wait together are committed in one "
        "transaction. `Store.accept` alone, measured in process: "
        f"{accept_cost[1]:.0f} µs per event one at a time, {accept_cost[16]:.0f} µs per event "
        "in batches of 16: most of the bridge's own work is the inbox commit.",
        "",
        "Leaves out: reconciling (see below), vendor calls, TLS and a reverse proxy.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
