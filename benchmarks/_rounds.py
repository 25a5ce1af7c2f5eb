"""The honest method every benchmark here uses: paired, interleaved rounds and their spread.

Each compared variant runs once per round, in the same order, the same number of passes, so
machine noise lands on every side alike; a figure is reported as min / median / max over the
rounds, and a target is "met" only when the median meets it.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Mapping
from dataclasses import dataclass

MIN_ROUNDS = 3


@dataclass(frozen=True)
class Spread:
    """One figure measured over several rounds."""

    values: tuple[float, ...]

    @property
    def low(self) -> float:
        """The smallest value over the rounds."""
        return min(self.values)

    @property
    def median(self) -> float:
        """The median over the rounds: the figure a target is judged on."""
        return statistics.median(self.values)

    @property
    def high(self) -> float:
        """The largest value over the rounds."""
        return max(self.values)

    def show(self, fmt: str = "{:,.0f}", unit: str = "") -> str:
        """``median (min-max) unit``, for a markdown table cell."""
        return (f"{fmt.format(self.median)} ({fmt.format(self.low)}-{fmt.format(self.high)})"
                f"{' ' + unit if unit else ''}")


def interleaved(variants: Mapping[str, Callable[[], float]], rounds: int) -> dict[str, Spread]:
    """Run every variant once per round, in the same order each round, and collect spreads.

    Each callable does its own passes (the same number for every variant) and returns the
    round's figure, e.g. operations per second.
    """
    if rounds < MIN_ROUNDS:
        raise ValueError(f"at least {MIN_ROUNDS} rounds are needed for a spread, not {rounds}")
    values: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(rounds):
        for name, run in variants.items():
            values[name].append(run())
    return {name: Spread(tuple(got)) for name, got in values.items()}


def verdict(spread: Spread, target: float, *, higher_is_better: bool = True,
            fmt: str = "{:,.0f}") -> str:
    """Say "met" or "missed by ..." for the median against the target."""
    met = spread.median >= target if higher_is_better else spread.median <= target
    if met:
        return "met"
    gap = abs(spread.median - target)
    share = gap / target * 100 if target else 0.0
    return f"missed by {fmt.format(gap)} ({share:.0f} %)"


def load_note(before: tuple[float, float, float], after: tuple[float, float, float]) -> str:
    """The machine's load average before and after a run, flagged when other work ran.

    Judged on the 1-minute figure before the run: the run's own processes raise the figure
    after it, and a load of one is one of the two cores busy with something else.
    """
    busy = before[0] >= 1.0
    return (f"Load average (1, 5, 15 min) before: {', '.join(f'{x:.2f}' for x in before)}; "
            f"after: {', '.join(f'{x:.2f}' for x in after)}."
            + (" **Measured while other work ran on this machine**: re-run on a quiet one for "
               "the figures to quote." if busy else ""))
