"""The org's objects and their fields, as ``describe`` shows them.

Field names, types and read-only flags follow the Salesforce object reference
(https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_case.htm
and the pages of the other objects). Custom fields (``__c``) are added per org
(:meth:`Schema.add_field`), an External ID field among them for upsert.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

#: Field types and the JSON values they take.
TEXT_TYPES = frozenset({"string", "textarea", "email", "phone", "url", "picklist"})


@dataclass(frozen=True)
class Field:
    """One field of an object: its type, whether the API may write it, and for a reference
    the objects it points at and the relationship name SOQL uses (``Account.Name``)."""

    name: str
    type: str = "string"
    createable: bool = True
    updateable: bool = True
    nillable: bool = True
    external_id: bool = False
    unique: bool = False
    reference_to: tuple[str, ...] = ()
    relationship_name: str | None = None
    picklist: tuple[str, ...] = ()
    restricted: bool = False
    length: int = 255
    required: bool = False

    @property
    def custom(self) -> bool:
        """Whether an admin made it (its name ends in ``__c``)."""
        return self.name.endswith("__c")

    def describe(self) -> dict[str, Any]:
        """The field as ``describe`` shows it (the part the plugin's checks read)."""
        return {"name": self.name, "label": self.name.removesuffix("__c").replace("_", " "),
                "type": self.type, "custom": self.custom, "createable": self.createable,
                "updateable": self.updateable, "nillable": self.nillable,
                "externalId": self.external_id, "unique": self.unique,
                "idLookup": self.name == "Id" or self.external_id, "length": self.length,
                "referenceTo": list(self.reference_to),
                "relationshipName": self.relationship_name,
                "restrictedPicklist": self.restricted,
                "picklistValues": [{"value": v, "label": v, "active": True,
                                    "defaultValue": False} for v in self.picklist]}


def _ro(name: str, type_: str = "string", **more: Any) -> Field:
    return Field(name, type_, createable=False, updateable=False, **more)


def _ref(name: str, *to: str, relationship: str | None = None, **more: Any) -> Field:
    return Field(name, "reference", reference_to=to, length=18,
                 relationship_name=relationship or name.removesuffix("Id"), **more)


def _system_fields() -> list[Field]:
    return [_ro("Id", "id", nillable=False, length=18), _ro("IsDeleted", "boolean"),
            _ro("CreatedDate", "datetime"), _ro("LastModifiedDate", "datetime"),
            _ro("SystemModstamp", "datetime"),
            _ref("CreatedById", "User", createable=False, updateable=False),
            _ref("LastModifiedById", "User", createable=False, updateable=False)]


STATUSES = ("New", "Working", "Escalated", "Waiting on Customer", "On Hold", "Closed")
CLOSED_STATUSES = ("Closed",)
PRIORITIES = ("High", "Medium", "Low")
ORIGINS = ("Phone", "Email", "Web")
#: Standard = an internal user; the others are Experience Cloud (portal) customers.
USER_TYPES = ("Standard", "PowerCustomerSuccess", "CspLitePortal", "CustomerSuccess",
              "AutomatedProcess")


def _standard_objects() -> dict[str, list[Field]]:
    return {
        "Case": [
            _ro("CaseNumber", nillable=False, length=30), Field("Subject"),
            Field("Description", "textarea", length=32000),
            Field("Status", "picklist", picklist=STATUSES, restricted=True),
            _ro("IsClosed", "boolean"), _ro("ClosedDate", "datetime"),
            Field("Priority", "picklist", picklist=PRIORITIES),
            Field("Origin", "picklist", picklist=ORIGINS), Field("Type", "picklist"),
            Field("Reason", "picklist"), Field("SuppliedEmail", "email"),
            Field("IsEscalated", "boolean"), Field("Comments", "textarea", length=4000),
            _ref("OwnerId", "User", "Group", relationship="Owner"),
            _ref("ContactId", "Contact"), _ref("AccountId", "Account"),
            _ref("ParentId", "Case"), _ref("EntitlementId", "Entitlement"),
            Field("IsStopped", "boolean"), _ro("MilestoneStatus")],
        "Account": [Field("Name", nillable=False, required=True), Field("Type", "picklist"),
                    _ref("OwnerId", "User", relationship="Owner")],
        "Contact": [Field("FirstName"), Field("LastName", nillable=False, required=True),
                    _ro("Name"), Field("Email", "email"), _ref("AccountId", "Account")],
        "User": [_ro("Name"), Field("FirstName"), Field("LastName"), Field("Email", "email"),
                 Field("Username"), Field("IsActive", "boolean"),
                 Field("UserType", "picklist", picklist=USER_TYPES), _ref("ContactId", "Contact")],
        "Group": [Field("Name"), Field("DeveloperName"),
                  Field("Type", "picklist", picklist=("Queue", "Regular"))],
        "CaseComment": [
            _ref("ParentId", "Case", updateable=False, nillable=False, required=True),
            Field("CommentBody", "textarea", length=4000), Field("IsPublished", "boolean"),
            Field("IsNotificationSelected", "boolean")],
        "EmailMessage": [
            _ref("ParentId", "Case"), Field("Incoming", "boolean"), Field("FromAddress", "email"),
            Field("FromName"), Field("ToAddress"), Field("Subject"),
            Field("TextBody", "textarea", length=32000),
            Field("HtmlBody", "textarea", length=32000),
            Field("Status", "picklist", picklist=("0", "1", "2", "3", "4", "5")),
            Field("MessageDate", "datetime")],
        "CaseStatus": [_ro("MasterLabel"), _ro("ApiName"), _ro("IsClosed", "boolean"),
                       _ro("IsDefault", "boolean"), _ro("SortOrder", "int")],
        "Entitlement": [Field("Name", required=True), _ref("AccountId", "Account"),
                        Field("StartDate", "date"), Field("EndDate", "date"),
                        _ro("Status")],
        "CaseMilestone": [
            _ref("CaseId", "Case", createable=False, updateable=False),
            _ref("MilestoneTypeId", "MilestoneType", createable=False, updateable=False),
            _ro("StartDate", "datetime"),
            _ro("TargetDate", "datetime"), Field("CompletionDate", "datetime"),
            _ro("IsCompleted", "boolean"), _ro("IsViolated", "boolean"),
            _ro("TargetResponseInMins", "int")],
        "MilestoneType": [Field("Name", required=True), Field("Description", "textarea")],
        "ProcessInstance": [
            _ref("ProcessDefinitionId", "ProcessDefinition", createable=False,
                 updateable=False),
            _ref("TargetObjectId", "Case", createable=False, updateable=False,
                 relationship="TargetObject"),
            _ro("Status", "picklist"), _ro("CompletedDate", "datetime")],
        "ProcessInstanceStep": [
            _ref("ProcessInstanceId", "ProcessInstance", createable=False, updateable=False),
            _ro("StepStatus", "picklist"), _ro("Comments", "textarea", length=4000),
            _ref("ActorId", "User", createable=False, updateable=False, relationship="Actor"),
            _ref("OriginalActorId", "User", createable=False, updateable=False,
                 relationship="OriginalActor")],
        "ProcessInstanceWorkitem": [
            _ref("ProcessInstanceId", "ProcessInstance", createable=False, updateable=False),
            _ref("ActorId", "User", createable=False, updateable=False, relationship="Actor"),
            _ref("OriginalActorId", "User", createable=False, updateable=False,
                 relationship="OriginalActor")],
    }


#: Child relationships: (parent, relationship name) → (child object, its field up).
CHILD_RELATIONSHIPS: dict[tuple[str, str], tuple[str, str]] = {
    ("Case", "CaseComments"): ("CaseComment", "ParentId"),
    ("Case", "EmailMessages"): ("EmailMessage", "ParentId"),
    ("Case", "ProcessInstances"): ("ProcessInstance", "TargetObjectId"),
    ("Case", "CaseMilestones"): ("CaseMilestone", "CaseId"),
    ("Case", "Cases"): ("Case", "ParentId"),
    ("Account", "Cases"): ("Case", "AccountId"),
    ("Account", "Contacts"): ("Contact", "AccountId"),
    ("ProcessInstance", "Steps"): ("ProcessInstanceStep", "ProcessInstanceId"),
    ("ProcessInstance", "Workitems"): ("ProcessInstanceWorkitem", "ProcessInstanceId"),
}

#: Objects the API only reads (the org's configuration, its people, approval history).
READ_ONLY_OBJECTS = frozenset({"CaseStatus", "MilestoneType", "ProcessInstance",
                               "ProcessInstanceStep",
                               "ProcessInstanceWorkitem", "User", "Group"})
#: Objects the API may read and update but never create.
NO_CREATE_OBJECTS = frozenset({"CaseMilestone"})


@dataclass
class Schema:
    """Every object the org has, with its fields (standard and custom)."""

    objects: dict[str, dict[str, Field]] = field(default_factory=dict)

    @classmethod
    def standard(cls) -> Schema:
        """The standard Service Cloud objects, no custom fields yet."""
        return cls({name: {f.name: f for f in [*_system_fields(), *fields]}
                    for name, fields in _standard_objects().items()})

    def add_field(self, object_name: str, definition: Field) -> Field:
        """Add (or replace) a field; a custom one must end in ``__c``."""
        if not definition.name.endswith("__c"):
            raise ValueError(f"custom field names end in __c: {definition.name!r}")
        self.objects[object_name][definition.name] = definition
        return definition

    def set_picklist(self, object_name: str, name: str, values: tuple[str, ...]) -> None:
        """Replace the values of a picklist (Case Status, say)."""
        self.objects[object_name][name] = replace(self.objects[object_name][name],
                                                  picklist=values)

    def field(self, object_name: str, name: str) -> Field | None:
        """The field, matched case-insensitively as the API does, or ``None``."""
        fields = self.objects[object_name]
        if name in fields:
            return fields[name]
        return next((f for key, f in fields.items() if key.lower() == name.lower()), None)

    def object_name(self, name: str) -> str | None:
        """The object's proper name, matched case-insensitively, or ``None``."""
        return next((key for key in self.objects if key.lower() == name.lower()), None)

    def child(self, object_name: str, relationship: str) -> tuple[str, str] | None:
        """The child object and its field pointing at ``object_name`` for a child
        relationship (``Case`` + ``CaseComments`` → ``CaseComment``, ``ParentId``)."""
        for (parent, name), found in CHILD_RELATIONSHIPS.items():
            if parent == object_name and name.lower() == relationship.lower():
                return found
        return None

    def relationship(self, object_name: str, name: str) -> Field | None:
        """The reference field whose relationship is ``name`` (``Owner`` → ``OwnerId``)."""
        return next((f for f in self.objects[object_name].values()
                     if f.relationship_name and f.relationship_name.lower() == name.lower()),
                    None)

    def describe(self, object_name: str, base: str) -> dict[str, Any]:
        """``GET /sobjects/{object}/describe`` (the part the plugin reads)."""
        from ._ids import KEY_PREFIXES

        return {"name": object_name, "label": object_name, "custom": False,
                "keyPrefix": KEY_PREFIXES.get(object_name),
                "createable": object_name not in READ_ONLY_OBJECTS | NO_CREATE_OBJECTS,
                "updateable": object_name not in READ_ONLY_OBJECTS, "queryable": True,
                "urls": {"sobject": f"{base}/sobjects/{object_name}",
                         "describe": f"{base}/sobjects/{object_name}/describe"},
                "fields": [f.describe() for f in self.objects[object_name].values()],
                "childRelationships": [
                    {"relationshipName": name, "childSObject": child, "field": up}
                    for (parent, name), (child, up) in CHILD_RELATIONSHIPS.items()
                    if parent == object_name]}
