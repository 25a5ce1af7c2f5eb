"""Scope: how much of the customer's deployment a ticket says is affected."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from . import _vocab as v
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
               r"|teams?|branch(?:es)?|locations?|colleagues|workforce|objects?|regions?|groups?"
               r"|fleet|estate|deployment)")
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
    rf"|\b(?:the )?(?:other|remaining|rest of the|rest of our) (?:[\d,]+ )?(?:\w+ ){{0,2}}?"
    rf"{_POPULATION}\b"
    r"|\bthe (?:others|rest)\b(?: (?:are|is|work|seem|look|restore|back))"
    r"|\b(?:others|the rest) (?:are|is) (?:fine|ok|okay|working|normal)"
    rf"|\b{_POPULATION} (?:\w+ ){{0,3}}(?:are|is) (?:working )?"
    r"(?:fine|ok|okay|normally|unaffected)\b"
    r"|\bother (?:\w+ ){0,2}(?:work|go through|restore|are|is)\b"
    r"|\bother \w+ (?:\w+ ){0,2}(?:fine|normally|ok|okay)\b"
    r"|\b(?:my|our|her|his) (?:colleagues?|co-?workers?|team ?mates?) (?:can|are|is|do|does"
    r"|have|has)\b|\bother (?:people|users|colleagues) can\b|\bothers can\b"
    r"|\b(?:the )?(?:other|remaining) [\d,]+\b"
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
    r"|\bacross (?:the|our|your) (?:whole |entire )?(?:deployment|company|organi[sz]ation|org|board"
    r"|environment)\b"
    rf"|\b(?:any|each) {_POPULATION}\b"
)
_MAJORITY = re.compile(
    rf"\b(?:most|majority|many|lots|a lot|large number|large part|major portion|half|"
    rf"hundreds|dozens|a third|two thirds|three quarters)(?: of)?(?: (?:our|the|my|your))? "
    rf"(?:\w+ ){{0,2}}?"
    rf"{_POPULATION}\b"
    r"|\bmajority of\b|\bbulk of\b"
    r"|\b(?:major|large|big|significant|substantial|greater|good) (?:portion|part|share"
    r"|proportion|chunk|number) of\b"
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
_RATIO = re.compile(r"\b(\d+|one) (?:out )?of (?:our|the|my|your) (\d+)\b")

# Clauses: a sentence splits at ";", ":", brackets, a dash, a comma before a space and at
# contrasting conjunctions, so "12 servers stopped; the other 2,400 are fine" is two clauses.
_CLAUSE = re.compile(r"[;:()\n]|,(?=\s|$)|\s-\s|(?<=[.!?])\s+"
                     r"|\b(?:but|while|whereas|although|though|however)\b")
# A clause that says part of the deployment is fine: "the other 2,400 devices are fine",
# "most of our users are unaffected", "my desktop backs up fine".
_HEALTHY = re.compile(
    r"\b(?:fine|ok|okay|normally|as (?:expected|usual|normal)|unaffected|not affected|healthy"
    r"|(?:are|is|still|keeps?|all) working|works? (?:well|again)|(?:are|is) (?:all )?good"
    r"|works? (?:fine |ok |well )?for)\b"
)
_POPULATION_RX = re.compile(rf"\b{_POPULATION}\b|\d+ ?%|\b(?:everyone|everybody|all)\b")
# "the remaining 900 restore fine": a count of the unaffected part without its noun.
_OTHERS_COUNT = re.compile(r"\b(?:other|remaining|rest of the|rest of our) "
                           r"(\d{1,3}(?:,\d{3})+|\d+)\b")
_FAILING = re.compile(rf"\b(?:{v.FAIL})|{v.OUTAGE.pattern}|{v.COMPLETE_LOSS.pattern}"
                      r"|\b(?:nothing|nobody|no one|none)\b")
_NUMBER_WORDS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "a dozen": 12, "a hundred": 100,
}
# Not a fraction: "two thirds", "three quarters" stay words for _MAJORITY and _PORTION.
_NUMBER_WORD = re.compile(r"\b(?:" + "|".join(_NUMBER_WORDS)
                          + r")\b(?! (?:thirds?|quarters?|halves))")


def _digits(text: str) -> str:
    """Spell number words as digits ("two of our three offices" -> "2 of our 3 offices")."""
    return _NUMBER_WORD.sub(lambda m: str(_NUMBER_WORDS[m.group(0)]), text)


def _unaffected(clause: str) -> bool:
    if _FAILING.search(clause):
        return False
    return bool(_CONTRAST.search(clause)
                or (_HEALTHY.search(clause) and _POPULATION_RX.search(clause)))


def _count(text: str) -> int | None:
    match = _COUNT.search(text)
    return int(match.group(1).replace(",", "")) if match else None


def _others_count(text: str) -> int | None:
    match = _OTHERS_COUNT.search(text)
    return int(match.group(1).replace(",", "")) if match else None


def _by_share(share: float) -> Scope:
    return (Scope.ENTIRE if share >= 0.95 else Scope.MAJORITY if share >= 0.3
            else Scope.PORTION)


def detect_scope(text: TicketText) -> ScopeFinding:
    """Return the scope ``text`` states: single user, small portion, majority, entire, or none.

    The clauses that say part of the deployment is fine ("the other 2,400 devices are fine",
    "nobody else is affected") are set apart first: scope is read from the affected part,
    and the unaffected part only says the problem is partial, or how many are not affected
    ("12 servers stopped, the other 2,400 are fine": 12 of 2,412, a small portion). Then an
    explicit single user wins; then a ratio ("3 of our 5 PCs"); then words for most or all;
    then a head count ("60 laptops": many devices, unless the unaffected count is given).
    """
    body = _digits(text.statements or text.full)
    clauses = [c.strip() for c in _CLAUSE.split(body) if c and c.strip()]
    spare = [c for c in clauses if _unaffected(c)]
    affected = "\n".join(c for c in clauses if c not in spare) if spare else body
    contrast = _CONTRAST.search("\n".join(spare)) if spare else None
    evidence = contrast.group(0) if contrast else (spare[0] if spare else "")
    single = _SINGLE.search(affected)
    if single and not _MAJORITY.search(affected):
        return ScopeFinding(Scope.SINGLE, single.group(0))
    for match in _RATIO.finditer(affected):
        part = 1 if match.group(1) == "one" else int(match.group(1))
        whole = int(match.group(2))
        if whole and part <= whole:
            scope = _by_share(part / whole)
            if not (scope is Scope.ENTIRE and spare):
                return ScopeFinding(scope, match.group(0))
    majority = _MAJORITY.search(affected)
    if majority:
        return ScopeFinding(Scope.MAJORITY, majority.group(0))
    entire = _ENTIRE.search(affected)
    if entire and not spare:
        return ScopeFinding(Scope.ENTIRE, entire.group(0))
    count = _count(affected)
    others = max((n for c in spare if (n := _count(c) or _others_count(c)) is not None),
                 default=None)
    if count is not None and others is not None:
        scope = _by_share(count / (count + others))
        return ScopeFinding(scope, f"{count} affected, {others} not")
    for match in _COUNT.finditer(affected):
        if int(match.group(1).replace(",", "")) >= 20:
            return ScopeFinding(Scope.MAJORITY, match.group(0))
    if spare:
        return ScopeFinding(Scope.PORTION, evidence)
    portion = _PORTION.search(affected)
    if portion:
        return ScopeFinding(Scope.PORTION, portion.group(0))
    if entire:
        return ScopeFinding(Scope.ENTIRE, entire.group(0))
    return ScopeFinding(Scope.UNKNOWN)
