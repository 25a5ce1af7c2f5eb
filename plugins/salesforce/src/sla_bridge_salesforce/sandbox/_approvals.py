"""Approval processes on Case: submit, work items per approver, approve or reject, the
record locked while pending, the decision kept in ProcessInstance / ProcessInstanceStep.

REST: ``POST /services/data/vXX.X/process/approvals/`` with ``actionType`` Submit (the
record's id as ``contextId``) or Approve / Reject (the work item's id)
(https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_process_approvals.htm,
https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/requests_process_approvals.htm).
Records pending approval are locked
(https://help.salesforce.com/s/articleView?id=platform.approvals_locking.htm&type=1).
The error codes for a record already pending (``ALREADY_IN_PROCESS``), an object without a
process (``NO_APPLICABLE_PROCESS``) and a non-approver acting are [inferred] from the SOAP
API's ProcessResult errors.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sla_bridge.sandbox import ApiError

from ._errors import sf_error
from ._ids import object_of, to_18
from ._store import Store


@dataclass
class ApprovalProcess:
    """An approval process as an admin configures it: its object, approvers, and the field
    updates its final approval and rejection actions make (e.g. a Status or an owner)."""

    id: str
    name: str
    object_name: str
    approver_ids: list[str]
    on_approve: dict[str, Any] = field(default_factory=dict)
    on_reject: dict[str, Any] = field(default_factory=dict)
    lock_record: bool = True

    def describe(self, order: int) -> dict[str, Any]:
        """The process as ``GET /process/approvals/`` lists it."""
        return {"description": None, "id": self.id, "name": self.name,
                "object": self.object_name, "sortOrder": order}


class Approvals:
    """The org's approval processes and their instances (the instances are records)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.processes: list[ApprovalProcess] = []

    def add(self, name: str, approver_ids: list[str], *, object_name: str = "Case",
            on_approve: dict[str, Any] | None = None,
            on_reject: dict[str, Any] | None = None, lock_record: bool = True
            ) -> ApprovalProcess:
        """Configure a process (the first for an object is the one a Submit without a
        name uses)."""
        process = ApprovalProcess(self.store.ids.new("ProcessDefinition"), name, object_name,
                                  [to_18(a) for a in approver_ids], dict(on_approve or {}),
                                  dict(on_reject or {}), lock_record)
        self.processes.append(process)
        return process

    def listing(self) -> dict[str, Any]:
        """``GET /process/approvals/``."""
        grouped: dict[str, list[dict[str, Any]]] = {}
        for order, process in enumerate(self.processes, 1):
            grouped.setdefault(process.object_name, []).append(process.describe(order))
        return {"approvals": grouped}

    def process_for(self, object_name: str, name_or_id: str | None) -> ApprovalProcess:
        """The process a Submit names (or the object's first)."""
        for process in self.processes:
            if process.object_name == object_name and name_or_id in (None, "", process.name,
                                                                       process.id):
                return process
        raise sf_error(400, "NO_APPLICABLE_PROCESS",
                       f"No applicable approval process was found for {object_name}"
                       + (f" named {name_or_id}" if name_or_id else ""))

    def pending_instance(self, record_id: str) -> dict[str, Any] | None:
        """The record's pending ProcessInstance, if any."""
        return next(iter(self.store.find("ProcessInstance", TargetObjectId=record_id,
                                         Status="Pending")), None)

    def submit(self, record_id: str, actor: str, *, comments: str | None = None,
               next_approver_ids: list[str] | None = None,
               process_name: str | None = None) -> dict[str, Any]:
        """Submit a record for approval; the ProcessResult."""
        try:
            full = to_18(record_id)
        except ValueError:
            raise sf_error(400, "MALFORMED_ID", f"malformed id {record_id}") from None
        object_name = object_of(full)
        if object_name is None or self.store.resolve(full) is None:
            raise sf_error(400, "INVALID_CROSS_REFERENCE_KEY",
                           f"invalid cross reference id: {record_id}")
        process = self.process_for(object_name, process_name)
        with self.store.lock:
            if self.pending_instance(full) is not None:
                raise sf_error(400, "ALREADY_IN_PROCESS",
                               "This record is currently in an approval process. A record can"
                               " be in only one approval process at a time.")
            approvers = [to_18(a) for a in (next_approver_ids or process.approver_ids)]
            instance = self.store.create(
                "ProcessInstance", {"ProcessDefinitionId": process.id, "TargetObjectId": full,
                                    "Status": "Pending"}, actor, system=True)
            self.store.create("ProcessInstanceStep", {
                "ProcessInstanceId": instance["Id"], "StepStatus": "Started",
                "Comments": comments, "ActorId": actor, "OriginalActorId": actor},
                actor, system=True)
            items = [self.store.create("ProcessInstanceWorkitem", {
                "ProcessInstanceId": instance["Id"], "ActorId": approver,
                "OriginalActorId": approver}, actor, system=True) for approver in approvers]
            if process.lock_record:
                self.store.locked.add(full)
        return {"actorIds": approvers, "entityId": full, "errors": None,
                "instanceId": instance["Id"], "instanceStatus": "Pending",
                "newWorkitemIds": [item["Id"] for item in items], "success": True}

    def decide(self, workitem_id: str, action: str, actor: str,
               comments: str | None = None) -> dict[str, Any]:
        """Approve or Reject a work item as ``actor`` (an assigned approver or an admin)."""
        try:
            item = self.store.get("ProcessInstanceWorkitem", workitem_id)
        except ApiError:
            raise sf_error(400, "INVALID_CROSS_REFERENCE_KEY",
                           f"invalid cross reference id: {workitem_id}") from None
        if actor != item["ActorId"] and actor not in self.store.admins:
            raise sf_error(400, "INSUFFICIENT_ACCESS_OR_READONLY",
                           "insufficient access rights on object id: only the assigned"
                           " approver or an administrator may act on this work item")
        status = {"Approve": "Approved", "Reject": "Rejected", "Removed": "Removed"}.get(action)
        if status is None:
            raise sf_error(400, "INVALID_OPERATION", f"unknown actionType {action!r}")
        with self.store.lock:
            instance = self.store.get("ProcessInstance", item["ProcessInstanceId"])
            process = next(p for p in self.processes
                           if p.id == instance["ProcessDefinitionId"])
            target = instance["TargetObjectId"]
            for other in self.store.find("ProcessInstanceWorkitem",
                                         ProcessInstanceId=instance["Id"]):
                del self.store.records["ProcessInstanceWorkitem"][other["Id"]]
            self.store.create("ProcessInstanceStep", {
                "ProcessInstanceId": instance["Id"], "StepStatus": status,
                "Comments": comments, "ActorId": actor, "OriginalActorId": item["ActorId"]},
                actor, system=True)
            self.store.update("ProcessInstance", instance["Id"],
                              {"Status": status, "CompletedDate": self.store.clock()}, actor,
                              system=True)
            self.store.locked.discard(target)
            updates = {"Approved": process.on_approve,
                       "Rejected": process.on_reject}.get(status, {})
            if updates:
                self.store.update(object_of(target) or "", target, updates, actor, system=True)
        return {"actorIds": [], "entityId": target, "errors": None,
                "instanceId": instance["Id"], "instanceStatus": status, "newWorkitemIds": [],
                "success": True}

    def request(self, one: dict[str, Any], actor: str) -> dict[str, Any]:
        """One entry of a ``process/approvals`` POST's ``requests``."""
        action = one.get("actionType")
        context = one.get("contextId")
        if not isinstance(context, str):
            raise sf_error(400, "REQUIRED_FIELD_MISSING", "contextId is required",
                           ["contextId"])
        if action == "Submit":
            names = one.get("nextApproverIds")
            return self.submit(context, str(one.get("contextActorId") or actor),
                               comments=one.get("comments"),
                               next_approver_ids=names if isinstance(names, list) else None,
                               process_name=one.get("processDefinitionNameOrId"))
        if action in ("Approve", "Reject", "Removed"):
            return self.decide(context, action, actor, one.get("comments"))
        raise sf_error(400, "INVALID_OPERATION",
                       f"actionType must be Submit, Approve, Reject or Removed, not {action!r}")
