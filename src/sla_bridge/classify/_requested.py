"""The severity a customer asks for in free text: "sev 2", "treat it as high priority".

An escalation request names "the expected severity of the issue". Customers write it in
many ways, and the same words also appear in other senses ("normal operations are
impossible", "high CPU", "low disk space", "a medium-sized company"). A word is read as a
requested severity only in a *severity statement*:

- a numbered level: "sev 2", "Sev1", "severity: 1", "priority 2", "P1", "severity one";
- a severity word after a severity noun: "severity High", "priority: urgent";
- a severity word before one: "high priority", "an urgent issue", "low-priority";
- a severity word set or asked for: "as Urgent", "raise it to urgent", "we expect High";
- a severity word said of the ticket: "it is urgent", "this issue is critical".

After a setting verb or as a predicate, the word must end the clause or be followed by a
severity noun: "this is high on our list" and "we upgraded to high availability" are not
requests. Negated statements ("it is not urgent") are ignored, and a statement of the
current or previous severity ("it was filed as sev 3", "from sev 3") counts less than one
of the expected severity ("to sev 1", "we expect", "should be"). Adverbs such as "urgently"
("we urgently need a call back") are not read as a severity: they ask for speed, not a
level, just as urgency words do not set the classifier's severity.

Every name is looked up in the policy (id, label, alias); a numbered level is tried as the
policy writes it ("sev2", "p2", "severity 2", the id "2"), so "P1" is OwnBackup's High and
Code42's Severity 1, and "sev 2" is nothing in a policy without numbered levels.
"""

from __future__ import annotations

import re
from functools import lru_cache

from sla_bridge.policy import Policy

from ._text import normalise

_SEV_NOUN = r"(?:severity|sev|priority|prio|level|category|classification)"
# What may follow a severity word for it to be a severity: a severity or ticket noun.
_FOLLOW_NOUN = (r"[ -](?:priority|severity|sev|level|ticket|issue|case|incident|problem"
                r"|request|status|category)\b")
# Or the end of the clause.
_END = (r"(?=\s*(?:$|[.,;:!?)\n\"']|-\s)|\s+(?:and|but|so|because|for (?:us|me|our)\b"
        r"|to (?:us|me)\b|now\b|please\b|today\b|asap\b|immediately\b|instead\b|again\b))")
_SET_VERB = (r"(?:treat|mark|set|classif|categori[sz]|flag|handl|log|fil|open|submit|rais"
             r"|escalat|upgrad|bump|mov|chang|increas|lift|mak|reclassif|prioriti[sz]|rat|tag"
             r"|label|record|register|put|updat|adjust|consider)\w*")
_OBJECT = (r"(?:it|this|that|(?:the|this|our|my) (?:ticket|issue|case|problem|incident|request"
           r"|priority|severity))")
_PREDICATE = (r"(?:is|are|was|remains|seems|feels|looks|should be|must be|needs to be"
              r"|has to be|would be|becomes|became)")
_INTENSIFIER = r"(?:(?:very|really|extremely|quite|absolutely|definitely|now|truly|an?) )*"
_EXPECT = (r"(?:expect\w*|want\w*|need\w*|request\w*|ask\w* for|would like|hope\w* for"
           r"|believe (?:it|this) (?:is|should be))")

_NUMBER_WORDS = {"one": "1", "two": "2", "three": "3", "four": "4", "five": "5"}
_NUMBERED = re.compile(
    r"\b(?:(?P<prefix>severity|sev|priority|prio)[\s:#=-]*(?:level\s*)?"
    r"(?P<n>[1-5]|one|two|three|four|five)|p(?P<p>[1-5]))\b(?![.,]?\d)"
)
_NEGATED = re.compile(r"\b(?:not|no|never|nothing|without|rather than|instead of|neither|nor)"
                      r"(?:\s+\w+){0,3}\s*$")
# The severity it has or had, right before the statement: "from sev 3", "it was filed as".
_CURRENT = re.compile(r"\b(?:from|was|were|currently|originally|still|came in|(?:was|were|is|been)"
                      r" (?:\w+ )?(?:opened|filed|logged|set|marked|raised|submitted|created))"
                      r"(?:\s+\w+){0,2}\s*$")
_WANTED = re.compile(rf"\b(?:{_EXPECT}|should|must|needs? to|please|to|raise\w*|escalat\w*"
                     r"|upgrad\w*|bump\w*|increas\w*|treat\w*|make|deserves?|warrants?)"
                     r"(?:\s+\w+){0,4}\s*$")

NamesKey = tuple[tuple[str, str, tuple[str, ...]], ...]


def _names_key(policy: Policy) -> NamesKey:
    return tuple((s.id, s.label, tuple(s.aliases)) for s in policy.severities)


@lru_cache(maxsize=64)
def _label_patterns(key: NamesKey) -> tuple[re.Pattern[str], ...]:
    """The severity-statement patterns for a policy's word names (labels, word aliases)."""
    words = {name.lower().strip() for sid, label, aliases in key
             for name in (sid, label, *aliases) if name.strip() and not re.search(r"\d", name)}
    if not words:
        return ()
    label = "(?P<name>" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + ")"
    guard = rf"(?:{_FOLLOW_NOUN}|{_END})"
    forms = (
        # "severity High", "priority: urgent", "the priority should be high"
        rf"\b{_SEV_NOUN}(?: level)?\s*(?::|=|-|is|of|to|as|at|should be|must be|would be"
        rf"|needs to be|be)?\s*(?:an? )?{label}\b(?![-\w])",
        # "high priority", "an urgent issue", "low-priority"
        rf"\b{label}{_FOLLOW_NOUN}",
        # "raise it to urgent", "log this as Urgent", "set the priority to high"
        rf"\b{_SET_VERB}(?: (?:up|down))?(?: {_OBJECT})?(?: up)? (?:as|to|at) (?:an? )?"
        rf"{label}\b{guard}",
        # "this as urgent", "the ticket as High"
        rf"\b{_OBJECT} as (?:an? )?{label}\b{guard}",
        # "it is urgent", "this issue is critical", "it should be high"
        rf"\b{_OBJECT} {_PREDICATE} {_INTENSIFIER}{label}\b{guard}",
        # "we expect High", "we would like urgent"
        rf"\b{_EXPECT} (?:an? |the )?{label}\b{guard}",
    )
    return tuple(re.compile(form) for form in forms)


def _weight(before: str) -> int | None:
    """How much a statement counts, from the words before it; ``None`` if it is negated."""
    if _NEGATED.search(before):
        return None
    if _CURRENT.search(before):
        return 0
    if _WANTED.search(before):
        return 2
    return 1


def _numbered(policy: Policy, prefix: str, number: str) -> str | None:
    number = _NUMBER_WORDS.get(number, number)
    forms = [f"{prefix}{number}", f"{prefix} {number}", f"sev{number}", f"severity {number}",
             f"p{number}", f"priority {number}", number]
    for form in forms:
        try:
            return policy.severity(form).id
        except LookupError:
            continue
    return None


def _statements(policy: Policy, text: str) -> list[tuple[int, int, str]]:
    """Every severity statement in ``text``: (weight, position, severity id)."""
    found: list[tuple[int, int, str]] = []
    for match in _NUMBERED.finditer(text):
        weight = _weight(text[max(0, match.start() - 60):match.start()])
        prefix = match.group("prefix") or "p"
        sid = _numbered(policy, prefix, match.group("n") or match.group("p"))
        if weight is not None and sid is not None:
            found.append((weight, match.start(), sid))
    for pattern in _label_patterns(_names_key(policy)):
        for match in pattern.finditer(text):
            weight = _weight(text[max(0, match.start() - 60):match.start()])
            if weight is None:
                continue
            try:
                sid = policy.severity(match.group("name")).id
            except LookupError:
                continue
            found.append((weight, match.start("name"), sid))
    return found


def requested_severity(policy: Policy, text: str) -> str | None:
    """The severity the customer asks for in ``text`` (a policy severity id), or None.

    Reads explicit severity statements only ("sev 2", "P1", "priority: urgent", "treat it
    as high priority", "it is urgent"), never a severity word used in another sense ("normal
    operations", "high CPU", "low disk space"); see the module docstring. Names are looked
    up in ``policy``. When the text names several, the one asked for wins over the current
    one ("raise it from sev 3 to sev 1" -> "1"); among equals, the first.
    """
    normalised = normalise(text)
    statements = _statements(policy, normalised)
    if not statements:
        return None
    best = max(statements, key=lambda s: (s[0], -s[1]))
    return best[2]
