"""The org's records and the rules Salesforce applies when the API writes them.

Read-only and computed fields (``IsClosed``, ``ClosedDate``, ``CaseNumber``, the audit
fields) are refused with ``INVALID_FIELD_FOR_INSERT_UPDATE``; ``IsClosed`` and
``ClosedDate`` follow the Case's Status through ``CaseStatus.IsClosed``
(https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_casestatus.htm);
an External ID field is unique and addresses records for upsert
(https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_upsert.htm);
a record in a pending approval is locked for everyone but admins
(https://help.salesforce.com/s/articleView?id=platform.approvals_locking.htm&type=1).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import Any

from ._errors import sf_error
from ._ids import IdMaker, object_of, to_18
from ._schema import NO_CREATE_OBJECTS, READ_ONLY_OBJECTS, Schema
from ._values import coerce

Record = dict[str, Any]
#: Called after each write: object, record (after), the fields changed, who wrote, and
#: whether the record was created.
Listener = Callable[[str, Record, dict[str, Any], str, bool], None]


class Store:
    """Records by object and id, written the way the API writes them."""

    def __init__(self, clock: Callable[[], datetime], schema: Schema) -> None:
        self.clock = clock
        self.schema = schema
        self.ids = IdMaker()
        self.lock = threading.RLock()
        self.records: dict[str, dict[str, Record]] = {name: {} for name in schema.objects}
        self.deleted: dict[str, str] = {}  # id -> object
        self.locked: set[str] = set()
        self.admins: set[str] = set()
        self.listeners: list[Listener] = []
        self.history: list[dict[str, Any]] = []
        self._case_number = 1000

    # -- reading -----------------------------------------------------------------------

    def get(self, object_name: str, record_id: str) -> Record:
        """The record (404 ``NOT_FOUND`` / ``ENTITY_IS_DELETED`` as Salesforce answers)."""
        try:
            full = to_18(record_id)
        except ValueError:
            raise sf_error(404, "NOT_FOUND",
                           f"Provided external ID field does not exist or is not accessible:"
                           f" {record_id}") from None
        with self.lock:
            if full in self.deleted:
                raise sf_error(404, "ENTITY_IS_DELETED", "entity is deleted")
            record = self.records.get(object_name, {}).get(full)
        if record is None:
            raise sf_error(404, "NOT_FOUND", "The requested resource does not exist")
        return record

    def find(self, object_name: str, **equal: Any) -> list[Record]:
        """The records whose fields equal ``equal``, oldest first."""
        with self.lock:
            return [r for r in self.records[object_name].values()
                    if all(r.get(k) == v for k, v in equal.items())]

    def all(self, object_name: str) -> Iterator[Record]:
        """Every record of the object, oldest first (a snapshot)."""
        with self.lock:
            return iter(list(self.records[object_name].values()))

    def resolve(self, record_id: str) -> Record | None:
        """Any record by id, whatever its object."""
        name = object_of(record_id)
        return self.records.get(name or "", {}).get(record_id)

    # -- writing through the API -------------------------------------------------------

    def create(self, object_name: str, values: Mapping[str, Any], actor: str, *,
               system: bool = False) -> Record:
        """A new record (``system``: as the org itself, read-only fields allowed)."""
        if not system and object_name in READ_ONLY_OBJECTS | NO_CREATE_OBJECTS:
            # The code and text are [inferred]: the object reference only says which calls
            # each object supports (CaseMilestone: no create).
            raise sf_error(400, "INVALID_TYPE",
                           f"entity type {object_name} does not support insert")
        with self.lock:
            clean = self._checked(object_name, values, system=system, creating=True)
            now = self.clock()
            record: Record = {name: None for name in self.schema.objects[object_name]}
            record.update(Id=self.ids.new(object_name), IsDeleted=False, CreatedDate=now,
                          LastModifiedDate=now, SystemModstamp=now, CreatedById=actor,
                          LastModifiedById=actor)
            if "OwnerId" in record:
                record["OwnerId"] = actor
            record.update(clean)
            if object_name == "Case":
                self._new_case(record)
            self._check_unique(object_name, record)
            self.records[object_name][record["Id"]] = record
            self._notify(object_name, record, dict(clean), actor, True)
            return record

    def update(self, object_name: str, record_id: str, values: Mapping[str, Any],
               actor: str, *, system: bool = False) -> Record:
        """Change a record (204 through the API); a locked one only by an admin."""
        if not system and object_name in READ_ONLY_OBJECTS:
            raise sf_error(400, "INVALID_TYPE",
                           f"entity type {object_name} does not support update")
        with self.lock:
            record = self.get(object_name, record_id)
            if record["Id"] in self.locked and not system and actor not in self.admins:
                raise sf_error(400, "ENTITY_IS_LOCKED",
                               "This record is locked. If you need to edit it, contact your"
                               " admin")
            clean = self._checked(object_name, values, system=system, creating=False)
            candidate = {**record, **clean}
            self._check_unique(object_name, candidate)
            changed = {k: v for k, v in clean.items() if record.get(k) != v}
            before = dict(record)
            record.update(clean)
            if object_name == "Case":
                self._case_status(record)
            if object_name == "CaseMilestone":
                record["IsCompleted"] = record["CompletionDate"] is not None
            now = self.clock()
            record.update(LastModifiedDate=now, SystemModstamp=now, LastModifiedById=actor)
            for name, value in changed.items():
                self.history.append({"ParentId": record["Id"], "Field": name,
                                     "OldValue": before.get(name), "NewValue": value,
                                     "CreatedById": actor, "CreatedDate": now})
            self._notify(object_name, record, changed, actor, False)
            return record

    def delete(self, object_name: str, record_id: str) -> None:
        """Delete a record (to the recycle bin: later reads say ``ENTITY_IS_DELETED``)."""
        with self.lock:
            record = self.get(object_name, record_id)
            if record["Id"] in self.locked:
                raise sf_error(400, "ENTITY_IS_LOCKED", "This record is locked.")
            del self.records[object_name][record["Id"]]
            self.deleted[record["Id"]] = object_name

    # -- rules ---------------------------------------------------------------------------

    def _checked(self, object_name: str, values: Mapping[str, Any], *, system: bool,
                 creating: bool) -> dict[str, Any]:
        clean: dict[str, Any] = {}
        refused: list[str] = []
        for name, value in values.items():
            spec = self.schema.field(object_name, name)
            if spec is None:
                raise sf_error(400, "INVALID_FIELD",
                               f"No such column '{name}' on sobject of type {object_name}",
                               [name])
            if not system and not (spec.createable if creating else spec.updateable):
                refused.append(spec.name)
                continue
            clean[spec.name] = coerce(spec, value)
            if spec.type == "reference" and clean[spec.name] is not None and not system:
                self._check_target(spec.name, clean[spec.name])
        if refused:
            verb = "create" if creating else "update"
            raise sf_error(400, "INVALID_FIELD_FOR_INSERT_UPDATE",
                           f"Unable to {verb} fields: {', '.join(refused)}. Please check the"
                           " security settings of this field and verify that it is read/write"
                           " for your profile or permission set.", refused)
        if creating:
            missing = [f.name for f in self.schema.objects[object_name].values()
                       if f.required and clean.get(f.name) is None]
            if missing:
                raise sf_error(400, "REQUIRED_FIELD_MISSING",
                               f"Required fields are missing: [{', '.join(missing)}]", missing)
        return clean

    def _check_target(self, name: str, record_id: str) -> None:
        target = self.resolve(record_id)
        if target is None:
            raise sf_error(400, "INVALID_CROSS_REFERENCE_KEY",
                           f"invalid cross reference id: {record_id}", [name])
        if name == "OwnerId" and object_of(record_id) == "Group" and target["Type"] != "Queue":
            raise sf_error(400, "INVALID_CROSS_REFERENCE_KEY",
                           f"owner must be a user or a queue: {record_id}", [name])

    def _check_unique(self, object_name: str, record: Record) -> None:
        for spec in self.schema.objects[object_name].values():
            value = record.get(spec.name)
            if not spec.unique or value is None:
                continue
            for other in self.records[object_name].values():
                if other["Id"] != record["Id"] and other.get(spec.name) == value:
                    raise sf_error(400, "DUPLICATE_VALUE",
                                   f"duplicate value found: {spec.name} duplicates value on"
                                   f" record with id: {other['Id']}", [spec.name])

    def status(self, label: str) -> Record | None:
        """The CaseStatus with this label."""
        return next((s for s in self.records["CaseStatus"].values()
                     if s["MasterLabel"] == label), None)

    def _new_case(self, record: Record) -> None:
        self._case_number += 1
        record["CaseNumber"] = f"{self._case_number:08d}"
        if record.get("Status") is None:
            default = next((s for s in self.records["CaseStatus"].values() if s["IsDefault"]),
                           None)
            record["Status"] = default["MasterLabel"] if default else "New"
        if record.get("Priority") is None:
            record["Priority"] = "Medium"  # the picklist's default in a standard org
        for flag in ("IsEscalated", "IsStopped"):
            record[flag] = bool(record.get(flag))
        self._case_status(record)

    def _case_status(self, record: Record) -> None:
        status = self.status(record["Status"])
        closed = bool(status and status["IsClosed"])
        if closed and not record.get("IsClosed"):
            record["ClosedDate"] = self.clock()
        elif not closed:
            record["ClosedDate"] = None
        record["IsClosed"] = closed

    def _notify(self, object_name: str, record: Record, changed: dict[str, Any],
                actor: str, created: bool) -> None:
        for listener in list(self.listeners):
            listener(object_name, record, changed, actor, created)
