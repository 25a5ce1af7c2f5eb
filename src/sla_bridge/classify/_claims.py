"""What a ticket says about its own version: "we are still on 4.x, which is end of life".

The version rules (:mod:`._versions`) judge the version field against the release facts.
Customers also *say* they run an unsupported version or configuration, in words: "our
version is no longer supported", "the EOL 8.x client", "an out-of-support release", "an
unsupported configuration". :func:`unsupported_claim` finds such a statement about what the
customer runs now. It ignores questions ("is 10.0 still supported?"), negations ("11.0 is
not end of life yet"), the future ("will reach end of life in May") and the past ("we
upgraded from the end-of-life 6.8 to 11.2").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from ._text import TicketText

# "the end-of-life agent", "an unsupported 5.4 server": the word before what it qualifies.
_EOL_ADJECTIVE = (r"end[- ]of[- ]life|\beol\b|end[- ]of[- ](?:support|maintenance)"
                  r"|out[- ]of[- ]support|unsupported|legacy unsupported")
# "our version is no longer supported", "6.x, which is end of life": said of what is run.
_EOL = (rf"{_EOL_ADJECTIVE}|no longer (?:supported|maintained)|not supported any ?more"
        r"|past (?:its |the )?"
        r"(?:end of life|support)")
# What the claim is about: a version, release, build, component, or a configuration.
_VERSION_NOUN = (r"versions?|releases?|builds?|clients?|agents?|servers?|apps?|software"
                 r"|installs?|installations?|v?\d+(?:\.(?:\d+|x))+|\d+\.x|v\d+")
_CONFIG_NOUN = (r"configurations?|config|setups?|operating systems?|os|platforms?|hardware"
                r"|environments?")
_ADJECTIVE_CLAIM = re.compile(
    rf"\b(?:{_EOL_ADJECTIVE})\W+(?:[\w.-]+\W+){{0,2}}?(?:{_VERSION_NOUN}|{_CONFIG_NOUN})\b"
    rf"|\bnot an? (?:officially )?supported (?:{_VERSION_NOUN}|{_CONFIG_NOUN})\b")
_PREDICATE_CLAIM = re.compile(
    rf"\b(?:{_VERSION_NOUN}|{_CONFIG_NOUN})\W+(?:[\w.'-]+\W+){{0,5}}?(?:{_EOL})")
_CONFIG = re.compile(rf"\b(?:{_CONFIG_NOUN})\b")
# Not what is run now: negated, future, or left behind.
_NOT_NOW = re.compile(
    r"\b(?:not|never|no) (?:yet |already |an? )?(?:end[- ]of[- ]life|eol|unsupported"
    r"|out[- ]of[- ]support)\b|\bstill (?:fully )?supported\b"
    r"|\b(?:will|would|going to|soon|approaching|nearing|before|until|ahead of|announced"
    r"|planned|scheduled)\b(?:\W+\w+){0,4}?\W+(?:end[- ]of[- ]life|eol|unsupported"
    r"|out[- ]of[- ]support|no longer supported)"
    r"|\b(?:upgrad|migrat|mov|updat|switch|came|com)\w* (?:\w+ ){0,3}?from\b"
    r"|\b(?:used to|previously|formerly|was|were) (?:be |run\w* |on )?(?:\w+ ){0,3}?"
    r"(?:end[- ]of[- ]life|eol|unsupported)"
)


@dataclass(frozen=True)
class UnsupportedClaim:
    """A ticket's statement that it runs an unsupported version or configuration."""

    what: Literal["version", "configuration"]
    evidence: str

    @property
    def reason(self) -> str:
        """A sentence for the reasons list."""
        return f"the ticket says it runs an unsupported {self.what} (\"{self.evidence}\")"


def unsupported_claim(text: TicketText) -> UnsupportedClaim | None:
    """Return the ticket's statement that what it runs now is unsupported, or ``None``."""
    for sentence in text.sentences:
        if sentence.question:
            continue
        adjective = _ADJECTIVE_CLAIM.search(sentence.text)
        match = adjective or _PREDICATE_CLAIM.search(sentence.text)
        if match is None or _NOT_NOW.search(sentence.text):
            continue
        words = match.group(0)
        # The noun qualified: last word of an adjectival claim, first of a predicate.
        noun = words.split()[-1] if adjective else words.split()[0]
        what: Literal["version", "configuration"] = (
            "configuration" if _CONFIG.fullmatch(noun.strip(" ,.;:")) else "version")
        return UnsupportedClaim(what, words.strip(" ,.;:"))
    return None
