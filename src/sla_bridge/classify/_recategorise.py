"""What the policy's ``[classification]`` section does when the customer chose a severity."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Protocol

from sla_bridge.policy import Policy

from ._policy_map import severity_name

Action = Literal["keep", "suggest", "apply"]


@dataclass(frozen=True)
class Recategorisation:
    """The customer's severity against the classifier's, and what the policy does about it.

    ``action`` is ``keep`` (the customer's severity stands, nothing is written), ``suggest``
    (an internal note with the reasons) or ``apply`` (the vendor severity is set, both are kept,
    and a public comment explains the change when it differs from the customer's). Where the
    policy says the vendor sets severity (``customer_sets_severity = false``), ``apply`` also
    sets a confident result that agrees with the customer, since the vendor's severity is
    the one that drives the clocks there.
    """

    customer_severity: str | None
    customer_label: str | None
    classified_severity: str
    agrees: bool
    setting: Literal["never", "suggest", "apply"]
    min_confidence_to_apply: float
    confidence: float
    action: Action
    explanation: str

    def to_dict(self) -> dict[str, Any]:
        """Return the decision as plain JSON-ready data."""
        return {
            "severity": self.customer_severity,
            "label": self.customer_label,
            "agrees": self.agrees,
            "recategorise": self.setting,
            "min_confidence_to_apply": self.min_confidence_to_apply,
            "action": self.action,
            "explanation": self.explanation,
        }


def recategorisation(policy: Policy, result: Classified,
                     customer_severity: str | None) -> Recategorisation:
    """Decide what ``policy`` does with the customer's severity given the classifier's result.

    ``customer_severity`` may be a severity id, label or alias, or ``None`` when the
    customer chose none; an unknown one raises :class:`LookupError` naming the valid
    severities. This is the one place the ``[classification]`` rule is decided: the engine
    and ``sla-bridge classify`` both ask it.
    """
    customer = policy.severity(customer_severity) if customer_severity else None
    classified = policy.severity(result.severity)
    setting = policy.classification.recategorise
    threshold = policy.classification.min_confidence_to_apply
    ours = severity_name(classified)
    theirs = severity_name(customer) if customer else "choice of no severity"
    agrees = customer is not None and customer.id == classified.id
    # Where the vendor categorises ("customer_sets_severity = false"), a confident result is
    # the vendor's severity even when it matches the customer's choice.
    vendor_categorises = not policy.classification.customer_sets_severity
    action: Action
    if agrees and vendor_categorises and setting == "apply" and result.confidence >= threshold:
        action, text = "apply", (f"the vendor categorises each ticket: {ours}, as the customer "
                                 f"chose (confidence {result.confidence:.2f} >= "
                                 f"{threshold:.2f})")
    elif agrees:
        action, text = "keep", f"the classifier agrees with the customer's {theirs}"
    elif setting == "never":
        action, text = "keep", (f"the classifier says {ours}, but the policy never re-categorises:"
                                f" the customer's {theirs} stands")
    elif setting == "suggest":
        action, text = "suggest", (f"the policy suggests re-categorising: an internal note "
                                   f"proposes {ours} instead of the customer's {theirs}")
    elif result.confidence >= threshold:
        action, text = "apply", (f"the policy re-categorises: {ours} replaces the customer's "
                                 f"{theirs} (confidence {result.confidence:.2f} >= "
                                 f"{threshold:.2f}); both are kept and the customer is told why")
    else:
        action, text = "suggest", (f"the policy would apply {ours}, but the confidence "
                                   f"{result.confidence:.2f} is below {threshold:.2f}, so it "
                                   f"only suggests it in an internal note")
    return Recategorisation(customer.id if customer else None,
                            customer.label if customer else None, classified.id, agrees,
                            setting, threshold, result.confidence, action, text)


class Classified(Protocol):
    """What :func:`recategorisation` reads of a classifier's result."""

    @property
    def severity(self) -> str:
        """The policy's severity id."""
        ...

    @property
    def confidence(self) -> float:
        """Confidence, 0..1."""
        ...
