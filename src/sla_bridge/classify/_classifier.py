"""The built-in classifier: signals and similarity voting for one of the policy's severities."""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sla_bridge.policy import Policy, Severity
from sla_bridge.tickets import Ticket

from ._claims import UnsupportedClaim, unsupported_claim
from ._policy_map import find_example, index_for_level, severity_name
from ._result import ClassificationResult
from ._scope import detect_scope
from ._signals import Finding, detect
from ._similarity import severity_similarity
from ._text import TicketText
from ._versions import VersionFacts, check_version

CLASSIFIER_NAME = "builtin"
SIMILARITY_WEIGHT = 1.0
# Similarity counts in full only from this cosine up; a faint resemblance counts less.
FULL_SIMILARITY = 0.35
# Softmax temperature of the confidence: one named situation and nothing against it gives ~0.75.
TEMPERATURE = 1.5
UNSUPPORTED_CONFIDENCE = 0.95
# A ticket that only says it runs an unsupported version: the customer's word, not the facts.
CLAIMED_UNSUPPORTED_CONFIDENCE = 0.8


@dataclass(frozen=True)
class _Vote:
    index: int
    weight: float
    reason: str


def _vote(policy: Policy, finding: Finding) -> _Vote:
    if finding.example:
        match = find_example(policy, finding.example)
        if match is not None:
            return _Vote(match.index, finding.weight,
                         f"{finding.reason}: {match.describe(policy)}")
    index = index_for_level(policy, finding.level)
    return _Vote(index, finding.weight,
                 f"{finding.reason}: {severity_name(policy.severities[index])}")


def _apply_caps(policy: Policy, findings: list[Finding], votes: list[_Vote]) -> list[str]:
    """Limit generic failures when a workaround exists or the service still partly works.

    The definitions reserve the top levels for a complete loss ("cannot reasonably continue")
    and, in most policies, for problems without a workaround. Named situations (a failed RAID
    array, expired licence) keep their level. Changes ``votes`` in place; returns the reasons.
    """
    keys = {f.key for f in findings}
    caps: list[tuple[int, str]] = []
    if "workaround.available" in keys:
        match = find_example(policy, "+workaround")
        index = match.index if match else index_for_level(policy, 3)
        where = f" (its {match.where} allows a workaround)" if match else ""
        caps.append((index, f"a workaround is in use, so at most "
                            f"{severity_name(policy.severities[index])}{where}"))
    if "still_working" in keys:
        index = index_for_level(policy, 2)
        caps.append((index, f"the service still partly works, so not a complete loss: at most "
                            f"{severity_name(policy.severities[index])}"))
    if not caps:
        return []
    cap, reason = max(caps)
    moved = False
    for position, (finding, vote) in enumerate(zip(findings, votes, strict=True)):
        if finding.cappable and vote.index < cap:
            votes[position] = _Vote(cap, vote.weight, vote.reason)
            moved = True
    return [reason] if moved else []


def classify(policy: Policy, subject: str, text: str, *, version: str | None = None,
             facts: VersionFacts | None = None) -> ClassificationResult:
    """Classify a ticket's ``subject`` and ``text`` into one of ``policy``'s severities.

    Reads the structured signals the severity definitions name (scope, impact, workaround,
    managed-appliance states, security alerting, licensing, production data, information
    requests), resolves each against the policy's own examples where it has one, adds the
    similarity of the wording to each severity's definition and examples, and returns the
    severity with the most support. When ``version`` is unsupported under the policy's
    ``[versions]`` rule and the policy sets ``unsupported_severity``, that severity wins;
    without facts that settle the version, a ticket that says it runs an unsupported version
    or configuration gets the severity the policy gives that (with less confidence).
    Pure: no I/O; the same input always gives the same result.
    """
    ticket_text = TicketText(subject, text)
    scope = detect_scope(ticket_text)
    findings = detect(ticket_text, scope)
    severities = policy.severities
    scores = [0.0] * len(severities)
    votes = [_vote(policy, f) for f in findings]
    cap_reasons = _apply_caps(policy, findings, votes)
    for vote in votes:
        scores[vote.index] += vote.weight
    signal_scores = list(scores)
    evidence = sum(v.weight for v in votes)
    similarity = severity_similarity(policy, subject, text)
    best_similarity = max(similarity, default=0.0)
    if best_similarity > 0:
        for index, value in enumerate(similarity):
            scores[index] += SIMILARITY_WEIGHT * value / max(best_similarity, FULL_SIMILARITY)
    reasons: list[str] = []
    if evidence == 0:
        fallback = index_for_level(policy, 3)
        scores[fallback] += 2 * SIMILARITY_WEIGHT
        reasons.append("no severity signal found in the text; "
                       f"{severity_name(severities[fallback])} is assumed until someone reads it")
    winner = max(range(len(severities)), key=lambda i: (scores[i], signal_scores[i], -i))
    top = max(scores)
    exp = [math.exp((s - top) / TEMPERATURE) for s in scores]
    confidence = exp[winner] / sum(exp)
    if evidence < 2.0:
        confidence *= 0.5 + 0.25 * evidence
    for vote in sorted((v for v in votes if v.index == winner and v.weight > 0),
                       key=lambda v: -v.weight):
        reasons.append(vote.reason)
    reasons.extend(cap_reasons)
    against = sorted((v for v in votes if v.index != winner and v.weight >= 2.0),
                     key=lambda v: -v.weight)
    for vote in against[:2]:
        reasons.append(f"outweighed: {vote.reason}")
    reasons.extend(f.reason for f in findings if f.weight == 0)
    if best_similarity > 0:
        closest = max(range(len(severities)), key=lambda i: similarity[i])
        reasons.append(f"wording closest to the definition and examples of "
                       f"{severity_name(severities[closest])} (similarity {best_similarity:.2f})")
    severity, confidence = _version_rule(policy, ticket_text, version, facts, reasons,
                                         severities[winner].id, confidence)
    return ClassificationResult(
        severity=severity,
        confidence=round(min(max(confidence, 0.0), 1.0), 3),
        reasons=tuple(reasons),
        classifier=CLASSIFIER_NAME,
        scores={s.id: round(scores[i], 3) for i, s in enumerate(severities)},
    )


def _claim_target(policy: Policy, claim: UnsupportedClaim) -> tuple[Severity, str] | None:
    """The severity a policy gives a ticket that says it runs an unsupported version."""
    match = find_example(policy, rf"unsupported {claim.what}")
    if match is not None:
        return policy.severities[match.index], f"the {match.describe(policy)}"
    unsupported = policy.versions.unsupported_severity
    if claim.what == "version" and unsupported:
        return policy.severity(unsupported), "the version policy"
    return None


def _version_rule(policy: Policy, text: TicketText, version: str | None,
                  facts: VersionFacts | None, reasons: list[str], severity: str,
                  confidence: float) -> tuple[str, float]:
    """Apply the version policy: the version field against the facts, else the ticket's word.

    An unsupported version field takes ``versions.unsupported_severity``. Without facts that
    settle it, a ticket that *says* it runs an unsupported version or configuration ("we are
    still on 6.x, which is end of life") takes the severity of the policy's example for
    that ("Any issue on an unsupported version ...") or ``unsupported_severity``, with a
    lower confidence: it is the customer's word. Changes ``reasons`` in place.
    """
    check = check_version(policy, version, facts)
    unsupported = policy.versions.unsupported_severity
    claim = unsupported_claim(text) if check.supported is not False else None
    target: Severity | None = None
    new_confidence = confidence
    if check.supported is False and unsupported:
        target = policy.severity(unsupported)
        reasons.insert(0, f"{check.reason}: {severity_name(target)} per the version policy")
        new_confidence = UNSUPPORTED_CONFIDENCE
    elif check.supported is False:
        reasons.append(f"{check.reason}; the policy sets no severity for unsupported versions, "
                       "so the text decides")
    elif claim is not None and check.supported is None:
        found = _claim_target(policy, claim)
        if found is None:
            reasons.append(f"{claim.reason}; the policy sets no severity for an unsupported "
                           f"{claim.what}, so the text decides")
        else:
            target, where = found
            reasons.insert(0, f"{claim.reason}: {severity_name(target)} per {where}")
            new_confidence = CLAIMED_UNSUPPORTED_CONFIDENCE
    elif claim is not None:
        reasons.append(f"{claim.reason}, but {check.reason}: the version facts decide")
    if check.supported is not False and version and (
            check.supported is None or policy.versions.rule != "any"):
        reasons.append(check.reason)
    if target is None:
        return severity, confidence
    if target.id != severity:
        reasons.insert(1, f"without the version rule the text points to "
                          f"{severity_name(policy.severity(severity))}")
    return target.id, new_confidence


def _release_dates(value: object) -> dict[str, date]:
    if not isinstance(value, Mapping):
        return {}
    dates: dict[str, date] = {}
    for name, day in value.items():
        if isinstance(day, date):
            dates[str(name)] = day
        else:
            try:
                dates[str(name)] = date.fromisoformat(str(day)[:10])
            except ValueError:
                continue
    return dates


def version_facts(ticket: Ticket, policy: Policy | None = None) -> VersionFacts:
    """Return the version facts for a ticket: its own fields, else the policy's.

    ``ticket.fields["latest_version"]`` is the newest released version and
    ``ticket.fields["release_dates"]`` a mapping of version -> GA date (ISO text or date);
    without them the policy's ``[versions] latest`` and ``releases`` are used. The date
    judged on is the day the ticket was opened.
    """
    latest = ticket.fields.get("latest_version") or (policy.versions.latest if policy else None)
    releases = _release_dates(ticket.fields.get("release_dates"))
    if not releases and policy is not None:
        releases = dict(policy.versions.releases)
    return VersionFacts(
        latest=str(latest) if latest else None,
        release_dates=releases,
        today=ticket.created_at.date(),
    )


# The latest verdicts, by what they were computed from: a ticket without a vendor severity
# is classified at every reconcile (each timer, each webhook), mostly on the same words.
RECENT_VERDICTS = 4096
_recent: OrderedDict[tuple[object, ...], tuple[Policy, ClassificationResult]] = OrderedDict()
_recent_lock = threading.Lock()


def classify_ticket(policy: Policy, ticket: Ticket) -> ClassificationResult:
    """Classify a neutral :class:`~sla_bridge.tickets.Ticket` (subject, description, version).

    :func:`classify` is pure, so the verdict on the same words, version facts and policy is
    taken from the latest ones (:data:`RECENT_VERDICTS` kept) instead of computed again."""
    facts = version_facts(ticket, policy)
    key = (id(policy), ticket.subject, ticket.description, ticket.version, facts.latest,
           tuple(sorted(facts.release_dates.items())), facts.today)
    with _recent_lock:
        hit = _recent.get(key)
        if hit is not None and hit[0] is policy:  # the cached entry keeps its policy alive
            _recent.move_to_end(key)
            return hit[1]
    result = classify(policy, ticket.subject, ticket.description, version=ticket.version,
                      facts=facts)
    with _recent_lock:
        _recent[key] = (policy, result)
        while len(_recent) > RECENT_VERDICTS:
            _recent.popitem(last=False)
    return result
