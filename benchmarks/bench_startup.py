"""Start-up: how long ``sla-bridge --version`` and ``sla-bridge due ...`` take, as a user runs them.

Issue 15's target 5: both under 0.3 s. Each is run as a subprocess of the installed console
script (``.venv/bin/sla-bridge``), next to ``python -c pass`` (the interpreter's own start,
the floor), interleaved pass by pass (``pass``, ``--version``, ``due``, ``pass``, ...) so
machine noise lands on all three alike, the same number of passes each. A round's figure
is the median wall time of its passes; the report gives median (min-max) over the rounds,
and a target is met only when the median of the rounds meets it.

    .venv/bin/python benchmarks/bench_startup.py             # 5 rounds x 10 passes
    .venv/bin/python benchmarks/bench_startup.py --quick     # 3 rounds x 3 passes

Leaves out: a cold disk cache and stale bytecode (one warm-up pass of each runs first and
is not counted), bridge settings (no ``SLA_BRIDGE_*`` variable is set and the commands run
in an empty folder, so no ``.env`` is read: no platform is configured, which ``due`` does
not build anyway), ``--help`` (which imports every command to list it) and the commands
plugins add (``sla-bridge zendesk ...`` imports the vendor's client when run).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from time import perf_counter

from _docs import write_section
from _rounds import MIN_ROUNDS, Spread, load_note, verdict

TARGET_SECONDS = 0.3
DUE_ARGS = ("due", "--policy", "code42-enterprise", "--plan", "gold", "--severity", "2",
            "--opened", "2026-11-25T22:00:00Z")
EXPECTED_DUE = "2026-11-30T11:00:00-06:00"


def commands() -> dict[str, list[str]]:
    """The three command lines timed, by the name the report gives them."""
    script = Path(sys.executable).with_name("sla-bridge")
    if not script.exists():
        raise SystemExit(f"no console script at {script}: run `pip install -e .` first")
    return {"python -c pass": [sys.executable, "-c", "pass"],
            "sla-bridge --version": [str(script), "--version"],
            "sla-bridge due ...": [str(script), *DUE_ARGS]}


def clean_environment() -> dict[str, str]:
    """This process's environment without the bridge's settings."""
    return {name: value for name, value in os.environ.items()
            if not name.startswith("SLA_BRIDGE_")}


def run_once(argv: list[str], env: dict[str, str], cwd: str) -> tuple[float, str]:
    """Run ``argv`` to completion; its wall time in seconds and its standard output."""
    start = perf_counter()
    done = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, check=False)
    elapsed = perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}):\n{done.stderr}")
    return elapsed, done.stdout


def measure(rounds: int, passes: int) -> dict[str, Spread]:
    """Run the rounds (each: ``passes`` interleaved passes of every command) and return each
    command's spread of per-round medians, in seconds."""
    if rounds < MIN_ROUNDS:
        raise SystemExit(f"at least {MIN_ROUNDS} rounds are needed, not {rounds}")
    argvs, env = commands(), clean_environment()
    medians: dict[str, list[float]] = {name: [] for name in argvs}
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as cwd:
        for name, argv in argvs.items():  # warm-up: disk cache and bytecode
            _, out = run_once(argv, env, cwd)
            if name.startswith("sla-bridge due") and out.strip() != EXPECTED_DUE:
                raise SystemExit(f"due printed {out!r}, expected {EXPECTED_DUE}")
        for n in range(rounds):
            times: dict[str, list[float]] = {name: [] for name in argvs}
            for _ in range(passes):
                for name, argv in argvs.items():
                    times[name].append(run_once(argv, env, cwd)[0])
            for name, got in times.items():
                medians[name].append(statistics.median(got))
            print(f"round {n + 1} of {rounds}: " + ", ".join(
                f"{name} {statistics.median(got) * 1000:.0f} ms" for name, got in times.items()),
                flush=True)
    return {name: Spread(tuple(got)) for name, got in medians.items()}


def report(spreads: dict[str, Spread], rounds: int, passes: int,
           load: tuple[tuple[float, ...], tuple[float, ...]]) -> str:
    """The markdown section for docs/benchmarks.md."""
    floor = spreads["python -c pass"].median
    rows = []
    verdicts = []
    for name, spread in spreads.items():
        ms = Spread(tuple(v * 1000 for v in spread.values))
        if name == "python -c pass":
            rows.append(f"| `{name}` | {ms.show('{:.0f}')} | 1x | (the floor) |")
            continue
        met = verdict(spread, TARGET_SECONDS, higher_is_better=False, fmt="{:.3f} s")
        verdicts.append(met)
        rows.append(f"| `{name}` | {ms.show('{:.0f}')} | {spread.median / floor:.0f}x | "
                    f"{met} |")
    before, after = load
    return "\n".join([
        f"Machine: {os.cpu_count()} logical CPUs, {platform.system()} {platform.release()}, "
        f"CPython {platform.python_version()}; run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC. "
        f"Each command as a subprocess of the installed console script, {rounds} rounds x "
        f"{passes} passes each, interleaved pass by pass after one warm-up pass; a round's "
        "figure is the median of its passes; cells: median (min-max) over the rounds, in ms. "
        f"`due ...` is `sla-bridge {' '.join(DUE_ARGS)}`.",
        "",
        load_note(before, after),
        "",
        "| command | wall ms | ÷ `python -c pass` | target 0.3 s (median) |",
        "|---|---:|---:|---|",
        *rows,
        "",
        "Target: `--version` and `due` under 0.3 s: "
        + ("**met**." if all(v == "met" for v in verdicts) else "**not met**."),
        "",
        "How: built-in commands and plugins' commands are imported when run (a lazy command "
        "table, `sla_bridge/cli/_lazy.py`); `--version` loads neither the settings nor the "
        "plugins; plugins' entry modules import their settings, platform and client only "
        "inside the hooks that use them; the built-in classifier is imported on the first "
        "ticket. `tests/cli/test_startup_imports.py` checks which modules each command "
        "imports (it times nothing).",
        "",
        "Leaves out: a cold disk cache and stale bytecode (warm-up pass not counted), bridge "
        "settings (none set, no `.env`), `--help` (imports every command to list it) and "
        "plugins' own commands (`sla-bridge zendesk ...` imports the vendor's client).",
    ])


def main() -> int:
    """Run the rounds, print the report and write it to docs/benchmarks.md."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 rounds x 3 passes")
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--passes", type=int, default=None)
    parser.add_argument("--no-write", action="store_true", help="do not touch docs/")
    args = parser.parse_args()
    rounds = args.rounds or (3 if args.quick else 5)
    passes = args.passes or (3 if args.quick else 10)
    before = os.getloadavg()
    spreads = measure(rounds, passes)
    text = report(spreads, rounds, passes, (before, os.getloadavg()))
    print(text)
    if not args.no_write:
        write_section("bench_startup", "## Start-up\n\n`python benchmarks/bench_startup.py`"
                      "\n\n" + text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
