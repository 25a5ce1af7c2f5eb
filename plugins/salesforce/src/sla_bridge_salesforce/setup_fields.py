"""The Case / Account fields the bridge's settings name, and whether the org has them.

Every field the field mapping names (``SLA_BRIDGE_SALESFORCE__FIELDS__*``), plus the tags
field, the approval-fallback checkbox and the follow-up External ID, is read in the one query
that reads a case, so a field the org lacks fails every read (``INVALID_FIELD``). Custom fields
(``__c``) are in the metadata package setup writes (:mod:`.metadata`); standard ones
(``case:Type``, ``priority``) only have to exist. The org's fields are read with the REST
describe call, ``GET /services/data/vXX.X/sobjects/{Object}/describe`` (simple-salesforce's
``sf.Case.describe()``), see
https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_sobject_describe.htm.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from simple_salesforce.api import Salesforce

from sla_bridge.platformkit import Finding

from .client import SalesforceClient
from .settings import SalesforceSettings

__all__ = ["FieldSpec", "as_declared", "field_findings", "mapped_fields", "org_fields"]

#: Metadata API field type -> the describe types that serve the bridge as well.
ACCEPTED_TYPES = {
    "Text": frozenset({"string", "textarea", "picklist"}),
    "LongTextArea": frozenset({"textarea", "string"}),
    # The bridge writes due times as ISO 8601; a text field holds them too.
    "DateTime": frozenset({"datetime", "string"}),
    "Checkbox": frozenset({"boolean"}),
}
#: What the bridge keeps in a field, by neutral name (the field's description in Salesforce).
PURPOSES = {
    "plan": "The customer's support plan (read by sla-bridge to pick the SLA targets).",
    "location": "The customer's support location (read by sla-bridge for business hours).",
    "vendor_severity": "The vendor's severity of the case, set by sla-bridge.",
    "product": "The product the case is about (read by sla-bridge).",
    "version": "The product version the case is about (read by sla-bridge).",
    "sla_first_response_due": "When the first response is due, written by sla-bridge.",
    "sla_next_update_due": "When the next update is due, written by sla-bridge.",
    "escalation_reason": "Why the customer asks for an escalation (read by sla-bridge).",
    "escalation_severity": "The severity an escalation asks for (read by sla-bridge).",
    "escalation_contact": "Who to contact about the escalation (read by sla-bridge).",
    "escalation_decision": "The manager's decision on the escalation: approved or rejected.",
    "escalation_decision_reason": "Why the manager decided so (read by sla-bridge).",
}


@dataclass(frozen=True)
class FieldSpec:
    """One field the settings name: on which object, which Metadata API type setup gives it,
    the settings that name it, and what the bridge keeps in it."""

    object_name: str
    name: str
    type: str = "Text"
    external_id: bool = False
    written: bool = False  # the bridge writes it with a Case update
    named_by: str = ""
    purpose: str = ""
    length: int | None = None  # of a text field; None: the package's default

    @property
    def custom(self) -> bool:
        """Whether it is a custom field (the package creates it) rather than a standard one."""
        return self.name.endswith("__c")

    @property
    def label(self) -> str:
        """The label setup gives it: ``SLA_Bridge_Key__c`` -> ``SLA Bridge Key``."""
        return self.name.removesuffix("__c").replace("_", " ").strip()

    @property
    def full_name(self) -> str:
        """``Case.SLA_Product__c``, as ``package.xml`` names it."""
        return f"{self.object_name}.{self.name}"


def _type_for(name: str) -> str:
    return "DateTime" if name.endswith("_due") else "Text"


def mapped_fields(settings: SalesforceSettings) -> list[FieldSpec]:
    """Every field the settings name, once each (the first setting naming it wins), Case
    fields first."""
    specs: dict[tuple[str, str], FieldSpec] = {}
    objects = {"case": "Case", "account": "Account", "entitlement": "Entitlement"}
    for neutral, _spec in settings.fields.all().items():
        variable = settings.variable("fields") + "__" + neutral.upper()
        for source in settings.fields.sources(neutral):
            if source.kind not in objects:
                continue
            key = (objects[source.kind], source.field.lower())
            specs.setdefault(key, FieldSpec(
                objects[source.kind], source.field, _type_for(neutral),
                written=source.kind == "case", named_by=variable,
                purpose=PURPOSES.get(neutral, f"Kept by sla-bridge ({neutral}).")))
    extra = [
        (settings.tags_field, "LongTextArea", False, "tags_field",
         "The tags sla-bridge keeps on the case, space-separated."),
        (settings.approval_flag_field, "Checkbox", False, "approval_flag_field",
         "Set by sla-bridge while an escalation waits for a manager's approval."),
        (settings.follow_up_key_field, "Text", True, "follow_up_key_field",
         "The key sla-bridge creates follow-up cases by (External ID, unique)."),
    ]
    for name, type_, external, setting, purpose in extra:
        if name:
            specs[("Case", name.lower())] = FieldSpec(
                "Case", name, type_, external_id=external, written=True,
                named_by=settings.variable(setting), purpose=purpose)
    if settings.registered_admin_field:
        specs[("Contact", settings.registered_admin_field.lower())] = FieldSpec(
            "Contact", settings.registered_admin_field, "Checkbox", written=False,
            named_by=settings.variable("registered_admin_field"),
            purpose="Ticked on the contacts who are their account's registered admins.")
    order = {"Case": 0, "Account": 1, "Entitlement": 2, "Contact": 3}
    return sorted(specs.values(), key=lambda s: order[s.object_name])


def org_fields(client: SalesforceClient, objects: set[str]) -> dict[str, dict[str, Any]]:
    """``{Object: {field name (lower-case): describe entry}}`` for each object named."""
    return {name: {str(f["name"]).lower(): f for f in _describe(client, name)}
            for name in sorted(objects)}


def _describe(client: SalesforceClient, object_name: str) -> list[dict[str, Any]]:
    """The fields of ``GET /sobjects/{object}/describe``."""
    def describe(sf: Salesforce) -> Any:
        return getattr(sf, object_name).describe()
    described = client.call(describe)
    return [f for f in described.get("fields") or [] if isinstance(f, dict)]


def _problem(spec: FieldSpec, field: Mapping[str, Any]) -> str | None:
    """What is wrong with the org's field for the bridge, or ``None``."""
    found_type = str(field.get("type") or "")
    accepted = ACCEPTED_TYPES.get(spec.type, frozenset())
    if spec.custom and found_type not in accepted:
        return (f"is a {found_type} field; the bridge needs {spec.type} "
                f"({' or '.join(sorted(accepted))})")
    if spec.external_id and not field.get("externalId"):
        return ("is not flagged External ID: follow-up cases are created by upsert on it; "
                "tick 'External ID' (and 'Unique') on the field in Setup > Object Manager > "
                "Case > Fields")
    if spec.written and field.get("updateable") is False:
        return "is read-only to the integration user (a formula, or no edit access)"
    return None


#: Describe type -> the Metadata API type of a field the org has (the package keeps it so:
#: redeclaring a field with another type would convert or refuse its data).
_DECLARED = {"string": "Text", "textarea": "LongTextArea", "datetime": "DateTime",
             "boolean": "Checkbox"}


def as_declared(spec: FieldSpec, field: Mapping[str, Any] | None) -> FieldSpec | None:
    """The field as the package declares it: as the bridge needs it when the org lacks it or
    has it so, else with the org's type (``None``: a type the package cannot declare, e.g.
    a picklist, is left as it is)."""
    if field is None:
        return spec
    found = _DECLARED.get(str(field.get("type") or ""))
    if found is None or found not in {spec.type, *_similar(spec.type)}:
        return None
    if found == "LongTextArea" and int(field.get("length") or 0) <= 255:
        return None  # a short text area: not a type the package declares
    length = int(field["length"]) if found in {"Text", "LongTextArea"} and field.get(
        "length") else None
    return replace(spec, type=found, length=length)


def _similar(type_: str) -> set[str]:
    """The Metadata API types that hold what a field of ``type_`` holds for the bridge."""
    return {"DateTime": {"Text"}, "Text": {"LongTextArea"},
            "LongTextArea": {"Text"}}.get(type_, set())


def field_findings(specs: list[FieldSpec],
                   fields: Mapping[str, Mapping[str, Any]]) -> list[Finding]:
    """A finding per field: there with a fitting type, or what is wrong and what to do."""
    findings = []
    for spec in specs:
        field = fields.get(spec.object_name, {}).get(spec.name.lower())
        if field is None:
            todo = ("deploying the package `sla-bridge salesforce setup` writes creates it"
                    if spec.custom else f"it is not a custom field: check {spec.named_by}")
            findings.append(Finding(False, "field", spec.full_name,
                                    f"missing (named by {spec.named_by}): {todo}"))
            continue
        problem = _problem(spec, field)
        if problem is not None:
            findings.append(Finding(False, "field", spec.full_name,
                                    f"{problem} (named by {spec.named_by})"))
            continue
        flags = ", External ID" if field.get("externalId") else ""
        findings.append(Finding(True, "field", spec.full_name,
                                f"{field.get('type')}{flags} (named by {spec.named_by})"))
    return findings
