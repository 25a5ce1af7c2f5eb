"""Where the bridge's data lives on a Case: the field mapping's sources and the ``FieldMap``.

A mapping value is one or more *sources*, comma-separated; reading takes the first that has a
value, writing goes to the first that can be written (see :mod:`.settings` for the list).
"""

from __future__ import annotations

from sla_bridge import platformkit

API_NAME = r"[A-Za-z][A-Za-z0-9_]*"


class Source(platformkit.Source):
    """One place a neutral attribute can live in Salesforce (its argument a field API name)."""

    # What the bridge can write with a Case update.
    writable_kinds = frozenset({"priority", "case"})

    @property
    def field(self) -> str:
        """The field's API name (``SLA_Support_Plan__c``; empty for ``priority`` and ``none``)."""
        return self.arg

    @property
    def soql(self) -> str | None:
        """The path a Case query selects for it (``Account.SLA_Support_Plan__c``)."""
        return {"priority": "Priority", "case": self.field,
                "account": f"Account.{self.field}",
                "entitlement": f"Entitlement.{self.field}"}.get(self.kind)


SOURCES = platformkit.SourceSyntax(
    Source, {"priority": None, "none": None, "case": API_NAME, "account": API_NAME,
             "entitlement": API_NAME},
    usage="priority, case:<field API name>, account:<field API name>, "
    "entitlement:<field API name> or none",
    unmapped=lambda name: Source("case", default_field(name)))


def parse_sources(spec: str) -> tuple[Source, ...]:
    """Parse ``"case:Plan__c, account:Plan__c"`` into sources; ``ValueError`` on a bad one."""
    return SOURCES.parse(spec)


def default_field(name: str) -> str:
    """``sla_resolution_due`` -> ``SLA_Resolution_Due__c`` (the Case field setup creates)."""
    words = [w for w in name.split("_") if w]
    if words and words[0] == "sla":
        words = words[1:]
    return "SLA_" + "_".join(w.capitalize() for w in words) + "__c"


class FieldMap(platformkit.SourceMap[Source]):
    """Where each neutral attribute lives (``SLA_BRIDGE_SALESFORCE__FIELDS__<NAME>``).

    Other neutral names can be added the same way; an unmapped one is looked for in a Case
    field named like it (``sla_resolution_due`` -> ``SLA_Resolution_Due__c``).
    """

    syntax = SOURCES

    plan: str = "account:SLA_Support_Plan__c"
    location: str = "account:SLA_Support_Location__c"
    customer_severity: str = "priority"
    # The vendor's severity is kept next to the customer's Priority, so both stay visible.
    vendor_severity: str = "case:SLA_Vendor_Severity__c"
    product: str = "case:SLA_Product__c"
    version: str = "case:SLA_Version__c"
    sla_first_response_due: str = "case:SLA_First_Response_Due__c"
    sla_next_update_due: str = "case:SLA_Next_Update_Due__c"
    escalation_reason: str = "case:SLA_Escalation_Reason__c"
    escalation_severity: str = "case:SLA_Escalation_Severity__c"
    escalation_contact: str = "case:SLA_Escalation_Contact__c"
    escalation_decision: str = "case:SLA_Escalation_Decision__c"
    escalation_decision_reason: str = "case:SLA_Escalation_Decision_Reason__c"
    escalation_severity_accepted: str = "none"
    request_type: str = "case:Type"
