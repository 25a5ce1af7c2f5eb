"""The built-in classifier: a call with the policy's tables cached, and one that builds them.

Issue 15's item 3 (part): the per-policy tables (the similarity's word weights and the
vectors of each severity's definition and examples, and the example matches the votes look
up) are built once per policy, not on every call. This measures, on the labelled tickets of
``tests/data/classification.jsonl`` under the five bundled policies:

* ``warm``: ``classify`` as the bridge calls it, the tables already built;
* ``cold``: the same calls with the tables' caches emptied before each one, so every call
  builds its policy's tables first: what each call cost when the tables were rebuilt.

Both run in this one process, interleaved (cold, warm, cold, ...), the same tickets each
round; a round's figure is microseconds per call over all tickets; the report gives median
(min-max) over the rounds. It also counts how many times the tables were built over a
warm pass (once per policy when the cache works).

    .venv/bin/python benchmarks/bench_classifier.py            # 5 rounds
    .venv/bin/python benchmarks/bench_classifier.py --quick    # 3 rounds

Leaves out: the hook and the engine around the classifier (``PluginHost.classify``,
reading the ticket), threads (the caches are ``functools.lru_cache``: safe to share across
the reconcile threads, where a race builds the same tables twice, never different ones),
and the first import of :mod:`sla_bridge.classify` (its word lists compile then).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path
from time import perf_counter
from typing import Any

from _docs import write_section
from _rounds import interleaved, load_note

from sla_bridge.classify import _policy_map, _similarity, classify
from sla_bridge.default_plugins.policies import bundled_policy_dir
from sla_bridge.policy import BUILTIN_HOLIDAY_KINDS, Policy, PolicyLibrary

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "classification.jsonl"


def load() -> tuple[dict[str, Policy], list[dict[str, Any]]]:
    """The bundled policies by name and the labelled tickets."""
    library = PolicyLibrary([bundled_policy_dir()], BUILTIN_HOLIDAY_KINDS)
    policies = {name: library.load(name) for name in library.available()}
    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines()
            if line.strip()]
    return policies, rows


def empty_caches() -> None:
    """Forget every policy's tables."""
    _similarity._tables.cache_clear()
    _policy_map._find_example.cache_clear()


def per_call(policies: dict[str, Policy], rows: list[dict[str, Any]], cold: bool) -> float:
    """Classify every ticket once; microseconds per call (warm: after an untimed pass, as
    the cold pass before it leaves only its last call's tables cached)."""
    if not cold:
        for row in rows:
            classify(policies[row["policy"]], row["subject"], row["text"],
                     version=row.get("version"))
    elapsed = 0.0
    for row in rows:
        policy = policies[row["policy"]]
        if cold:
            empty_caches()
        start = perf_counter()
        classify(policy, row["subject"], row["text"], version=row.get("version"))
        elapsed += perf_counter() - start
    return elapsed / len(rows) * 1e6


def builds_per_pass(policies: dict[str, Policy], rows: list[dict[str, Any]]) -> int:
    """How many times the word tables are built over one pass from empty caches."""
    empty_caches()
    for row in rows:
        classify(policies[row["policy"]], row["subject"], row["text"], version=row.get("version"))
    return _similarity._tables.cache_info().misses


def main() -> int:
    """Run the rounds, print the report and write it to docs/benchmarks.md."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 rounds")
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--no-write", action="store_true", help="do not touch docs/")
    args = parser.parse_args()
    rounds = args.rounds or (3 if args.quick else 5)
    policies, rows = load()
    used = sorted({row["policy"] for row in rows})
    before = os.getloadavg()
    spreads = interleaved({"cold": lambda: per_call(policies, rows, cold=True),
                           "warm": lambda: per_call(policies, rows, cold=False)}, rounds)
    after = os.getloadavg()
    builds = builds_per_pass(policies, rows)
    cold, warm = spreads["cold"], spreads["warm"]
    share = (cold.median - warm.median) / cold.median * 100
    text = "\n".join([
        f"Machine: {os.cpu_count()} logical CPUs, {platform.system()} {platform.release()}, "
        f"CPython {platform.python_version()}; run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC. "
        f"{len(rows)} labelled tickets (`tests/data/classification.jsonl`) under "
        f"{len(used)} bundled policies, one thread; {rounds} rounds, cold and warm "
        "interleaved; cells: µs per `classify` call, median (min-max) over the rounds.",
        "",
        load_note(before, after),
        "",
        "| call | µs per call |",
        "|---|---:|",
        f"| cold: the policy's tables built first (each call) | {cold.show('{:,.0f}')} |",
        f"| warm: tables cached (how the bridge calls it) | {warm.show('{:,.0f}')} |",
        "",
        f"Building the tables is {share:.0f} % of a cold call; over a pass of the "
        f"{len(rows)} tickets from empty caches they were built {builds} times "
        f"({len(used)} policies): once per policy. The caches are keyed by the policy's "
        "severity texts (a reloaded, equal policy hits them) and are "
        "`functools.lru_cache`, safe to share across the reconcile threads.",
        "",
        "Leaves out: the hook and the engine around the classifier, threads, and the first "
        "import of `sla_bridge.classify` (its word lists compile then).",
    ])
    print(text)
    if not args.no_write:
        write_section("bench_classifier", "## Classifier: per-policy tables\n\n"
                      "`python benchmarks/bench_classifier.py`\n\n" + text)
    return 0 if builds == len(used) else 1


if __name__ == "__main__":
    sys.exit(main())
