"""Scope: how much of the customer's deployment a ticket says is affected."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from ._text import TicketText


class Scope(StrEnum):
    """How much of the deployment is affected, as the severity definitions grade it."""

    ENTIRE = "entire"
    MAJORITY = "majority"
    PORTION = "small portion"
    SINGLE = "single user"
    UNKNOWN = "not stated"


@dataclass(frozen=True)
class ScopeFinding:
    """The scope a ticket states and the words that state it."""

    scope: Scope
    evidence: str = ""

    @property
    def reason(self) -> str:
        """A sentence for the reasons list, or ``""`` when no scope is stated."""
        what = {
            Scope.ENTIRE: "mentions the entire deployment",
            Scope.MAJORITY: "affects most or many of the deployment's users or devices",
            Scope.PORTION: "affects only part of the deployment",
            Scope.SINGLE: "affects a single user or device",
        }.get(self.scope)
        if what is None:
            return ""
        return f"{what} (scope: {self.scope.value}; \"{self.evidence}\")"


_POPULATION = (r"(?:users?|devices?|computers?|machines?|clients?|laptops?|endpoints?|pcs?|macs?"
               r"|employees?|staff|people|custodians?|sites?|offices?|admins?|administrators?"
               r"|accounts?|desktops?|workstations?|servers?|orgs?|organi[sz]ations?|departments?"
               r"|teams?|branch(?:es)?|locations?|colleagues|workforce)")
_SINGLE_NOUN = (r"(?:user|employee|engineer|laptop|machine|computer|device|client|mac|imac|pc"
                r"|account|person|staff member|custodian|workstation|desktop)")

_SINGLE = re.compile(
    rf"\b(?:(?:only|just) )?(?:one|a single|1) (?:of (?:our|my|the) )?(?:\w+ )?{_SINGLE_NOUN}s?\b"
    r"|\b(?:only|just) (?:this|that|her|his|one|the one|a single)\b"
    r"|\b(?:his|her)(?: own)? (?:laptop|computer|machine|account|mac|pc|backup|device)\b"
    r"|\b\w+'s (?:laptop|computer|machine|imac|mac|pc|account)\b"
)
_CONTRAST = re.compile(
    r"\b(?:everyone|everybody|everything|all|nobody|no one) else\b"
    rf"|\b(?:the )?(?:other|remaining|rest of the|rest of our) (?:\w+ ){{0,2}}?{_POPULATION}\b"
    r"|\bthe (?:others|rest)\b(?: (?:are|is|work|seem|look|restore|back))"
    r"|\b(?:others|the rest) (?:are|is) (?:fine|ok|okay|working|normal)"
    rf"|\b{_POPULATION} (?:\w+ ){{0,3}}(?:are|is) (?:working )?"
    r"(?:fine|ok|okay|normally|unaffected)\b"
    r"|\bother (?:\w+ ){0,2}(?:work|go through|restore|are|is)\b"
    r"|\bother \w+ (?:\w+ ){0,2}(?:fine|normally|ok|okay)\b"
    r"|\b(?:my|our|her|his) (?:colleagues?|co-?workers?|team ?mates?) (?:can|are|is|do|does"
    r"|have|has)\b|\bother (?:people|users|colleagues) can\b|\bothers can\b"
)
_ENTIRE = re.compile(
    r"\bentire (?:\w+ )?(?:deployment|company|organi[sz]ation|org|environment|office|fleet"
    r"|estate|team|practice|firm)\b"
    r"|\bwhole (?:\w+ )?(?:deployment|company|organi[sz]ation|org|environment|office|fleet"
    r"|estate|team|practice|firm)\b"
    rf"|\ball (?!other)(?:of )?(?:our|the|my)? ?(?:[\d,]+ )?(?:\w+ )?{_POPULATION}\b(?! else)"
    rf"|\ball [\d,]+ {_POPULATION}\b"
    rf"|\bevery (?:single )?(?:\w+ )?(?:{_POPULATION}|one|org|organi[sz]ation|custodian)\b"
    r"|\b(?:everyone|everybody|nobody|no one)\b(?! else)"
    rf"|\bno {_POPULATION} (?:have|has|can|could|are|is|were|was)\b"
    r"|\bnothing (?:is |has )?(?:been )?(?:backing|backed) up\b"
    r"|\b(?:backups?|everything) (?:have |has |are )?all (?:stopped|failed)\b"
    r"|\beverything (?:has |have )?(?:stopped|failed)\b"
    rf"|\bnone of (?:our|the|my) (?:[\d,]+ )?(?:\w+ )?{_POPULATION}\b"
    r"|\b(?:company|org|organi[sz]ation)[- ]wide\b"
    r"|\bacross (?:the|our) (?:whole |entire )?(?:deployment|company|organi[sz]ation|org|board"
    r"|environment)\b"
    rf"|\b(?:any|each) {_POPULATION}\b"
)
_MAJORITY = re.compile(
    rf"\b(?:most|majority|many|lots|a lot|large number|large part|major portion|half|"
    rf"hundreds|dozens|a third|two thirds)(?: of)?(?: (?:our|the|my))? (?:\w+ ){{0,2}}?"
    rf"{_POPULATION}\b"
    r"|\bmajority of\b"
    r"|\b(?:[5-9]\d|100)% of (?:our|the) \w+"
)
_PORTION = re.compile(
    rf"\b(?:a few|a handful of|a couple of|two|three) (?:\w+ ){{0,2}}?"
    rf"{_POPULATION}\b"
    r"|\ba handful\b"
    rf"|\b(?:[1-4]?\d)% of (?:our|the) {_POPULATION}"
)
# A head count is a plausible number ("40 laptops", "1,200 users"), never a long id such as a
# device GUID ("GUID 123456789012345678, user ...").
_COUNT = re.compile(rf"\b(\d{{1,3}}(?:,\d{{3}})+|\d{{1,6}})\+?(?![\d,]*\d) "
                    rf"(?:of (?:our|the|my) )?(?:\w+ ){{0,2}}?{_POPULATION}\b")
_RATIO = re.compile(r"\b(\d+) (?:out )?of (?:our|the|my) (\d+)\b")


def detect_scope(text: TicketText) -> ScopeFinding:
    """Return the scope ``text`` states: single user, small portion, majority, entire, or none.

    An explicit single user wins; then a count ("60 laptops", "3 of our 5 PCs"); then words
    for most or all; a contrast ("the others are fine") alone means part of the deployment.
    """
    body = text.statements or text.full
    single = _SINGLE.search(body)
    contrast = _CONTRAST.search(body)
    if single and not _MAJORITY.search(body):
        return ScopeFinding(Scope.SINGLE, single.group(0))
    for match in _RATIO.finditer(body):
        part, whole = int(match.group(1)), int(match.group(2))
        if whole and part <= whole:
            share = part / whole
            scope = (Scope.ENTIRE if share >= 0.95 else Scope.MAJORITY if share >= 0.3
                     else Scope.PORTION)
            if not (scope is Scope.ENTIRE and contrast):
                return ScopeFinding(scope, match.group(0))
    majority = _MAJORITY.search(body)
    if majority:
        return ScopeFinding(Scope.MAJORITY, majority.group(0))
    entire = _ENTIRE.search(body)
    if entire and not contrast:
        return ScopeFinding(Scope.ENTIRE, entire.group(0))
    for match in _COUNT.finditer(body):
        count = int(match.group(1).replace(",", ""))
        if count >= 20:
            return ScopeFinding(Scope.MAJORITY, match.group(0))
    if contrast:
        return ScopeFinding(Scope.PORTION, contrast.group(0))
    portion = _PORTION.search(body)
    if portion:
        return ScopeFinding(Scope.PORTION, portion.group(0))
    if entire:
        return ScopeFinding(Scope.ENTIRE, entire.group(0))
    return ScopeFinding(Scope.UNKNOWN)
