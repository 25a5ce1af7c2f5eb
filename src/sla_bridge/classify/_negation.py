"""Negated problem words: "nothing is broken", "no errors", "the appliance is not offline".

A customer who writes that something is *not* wrong uses the very words a problem report
uses. Before the rules read a ticket, each such reassurance is replaced by the word
``fine``, so "nothing's wrong, I just want to ..." reads as "fine, i just want to ..." and
the rules see no failure in it. Only negations of *problem* words are replaced: "not
working", "no backups" and "nothing backs up" are problem reports and stay as they are.
Runs on text already normalised by :func:`._text.normalise` (contractions spelt out).
"""

from __future__ import annotations

import re

# Words that name a problem; negating one of them says there is no such problem.
_PROBLEM = (r"broken|wrong|amiss|down|offline|failing|failed|failures?|errors?|erroring"
            r"|crash\w*|missing|lost|deleted|corrupt\w*|gone|affected|impacted|stuck|slow"
            r"|hanging|frozen|an? (?:issue|problem|bug|outage)|issues|problems|bugs"
            r"|any (?:issues?|problems?|errors?|failures?|bugs?|outages?)")
# What may stand between the negation and the problem word: "nothing has (really) failed",
# "backups are not (currently) failing", "we have not (yet) lost any files".
_VERB = r"(?:is|are|was|were|has|have|had|seems?|looks?|appears?|went|got)"
_ADVERB = r"(?:really |actually |currently |yet |ever |been |seen |had |any |so far |gone |went )*"

_PATTERNS = (
    # "nothing is broken", "nothing's wrong", "nothing has failed", "nothing is lost"
    rf"\bnothing (?:{_VERB} )?{_ADVERB}(?:{_PROBLEM})\b(?: (?:with|on|in) (?:our|my|the) \w+)?",
    # "none of our backups are failing", "none of the devices is affected"
    rf"\bnone of (?:our|the|my|your|them|us)(?: \w+){{0,2}} {_VERB} (?:not )?{_ADVERB}"
    rf"(?:{_PROBLEM})\b",
    # "no errors", "no failures", "no outage", "no problems (there)", "no data loss"
    r"\b(?:there (?:is|are|was|were) )?no (?:\w+ )?(?:errors?|failures?|outages?|problems?"
    r"|issues?|bugs?|downtime|data loss|crash(?:es)?|impact)\b(?: (?:there|here|at all))?",
    # "without errors", "without any problems"
    r"\bwithout (?:any )?(?:errors?|failures?|problems?|issues?|interruptions?|trouble)\b",
    r"\berror[- ]free\b",
    # "no data was lost", "no files were deleted"
    r"\bno (?:data|files?|records?) (?:was |were |is |are |has been |have been )?(?:lost|deleted"
    r"|corrupted|affected|missing)\b",
    # "we do not have any issue", "i did not see any errors", "we have not lost any files"
    r"\b(?:do|does|did|have|has) not (?:have|see|seen|get|got|had|notice\w*|lost|lose|experienc\w*)"
    r" (?:any |an? )?(?:\w+ )?(?:issues?|problems?|errors?|failures?|files|data|outages?)\b",
    # "backups are not failing", "the appliance is not offline", "it is not broken"
    rf"\b{_VERB} not {_ADVERB}(?:{_PROBLEM})\b",
    # "this is not a bug report", "it is not a cosmetic problem", "not a how-to question"
    r"\b(?:(?:this|it|that) is )?not (?:just |only |merely )?an? (?:\w+ ){0,2}(?:bug|problem"
    r"|issue|outage|question|report|request)(?: report)?\b",
)
_NEGATED = re.compile("|".join(f"(?:{p})" for p in _PATTERNS))
NEUTRAL = "fine"


def reassurances(text: str) -> list[str]:
    """Return the negated problem words in normalised ``text`` ("nothing is broken", ...)."""
    return [match.group(0) for match in _NEGATED.finditer(text)]


def neutralise(text: str) -> str:
    """Return normalised ``text`` with each negated problem word replaced by ``fine``.

    ``"nothing is broken, i just want to know"`` becomes ``"fine, i just want to know"``;
    ``"backups are not working"`` is left as it is.
    """
    return _NEGATED.sub(NEUTRAL, text)
