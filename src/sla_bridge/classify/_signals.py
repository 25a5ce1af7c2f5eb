"""The structured signals the policies' definitions name, found in a ticket's words.

Each rule yields a :class:`Finding`: a level on the common four-level scale (1 most severe,
4 information only), a weight, a reason, and optionally the words of a policy example it
corresponds to ("restore across your deployment"), so the classifier can ask the policy
which of *its* severities that example belongs to.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from . import _vocab as v
from ._scope import Scope, ScopeFinding
from ._text import TicketText

# Weights: a named situation from a policy's examples outweighs a generic impact word.
SITUATION = 3.0
PROBLEM = 2.0
INFO = 2.5
HINT = 1.0


@dataclass(frozen=True)
class Finding:
    """One signal found in a ticket."""

    key: str
    level: int
    weight: float
    reason: str
    # A regular expression over a severity's examples (then its definition) that names this
    # situation; when a policy has such an example, its severity is used instead of ``level``.
    example: str | None = None
    # Whether a workaround or a partly working service limits this finding's severity
    # (true for generic failures; false for named situations such as a failed RAID array).
    cappable: bool = False


def _any(pattern: re.Pattern[str], *texts: str) -> re.Match[str] | None:
    for text in texts:
        match = pattern.search(text)
        if match:
            return match
    return None


def _level_for_scope(scope: Scope, by_scope: dict[Scope, int]) -> int:
    return by_scope.get(scope, by_scope[Scope.UNKNOWN])


def _scoped(scope: ScopeFinding, what: str) -> str:
    if scope.scope is Scope.UNKNOWN:
        return what
    return f"{what}, {scope.scope.value}"


def detect(text: TicketText, scope: ScopeFinding) -> list[Finding]:
    """Return every signal found in ``text``, given the scope already detected."""
    return list(_detect(text, scope))


@dataclass(frozen=True)
class _Reading:
    """A ticket's sentences sorted once: statements, problem reports, and whether it only asks."""

    full: str
    statements: list[str]
    problems: list[str]
    info_only: bool
    asks: bool

    @property
    def said(self) -> str:
        """Every statement (not a question), joined."""
        return "\n".join(self.statements)


def _read(text: TicketText) -> _Reading:
    statements = [s.text for s in text.sentences
                  if not s.question and not v.QUESTION_START.search(s.text)]
    questions = [s.text for s in text.sentences if s.text not in statements]
    problems = [s for s in statements if _problem(s) and not v.FEATURE.search(s)
                and not (v.DOC.search(s) and v.DOC_WRONG.search(s))]
    asks = bool(questions) or any(v.INFO_REQUEST.search(s) for s in statements)
    return _Reading(text.full, statements, problems, asks and not problems, asks)


# A cause the policies name, and the failures it explains: when the licence has expired or
# a licensing problem blocks the service, "backups fail" and "cannot restore" are its
# symptoms ("Inability to back up or restore due to a licensing issue"), not more votes.
_CAUSES = frozenset({"account.expired", "licensing.blocks_service"})
_SYMPTOMS = frozenset({"restore_failure", "backup_failure", "access_failure", "problem"})


def _detect(text: TicketText, scope: ScopeFinding) -> Iterator[Finding]:
    reading = _read(text)
    findings = [*_requests(text, reading), *_appliance(reading),
                *_named_situations(reading, scope), *_problems(text, scope, reading.problems),
                *_modifiers(scope, reading)]
    if any(f.key in _CAUSES for f in findings):
        findings = [f for f in findings if f.key not in _SYMPTOMS]
    yield from findings


def _requests(text: TicketText, reading: _Reading) -> Iterator[Finding]:
    """Information requests, documentation errors, ideas: little to no impact."""
    if any(v.DOC.search(s.text) and v.DOC_WRONG.search(s.text) for s in text.sentences):
        yield Finding("doc_error", 4, SITUATION,
                      "reports an error in the documentation", r"documentation")
    feature = v.FEATURE.search(reading.full)
    if feature:
        yield Finding("feature_request", 4, SITUATION + 0.5,
                      f"asks for a new feature or improvement (\"{feature.group(0)}\")",
                      r"feature|improvement|enhancement")
    if text.reassurances and not reading.problems and not reading.info_only:
        yield Finding("no_problem", 4, INFO,
                      f"says nothing is wrong (\"{text.reassurances[0]}\") and reports no problem",
                      r"little to no")
    if reading.info_only:
        yield Finding("information_request", 4, INFO + 0.5,
                      "asks a question and reports nothing broken (a request for information)",
                      r"request\w* (?:for )?(?:additional )?information|how-to")
        urgency = v.URGENCY.search(reading.full)
        if urgency:
            yield Finding("urgency_words", 4, 0.0,
                          f"says \"{urgency.group(0).strip()}\", but urgency words alone do not "
                          "set the severity")
    elif reading.asks:
        yield Finding("information_request", 4, HINT * 0.5,
                      "asks a question, but also reports a problem")


def _appliance(reading: _Reading) -> Iterator[Finding]:
    """Managed-appliance states, as crashplan-proe-premium's examples name them."""
    said = reading.said
    raid_failed = v.RAID_FAILED.search(said)
    if raid_failed:
        yield Finding("appliance.raid_failed", 1, SITUATION, "RAID array failed or offline",
                      r"raid\W+(?:\w+\W+){0,4}(?:failed|offline)")
    elif v.RAID_DEGRADED.search(said):
        yield Finding("appliance.raid_degraded", 2, SITUATION, "RAID array degraded",
                      r"raid\W+(?:\w+\W+){0,4}degraded")
    if v.APPLIANCE.search(said) and not raid_failed and _any(v.APPLIANCE_DOWN,
                                                              *reading.statements):
        yield Finding("appliance.down", 1, SITUATION, "managed appliance offline or not booting",
                      r"appliance\W+(?:\w+\W+){0,6}(?:offline|boot)")
    if v.DISK_FAILED.search(said) and v.HOT_SPARE.search(said) and not raid_failed:
        yield Finding("appliance.disk_on_hot_spare", 3, SITUATION,
                      "a disk failed and the hot spare took over", r"hot spare")
    if not v.STORAGE.search(said):
        return
    critical = v.STORAGE_CRITICAL.search(said)
    low = v.STORAGE_LOW.search(said)
    if critical:
        yield Finding("appliance.disk_space_critical", 2, SITUATION,
                      f"disk space critically low (\"{critical.group(0)}\")", r"critically low")
    elif low:
        yield Finding("appliance.disk_space_low", 3, SITUATION,
                      f"disk space low (\"{low.group(0)}\")", r"space is low")


def _named_situations(reading: _Reading, scope: ScopeFinding) -> Iterator[Finding]:
    """Security alerting, licensing, production data, sandboxes, exclusions."""
    said, full = reading.said, reading.full
    if v.SECURITY.search(said) and v.ALERTING.search(said):
        if v.ALERT_FLAKY.search(said):
            yield Finding("security_alerting.inconsistent", 2, SITUATION,
                          "security alerting or reporting is inconsistent",
                          r"alert\w*.{0,20}inconsistent")
        elif v.ALERT_DEAD.search(said):
            yield Finding("security_alerting.down", 1, SITUATION,
                          "security alerting or reporting is not working at all",
                          r"alert\w*.{0,20}non-?functional")
    blocked = _any(v.LICENCE_BLOCK, *reading.problems)
    if not reading.info_only and v.EXPIRED.search(full):
        yield Finding("account.expired", 1, SITUATION,
                      "the account or licence has expired and service stopped",
                      r"expired|licensing issue")
    elif blocked:
        yield Finding("licensing.blocks_service", 1, SITUATION + 1.0,
                      f"a licensing problem stops backup or restore (\"{blocked.group(0)}\")",
                      r"licensing issue|account has expired|expired")
    elif v.RENEW.search(said) and v.RENEW_WORD.search(full) and reading.problems:
        yield Finding("account.cannot_renew", 2, SITUATION, "the customer cannot renew",
                      r"renew")
    loss = v.DATA_LOSS.search(said)
    non_production = v.NON_PRODUCTION.search(said)
    if loss and not v.DATA_LOSS_NEGATED.search(said) and not reading.info_only:
        if v.PRODUCTION.search(said) and not non_production:
            yield Finding("data_loss.production", 1, SITUATION,
                          f"data lost or corrupted in production (\"{loss.group(0)}\")",
                          r"data loss.{0,30}production")
        elif not non_production:
            level = 2 if scope.scope in (Scope.ENTIRE, Scope.MAJORITY) else 3
            what = f"data lost, missing or corrupted (\"{loss.group(0)}\")"
            yield Finding("data_loss", level, PROBLEM, _scoped(scope, what), cappable=True)
    if non_production and reading.problems:
        yield Finding("non_production", 3, SITUATION,
                      "the problem is in a non-production environment (sandbox, test)",
                      r"non-?production")
    if any(v.EXCLUSION_RX.search(s) and not v.DOC.search(s) and v.EXCLUSION_IGNORED.search(s)
           for s in reading.statements):
        yield Finding("exclusion_problem", 3, SITUATION, "a problem with file exclusions",
                      r"exclusion")


def _problem(sentence: str) -> bool:
    return bool(v.FAIL_RX.search(sentence) or v.OUTAGE.search(sentence)
                or v.COMPLETE_LOSS.search(sentence) or v.INSTALL_ISSUE.search(sentence)
                or v.LICENCE_BLOCK.search(sentence)
                or v.PERF.search(sentence) or v.MINOR.search(sentence)
                or v.DISCREPANCY.search(sentence) or v.RAID_DEGRADED.search(sentence)
                or v.STORAGE_CRITICAL.search(sentence) or v.STORAGE_LOW.search(sentence))


def _problems(text: TicketText, scope: ScopeFinding,
              statements: list[str]) -> Iterator[Finding]:
    said = "\n".join(statements)
    if not said:
        return
    kind = scope.scope
    intermittent = v.INTERMITTENT.search(said)

    restore = _any(v.RESTORE_FAILS, *statements) or (
        v.RESTORE_NEED.search(text.statements) and v.BACKUP_MISSING.search(said))
    if restore:
        example = {Scope.ENTIRE: r"restore (?:across|from backup)|restore\w*.{0,30}deployment",
                   Scope.UNKNOWN: r"restore from backup",
                   Scope.MAJORITY: r"restore from many"}.get(kind)
        level = _level_for_scope(kind, {Scope.ENTIRE: 1, Scope.UNKNOWN: 2, Scope.MAJORITY: 2,
                                        Scope.PORTION: 3, Scope.SINGLE: 3})
        yield Finding("restore_failure", level, SITUATION,
                      _scoped(scope, "cannot restore"), example, cappable=True)

    backup = _any(v.BACKUP_FAILS, *statements) or v.BACKUP_STOPPED.search(said)
    backups_fine = v.STILL_WORKS.search(said)
    if backups_fine and v.BACKUP_RX.search(backups_fine.group(0)):
        backup = None
    if backup:
        level = _level_for_scope(kind, {Scope.ENTIRE: 1, Scope.UNKNOWN: 2, Scope.MAJORITY: 2,
                                        Scope.PORTION: 3, Scope.SINGLE: 3})
        if intermittent and level == 1:
            level = 2
        yield Finding("backup_failure", level, PROBLEM, _scoped(scope, "backups failing"),
                      cappable=True)

    access = _any(v.ACCESS_FAILS, *statements)
    if access:
        level = _level_for_scope(kind, {Scope.ENTIRE: 1, Scope.UNKNOWN: 2, Scope.MAJORITY: 2,
                                        Scope.PORTION: 3, Scope.SINGLE: 3})
        yield Finding("access_failure", level, PROBLEM,
                      _scoped(scope, "users cannot sign in or get access"), cappable=True)

    complete = _any(v.COMPLETE_LOSS, *statements)
    if complete:
        yield Finding("complete_loss", 1, PROBLEM,
                      f"describes a complete loss of service (\"{complete.group(0)}\")",
                      cappable=True)
    outage = _any(v.OUTAGE, *statements)
    if outage:
        level = _level_for_scope(kind, {Scope.ENTIRE: 1, Scope.UNKNOWN: 1, Scope.MAJORITY: 2,
                                        Scope.PORTION: 3, Scope.SINGLE: 3})
        what = f"service down or unreachable (\"{outage.group(0)}\")"
        if intermittent and level == 1:
            level, what = 2, f"service interrupted repeatedly (\"{outage.group(0)}\")"
        upgrade = v.UPGRADE_RX.search(said)
        if upgrade and level == 1:
            yield Finding("upgrade_outage", 1, SITUATION,
                          "an upgrade or update led to an outage", r"upgrade\w*.{0,40}outage",
                          cappable=True)
        else:
            yield Finding("outage", level, PROBLEM, _scoped(scope, what), cappable=True)

    install = _any(v.INSTALL_FAILS, *statements) or _any(v.INSTALL_ISSUE, *statements)
    if install:
        level = 3 if kind in (Scope.SINGLE, Scope.PORTION) else 2
        yield Finding("installation_problem", level, SITUATION,
                      _scoped(scope, "installation or deployment fails"), r"install",
                      cappable=True)

    if v.PERF.search(said):
        widespread = kind in (Scope.ENTIRE, Scope.MAJORITY)
        if (v.PERF_SEVERE.search(said) or widespread) and not v.PERF_MILD.search(said):
            level = 3 if kind in (Scope.SINGLE, Scope.PORTION) else 2
            yield Finding("performance.severe", level, SITUATION,
                          _scoped(scope, "severe performance degradation"),
                          r"performance degradation", cappable=True)
        else:
            yield Finding("performance.minor", 3, PROBLEM, "slower than usual, still working")

    report = [s for s in statements if v.REPORT_RX.search(s)
              and (v.DISCREPANCY.search(s) or v.FAIL_RX.search(s))]
    if report and not v.SECURITY.search(said):
        yield Finding("report_problem", 3, SITUATION, "a problem with reports or report emails",
                      r"problem with (?:\w+ )?reports")
    elif any(v.DISCREPANCY.search(s) for s in statements):
        yield Finding("wrong_information", 3, PROBLEM,
                      "the software shows wrong or inconsistent information")
    minor = _any(v.MINOR, *statements)
    if minor:
        yield Finding("cosmetic", 3, SITUATION,
                      f"a cosmetic or minor issue (\"{minor.group(0)}\")", r"cosmetic")

    generic = _any(v.FAIL_RX, *statements)
    if generic:
        level = _level_for_scope(kind, {Scope.ENTIRE: 1, Scope.UNKNOWN: 3, Scope.MAJORITY: 2,
                                        Scope.PORTION: 3, Scope.SINGLE: 3})
        yield Finding("problem", level, HINT, _scoped(scope, "reports something not working"),
                      cappable=True)


def _modifiers(scope: ScopeFinding, reading: _Reading) -> Iterator[Finding]:
    said = reading.said
    if not said:
        return
    # Scope grades a problem; a question that reports nothing broken has none to grade.
    if reading.info_only:
        pass
    elif scope.scope is Scope.SINGLE:
        yield Finding("scope.single", 3, HINT, scope.reason, r"single user")
    elif scope.scope is Scope.ENTIRE:
        yield Finding("scope.entire", 1, HINT * 0.5, scope.reason, r"entire deployment")
    elif scope.scope is Scope.MAJORITY:
        yield Finding("scope.majority", 2, HINT * 0.5, scope.reason,
                      r"major(?:ity| portion) of your deployment")
    elif scope.scope is Scope.PORTION:
        yield Finding("scope.portion", 3, HINT * 0.5, scope.reason, r"small portion")
    no_workaround = v.NO_WORKAROUND.search(said)
    if no_workaround:
        yield Finding("workaround.none", 2, HINT,
                      f"no workaround available (\"{no_workaround.group(0)}\")",
                      "-workaround")
    else:
        workaround = v.WORKAROUND.search(said)
        if workaround:
            yield Finding("workaround.available", 3, HINT,
                          f"a workaround is in use (\"{workaround.group(0)}\")", "+workaround")
    still = v.STILL_WORKS.search(said)
    if still:
        yield Finding("still_working", 3, HINT,
                      f"the service still works in part (\"{still.group(0)}\")")
