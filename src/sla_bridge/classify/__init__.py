"""Severity classification: which of a policy's severities a ticket's words point to, and why.

The built-in classifier is pure and dependency-free. It reads the subject and description
for the signals the policies' definitions name -- scope (entire deployment, majority, small
portion, single user), impact (complete loss, severe, minor, none), workaround, managed-
appliance states, security alerting, licensing, production data loss, information requests
-- resolves each against the policy's own examples, and adds the similarity of the wording
to each severity's definition and examples. Negated problem words ("nothing is broken")
are read as such, and scope is read from the affected part ("12 servers stopped, the other
2,400 are fine"). An unsupported product version takes the policy's
``versions.unsupported_severity``; so does, without facts that settle it, a ticket that says
it runs one ("we are still on 4.x, which is end of life").

It is registered as the default implementation of the ``sla_bridge_classify`` hook; a plugin
can replace it. :func:`recategorisation` says what the policy's ``[classification]`` section
does with the customer's own choice. :func:`requested_severity` reads the severity a
customer asks for in free text ("sev 2", "treat it as high priority") for escalations.
"""

from ._classifier import CLASSIFIER_NAME, classify, classify_ticket, version_facts
from ._policy_map import index_for_level, level_for_index, severity_name
from ._recategorise import Recategorisation, recategorisation
from ._requested import requested_severity
from ._result import ClassificationResult
from ._scope import Scope, ScopeFinding, detect_scope
from ._signals import Finding, detect
from ._text import TicketText
from ._versions import (
    VersionCheck,
    VersionFacts,
    add_months,
    check_version,
    parse_version,
    version_line,
)

__all__ = [
    "CLASSIFIER_NAME",
    "ClassificationResult",
    "Finding",
    "Recategorisation",
    "Scope",
    "ScopeFinding",
    "TicketText",
    "VersionCheck",
    "VersionFacts",
    "add_months",
    "check_version",
    "classify",
    "classify_ticket",
    "detect",
    "detect_scope",
    "index_for_level",
    "level_for_index",
    "parse_version",
    "recategorisation",
    "requested_severity",
    "severity_name",
    "version_facts",
    "version_line",
]
