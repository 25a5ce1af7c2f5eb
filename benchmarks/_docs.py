"""Writing a benchmark's results into docs/benchmarks.md without touching the other sections."""

from __future__ import annotations

from pathlib import Path

DOC = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"
TITLE = "# Benchmarks"
INTRO = """\
Each section below is written by a script in `benchmarks/`, which replaces only its
own section (between its `<!-- name:start -->` / `<!-- name:end -->` markers) and
states the machine, Python version and date it ran on. Re-run a benchmark from the
repository root with the virtualenv's Python, e.g.:

    .venv/bin/pip install -e '.[bench]'   # comparison libraries
    .venv/bin/python benchmarks/bench_business_time.py

Each section says how it measured (cores, sample sizes); numbers vary by a few percent
between runs.
"""


def write_section(name: str, body: str, doc: Path = DOC) -> None:
    """Replace the section between ``<!-- name:start -->`` and ``<!-- name:end -->`` with
    ``body`` (or append it); a missing doc is created with the title and the intro."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    section = f"{start}\n{body.strip()}\n{end}"
    text = doc.read_text() if doc.exists() else f"{TITLE}\n\n{INTRO}"
    if start in text and end in text:
        head, rest = text.split(start, 1)
        _, tail = rest.split(end, 1)
        text = head + section + tail
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    doc.parent.mkdir(parents=True, exist_ok=True)
    doc.write_text(text)
