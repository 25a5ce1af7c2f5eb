"""The sandbox's REST API through the real simple-salesforce 1.12.10 over HTTPS: TLS, versions,
sessions, ids, sObject CRUD, upsert by External ID, describe, computed fields and errors.

Each vendor rule is cited with the Salesforce page it comes from.
"""

from __future__ import annotations

import json
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
import requests
from simple_salesforce.api import Salesforce
from simple_salesforce.exceptions import (
    SalesforceExpiredSession,
    SalesforceMalformedRequest,
    SalesforceMoreThanOneRecord,
    SalesforceResourceNotFound,
)
from simple_salesforce.format import format_external_id

from sla_bridge_salesforce.sandbox import Sandbox
from sla_bridge_salesforce.sandbox._ids import checksum

SPECS = Path(__file__).resolve().parents[1] / "specs"
ERROR_SCHEMA = json.loads((SPECS / "rest-errors.json").read_text())


@pytest.fixture(scope="module")
def org() -> Iterator[Sandbox]:
    with Sandbox(autosend=False) as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def sf(org: Sandbox) -> Salesforce:
    return org.client()


@pytest.fixture(scope="module")
def customer(org: Sandbox) -> dict[str, Any]:
    acme = org.add_account("Acme", SLA_Support_Plan__c="gold", SLA_Support_Location__c="usa")
    return org.add_contact("Alice Doe", "alice@acme.test", acme["Id"])


def error_of(exc: pytest.ExceptionInfo[Any]) -> dict[str, Any]:
    """The first error of a Salesforce error answer, checked against the documented shape."""
    jsonschema.validate(exc.value.content, ERROR_SCHEMA)
    first: dict[str, Any] = exc.value.content[0]
    return first


def test_https_only_with_the_sandbox_ca(org: Sandbox) -> None:
    """The instance serves HTTPS; a client that does not trust the sandbox's CA is refused
    (simple-salesforce always builds ``https://`` URLs)."""
    url = f"{org.instance_url}/services/data/"
    assert org.instance_url.startswith("https://127.0.0.1:")
    untrusting = requests.Session()
    untrusting.trust_env = False
    with pytest.raises(requests.exceptions.SSLError):
        untrusting.get(url, timeout=5)
    assert org.session().get(url, timeout=5).status_code == 200


def test_versions_and_any_version_path(org: Sandbox, sf: Salesforce) -> None:
    """``GET /services/data/`` lists the versions; every ``vNN.N`` listed is served
    (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_versions.htm)."""
    listed = org.session().get(f"{org.instance_url}/services/data/", timeout=5).json()
    versions = [v["version"] for v in listed]
    assert {"59.0", "62.0", "66.0"} <= set(versions)
    assert all(v["url"] == f"/services/data/v{v['version']}" for v in listed)
    old = org.client(version="59.0")  # simple-salesforce's default version
    assert "sobjects" in old.restful("")
    unknown = org.session().get(f"{org.instance_url}/services/data/v12.0/sobjects/", timeout=5)
    assert unknown.status_code == 404


def test_a_bad_token_is_401_invalid_session_id_as_a_json_list(org: Sandbox) -> None:
    """A wrong or expired session answers 401 with a JSON *list* whose first error is
    ``INVALID_SESSION_ID`` (simple-salesforce reads ``[0]["errorCode"]`` to log in again)
    (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm)."""
    stranger = org.client(token="00Dxx0000000000!not-a-session")
    with pytest.raises(SalesforceExpiredSession) as refused:
        stranger.Case.describe()
    assert refused.value.status == 401
    assert error_of(refused)["errorCode"] == "INVALID_SESSION_ID"


def test_ids_are_18_characters_with_the_key_prefix_and_checksum(
        org: Sandbox, sf: Salesforce, customer: dict[str, Any]) -> None:
    """Record ids: a 3-character key prefix per object, 15 case-sensitive characters and a
    3-character case checksum (https://help.salesforce.com/s/articleView?id=000385585&type=1);
    a 15-character id addresses the same record."""
    case_id = sf.Case.create({"Subject": "ids", "ContactId": customer["Id"]})["id"]
    comment_id = sf.CaseComment.create({"ParentId": case_id, "CommentBody": "x"})["id"]
    for record_id, prefix in ((case_id, "500"), (comment_id, "00a"),
                              (customer["Id"], "003"), (customer["AccountId"], "001"),
                              (org.bridge_user_id, "005"), (org.organization_id, "00D")):
        assert len(record_id) == 18
        assert record_id.startswith(prefix)
        assert record_id[15:] == checksum(record_id[:15])
    assert sf.Case.get(case_id[:15])["Id"] == case_id
    queue = org.add_queue("Tier 2")
    assert queue["Id"].startswith("00G")


def test_crud_answers_as_documented(sf: Salesforce, customer: dict[str, Any]) -> None:
    """Create answers 201 ``{"id", "success": true, "errors": []}``; update and delete 204
    with no body; a deleted record then answers 404 ``ENTITY_IS_DELETED``
    (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_sobject_create.htm,
    https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_update_fields.htm,
    https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_delete_record.htm)."""
    created = sf.Case.create({"Subject": "Restore fails", "ContactId": customer["Id"],
                              "Priority": "High", "Origin": "Web"})
    assert created["success"] is True
    assert created["errors"] == []
    case = sf.Case.get(created["id"])
    assert case["attributes"] == {"type": "Case",
                                  "url": f"/services/data/v62.0/sobjects/Case/{created['id']}"}
    assert (case["Subject"], case["Priority"], case["Status"]) == ("Restore fails", "High",
                                                                    "New")
    response = sf.Case.update(created["id"], {"Priority": "Low"}, raw_response=True)
    assert (response.status_code, response.content) == (204, b"")
    assert sf.Case.get(created["id"])["Priority"] == "Low"
    assert sf.Case.delete(created["id"]) == 204
    with pytest.raises(SalesforceResourceNotFound) as gone:
        sf.Case.get(created["id"])
    assert error_of(gone)["errorCode"] == "ENTITY_IS_DELETED"
    with pytest.raises(SalesforceResourceNotFound) as missing:
        sf.Case.get("500" + "0" * 12)
    assert error_of(missing)["errorCode"] == "NOT_FOUND"


def test_computed_fields_are_read_only(sf: Salesforce, customer: dict[str, Any]) -> None:
    """``IsClosed``, ``ClosedDate``, ``CaseNumber`` and the audit fields are computed: writing
    them is 400 ``INVALID_FIELD_FOR_INSERT_UPDATE`` naming the fields
    (https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_case.htm)."""
    case_id = sf.Case.create({"Subject": "ro", "ContactId": customer["Id"]})["id"]
    with pytest.raises(SalesforceMalformedRequest) as refused:
        sf.Case.update(case_id, {"IsClosed": True, "CaseNumber": "1", "Subject": "changed"})
    error = error_of(refused)
    assert error["errorCode"] == "INVALID_FIELD_FOR_INSERT_UPDATE"
    assert error["fields"] == ["IsClosed", "CaseNumber"]
    assert sf.Case.get(case_id)["Subject"] == "ro"  # nothing of the request was applied
    with pytest.raises(SalesforceMalformedRequest) as refused:
        sf.Case.create({"Subject": "x", "LastModifiedById": "005" + "0" * 15})
    assert error_of(refused)["errorCode"] == "INVALID_FIELD_FOR_INSERT_UPDATE"


def test_status_decides_is_closed_through_case_status(org: Sandbox, sf: Salesforce,
                                                      customer: dict[str, Any]) -> None:
    """A case is closed when its Status is a CaseStatus with ``IsClosed`` (several may be);
    ``ClosedDate`` is set on closing and cleared on reopening
    (https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_casestatus.htm)."""
    org.add_case_status("Resolved", closed=True)
    statuses = sf.query("SELECT MasterLabel, IsClosed FROM CaseStatus WHERE IsClosed = true")
    assert {r["MasterLabel"] for r in statuses["records"]} == {"Closed", "Resolved"}
    case_id = sf.Case.create({"Subject": "close me", "ContactId": customer["Id"]})["id"]
    sf.Case.update(case_id, {"Status": "Resolved"})
    closed = sf.Case.get(case_id)
    assert closed["IsClosed"] is True
    assert closed["ClosedDate"] is not None
    sf.Case.update(case_id, {"Status": "Working"})
    reopened = sf.Case.get(case_id)
    assert reopened["IsClosed"] is False
    assert reopened["ClosedDate"] is None


def test_field_errors(sf: Salesforce, customer: dict[str, Any]) -> None:
    """Unknown fields are 400 ``INVALID_FIELD``; a value outside a restricted picklist is 400
    ``INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST``; an id of the wrong object is refused
    (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm)."""
    with pytest.raises(SalesforceMalformedRequest) as unknown:
        sf.Case.create({"Subject": "x", "Colour__c": "red"})
    assert error_of(unknown)["errorCode"] == "INVALID_FIELD"
    with pytest.raises(SalesforceMalformedRequest) as picklist:
        sf.Case.create({"Subject": "x", "Status": "Pondering"})
    assert error_of(picklist)["errorCode"] == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
    assert error_of(picklist)["fields"] == ["Status"]
    with pytest.raises(SalesforceMalformedRequest) as wrong_object:
        sf.Case.create({"Subject": "x", "AccountId": customer["Id"]})  # a Contact's id
    assert error_of(wrong_object)["errorCode"] == "FIELD_INTEGRITY_EXCEPTION"


def test_owner_is_a_user_or_a_queue(org: Sandbox, sf: Salesforce,
                                    customer: dict[str, Any]) -> None:
    """``OwnerId`` takes a User or a Queue (a Group of type Queue); a new case is owned by
    its creator when no owner is given
    (https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_case.htm)."""
    queue = org.add_queue("Escalations", "Escalations")
    agent = org.add_agent("Ada Agent", "ada@vendor.test")
    case_id = sf.Case.create({"Subject": "own", "ContactId": customer["Id"]})["id"]
    assert sf.Case.get(case_id)["OwnerId"] == org.bridge_user_id
    sf.Case.update(case_id, {"OwnerId": queue["Id"]})
    found = sf.query(f"SELECT Owner.Name FROM Case WHERE Id = '{case_id}'")["records"][0]
    assert found["Owner"]["Name"] == "Escalations"
    sf.Case.update(case_id, {"OwnerId": agent["Id"]})
    assert sf.Case.get(case_id)["OwnerId"] == agent["Id"]


def test_describe_shows_fields_and_external_ids(sf: Salesforce) -> None:
    """``/sobjects/Case/describe`` lists the fields with ``externalId``, ``createable`` and
    ``updateable`` (what setup checks)
    (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_sobject_describe.htm)."""
    fields = {f["name"]: f for f in sf.Case.describe()["fields"]}
    assert fields["SLA_Bridge_Key__c"]["externalId"] is True
    assert fields["SLA_Bridge_Key__c"]["custom"] is True
    assert fields["IsClosed"]["updateable"] is False
    assert fields["Subject"]["externalId"] is False
    assert {v["value"] for v in fields["Status"]["picklistValues"]} >= {"New", "Closed"}
    comment_fields = {f["name"] for f in sf.CaseComment.describe()["fields"]}
    assert not any(name.endswith("__c") for name in comment_fields)  # no custom fields


def test_upsert_by_external_id(org: Sandbox, sf: Salesforce,
                               customer: dict[str, Any]) -> None:
    """``PATCH /sobjects/Case/{ExternalIdField}/{value}`` creates (201) the first time and
    updates (200) after; several matches answer 300
    (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_upsert.htm)."""
    body = {"Subject": "Follow-up", "ContactId": customer["Id"]}
    assert sf.Case.upsert("SLA_Bridge_Key__c/fu-1", body) == 201
    assert sf.Case.upsert("SLA_Bridge_Key__c/fu-1", {**body, "Priority": "High"}) == 200
    old = org.client(version="41.0")  # the page's older versions: an update is 204
    assert old.Case.upsert("SLA_Bridge_Key__c/fu-1", {**body, "Priority": "High"}) == 204
    found = sf.query("SELECT Id, Priority FROM Case WHERE SLA_Bridge_Key__c = 'fu-1'")
    assert found["totalSize"] == 1
    assert found["records"][0]["Priority"] == "High"
    assert sf.Case.get_by_custom_id("SLA_Bridge_Key__c", "fu-1")["Subject"] == "Follow-up"
    odd_key = "follow/up-100%"  # quoted by format_external_id and get_by_custom_id
    assert sf.Case.upsert(format_external_id("SLA_Bridge_Key__c", odd_key), body) == 201
    assert sf.Case.get_by_custom_id("SLA_Bridge_Key__c", odd_key)[
        "SLA_Bridge_Key__c"] == odd_key
    with pytest.raises(SalesforceMalformedRequest) as duplicate:
        sf.Case.create({**body, "SLA_Bridge_Key__c": "fu-1"})
    assert error_of(duplicate)["errorCode"] == "DUPLICATE_VALUE"


def test_upsert_with_several_matches_is_300(org: Sandbox, sf: Salesforce) -> None:
    """Several records with the external id value: 300 with their URLs (a non-unique External
    ID field) (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_upsert.htm)."""
    org.add_field("Account", "Legacy_Ref__c", external_id=True, unique=False)
    org.add_account("One", Legacy_Ref__c="L1")
    org.add_account("Two", Legacy_Ref__c="L1")
    with pytest.raises(SalesforceMoreThanOneRecord) as several:
        sf.Account.upsert("Legacy_Ref__c/L1", {"Type": "Customer"})
    assert len(several.value.content) == 2


def test_every_answer_carries_sforce_limit_info(org: Sandbox) -> None:
    """``Sforce-Limit-Info: api-usage=n/limit`` on every REST answer; simple-salesforce parses
    it into ``api_usage``
    (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_api_usage.htm)."""
    case = org.client().Case
    case.describe()
    first = case.api_usage["api-usage"]
    case.describe()
    assert case.api_usage["api-usage"].used == first.used + 1
    assert first.total == 100_000
    answer = httpx.get(f"{org.instance_url}/services/data/v62.0/sobjects/Case/describe",
                       verify=ssl.create_default_context(cafile=org.ca_file),
                       headers={"Authorization": "Bearer nope"})
    assert answer.status_code == 401
    assert "Sforce-Limit-Info" in answer.headers


def test_milestones_are_completed_not_created(org: Sandbox, sf: Salesforce,
                                              customer: dict[str, Any]) -> None:
    """CaseMilestone supports query, retrieve and update but not create; completing one is
    setting ``CompletionDate``
    (https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_casemilestone.htm)."""
    case = org.open_case(customer["Id"], "milestone")
    milestone = org.add_milestone(case["Id"], "First Response", 60)
    open_ones = sf.query(
        "SELECT Id, TargetDate FROM CaseMilestone WHERE CaseId = "
        f"'{case['Id']}' AND IsCompleted = false AND MilestoneType.Name = 'First Response'")
    assert [r["Id"] for r in open_ones["records"]] == [milestone["Id"]]
    assert sf.CaseMilestone.update(milestone["Id"],
                                   {"CompletionDate": "2026-12-01T10:00:00.000+0000"}) == 204
    done = sf.CaseMilestone.get(milestone["Id"])
    assert done["IsCompleted"] is True
    assert done["CompletionDate"] == "2026-12-01T10:00:00.000+0000"
    with pytest.raises(SalesforceMalformedRequest) as refused:
        sf.CaseMilestone.create({"CaseId": case["Id"]})
    assert error_of(refused)["errorCode"] == "INVALID_TYPE"
    with pytest.raises(SalesforceMalformedRequest):
        sf.CaseMilestone.update(milestone["Id"], {"TargetDate": "2026-12-02T10:00:00Z"})
