"""What a classifier returns: a severity of the policy, a confidence and the reasons."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ClassificationResult:
    """A classifier's verdict on one ticket under one policy.

    ``severity`` is one of the policy's severity ids; ``confidence`` is between 0 and 1;
    ``reasons`` are short sentences a support manager can read, strongest first.
    ``classifier`` names who decided (the built-in classifier says ``builtin``; a plugin
    should give its own name) and ``scores`` (severity id -> score) are for explanation.
    """

    severity: str
    confidence: float
    reasons: tuple[str, ...] = ()
    classifier: str = "plugin"
    scores: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not 0.0 <= self.confidence <= 1.0:
            raise ValueError(f"confidence must be between 0 and 1, not {self.confidence}")

    def to_dict(self) -> dict[str, Any]:
        """Return the result as plain JSON-ready data."""
        return {
            "severity": self.severity,
            "confidence": round(self.confidence, 2),
            "reasons": list(self.reasons),
            "classifier": self.classifier,
            "scores": {k: round(v, 2) for k, v in self.scores.items()},
        }
