"""Approvals through the real simple-salesforce over HTTPS: submit, work items, record
locking, the approver's decision, and the decision read back with SOQL.

REST resource: https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_process_approvals.htm
(submit, approve, reject); record locking while pending:
https://help.salesforce.com/s/articleView?id=platform.approvals_locking.htm&type=1. The error
codes for a second submission (``ALREADY_IN_PROCESS``), no process (``NO_APPLICABLE_PROCESS``)
and a non-approver acting are the sandbox's [inferred] ones; these tests only show that each
case is refused with a JSON-array error, and pin the codes so the plugin's handling stays
tested.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from simple_salesforce.api import Salesforce
from simple_salesforce.exceptions import SalesforceMalformedRequest

from sla_bridge_salesforce.sandbox import Sandbox


@pytest.fixture
def org() -> Iterator[Sandbox]:
    with Sandbox(autosend=False) as sandbox:
        yield sandbox


@pytest.fixture
def people(org: Sandbox) -> dict[str, Any]:
    acme = org.add_account("Acme", SLA_Support_Plan__c="gold")
    contact = org.add_contact("Alice Doe", "alice@acme.test", acme["Id"])
    manager = org.add_agent("Mo Manager", "mo@vendor.test")
    tier2 = org.add_queue("Tier 2", "Tier2")
    org.add_approval_process("Case_Escalation", [manager["Id"]],
                             on_approve={"OwnerId": tier2["Id"], "Status": "Escalated"},
                             on_reject={"Status": "Working"})
    case = org.open_case(contact["Id"], "Outage", Priority="High")
    return {"manager": manager, "tier2": tier2, "case": case, "contact": contact}


def submit(sf: Salesforce, case_id: str, **more: Any) -> Any:
    return sf.restful("process/approvals/", method="POST", json={"requests": [{
        "actionType": "Submit", "contextId": case_id, "comments": "customer is down",
        "processDefinitionNameOrId": "Case_Escalation", "skipEntryCriteria": "true",
        **more}]})


def test_submit_answers_pending_with_work_items(org: Sandbox, people: dict[str, Any]) -> None:
    """Submit answers one ProcessResult: ``instanceStatus`` Pending, the approvers in
    ``actorIds`` and their ``newWorkitemIds``; ``GET process/approvals/`` lists the process."""
    sf = org.client()
    listed = sf.restful("process/approvals/")
    assert [p["name"] for p in listed["approvals"]["Case"]] == ["Case_Escalation"]
    result, = submit(sf, people["case"]["Id"])
    assert result["success"] is True
    assert result["errors"] is None
    assert result["instanceStatus"] == "Pending"
    assert result["entityId"] == people["case"]["Id"]
    assert result["actorIds"] == [people["manager"]["Id"]]
    item_id, = result["newWorkitemIds"]
    assert item_id.startswith("04i")
    assert result["instanceId"].startswith("04g")


def test_a_pending_case_is_locked_and_cannot_be_submitted_twice(
        org: Sandbox, people: dict[str, Any]) -> None:
    """While pending, the record is locked: the bridge's edits are refused with
    ``ENTITY_IS_LOCKED``; a second submission is refused too."""
    sf = org.client()
    case_id = people["case"]["Id"]
    submit(sf, case_id)
    with pytest.raises(SalesforceMalformedRequest) as locked:
        sf.Case.update(case_id, {"Priority": "Low"})
    assert locked.value.content[0]["errorCode"] == "ENTITY_IS_LOCKED"
    assert sf.Case.get(case_id)["Priority"] == "High"
    with pytest.raises(SalesforceMalformedRequest) as again:
        submit(sf, case_id)
    assert again.value.content[0]["errorCode"] == "ALREADY_IN_PROCESS"
    # Comments on the case are still possible (the lock is on the case record).
    assert sf.CaseComment.create({"ParentId": case_id, "CommentBody": "waiting"})["success"]


def test_only_the_approver_decides_and_approval_runs_its_actions(
        org: Sandbox, people: dict[str, Any]) -> None:
    """Approve / Reject take the work item's id and only an assigned approver (or an admin)
    may act; the final approval's field updates apply and the record is unlocked."""
    sf = org.client()
    case_id = people["case"]["Id"]
    item_id, = submit(sf, case_id)[0]["newWorkitemIds"]
    with pytest.raises(SalesforceMalformedRequest) as not_theirs:
        sf.restful("process/approvals/", method="POST", json={"requests": [{
            "actionType": "Approve", "contextId": item_id}]})
    assert not_theirs.value.content[0]["errorCode"] == "INSUFFICIENT_ACCESS_OR_READONLY"
    decided = org.approve(case_id, people["manager"]["Id"], "ok, go")
    assert decided["instanceStatus"] == "Approved"
    case = sf.Case.get(case_id)
    assert (case["OwnerId"], case["Status"]) == (people["tier2"]["Id"], "Escalated")
    assert case["LastModifiedById"] == people["manager"]["Id"]
    assert sf.Case.update(case_id, {"Priority": "Medium"}) == 204  # unlocked


def test_the_decision_is_read_from_process_instance(org: Sandbox,
                                                   people: dict[str, Any]) -> None:
    """ProcessInstance (``TargetObjectId``, ``Status``) and its steps are queryable, also as
    the Case's ProcessInstances child relationship
    (https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_processinstance.htm)."""
    sf = org.client()
    case_id = people["case"]["Id"]
    submit(sf, case_id)
    pending = sf.query(f"SELECT Id, Status FROM ProcessInstance WHERE TargetObjectId = "
                       f"'{case_id}' ORDER BY CreatedDate DESC")
    assert [r["Status"] for r in pending["records"]] == ["Pending"]
    org.reject(case_id, people["manager"]["Id"], "not an outage")
    found = sf.query(
        "SELECT Id, (SELECT Id, Status FROM ProcessInstances ORDER BY CreatedDate DESC"
        f" LIMIT 1) FROM Case WHERE Id = '{case_id}'")["records"][0]
    assert found["ProcessInstances"]["records"][0]["Status"] == "Rejected"
    steps = sf.query(
        "SELECT StepStatus, Comments, ActorId FROM ProcessInstanceStep WHERE "
        f"ProcessInstanceId = '{pending['records'][0]['Id']}' ORDER BY CreatedDate")
    assert [(s["StepStatus"], s["Comments"]) for s in steps["records"]] == [
        ("Started", "customer is down"), ("Rejected", "not an outage")]
    assert sf.Case.get(case_id)["Status"] == "Working"
    assert org.case(case_id)["locked"] is False


def test_no_process_for_the_object(org: Sandbox) -> None:
    """An org without an approval process for the record's object refuses the submission."""
    contact = org.add_contact("Bo Bee", "bo@bee.test")
    case = org.open_case(contact["Id"], "nothing configured")
    with pytest.raises(SalesforceMalformedRequest) as refused:
        submit(org.client(), case["Id"])
    assert refused.value.content[0]["errorCode"] == "NO_APPLICABLE_PROCESS"
