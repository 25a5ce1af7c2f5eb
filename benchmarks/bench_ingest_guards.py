"""What the connection guards cost on ingest: the same bridge served with the guards and
without, in the same run, rounds interleaved.

- ``guarded``: the application served by :func:`sla_bridge.server.serve`, as ``sla-bridge
  serve`` runs it, with the default settings: the guarded httptools protocol (header and
  body read deadlines, header size limit), ``limit_concurrency``, the keep-alive timeout
  (docs/security.md);
- ``unguarded``: the same application under uvicorn's plain httptools protocol with the
  configuration the bridge ran before the guards (no deadlines, no header limit, no
  concurrency limit).

- ``control``: a second ``guarded`` server, identical to the first: how far two identical
  servers measure apart on this machine is the noise floor the difference above must clear.

All are the same launcher (this script, ``--serve VARIANT``: the app from
``app_from_environment`` with the bare endpoints), so the uvicorn configuration is the only
difference.

The servers run at once, each idle while another is measured; each round measures all, in
rotated order (A B C, B C A, C A B, ...), so drift on a shared machine (other processes, CPU
frequency) falls on all alike. Each measurement is the ingest benchmark's closed loop (16
keep-alive connections, signed webhooks, a separate load-generator process) against
``bridge`` (verified, committed) and ``bare`` (read and answered 200: where a per-connection
cost shows most). The in-flight body budget is in all of them (it is the application's); its
cost is timed separately, in process.

On a busy shared machine the spread between rounds can be larger than the difference, so the
protocols are also timed alone, in process (:func:`protocol_cost_us`): the same request fed
through each over a null transport to a minimal ASGI application, interleaved passes, median
(min-max) over them. That is the guards' own CPU cost per request, without the network.

    .venv/bin/python benchmarks/bench_ingest_guards.py             # 3 rounds of 10 s
    .venv/bin/python benchmarks/bench_ingest_guards.py --rounds 5 --seconds 5

Results go to docs/benchmarks.md between the bench_ingest_guards markers.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import platform
import statistics
import sys
import tempfile
import time
import timeit
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from _docs import write_section
from _rounds import Spread
from bench_ingest import bridge_server, inbox_rows, install_testdesk, measure

VARIANTS = ("guarded", "unguarded", "control")
PROTOCOLS = ("guarded", "unguarded")
ENDPOINTS = ("bare", "bridge")


def serve_variant(variant: str) -> None:
    """Serve the bridge (the bare endpoints included) as ``sla-bridge serve`` does, or as
    it was served before the guards."""
    import uvicorn

    from sla_bridge.server import BARE_ENDPOINT_ENV, app_from_environment, bind, serve

    os.environ[BARE_ENDPOINT_ENV] = "1"
    app = app_from_environment()
    sock = bind("127.0.0.1", 0)
    print(f"listening on http://127.0.0.1:{sock.getsockname()[1]}", flush=True)
    if variant in ("guarded", "control"):
        serve(app, sock)
        return
    config = uvicorn.Config(app, http="httptools", log_config=None, access_log=False,
                            ws="none", lifespan="on", server_header=False,
                            timeout_graceful_shutdown=30, timeout_keep_alive=30)
    uvicorn.Server(config).run(sockets=[sock])


class _NullTransport(asyncio.Transport):
    """A transport that drops what is written and counts the responses."""

    def __init__(self) -> None:
        super().__init__()
        self.responses = 0
        self.closing = False

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("127.0.0.1", 50000), "sockname": ("127.0.0.1", 8080)}.get(
            name, default)

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.responses += bytes(data[:9]) == b"HTTP/1.1 "

    def is_closing(self) -> bool:
        return self.closing

    def close(self) -> None:
        self.closing = True

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


async def _answer(scope: Any, receive: Any, send: Any) -> None:
    await receive()
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-length", b"2")]})
    await send({"type": "http.response.body", "body": b"{}"})


async def _drive(protocol_class: type[asyncio.Protocol], config: Any, requests: int) -> float:
    from uvicorn.server import ServerState

    transport = _NullTransport()
    protocol: Any = protocol_class(config=config, server_state=ServerState(),  # type: ignore[call-arg]
                                   app_state={})
    protocol.connection_made(transport)
    request = (b"POST /webhooks/testdesk HTTP/1.1\r\nHost: 127.0.0.1\r\n"
               b"Content-Type: application/json\r\nContent-Length: 2\r\n"
               b"X-Testdesk-Delivery: d-1\r\nX-Testdesk-Signature: " + b"0" * 64 +
               b"\r\n\r\n{}")
    started = time.thread_time()  # CPU time: a descheduled moment is not counted
    for n in range(1, requests + 1):
        protocol.data_received(request)
        while transport.responses < n:
            await asyncio.sleep(0)
    elapsed = time.thread_time() - started
    protocol.connection_lost(None)
    return elapsed / requests * 1e6


def protocol_cost_us(requests: int = 20_000, repeats: int = 9) -> dict[str, Spread]:
    """CPU µs per request through each protocol alone, over ``repeats`` interleaved passes."""
    import uvicorn
    import uvloop

    from sla_bridge.server._connections import BridgeConfig, ConnectionLimits

    configs = {
        "guarded": BridgeConfig(_answer, limits=ConnectionLimits(), log_config=None,
                                access_log=False, limit_concurrency=1000),
        "unguarded": uvicorn.Config(_answer, http="httptools", log_config=None,
                                    access_log=False),
    }
    for config in configs.values():
        config.load()
    costs: dict[str, list[float]] = {variant: [] for variant in PROTOCOLS}

    async def measure_all() -> None:
        for repeat in range(repeats):
            for variant in PROTOCOLS if repeat % 2 == 0 else PROTOCOLS[::-1]:
                config = configs[variant]
                cost = await _drive(config.http_protocol_class, config, requests)
                costs[variant].append(cost)

    gc.disable()  # a collection landing in one variant's repeat is noise, not its cost
    try:
        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            runner.run(measure_all())
    finally:
        gc.enable()
    return {variant: Spread(tuple(values)) for variant, values in costs.items()}


def budget_cost_ns() -> float:
    """Nanoseconds per webhook the body budget takes (hold, grow once, release)."""
    from sla_bridge.server._bodies import BodyBudget

    budget = BodyBudget(32 * 1024 * 1024)

    def one() -> None:
        share = budget.hold()
        share.grow(120)
        share.release()

    runs = 200_000
    return min(timeit.repeat(one, number=runs, repeat=5)) / runs * 1e9


def spread(values: list[float], fmt: str = "{:,.0f}") -> str:
    """``min / median / max`` of ``values``."""
    return " / ".join(fmt.format(v) for v in (min(values), statistics.median(values),
                                              max(values)))


def main() -> int:
    """Run the comparison, print it and write it to docs/benchmarks.md."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds [3]")
    parser.add_argument("--seconds", type=float, default=10.0,
                        help="seconds per measurement [10]")
    parser.add_argument("--connections", type=int, default=16,
                        help="keep-alive connections [16]")
    parser.add_argument("--no-write", action="store_true", help="do not touch docs/")
    parser.add_argument("--serve", choices=VARIANTS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve_variant(args.serve)
        return 0
    results: dict[tuple[str, str], list[dict[str, Any]]] = {
        (variant, name): [] for variant in VARIANTS for name in ENDPOINTS}
    load = [os.getloadavg()[0]]
    with tempfile.TemporaryDirectory(prefix="bench-guards-") as tmp:
        root = Path(tmp)
        env = install_testdesk(root)
        envs = {variant: {**env, "SLA_BRIDGE_DATABASE_URL": f"sqlite:///{root / variant}.db"}
                for variant in VARIANTS}
        launch = {variant: [sys.executable, __file__, "--serve", variant]
                  for variant in VARIANTS}
        with ExitStack() as stack:
            servers = {variant: stack.enter_context(bridge_server(envs[variant], 1,
                                                                  launch[variant]))
                       for variant in VARIANTS}
            for port, pid in servers.values():  # warm up: imports, caches, SQLite pages
                for name in ENDPOINTS:
                    measure(port, pid, name, 1.0, args.connections, None)
            for round_ in range(args.rounds):
                shift = round_ % len(VARIANTS)
                order = VARIANTS[shift:] + VARIANTS[:shift]
                for variant in order:
                    port, pid = servers[variant]
                    for name in ENDPOINTS:
                        print(f"round {round_ + 1}/{args.rounds}: {variant} {name} ...",
                              flush=True)
                        results[variant, name].append(
                            measure(port, pid, name, args.seconds, args.connections, None))
        stored = {variant: inbox_rows(root / f"{variant}.db") for variant in VARIANTS}
    load.append(os.getloadavg()[0])
    report = render(args, results, stored, budget_cost_ns(), protocol_cost_us(), load)
    print(report)
    if not args.no_write:
        write_section("bench_ingest_guards", "## Ingest: what the connection guards cost\n\n"
                      "`python benchmarks/bench_ingest_guards.py`\n\n" + report)
    return 0


def render(args: argparse.Namespace, results: dict[tuple[str, str], list[dict[str, Any]]],
           stored: dict[str, int], budget_ns: float, protocol_us: dict[str, Spread],
           load: list[float]) -> str:
    """The Markdown report."""
    rows = []
    for name in ENDPOINTS:
        for variant in VARIANTS:
            runs = results[variant, name]
            not_200 = sum(sum(v for k, v in r["statuses"].items() if k != "200") + r["errors"]
                          for r in runs)
            rows.append(f"| {name} | {variant} | {spread([r['rate'] for r in runs])} | "
                        f"{spread([r['p99_ms'] for r in runs], '{:.1f}')} | "
                        f"{spread([r['server_cpu_us'] for r in runs])} | {not_200} |")

    def change(name: str, key: str, variant: str = "guarded", base: str = "unguarded",
               ) -> float:
        measured = statistics.median(float(r[key]) for r in results[variant, name])
        against = statistics.median(float(r[key]) for r in results[base, name])
        return (measured / against - 1) * 100

    lines = [
        f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{datetime.now(UTC):%Y-%m-%d}. The same bridge (uvicorn, uvloop, httptools, SQLite, "
        "reconcile workers off) served three times at once by the same launcher: `guarded` "
        "by `sla_bridge.server.serve` as `sla-bridge serve` runs it, default settings (read "
        "deadlines, header limit, `max_connections`); `unguarded` under uvicorn's plain "
        "httptools protocol, configured as before the guards; `control` a second `guarded`, "
        "for the noise floor. "
        f"{args.rounds} rounds, interleaved (the order rotates each round), of "
        f"{args.seconds:.0f} s closed-loop measurements over {args.connections} keep-alive "
        "connections from a separate load-generator process; min / median / max over the "
        f"rounds. Load average {load[0]:.1f} at the start, {load[-1]:.1f} at the end (the "
        "machine is shared: the spread between rounds is mostly other processes).",
        "",
        "| endpoint | server | webhooks/s | p99 ms | server CPU µs/req | not 200 |",
        "|---|---|---|---|---|---|",
        *rows,
        "",
        f"Median change, guarded against unguarded: `bridge` {change('bridge', 'rate'):+.1f} % "
        f"webhooks/s, {change('bridge', 'server_cpu_us'):+.1f} % server CPU per request; "
        f"`bare` {change('bare', 'rate'):+.1f} % webhooks/s, "
        f"{change('bare', 'server_cpu_us'):+.1f} % CPU per request. The noise floor, "
        f"`control` against `guarded` (identical servers): `bridge` "
        f"{change('bridge', 'rate', 'control', 'guarded'):+.1f} % webhooks/s, "
        f"{change('bridge', 'server_cpu_us', 'control', 'guarded'):+.1f} % CPU per request; "
        f"`bare` {change('bare', 'rate', 'control', 'guarded'):+.1f} % webhooks/s, "
        f"{change('bare', 'server_cpu_us', 'control', 'guarded'):+.1f} % CPU per request. "
        "Inbox rows after the run: "
        + ", ".join(f"{variant} {stored[variant]:,}" for variant in VARIANTS) + ".",
        "",
        "The protocols alone, in process (the same request through each over a null "
        "transport to a minimal ASGI application, uvloop, garbage collector off, thread CPU "
        "time, 9 interleaved passes of 20,000 requests each, median (min-max) over the "
        f"passes): guarded {protocol_us['guarded'].show('{:.1f}')} µs per request, unguarded "
        f"{protocol_us['unguarded'].show('{:.1f}')} µs: the guards cost "
        f"{protocol_us['guarded'].median - protocol_us['unguarded'].median:.1f} µs per "
        "request (medians). The "
        f"in-flight body budget (in every server) takes {budget_ns:.0f} ns per webhook.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
