"""Reconcile cost: database transactions and SQL statements per reconcile, and reconciles a
second with the real worker pool, against the memory platform and the Zendesk sandbox, on
SQLite (a file) and PostgreSQL.

- ``memory``: an in-process platform (a dict of tickets; a write is the action's neutral
  meaning, several in one "update"): what is measured is the engine, the store and the diff;
- ``zendesk``: the Zendesk plugin over real HTTP against its sandbox (rate limit raised so
  that it does not throttle), webhooks of the bridge's own writes included.

Each run is a fresh process (a fresh database: a SQLite file, or a new PostgreSQL schema)
with the defaults a user runs (``SLA_BRIDGE_WORKER__THREADS`` 2, the timer thread on) and
the code42-enterprise policy. Two passes over ``--tickets`` tickets: ``first`` (each ticket's
first look: due times, severity, tags written, one vendor update) and ``settled`` (each
ticket woken again with nothing left to write). Counts come from a hand loop of
``reconcile_next`` over ``--count-tickets`` further tickets (exact, one reconcile at a time,
from SQLAlchemy's ``begin`` and ``before_cursor_execute`` events on the store's engine);
throughput from the worker pool draining the queue (from its start until no work is left).

``--before PATH`` also runs the code under ``PATH/src`` (e.g. ``git archive HEAD src``
extracted there), interleaved with the current code round by round.

    .venv/bin/python benchmarks/bench_reconcile.py                 # writes docs/benchmarks.md
    .venv/bin/python benchmarks/bench_reconcile.py --before /tmp/before --tickets 300
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform as host_platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from _databases import fresh_database

ROOT = Path(__file__).resolve().parents[1]
START = datetime.fromisoformat("2026-11-30T10:00:00-06:00")  # a Monday, business hours
POLICIES = ["code42-enterprise", "crashplan-small-business"]
TARGETS = {"memory": 200, "zendesk": 100}  # reconciles a second per process (issue 15)
COST = """\
What a reconcile costs the database now: one transaction to claim (the most urgent ready
ticket, leased in one `UPDATE ... RETURNING`, with its events, what the bridge remembers
about it and its ledger's one-off entries, all read in that transaction), one per vendor
write (the ledger entries of every action the write carried, in one statement, right after
it) and one to finish (the ticket's record, clocks, timers, decisions, its events done and
the lease released): 2 + W transactions for W vendor writes, none of them read-only. A
record that did not change only moves its `updated_at`; unchanged clocks are not rewritten;
the statements of every reconcile are built once. Elsewhere, units of work that only read
(the store's read methods: a ticket's memory, timers, decisions, dead letters, `/readyz`'s
ping, the timer thread's look at the next due timer) begin deferred on SQLite, with
`query_only` on: they read a WAL snapshot while a writer holds the lock, and cannot write
(so never upgrade a read lock, the cause of "database is locked"); writers still begin
`BEGIN IMMEDIATE` and queue behind one another. One thread per process renews the leases
of running reconciles (it was a thread started and joined per reconcile). "after" is the
working tree at the time, with other helpers' uncommitted changes in it too (SLA periods
kept in finish's transaction, more metrics)."""
METHOD = """\
Two passes over fresh tickets: `first` (each ticket's first look: due times and severity
written in one vendor update; on Zendesk the webhook of that update wakes the ticket once
more, and that look writes nothing) and `settled` (every ticket woken again, nothing to
write). Reconciles a second: the worker pool from its start until no work is left, divided
into the reconciles it finished. Counts: a hand loop of `reconcile_next` over further
tickets, one reconcile at a time, from SQLAlchemy's `begin` and `before_cursor_execute`
events on the store's engine in the reconciling thread only (BEGIN/COMMIT/PRAGMA not counted
as statements), grouped by the vendor writes the reconcile made.

Left out: webhook ingest of the first events (the inbox is filled before the pool starts;
on Zendesk the webhooks of the bridge's own writes are ingested during the run, in the same
process), a real helpdesk's latency (the Zendesk sandbox is on loopback, in the same process,
sharing the GIL with the bridge), timers coming due, several processes or replicas,
PostgreSQL over a network. The memory platform is a dict in the process: engine, store and
diff only."""
FIRST_NOTE = """\
The code at the start of this work (commit 056f098), measured with the same script
(`--before`, from `git archive`) on the same shared machine, with tests running alongside
part of it. A reconcile then read its ticket's memory in a transaction of its own and looked
up each pending one-off action in the ledger in another, and on SQLite every transaction
began `BEGIN IMMEDIATE`, reads included."""


# -- counting ----------------------------------------------------------------------------

@dataclass
class Counts:
    """Transactions and statements seen on one engine."""

    transactions: int = 0
    statements: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)

    def snapshot(self) -> tuple[int, int]:
        return self.transactions, self.statements


def count_on(engine: Any) -> Counts:
    """Count transactions (``begin``) and SQL statements (BEGIN/COMMIT/PRAGMA left out) made
    by the calling thread (not the webhooks the bridge ingests meanwhile)."""
    from sqlalchemy import event

    counts = Counts()
    lock = threading.Lock()
    mine = threading.get_ident()

    @event.listens_for(engine, "begin")
    def _begin(_conn: Any) -> None:
        if threading.get_ident() != mine:
            return
        with lock:
            counts.transactions += 1

    @event.listens_for(engine, "before_cursor_execute")
    def _statement(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        head = statement.lstrip().split(None, 1)[0].upper() if statement.strip() else ""
        if head in {"BEGIN", "COMMIT", "ROLLBACK", "PRAGMA"} or threading.get_ident() != mine:
            return
        with lock:
            counts.statements += 1
            counts.by_kind[head] = counts.by_kind.get(head, 0) + 1

    return counts


# -- the memory platform -----------------------------------------------------------------

class MemoryDesk:
    """Tickets in a dict; writes are the actions' neutral meaning; several writes to a ticket
    go in one update (a batch writer, as the testdesk and Zendesk are)."""

    name = "testdesk"

    def __init__(self, clock: Any) -> None:
        self.clock = clock
        self.tickets: dict[str, Any] = {}
        self.updates = 0
        self._lock = threading.Lock()

    def fetch_ticket(self, ticket_id: str) -> Any:
        from sla_bridge.platforms import VendorError

        with self._lock:
            ticket = self.tickets.get(ticket_id)
        if ticket is None:
            raise VendorError(f"ticket {ticket_id} not found", platform=self.name,
                              retryable=False, status=404)
        return ticket

    def apply(self, action: Any) -> str | None:
        self.apply_batch([action])
        return None

    def can_batch(self, action: Any) -> bool:
        return bool(action.writes_to_ticket)

    def apply_batch(self, actions: Sequence[Any]) -> None:
        with self._lock:
            self.updates += 1
            ticket = self.tickets[actions[0].ref.ticket_id]
            for action in actions:
                ticket = action.applied_to(ticket, self.clock.now())
            self.tickets[ticket.ref.ticket_id] = ticket


# -- one run (in its own process) ------------------------------------------------------------

def work_left(url: str) -> Callable[[], int]:
    """How many tickets wait or are being reconciled (read on a connection of its own)."""
    import sqlalchemy

    engine = sqlalchemy.create_engine(url)

    def left() -> int:
        with engine.connect() as conn:
            return int(conn.exec_driver_sql("SELECT count(*) FROM work").scalar() or 0)

    return left


def reconciled(runtime: Any, platform: str) -> float:
    value = runtime.metrics.registry.get_sample_value(
        "sla_bridge_reconciliations_total", {"platform": platform, "outcome": "done"})
    return float(value or 0.0)


def drain_with_pool(runtime: Any, platform: str, left: Callable[[], int],
                    settle: Callable[[], None] = lambda: None,
                    timeout: float = 600.0) -> tuple[float, float]:
    """Start the worker pool (defaults), wait until no work is left, stop it; return the
    seconds it took and the reconciles it did."""
    from sla_bridge.worker import WorkerPool

    before = reconciled(runtime, platform)
    pool = WorkerPool(runtime)
    began = time.perf_counter()
    pool.start()
    pool.notify()
    deadline = began + timeout
    quiet = 0
    while time.perf_counter() < deadline:
        time.sleep(0.02)
        settle()
        quiet = quiet + 1 if left() == 0 else 0
        if quiet >= 2:  # twice in a row: a webhook of the bridge's own write may follow
            break
    elapsed = time.perf_counter() - began
    pool.stop()
    return elapsed, reconciled(runtime, platform) - before


def count_loop(runtime: Any, counts: Counts, n: int,
               writes: Callable[[], int]) -> dict[str, list[int]]:
    """Reconcile ``n`` ready tickets one at a time: the transactions, statements and vendor
    writes (``writes()``: how many so far) of each."""
    from sla_bridge.worker import Reconciler, reconcile_next

    reconciler = Reconciler(runtime)
    seen: dict[str, list[int]] = {"tx": [], "stmt": [], "writes": []}
    for _ in range(n):
        t0, s0 = counts.snapshot()
        w0 = writes()
        result = reconcile_next(runtime, reconciler, "bench:count")
        if result is None:
            break
        t1, s1 = counts.snapshot()
        seen["tx"].append(t1 - t0)
        seen["stmt"].append(s1 - s0)
        seen["writes"].append(writes() - w0)
    return seen


def run_memory(backend: str, tickets: int, count_tickets: int) -> dict[str, Any]:
    """One run against the memory platform."""
    from sla_bridge.clock import FixedClock
    from sla_bridge.platforms import InboundEvent
    from sla_bridge.runtime import Runtime
    from sla_bridge.settings import load_settings
    from sla_bridge.testing import InstalledTestdesk
    from sla_bridge.testing._testdesk import new_ticket
    from sla_bridge.tickets import Status

    with tempfile.TemporaryDirectory(prefix="bench-reconcile-") as tmp, \
            fresh_database(backend, Path(tmp)) as url:
        installed = InstalledTestdesk(Path(tmp))
        sys.path.insert(0, str(installed.site))
        env = {**installed.env, "SLA_BRIDGE_DATABASE_URL": url}
        clock = FixedClock(START)
        runtime = Runtime.build(load_settings(environ=env, policies=POLICIES), clock)
        runtime.store.upgrade()
        desk = MemoryDesk(clock)
        runtime.platforms["testdesk"] = desk  # type: ignore[assignment]
        counts = count_on(runtime.store.engine)
        left = work_left(url)

        def wake(ids: Sequence[str], tag: str) -> None:
            runtime.store.accept([InboundEvent(ref=desk.tickets[i].ref,
                                               delivery_id=f"{tag}-{i}", event_type="updated")
                                  for i in ids])

        def open_tickets(ids: Sequence[str]) -> None:
            for i in ids:
                desk.tickets[i] = new_ticket(i, START - timedelta(minutes=5), plan="gold",
                                             location="usa", customer_severity="2",
                                             status=Status.NEW)
            wake(ids, "created")

        result: dict[str, Any] = {}
        pool_ids = [f"p{n}" for n in range(tickets)]
        count_ids = [f"c{n}" for n in range(count_tickets)]
        for name in ("first", "settled"):
            # Counts: one reconcile at a time.
            if name == "first":
                open_tickets(count_ids)
            else:
                wake(count_ids, name)
            updates = desk.updates
            seen = count_loop(runtime, counts, count_tickets, lambda: desk.updates)
            # Throughput: the pool.
            if name == "first":
                open_tickets(pool_ids)
            else:
                wake(pool_ids, name)
            elapsed, done = drain_with_pool(runtime, "testdesk", left)
            result[name] = {**seen, "seconds": elapsed, "done": done,
                            "updates": desk.updates - updates, "rate": done / elapsed}
        runtime.close()
        return result


def run_zendesk(backend: str, tickets: int, count_tickets: int) -> dict[str, Any]:
    """One run against the Zendesk sandbox, over HTTP."""
    from sla_bridge_zendesk import demo
    from sla_bridge_zendesk.loop import BridgeOnSandbox

    from sla_bridge.platforms import InboundEvent
    from sla_bridge.tickets import TicketRef

    with tempfile.TemporaryDirectory(prefix="bench-reconcile-zd-") as tmp, \
            fresh_database(backend, Path(tmp)) as url:
        world = BridgeOnSandbox(Path(tmp), start=START, webhook_secret=demo.SECRET,
                                policies=POLICIES, manager_group="Customer Champion managers",
                                out=io.StringIO(),
                                environment={"SLA_BRIDGE_ZENDESK__LOOKUP_TTL_SECONDS": "300"})
        cast = demo.seed(world.sandbox)
        world.sandbox.limiter.limit = 10**9
        if backend != "sqlite":
            # The harness builds its bridge on SQLite in its folder: on PostgreSQL instead.
            from sla_bridge.testing import _harness

            real = _harness.load_settings
            _harness.load_settings = (  # type: ignore[assignment]
                lambda **kw: real(**{**kw, "database_url": url}))
        try:
            world.start()
            runtime = world.runtime
            url = runtime.store.url
            if backend != "sqlite" and runtime.store.dialect != "postgresql":
                raise SystemExit("the Zendesk run is not on PostgreSQL")
            counts = count_on(runtime.store.engine)
            left = work_left(url)

            def settle() -> None:
                world.sandbox.flush(10)

            def vendor_writes() -> int:
                return sum(1 for r in world.sandbox.request_log()
                           if r["method"] in {"PUT", "POST"} and r["path"].startswith("/api/")
                           and "/search" not in r["path"])

            def open_tickets(n: int) -> list[str]:
                ids = [str(world.sandbox.open_ticket(
                    cast.acme_admin["id"], f"Backups fail {k}", "Our backups fail since "
                    "this morning; the server is up.", priority="high")["id"])
                    for k in range(n)]
                settle()
                return ids

            def wake(ids: Sequence[str], tag: str) -> None:
                runtime.store.accept([InboundEvent(
                    ref=TicketRef(platform="zendesk", ticket_id=i),
                    delivery_id=f"{tag}-{i}", event_type="updated") for i in ids])

            result: dict[str, Any] = {}
            count_ids = open_tickets(count_tickets)
            pool_ids: list[str] = []
            for name in ("first", "settled"):
                if name == "settled":
                    wake(count_ids, name)
                seen = count_loop(runtime, counts, count_tickets, vendor_writes)
                settle()
                # The webhooks of the counted reconciles' own writes: reconciled apart.
                drain_with_pool(runtime, "zendesk", left, settle)
                if name == "first":
                    pool_ids = open_tickets(tickets)
                else:
                    wake(pool_ids, name)
                elapsed, done = drain_with_pool(runtime, "zendesk", left, settle)
                result[name] = {**seen, "seconds": elapsed, "done": done,
                                "rate": done / elapsed, "tickets": len(pool_ids)}
            return result
        finally:
            world.close()


# -- the comparison (parent process) ---------------------------------------------------------

def one(args: argparse.Namespace) -> None:
    import sla_bridge

    run = run_memory if args.platform == "memory" else run_zendesk
    result = run(args.backend, args.tickets, args.count_tickets)
    result["code"] = str(Path(sla_bridge.__file__).resolve().parents[1])
    print(json.dumps(result))


def spawn(code: str | None, platform: str, backend: str, tickets: int,
          count_tickets: int) -> dict[str, Any]:
    env = dict(os.environ)
    if code is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(Path(code) / "src"),
                                             env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    out = subprocess.run(
        [sys.executable, __file__, "--one", platform, backend, "--tickets", str(tickets),
         "--count-tickets", str(count_tickets)],
        env=env, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(f"run {platform}/{backend} ({code or 'current'}) failed:\n{out.stderr}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    if code is not None and not result["code"].startswith(str(Path(code).resolve())):
        raise SystemExit(f"the 'before' run imported {result['code']}, not {code}")
    return result


def spread(values: Sequence[float]) -> str:
    ordered = sorted(values)
    return (f"{ordered[0]:.0f} / {statistics.median(ordered):.0f} / {ordered[-1]:.0f}"
            if ordered else "-")


def exact(values: Sequence[int]) -> str:
    """Per-reconcile counts: one value when they are all the same, else min-median-max."""
    if not values:
        return "-"
    low, high = min(values), max(values)
    return str(low) if low == high else f"{low}-{statistics.median(values):g}-{high}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--one", nargs=2, metavar=("PLATFORM", "BACKEND"))
    parser.add_argument("--tickets", type=int, default=400)
    parser.add_argument("--count-tickets", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--before", help="a folder with the earlier code's src/")
    parser.add_argument("--no-after", action="store_true", help="with --before: only it")
    parser.add_argument("--platforms", default="memory,zendesk")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--no-doc", action="store_true")
    parser.add_argument("--save", help="also write the raw results (JSON) there")
    parser.add_argument("--first", help="results saved earlier (--save), shown as the first "
                                        "measurement")
    parser.add_argument("--render", help="write the doc from results saved earlier (--save) "
                                         "instead of running")
    args = parser.parse_args()
    if args.one:
        args.platform, args.backend = args.one
        one(args)
        return
    if args.render:
        write_doc(args, tables(load(args.render)))
        return
    versions: list[str | None] = [None] if args.before is None else [args.before, None]
    if args.no_after and args.before is not None:
        versions = [args.before]
    cases = [(p, b) for p in args.platforms.split(",") for b in args.backends.split(",")]
    results: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for round_ in range(args.rounds):
        for platform, backend in cases:
            for code in versions:
                label = "before" if code is not None else "after"
                result = spawn(code, platform, backend, args.tickets, args.count_tickets)
                results.setdefault((label, platform, backend), []).append(result)
                print(f"round {round_ + 1} {label} {platform}/{backend}: " + ", ".join(
                    f"{k} {v['rate']:.0f}/s tx {exact(v['tx'])} stmt {exact(v['stmt'])}"
                    for k, v in result.items() if isinstance(v, dict)), file=sys.stderr)
    if args.save:
        Path(args.save).write_text(json.dumps([[list(k), v] for k, v in results.items()]))
    text = tables(results)
    print(text)
    if not args.no_doc:
        write_doc(args, text)


def tables(results: dict[tuple[str, str, str], list[dict[str, Any]]]) -> str:
    """The counts (by how many vendor writes the reconcile made) and the throughput."""
    from _rounds import Spread, verdict

    counts, speed, missed = [], [], []
    for (label, platform, backend), runs in results.items():
        by_writes: dict[int, tuple[list[int], list[int]]] = {}
        for run in runs:
            for name in ("first", "settled"):
                seen = run[name]
                for tx, stmt, writes in zip(seen["tx"], seen["stmt"], seen["writes"],
                                            strict=True):
                    by_writes.setdefault(writes, ([], []))[0].append(tx)
                    by_writes[writes][1].append(stmt)
        for writes, (txs, stmts) in sorted(by_writes.items()):
            counts.append(f"| {label} | {platform} | {backend} | {writes} | {len(txs)} | "
                          f"{exact(txs)} | {exact(stmts)} |")
        for name in ("first", "settled"):
            rates = Spread(tuple(r[name]["rate"] for r in runs))
            said = verdict(rates, TARGETS[platform])
            speed.append(f"| {label} | {platform} | {backend} | {name} | {rates.show()} | "
                         f"{TARGETS[platform]}: {said} |")
            if label == "after" and said != "met":
                missed.append(f"{platform} on {backend}, {name} pass ({said})")
    return ("| code | platform | database | vendor writes in the reconcile | reconciles "
            "counted | transactions | SQL statements |\n|---|---|---|---|---|---|---|\n"
            + "\n".join(counts)
            + "\n\n| code | platform | database | pass | reconciles/s, median (min-max) "
            "| target |\n|---|---|---|---|---|---|\n" + "\n".join(speed)
            + ("" if not any(k[0] == "after" for k in results) else "\n\nTargets missed now: "
               + ("; ".join(missed) if missed else "none") + "."))


def load(path: str) -> dict[tuple[str, str, str], list[dict[str, Any]]]:
    """Results saved with ``--save``."""
    return {(k[0], k[1], k[2]): v for k, v in json.loads(Path(path).read_text())}


def write_doc(args: argparse.Namespace, text: str) -> None:
    """This benchmark's section of docs/benchmarks.md."""
    from _docs import write_section

    first = ""
    if args.first:
        first = ("### First measurement, before the change\n\n" + FIRST_NOTE
                 + "\n\n" + tables(load(args.first)) + "\n\n### Now, interleaved with "
                 "the code before the change\n\n")
    machine = (f"`benchmarks/bench_reconcile.py`, {date.today()}, Python "
               f"{host_platform.python_version()}, {host_platform.machine()}, "
               f"{os.cpu_count()} cores")
    body = f"""\
## Reconcile cost: transactions, statements and reconciles a second

{machine}
**shared with other helpers' tests and benchmarks at the time** (load average 1-5): the
throughput figures are to be re-taken on a quiet machine; the counts are exact.
{args.rounds} rounds; each round runs every case once, in a fresh process with a fresh
database (a SQLite file; a new schema on the PostgreSQL at 127.0.0.1), the compared code
versions one after the other (interleaved); {args.tickets} tickets per pass for throughput,
{args.count_tickets} for the counts. The defaults a user runs: the worker pool with 2
reconcile threads and the timer thread, WAL SQLite, the code42-enterprise and
crashplan-small-business policies. Targets (issue 15): at least 200 reconciles a second
against the memory platform, 100 against the Zendesk sandbox, per process.

{COST}

{METHOD}

{first}{text}
"""
    write_section("reconcile-cost", body)


if __name__ == "__main__":
    main()
