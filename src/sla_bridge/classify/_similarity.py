"""Similarity of a ticket's words to each severity's definition and examples (TF-IDF, cosine).

Computed in plain Python over the policy's own texts: a word every severity uses ("loss of
service") weighs little, a word only one uses ("RAID", "documentation") weighs much. The
word weights and the vectors of the definitions and examples are built once per policy
content (cached on the severities' texts) and reused on every call.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from sla_bridge.policy import Policy

from ._text import MAX_CHARS, concepts

Vector = dict[str, float]


def _idf(documents: Sequence[Sequence[str]]) -> dict[str, float]:
    count = len(documents)
    frequency: Counter[str] = Counter()
    for document in documents:
        frequency.update(set(document))
    return {term: math.log((1 + count) / (1 + df)) + 1.0 for term, df in frequency.items()}


def _vector(words: Sequence[str], idf: Mapping[str, float]) -> Vector:
    counts = Counter(word for word in words if word in idf)
    vector = {term: (1 + math.log(n)) * idf[term] for term, n in counts.items()}
    norm = math.sqrt(sum(v * v for v in vector.values()))
    return {term: v / norm for term, v in vector.items()} if norm else {}


def _cosine(a: Vector, b: Vector) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(term, 0.0) for term, v in a.items())


SeverityTexts = tuple[tuple[str, tuple[str, ...]], ...]


@dataclass(frozen=True)
class _Tables:
    """A policy's word weights and the vectors of each severity's definition and examples."""

    idf: Mapping[str, float]
    definitions: tuple[Vector, ...]
    examples: tuple[tuple[Vector, ...], ...]


def severity_texts(policy: Policy) -> SeverityTexts:
    """Return each severity's (definition, examples): the key the per-policy caches use."""
    return tuple((s.definition, tuple(s.examples)) for s in policy.severities)


# Shared by the reconcile threads: lru_cache is thread-safe, and a race only builds the
# same (pure) tables twice.
@lru_cache(maxsize=64)
def _tables(texts: SeverityTexts) -> _Tables:
    definitions = [concepts(definition) for definition, _ in texts]
    examples = [[concepts(e) for e in group] for _, group in texts]
    idf = _idf(definitions + [e for group in examples for e in group])
    return _Tables(idf, tuple(_vector(d, idf) for d in definitions),
                   tuple(tuple(_vector(e, idf) for e in group) for group in examples))


def severity_similarity(policy: Policy, subject: str, text: str) -> list[float]:
    """Return, per severity (most severe first), how close the ticket's words are to it.

    Each severity is read as its definition and, separately, each of its examples; its score
    is the mean of the definition's cosine similarity and the best example's.
    """
    tables = _tables(severity_texts(policy))
    ticket = _vector(concepts(f"{subject}. {text}"[:MAX_CHARS]), tables.idf)
    scores = []
    for definition, group in zip(tables.definitions, tables.examples, strict=True):
        by_definition = _cosine(ticket, definition)
        by_example = max((_cosine(ticket, e) for e in group), default=0.0)
        scores.append((by_definition + by_example) / (2 if group else 1))
    return scores
