"""Reading a policy's severities: names, positions on the common scale, examples, definitions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from sla_bridge.policy import Policy, Severity

from ._similarity import SeverityTexts, severity_texts
from ._text import normalise

LEVELS = 4
_POSITIVE_WORKAROUND = re.compile(r"(?<!no )(?<!no temporary )(?:may (?:have|require) (?:an? )?"
                                  r"(?:alternative method or )?workaround|workaround to restore)")
_NEGATIVE_WORKAROUND = re.compile(r"no (?:temporary )?workaround|workaround is unavailable")


def severity_name(severity: Severity) -> str:
    """Return how people name ``severity``: "Severity 2" for numbered levels, else its label."""
    return f"Severity {severity.id}" if severity.id.isdigit() else severity.label


def index_for_level(policy: Policy, level: int) -> int:
    """Return the index (most severe first) of the policy severity for common ``level`` 1-4.

    Policies with four levels map one to one. With fewer, levels are aligned from the least
    severe end (information requests stay the lowest, minor issues the next), and the most
    severe levels share the top: OwnBackup's High takes levels 1 and 2, as its definition
    ("complete service failure, severe degradation in service") covers both.
    """
    count = len(policy.severities)
    level = min(max(level, 1), LEVELS)
    if count <= LEVELS:
        return max(0, (count - 1) - (LEVELS - level))
    return round((level - 1) * (count - 1) / (LEVELS - 1))


def level_for_index(policy: Policy, index: int) -> int:
    """Return the most severe common level that maps to the policy's severity ``index``."""
    for level in range(1, LEVELS + 1):
        if index_for_level(policy, level) >= index:
            return level
    return LEVELS


@dataclass(frozen=True)
class ExampleMatch:
    """Where a policy names a situation: the severity, and the example or definition text."""

    index: int
    text: str
    where: str  # "example", "managed-appliance example" or "definition"

    def describe(self, policy: Policy) -> str:
        """Return e.g. "managed-appliance example of Severity 2"."""
        return f"{self.where} of {severity_name(policy.severities[self.index])}"


def find_example(policy: Policy, pattern: str) -> ExampleMatch | None:
    """Return the most severe severity whose examples (then definitions) match ``pattern``.

    ``pattern`` is a regular expression over normalised text, or ``+workaround`` /
    ``-workaround`` for the severity whose definition allows a workaround / says none exists.
    """
    return _find_example(severity_texts(policy), pattern)


@lru_cache(maxsize=4096)
def _find_example(texts: SeverityTexts, pattern: str) -> ExampleMatch | None:
    definitions = [normalise(definition) for definition, _ in texts]
    if pattern in ("+workaround", "-workaround"):
        wanted = _POSITIVE_WORKAROUND if pattern[0] == "+" else _NEGATIVE_WORKAROUND
        for index, definition in enumerate(definitions):
            if wanted.search(definition):
                return ExampleMatch(index, texts[index][0], "definition")
        return None
    compiled = re.compile(pattern)
    for index, (_, examples) in enumerate(texts):
        for example in examples:
            text = normalise(example)
            if compiled.search(text):
                where = ("managed-appliance example" if text.startswith("managed appliance")
                         else "example")
                return ExampleMatch(index, example, where)
    for index, definition in enumerate(definitions):
        if compiled.search(definition):
            return ExampleMatch(index, texts[index][0], "definition")
    return None
