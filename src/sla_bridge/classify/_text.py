"""Text normalisation: lower case, contractions spelt out, sentences, tokens and stems."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property

from ._negation import neutralise, reassurances

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
                         "\u2013": "-", "\u2014": "-", "\u00a0": " "})
_CONTRACTIONS = (
    (r"\bcan'?t\b", "cannot"),
    (r"\bwon'?t\b", "will not"),
    (r"\bshan't\b", "shall not"),
    (r"\b(\w+)n't\b", r"\1 not"),
    (r"\b(i|we|you|they)'re\b", r"\1 are"),
    (r"\b(i|we|you|they)'ve\b", r"\1 have"),
    (r"\b(i|we|you|they|it)'ll\b", r"\1 will"),
    (r"\b(i|we|you|they|it)'d\b", r"\1 would"),
    (r"\bi'm\b", "i am"),
    (r"\b(it|that|there|what|here|nothing|everything|something)'s\b", r"\1 is"),
)
_CONTRACTION_RES = tuple((re.compile(p), r) for p, r in _CONTRACTIONS)
_WORD = re.compile(r"[a-z0-9]+(?:[.'][a-z0-9]+)*")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")

_STOPWORD_TEXT = """
a about above after again against all am an and any are as at be because been before being
below between both but by could did do does doing during each few for from further had
has have having he her here hers herself him himself his how i if in into is it its itself
just me more most my myself no nor not of off on once only or other our ours ourselves out
over own same she should so some such than that the their theirs them themselves then there
these they this those through to too under until up very was we were what when where which
while who whom why will with would you your yours yourself yourselves also can may
might must shall us etc e.g i.e per via get got please thanks thank hi hello regards team
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())


def normalise(text: str) -> str:
    """Return ``text`` in lower case with quotes unified and contractions spelt out.

    ``"Can't restore — it won't start"`` becomes ``"cannot restore - it will not start"``.
    """
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).lower()
    for pattern, replacement in _CONTRACTION_RES:
        text = pattern.sub(replacement, text)
    return re.sub(r"[ \t]+", " ", text).strip()


def tokens(text: str) -> list[str]:
    """Return the words of already-normalised ``text`` (digits and dotted versions kept)."""
    return _WORD.findall(text)


def stem(word: str) -> str:
    """Return a light stem of ``word``: enough to match restore/restores/restoring/restored."""
    if len(word) <= 3 or not word.isalpha():
        return word
    for suffix, keep in (("ational", "ate"), ("ization", "ize"), ("isation", "ize"),
                         ("ically", "ic"), ("ingly", ""), ("ations", "ate"), ("ation", "ate"),
                         ("ities", "ity"), ("iness", "y"), ("ness", ""), ("ments", ""),
                         ("ment", ""), ("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""),
                         ("ly", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: len(word) - len(suffix)] + keep
            break
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    if len(word) > 4 and word[-1] == word[-2] and word[-1] not in "ls":
        word = word[:-1]
    return word


# Words that mean the same thing in a support ticket are folded onto one stem, so that a
# ticket saying "recover" meets a definition saying "restore". Canonical word: its synonyms.
_SYNONYM_GROUPS = {
    "restore": ("recover", "recovery", "retrieve"),
    "license": ("licence", "licensing", "subscription", "seat"),
    "expired": ("lapsed", "lapse", "expiry", "expire"),
    "renew": ("renewal",),
    "backup": ("backed", "backing", "back"),
    "inability": ("unable", "cannot", "impossible"),
    "failure": ("fail", "failed", "broken", "error"),
    "down": ("outage", "offline", "unavailable", "unreachable"),
    "performance": ("slow", "slowness", "crawl", "sluggish", "speed", "throughput"),
    "degraded": ("degradation",),
    "deployment": ("company", "organization", "organisation", "org", "everyone", "fleet",
                   "environment"),
    "information": ("question", "explain", "advise", "how-to"),
    "documentation": ("doc", "docs", "guide", "article", "typo"),
    "improvement": ("feature", "enhancement", "suggestion", "idea"),
    "cosmetic": ("visual", "display"),
    "alert": ("alerting", "notification"),
    "production": ("prod", "live"),
    "sandbox": ("uat", "qa", "non-production", "nonproduction"),
}
SYNONYMS = {alias_form: stem(canonical)
            for canonical, aliases in _SYNONYM_GROUPS.items()
            for alias in aliases for alias_form in (alias, stem(alias))}


def concept(word: str) -> str:
    """Return the stem of ``word`` folded onto its synonym group, if it has one."""
    stemmed = stem(word)
    return SYNONYMS.get(word, SYNONYMS.get(stemmed, stemmed))


def concepts(text: str) -> list[str]:
    """Return the content concepts of raw ``text``: normalised, stop words dropped, folded."""
    return [concept(w) for w in tokens(normalise(text)) if w not in STOPWORDS and len(w) > 1]


@dataclass(frozen=True)
class Sentence:
    """One sentence of a ticket, normalised, and whether it asks a question."""

    text: str
    question: bool


# Only the start of a very long description is read (pasted logs add nothing but time).
MAX_CHARS = 20_000


@dataclass(frozen=True)
class TicketText:
    """A ticket's subject and description, normalised once for every rule to read."""

    subject: str
    body: str

    @cached_property
    def full(self) -> str:
        """Subject and body, normalised, as one string (subject first, as its own sentence).

        Negated problem words ("nothing is broken", "no errors") read as ``fine``; see
        :mod:`._negation`.
        """
        subject = neutralise(normalise(self.subject[:MAX_CHARS]))
        body = neutralise(normalise(self.body[:MAX_CHARS]))
        if subject and subject[-1] not in ".!?":
            subject += "."
        return f"{subject}\n{body}".strip()

    @cached_property
    def reassurances(self) -> tuple[str, ...]:
        """What the ticket says is *not* wrong ("nothing is broken", "no errors")."""
        return tuple(reassurances(normalise(f"{self.subject[:MAX_CHARS]}\n"
                                            f"{self.body[:MAX_CHARS]}")))

    @cached_property
    def sentences(self) -> tuple[Sentence, ...]:
        """The normalised sentences of subject and body."""
        parts = [p.strip() for p in _SENTENCE_END.split(self.full) if p.strip()]
        return tuple(Sentence(p, p.endswith("?")) for p in parts)

    @cached_property
    def statements(self) -> str:
        """The sentences that are not questions, joined: where problems are reported."""
        return "\n".join(s.text for s in self.sentences if not s.question)

    @cached_property
    def questions(self) -> str:
        """The sentences that ask something, joined."""
        return "\n".join(s.text for s in self.sentences if s.question)
