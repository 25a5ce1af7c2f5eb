"""Timers acted on: a burst of due timers, measured where the resulting writes land.

Per run: a fresh database (a SQLite file, or a new PostgreSQL schema dropped afterwards) and
a fresh Zendesk sandbox (real HTTP on loopback, rate limit raised out of the way) with
BURST tickets of a Gold customer at severity 1 ("1 calendar hour", round the clock: the
first-response warning is due 45 minutes after the ticket was opened). The bridge
reconciles each ticket once (which schedules its warning and breach timers), on a clock
standing one minute after the tickets were opened, so this setup never warns however long
it takes; then STORED - BURST filler timers, due over the next year, are inserted directly,
so that STORED timers are stored and BURST of them are due in the same second.

Then the measured part: 1 or 2 bridge processes (`WorkerPool(runtime)`, the default
settings: reconcile threads and the timer thread) start a few seconds before that second,
on a clock that runs at the real rate, shifted so that the warnings fall due then; each
fired warning wakes its ticket, whose reconcile reads it from the sandbox and writes the
warning (an internal note and a tag) back in one `PUT`. A ticket's lateness is the arrival
of that `PUT` in the sandbox's request log minus the due instant.

    python benchmarks/bench_timers_acted_on.py            # 1,000,000 stored, 10,000 due
    python benchmarks/bench_timers_acted_on.py --quick    # 100,000 stored, 1,000 due

The setup's reconciles run in two bridge processes too (on the standing clock). To profile
the bridge processes, name a command to run each under, e.g.
``BENCH_WORKER_PREFIX="py-spy record --gil -f raw -o /tmp/bridge.txt --"``.

Results go to docs/benchmarks.md between the timers-acted-on markers.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy
from _databases import fresh_database
from _docs import write_section
from _rounds import MIN_ROUNDS, Spread, interleaved, load_note, verdict
from sqlalchemy import func, insert, select

from sla_bridge.clock import FixedClock
from sla_bridge.plugin import PluginHost
from sla_bridge.runtime import Runtime
from sla_bridge.settings import load_settings
from sla_bridge.store._queue import wake_at
from sla_bridge.store._schema import timers, work
from sla_bridge.tickets import TicketRef
from sla_bridge.worker import WorkerPool

POLICY = "code42-enterprise"
WARN_AFTER = timedelta(minutes=45)  # 0.75 of "1 calendar hour"
LEAD_SECONDS = 3.0  # the bridge processes start this long before the burst is due
TIMEOUT_SECONDS = 900.0
TICKET_PUT = re.compile(r"^/api/v2/tickets/(\d+)(?:\.json)?$")


class OffsetClock:
    """The real clock shifted by a constant (set once, before the workers start): the
    bridge's code runs as under the system clock, at the real rate."""

    def __init__(self, offset: timedelta = timedelta(0)) -> None:
        self.offset = offset

    def now(self) -> datetime:
        """The real instant plus the offset."""
        return datetime.now(UTC) + self.offset


class SandboxClock:
    """The sandbox's clock: standing still while the tickets are opened and reconciled once,
    then the bridge's shifted real clock."""

    def __init__(self, instant: datetime) -> None:
        self.fixed: datetime | None = instant
        self.offset = timedelta(0)

    def now(self) -> datetime:
        """The standing instant, or the shifted real one."""
        return self.fixed if self.fixed is not None else datetime.now(UTC) + self.offset


# -- a bridge process (the measured part) -------------------------------------------------

def worker_main() -> None:
    """A bridge process: build the runtime, say ready, read the clock's offset (seconds) on
    stdin, run the default worker pool until stdin says stop."""
    environ = json.loads(os.environ["BENCH_BRIDGE_ENV"])
    clock = OffsetClock()
    # The setup's reconciles run on a clock standing still (BENCH_STANDING_AT).
    standing = os.environ.get("BENCH_STANDING_AT")
    settings = load_settings(environ=environ)
    runtime = Runtime.build(settings, FixedClock(datetime.fromisoformat(standing))
                            if standing else clock, PluginHost.from_settings(settings))
    # As in a process that has served a while: the classifier is loaded (on its first
    # ticket otherwise), so the burst does not pay for the import.
    import sla_bridge.classify  # noqa: F401
    print("ready", flush=True)
    clock.offset = timedelta(seconds=float(sys.stdin.readline()))
    pool = WorkerPool(runtime)
    before = _cpu()  # the process's CPU from the pool's start on: start-up is not counted
    pool.start()
    sys.stdin.readline()  # "stop" (or EOF)
    pool.stop()
    print(json.dumps({"cpu": _cpu() - before}), flush=True)
    runtime.close()


# -- one run ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Run:
    """What one run measured (seconds)."""

    backend: str
    processes: int
    lateness: tuple[float, ...]  # per ticket, sorted
    last: float  # due instant -> last write landed
    setup_seconds: float
    bridge_cpu: float
    sandbox_cpu: float

    @property
    def p50(self) -> float:
        """Median lateness."""
        return self.lateness[len(self.lateness) // 2]

    @property
    def p99(self) -> float:
        """99th percentile lateness."""
        return self.lateness[max(0, int(len(self.lateness) * 0.99) - 1)]

    @property
    def per_second(self) -> float:
        """Tickets acted on per second, from the due instant to the last write."""
        return len(self.lateness) / max(self.last, 1e-9)


def seed_sandbox(sandbox: Any, count: int) -> list[int]:
    """A Gold customer's ``count`` severity-1 tickets, opened at the sandbox's instant."""
    org = sandbox.add_organization("Acme", {"support_plan": "gold", "support_location": "usa"})
    for group in ("Customer Champions", "Customer Champion managers",
                  "Senior Customer Champions"):
        sandbox.add_group(group)
    dana = sandbox.add_user("Dana Acme", "dana@acme.test", org["id"], tags=["support_admin"])
    sandbox.add_agent("Avery (agent)", "avery@code42.test")
    return [sandbox.open_ticket(dana["id"], f"Restore fails on every device ({n})",
                                "Inability to restore across our deployment since the "
                                "upgrade: nothing restores.", priority="urgent")["id"]
            for n in range(count)]


def add_fillers(url: str, count: int, after: datetime) -> None:
    """``count`` scheduled timers of tickets nobody reconciles, due over the year after
    ``after``, inserted directly in batches."""
    engine = sqlalchemy.create_engine(url)
    rng = random.Random(42)
    rows: list[dict[str, Any]] = []
    with engine.begin() as conn:
        for n in range(count):
            rows.append({"platform": "zendesk", "ticket_id": f"filler-{n}",
                         "kind": "first_response:breach",
                         "due_at": after + timedelta(days=1 + rng.random() * 364),
                         "status": "scheduled", "payload": {}, "created_at": after})
            if len(rows) == 20_000:
                conn.execute(insert(timers), rows)
                rows.clear()
        if rows:
            conn.execute(insert(timers), rows)
    engine.dispose()


def reconcile_once(runtime: Runtime, ids: list[int], environ: Mapping[str, str]) -> None:
    """Wake every ticket and let two bridge processes (on the runtime's standing clock)
    reconcile each once."""
    now = runtime.clock.now()
    with runtime.store.transaction() as conn:
        wake_at(conn, {TicketRef(platform="zendesk", ticket_id=str(i)): (now, 3) for i in ids})
    env = {**os.environ, "BENCH_BRIDGE_ENV": json.dumps(dict(environ)),
           "BENCH_STANDING_AT": now.isoformat()}
    children = bridge_processes(2, env)
    try:
        tell(children, "0")
        while True:
            with runtime.store.reading() as conn:
                if not conn.execute(select(func.count()).select_from(work)).scalar():
                    break
            time.sleep(0.2)
        stop(children)
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()


def bridge_processes(count: int, env: Mapping[str, str]) -> list[subprocess.Popen[str]]:
    """Start ``count`` bridge processes (:func:`worker_main`); return once each is ready.

    ``BENCH_WORKER_PREFIX``: a command to run each under (a profiler)."""
    prefix = os.environ.get("BENCH_WORKER_PREFIX", "").split()
    children = [subprocess.Popen([*prefix, sys.executable, __file__, "--worker"], env=env,
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
                for _ in range(count)]
    for child in children:
        assert child.stdout is not None
        for line in child.stdout:  # a profiler may say something first
            if line.strip() == "ready":
                break
        else:
            raise RuntimeError("a bridge process did not start")
    return children


def tell(children: list[subprocess.Popen[str]], line: str) -> None:
    """Send a line to each bridge process."""
    for child in children:
        assert child.stdin is not None
        child.stdin.write(f"{line}\n")
        child.stdin.flush()


def stop(children: list[subprocess.Popen[str]]) -> float:
    """Stop the bridge processes; return the CPU seconds they spent from their pools' start."""
    tell(children, "stop")
    cpu = 0.0
    for child in children:
        assert child.stdout is not None
        cpu += next(json.loads(line)["cpu"] for line in child.stdout if line.startswith("{"))
        child.wait(60)
    return cpu


def one_run(backend: str, processes: int, stored: int, burst: int, folder: Path) -> Run:
    """Set up a fresh world, then measure ``processes`` bridge processes acting on the burst."""
    from sla_bridge_zendesk.client import ZendeskClient
    from sla_bridge_zendesk.provision import Provisioner
    from sla_bridge_zendesk.sandbox import Sandbox
    from sla_bridge_zendesk.settings import ZendeskSettings

    started = time.perf_counter()
    opened = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)
    due = opened + WARN_AFTER
    clock = SandboxClock(opened)
    sandbox = Sandbox(clock=clock, rate_limit=10**9, webhook_secret="bench-secret-0000000001")
    sandbox.start()
    children: list[subprocess.Popen[str]] = []
    try:
        with fresh_database(backend, folder) as url:
            environ = {**sandbox.plugin_env(), "SLA_BRIDGE_DATABASE_URL": url,
                       "SLA_BRIDGE_POLICIES": POLICY}
            settings = load_settings(environ=environ)
            setup = Runtime.build(settings, FixedClock(opened + timedelta(minutes=1)),
                                  PluginHost.from_settings(settings))
            setup.store.upgrade()
            zendesk = settings.section(ZendeskSettings)
            wiring = Provisioner(ZendeskClient(zendesk), zendesk, "http://127.0.0.1:9/",
                                 manager_group="Customer Champion managers")
            ids = seed_sandbox(sandbox, burst)
            wiring.apply(wiring.plan())
            sandbox.drop_webhooks(10**9)  # no bridge listens: nothing is sent
            reconcile_once(setup, ids, environ)
            setup.close()
            with sqlalchemy.create_engine(url).connect() as conn:
                warnings = conn.execute(select(func.count()).select_from(timers).where(
                    timers.c.kind == "first_response:warning", timers.c.due_at == due,
                    timers.c.status == "scheduled")).scalar()
            if warnings != burst:
                raise RuntimeError(f"{warnings} warnings scheduled at {due}, not {burst}")
            add_fillers(url, stored - burst, opened)
            setup_seconds = time.perf_counter() - started

            sandbox.clear_request_log()
            cpu_before = _cpu()
            env = {**os.environ, "BENCH_BRIDGE_ENV": json.dumps(environ)}
            children = bridge_processes(processes, env)
            # Shift the clocks so that the burst falls due LEAD_SECONDS from now.
            due_real = time.time() + LEAD_SECONDS
            offset = due.timestamp() - due_real
            clock.offset, clock.fixed = timedelta(seconds=offset), None
            tell(children, str(offset))
            landed = wait_for_writes(sandbox, set(ids), due_real)
            bridge_cpu = stop(children)
            sandbox_cpu = _cpu() - cpu_before
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
        sandbox.stop()
    lateness = tuple(sorted(landed.values()))
    return Run(backend, processes, lateness, lateness[-1], setup_seconds, bridge_cpu,
               sandbox_cpu)


def wait_for_writes(sandbox: Any, ids: set[int], due_real: float) -> dict[int, float]:
    """Watch the sandbox's request log until every ticket got its warning ``PUT``; return
    each ticket's lateness (arrival minus due instant, seconds)."""
    wall_minus_monotonic = time.time() - time.monotonic()
    landed: dict[int, float] = {}
    seen, deadline = 0, time.monotonic() + TIMEOUT_SECONDS
    log = sandbox.log
    while len(landed) < len(ids):
        if time.monotonic() > deadline:
            raise RuntimeError(f"only {len(landed)} of {len(ids)} warnings written in "
                               f"{TIMEOUT_SECONDS:.0f} s")
        with log._lock:  # the log's own list: copying it whole each poll would cost more
            fresh = log._entries[seen:]
        seen += len(fresh)
        for entry in fresh:
            match = TICKET_PUT.match(entry["path"])
            if entry["method"] != "PUT" or match is None:
                continue
            number = int(match.group(1))
            body = json.dumps(entry["body"] or {})
            if number in ids and number not in landed and "SLA warning" in body:
                landed[number] = entry["at"] + wall_minus_monotonic - due_real
        time.sleep(0.05)
    return landed


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# -- the report ---------------------------------------------------------------------------

def report(runs: Mapping[str, list[Run]], rounds: int, stored: int, burst: int,
           load: str, elapsed: float) -> str:
    """The docs section."""
    def spread(name: str, figure: Callable[[Run], float]) -> Spread:
        return Spread(tuple(figure(run) for run in runs[name]))

    rows = []
    for name, label in LABELS.items():
        p99 = spread(name, lambda r: r.p99)
        cells = [label, spread(name, lambda r: r.p50).show("{:.1f}", "s"),
                 p99.show("{:.1f}", "s"), spread(name, lambda r: r.last).show("{:.1f}", "s"),
                 spread(name, lambda r: r.per_second).show("{:.0f}"),
                 spread(name, lambda r: r.bridge_cpu / len(r.lateness) * 1000).show(
                     "{:.1f}", "ms"),
                 spread(name, lambda r: r.sandbox_cpu / len(r.lateness) * 1000).show(
                     "{:.1f}", "ms"),
                 verdict(p99, 60, higher_is_better=False, fmt="{:.1f} s")]
        rows.append("| " + " | ".join(cells) + " |")
    ratio = Spread(tuple(two.per_second / one.per_second
                         for one, two in zip(runs["pg-1"], runs["pg-2"], strict=True)))
    setup = Spread(tuple(r.setup_seconds for rs in runs.values() for r in rs))
    worker = load_settings(environ={}).worker
    header = ("| setup | lateness p50 | p99 (target < 60 s) | last write (max) | acted on / s "
              "| bridge CPU / ticket | sandbox CPU / ticket | p99 target |")
    return f"""\
## Timers acted on

`python benchmarks/bench_timers_acted_on.py{'' if burst == 10_000 else ' --quick'}`,
{date.today()}, {os.cpu_count()} cores, Python {platform.python_version()}, the whole
benchmark took {elapsed / 60:.0f} min. {load}

{stored:,} timers stored, {burst:,} of them due in the same second; {rounds} rounds, each
running the three setups once in this order (SQLite 1 process, PostgreSQL 1 process,
PostgreSQL 2 processes), each on a fresh database and a fresh Zendesk sandbox. Figures are
median (min-max) over the rounds; a target is met when the median meets it.

How: {burst:,} tickets of a Gold customer at severity 1 are opened on the Zendesk sandbox
(real HTTP on loopback, its rate limit raised out of the way); the bridge reconciles each
once, on a clock standing a minute after they were opened, which schedules the
first-response warning of each at the same second; the other {stored - burst:,} timers
(due over the next year) are inserted directly. Setup took {setup.show('{:.0f}', 's')} a
run. Then 1 or 2 bridge processes, each a default `WorkerPool(runtime)` ({worker.threads}
reconcile threads and the timer thread, batches of {worker.timer_batch}), start
{LEAD_SECONDS:.0f} s before that second, on the real clock shifted to it (the classifier
already imported, as in a process that has served a while). Each fired warning wakes its
ticket; its reconcile reads the ticket from the sandbox (its audits) and writes the warning
(an internal note and a tag) in one `PUT`. A ticket's lateness = the arrival of that `PUT`
in the sandbox's request log minus the due instant; the last write is the largest; acted on
per second = tickets / last write. CPU is the bridge processes' (from the pools' start) and
the sandbox's, per ticket acted on.

{header}
|---|---|---|---|---|---|---|---|
{chr(10).join(rows)}

PostgreSQL, 2 processes against 1 (acted on per second, paired by round):
{ratio.show('{:.2f}', 'x')}; target at least 1.8x: {verdict(ratio, 1.8, fmt='{:.2f}x')}.

What this leaves out: the bridge's webhook server (no webhooks: the sandbox's are dropped,
so no echo of the bridge's own writes comes back to be processed), Zendesk's real latency
and rate limit (loopback, limit raised), a long-running process's kept tickets (each bridge
process here starts empty, so every read is a first read of the ticket from its audits);
the sandbox serves both bridge processes from one Python process on the same
{os.cpu_count()} cores, so with 2 processes the cores are shared three ways (with
PostgreSQL a fourth).
"""


LABELS = {"sqlite-1": "SQLite, 1 process", "pg-1": "PostgreSQL, 1 process",
          "pg-2": "PostgreSQL, 2 processes"}


def main() -> None:
    """Run the rounds and write the section."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="100,000 stored, 1,000 due (a smoke run)")
    parser.add_argument("--rounds", type=int, default=MIN_ROUNDS)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--no-doc", action="store_true", help="print, do not write the doc")
    parser.add_argument("--keep", help="append each run's figures to this JSON-lines file")
    args = parser.parse_args()
    if args.worker:
        worker_main()
        return
    stored, burst = (100_000, 1_000) if args.quick else (1_000_000, 10_000)
    load_before = os.getloadavg()
    began = time.perf_counter()
    runs: dict[str, list[Run]] = {name: [] for name in LABELS}
    with tempfile.TemporaryDirectory(prefix="bench-timers-acted-on-") as tmp:
        folder = Path(tmp)

        def variant(name: str, backend: str, processes: int) -> Callable[[], float]:
            def run() -> float:
                got = one_run(backend, processes, stored, burst, folder)
                runs[name].append(got)
                if args.keep:  # each run as it ends, should a later one fail
                    with open(args.keep, "a") as kept:
                        kept.write(json.dumps({"name": name, **asdict(got)}) + "\n")
                print(f"{name}: p50 {got.p50:.2f} s, p99 {got.p99:.2f} s, last "
                      f"{got.last:.2f} s, {got.per_second:.0f}/s, setup "
                      f"{got.setup_seconds:.0f} s, bridge cpu {got.bridge_cpu:.0f} s, "
                      f"sandbox cpu {got.sandbox_cpu:.0f} s", file=sys.stderr, flush=True)
                return got.p99
            return run

        interleaved({"sqlite-1": variant("sqlite-1", "sqlite", 1),
                     "pg-1": variant("pg-1", "postgresql", 1),
                     "pg-2": variant("pg-2", "postgresql", 2)}, args.rounds)
    body = report(runs, args.rounds, stored, burst, load_note(load_before, os.getloadavg()),
                  time.perf_counter() - began)
    print(body)
    if not args.no_doc:
        write_section("timers-acted-on", body)


if __name__ == "__main__":
    main()
