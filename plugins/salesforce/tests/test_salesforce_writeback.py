"""Write-back through the real simple-salesforce over HTTPS against the sandbox org: every
action type, one PATCH per batch, follow-ups that a retry never doubles, comments read back,
Salesforce's limits and locks, approvals and milestones."""

from __future__ import annotations

from pathlib import Path

import pytest
from salesforce_testing import Org, PlatformFactory

from sla_bridge.actions import (
    APPROVAL_REQUESTED_TAG,
    AddComment,
    Assign,
    ChangeTags,
    CreateFollowUp,
    RequestApproval,
    SetFields,
    SetStatus,
)
from sla_bridge.platforms import VendorError
from sla_bridge.tickets import Status, Ticket, TicketRef
from sla_bridge_salesforce.platform import SalesforcePlatform
from sla_bridge_salesforce.sandbox import Sandbox

DUE = "2026-11-23T15:00:00+00:00"


def ref(case_id: str) -> TicketRef:
    return TicketRef(platform="salesforce", ticket_id=case_id)


def writes(sandbox: Sandbox, object_name: str = "Case") -> list[dict[str, object]]:
    return [e for e in sandbox.request_log() if e["method"] in ("PATCH", "POST")
            and f"/sobjects/{object_name}/" in e["path"]]


@pytest.fixture
def case(sandbox: Sandbox, org: Org) -> Ticket:
    """A new case of Gold Corp's customer, as the platform reads it."""
    record = sandbox.open_case(org.customer["Id"], "Restore fails", "Every restore fails",
                               Priority="Medium")
    return Ticket(ref=ref(record["Id"]), status=Status.NEW, created_at=record["CreatedDate"],
                  updated_at=record["CreatedDate"])


def test_a_batch_of_fields_tags_status_and_owner_is_one_update(
        sandbox: Sandbox, org: Org, platform: SalesforcePlatform, case: Ticket) -> None:
    batch = [SetFields(ref=case.ref, key="due", fields={"sla_first_response_due": DUE,
                                                       "vendor_severity": "2"}),
             SetFields(ref=case.ref, key="prio", fields={"priority": "urgent"}),
             ChangeTags(ref=case.ref, key="warn", add=("sla_warning",)),
             SetStatus(ref=case.ref, key="pending", status=Status.PENDING),
             Assign(ref=case.ref, key="tier2", group="Tier 2")]  # the queue's label
    platform.bridge_user_id()
    sandbox.clear_request_log()
    assert all(platform.can_batch(a) for a in batch)
    platform.apply_batch(batch)
    assert len(writes(sandbox)) == 1
    after = platform.fetch_ticket(case.ref.ticket_id)
    assert [a.pending_on(after) for a in batch] == [None] * len(batch)
    stored = sandbox.case(case.ref.ticket_id)
    assert (stored["Status"], stored["Priority"], stored["OwnerId"]) == (
        "Waiting on Customer", "High", org.tier2["Id"])
    assert stored["SLA_Tags__c"] == "sla_warning"
    assert stored["LastModifiedById"] == sandbox.bridge_user_id


def test_removing_a_tag_keeps_the_others(sandbox: Sandbox, platform: SalesforcePlatform,
                                         case: Ticket) -> None:
    platform.apply(ChangeTags(ref=case.ref, key="a", add=("sla_warning", "sla_breached")))
    platform.apply(ChangeTags(ref=case.ref, key="b", remove=("sla_warning",)))
    assert platform.fetch_ticket(case.ref.ticket_id).tags == {"sla_breached"}


def test_public_and_internal_comments_are_case_comments_published_or_not(
        sandbox: Sandbox, platform: SalesforcePlatform, case: Ticket) -> None:
    platform.apply(AddComment(ref=case.ref, key="ack", body="We are on it", public=True))
    platform.apply(AddComment(ref=case.ref, key="note", body="Severity 2 by the policy"))
    comments = sandbox.case(case.ref.ticket_id)["comments"]
    assert [(c["CommentBody"], c["IsPublished"], c["CreatedById"]) for c in comments] == [
        ("We are on it", True, sandbox.bridge_user_id),
        ("Severity 2 by the policy", False, sandbox.bridge_user_id)]
    assert [c.author_role for c in platform.fetch_ticket(case.ref.ticket_id).comments] == [
        "bridge", "bridge"]


def test_a_comment_whose_answer_was_lost_is_read_back_not_posted_twice(
        sandbox: Sandbox, platform: SalesforcePlatform, case: Ticket) -> None:
    action = AddComment(ref=case.ref, key="ack", body="We are on it", public=True)
    platform.bridge_user_id()
    sandbox.drop_next(1, after_processing=True, method="POST", path="CaseComment")
    with pytest.raises(VendorError) as lost:
        platform.apply(action)
    assert lost.value.retryable
    platform.apply(action)
    assert [c["CommentBody"] for c in sandbox.case(case.ref.ticket_id)["comments"]] == [
        "We are on it"]


def test_a_queue_is_found_by_its_label_or_api_name_and_reads_back_as_its_label(
        sandbox: Sandbox, org: Org, make_platform: PlatformFactory, case: Ticket) -> None:
    platform = make_platform()
    platform.apply(Assign(ref=case.ref, key="api", group="tier2"))
    assert sandbox.case(case.ref.ticket_id)["OwnerId"] == org.tier2["Id"]
    platform.queues()  # cached: a queue made now is found by a query of its own
    seniors = sandbox.add_queue("Senior Customer Champions", "Senior_Customer_Champions")
    approved = Assign(ref=case.ref, key="approved", group="Senior Customer Champions")
    platform.apply(approved)
    assert sandbox.case(case.ref.ticket_id)["OwnerId"] == seniors["Id"]
    assert make_platform().fetch_ticket(case.ref.ticket_id).group == "Senior Customer Champions"
    assert approved.pending_on(make_platform().fetch_ticket(case.ref.ticket_id)) is None


def test_an_agent_owner_and_an_unknown_queue(sandbox: Sandbox, org: Org,
                                            platform: SalesforcePlatform, case: Ticket) -> None:
    platform.apply(Assign(ref=case.ref, key="ada", assignee_id=org.agent["Id"]))
    assert sandbox.case(case.ref.ticket_id)["OwnerId"] == org.agent["Id"]
    with pytest.raises(VendorError) as refused:
        platform.apply(Assign(ref=case.ref, key="x", group="Tier9"))
    assert not refused.value.retryable
    assert "no queue named 'Tier9'" in str(refused.value)


def test_a_follow_up_is_a_new_case_with_the_parent_account_and_severity(
        sandbox: Sandbox, org: Org, platform: SalesforcePlatform, case: Ticket) -> None:
    sandbox.update_case(case.ref.ticket_id, org.agent["Id"], Status="Closed")
    action = CreateFollowUp(ref=case.ref, key="follow_up:02s1", subject="Follow-up",
                            body="It fails again", carry={
                                "organization_id": org.account["Id"],
                                "requester_id": org.customer["Id"],
                                "customer_severity": "High", "vendor_severity": "2",
                                "plan": "gold"})
    new_id = platform.apply(action)
    assert new_id is not None
    follow_up = platform.fetch_ticket(new_id)
    assert follow_up.follow_up_of == case.ref.ticket_id
    assert (follow_up.organization_id, follow_up.requester_id) == (org.account["Id"],
                                                                  org.customer["Id"])
    assert (follow_up.customer_severity, follow_up.vendor_severity, follow_up.plan) == (
        "High", "2", "gold")
    assert follow_up.description == "It fails again"
    assert sandbox.case(case.ref.ticket_id)["IsClosed"] is True


def test_a_follow_up_create_dropped_after_it_landed_and_retried_makes_one_case(
        sandbox: Sandbox, org: Org, platform: SalesforcePlatform, case: Ticket) -> None:
    action = CreateFollowUp(ref=case.ref, key="follow_up:02s1", subject="Follow-up",
                            body="It fails again")
    platform.bridge_user_id()
    sandbox.drop_next(1, after_processing=True, method="PATCH", path="SLA_Bridge_Key__c")
    with pytest.raises(VendorError) as dropped:
        platform.apply(action)
    assert dropped.value.retryable
    first = platform.apply(action)
    again = platform.apply(action)
    children = sandbox.store.find("Case", ParentId=case.ref.ticket_id)
    assert [c["Id"] for c in children] == [first] == [again]


@pytest.mark.parametrize(("inject", "status"), [
    ("limit_exceeded_next", 403), ("overloaded_next", 503), ("lock_row_next", 400)])
def test_limits_overload_and_locked_rows_are_retryable_and_the_retry_lands(
        sandbox: Sandbox, platform: SalesforcePlatform, case: Ticket, inject: str,
        status: int) -> None:
    action = SetFields(ref=case.ref, key="due", fields={"sla_first_response_due": DUE})
    platform.bridge_user_id()
    getattr(sandbox, inject)(1, method="PATCH")
    with pytest.raises(VendorError) as failed:
        platform.apply(action)
    assert (failed.value.retryable, failed.value.status) == (True, status)
    if status == 403:
        assert failed.value.retry_after == platform.settings.limit_backoff_seconds
        assert "REQUEST_LIMIT_EXCEEDED" in str(failed.value)
    platform.apply(action)
    assert action.pending_on(platform.fetch_ticket(case.ref.ticket_id)) is None


def test_an_expired_session_logs_in_again_once_with_password_credentials(
        sandbox: Sandbox, make_platform: PlatformFactory, case: Ticket) -> None:
    from sla_bridge_salesforce.sandbox import (
        BRIDGE_PASSWORD,
        BRIDGE_SECURITY_TOKEN,
        BRIDGE_USERNAME,
    )

    platform = make_platform(access_token="", username=BRIDGE_USERNAME,
                             password=BRIDGE_PASSWORD, security_token=BRIDGE_SECURITY_TOKEN,
                             login_url=sandbox.base_url)
    assert platform.fetch_ticket(case.ref.ticket_id).subject == "Restore fails"
    sandbox.expire_sessions()
    platform.apply(SetStatus(ref=case.ref, key="open", status=Status.OPEN))
    assert sandbox.case(case.ref.ticket_id)["Status"] == "Working"
    logins = [e for e in sandbox.request_log() if "/services/Soap/u/" in e["path"]]
    assert len(logins) == 2


def test_an_expired_access_token_is_a_clear_error(sandbox: Sandbox,
                                                 platform: SalesforcePlatform,
                                                 case: Ticket) -> None:
    platform.bridge_user_id()
    sandbox.expire_sessions()
    with pytest.raises(VendorError) as refused:
        platform.apply(SetStatus(ref=case.ref, key="open", status=Status.OPEN))
    assert (refused.value.status, refused.value.retryable) == (401, False)
    assert "SLA_BRIDGE_SALESFORCE__ACCESS_TOKEN" in str(refused.value)
    assert platform.settings.access_token.get_secret_value() not in str(refused.value)


def test_without_an_approval_process_the_fallback_is_a_note_and_the_flag(
        sandbox: Sandbox, org: Org, platform: SalesforcePlatform, case: Ticket) -> None:
    platform.apply(RequestApproval(ref=case.ref, key="esc:1", group="support-managers",
                                   summary="Escalate to severity 1?"))
    stored = sandbox.case(case.ref.ticket_id)
    assert stored["SLA_Approval_Requested__c"] is True
    assert [(c["CommentBody"], c["IsPublished"]) for c in stored["comments"]] == [
        ("[support-managers] Escalate to severity 1? Decide in the case field "
         "SLA_Escalation_Decision__c: approved or declined (the reason in "
         "SLA_Escalation_Decision_Reason__c, which the customer is told).", False)]
    assert APPROVAL_REQUESTED_TAG in platform.fetch_ticket(case.ref.ticket_id).tags
    sandbox.update_case(case.ref.ticket_id, org.manager["Id"],
                        SLA_Escalation_Decision__c="approved")
    decided = platform.fetch_ticket(case.ref.ticket_id)
    assert decided.fields["escalation_decision"] == "approved"
    platform.apply(ChangeTags(ref=case.ref, key="decided", remove=(APPROVAL_REQUESTED_TAG,)))
    assert sandbox.case(case.ref.ticket_id)["SLA_Approval_Requested__c"] is False


@pytest.mark.parametrize(("decide", "decision"), [("approve", "approved"),
                                                  ("reject", "declined")])
def test_an_approval_process_is_submitted_and_its_decision_read_back(
        sandbox: Sandbox, org: Org, make_platform: PlatformFactory, case: Ticket,
        decide: str, decision: str) -> None:
    sandbox.add_approval_process("Case_Escalation", [org.manager["Id"]])
    platform = make_platform(approval_process="Case_Escalation",
                             approvers=f'{{"support-managers": ["{org.manager["Id"]}"]}}')
    action = RequestApproval(ref=case.ref, key="esc:1", group="support-managers",
                             summary="Escalate to severity 1?")
    instance = platform.apply(action)
    assert instance is not None
    assert instance.startswith("04g")
    assert platform.fetch_ticket(case.ref.ticket_id).fields["escalation_decision"] is None
    with pytest.raises(VendorError) as locked:
        platform.apply(SetFields(ref=case.ref, key="due",
                                 fields={"sla_first_response_due": DUE}))
    assert not locked.value.retryable
    assert "ENTITY_IS_LOCKED" in str(locked.value)
    assert "approval" in str(locked.value)
    getattr(sandbox, decide)(case.ref.ticket_id, org.manager["Id"], "Decided")
    assert platform.fetch_ticket(case.ref.ticket_id).fields["escalation_decision"] == decision


def test_the_first_response_milestone_is_completed_when_enabled(
        sandbox: Sandbox, org: Org, make_platform: PlatformFactory, case: Ticket) -> None:
    milestone = sandbox.add_milestone(case.ref.ticket_id, "First Response", 60)
    off = make_platform()
    on = make_platform(complete_milestones="true")
    on.fetch_ticket(case.ref.ticket_id)  # no response yet: nothing to complete
    assert sandbox.store.get("CaseMilestone", milestone["Id"])["IsCompleted"] is False
    sandbox.comment(case.ref.ticket_id, org.agent["Id"], "We are on it", public=True)
    off.fetch_ticket(case.ref.ticket_id)
    assert sandbox.store.get("CaseMilestone", milestone["Id"])["IsCompleted"] is False
    on.fetch_ticket(case.ref.ticket_id)
    assert sandbox.store.get("CaseMilestone", milestone["Id"])["IsCompleted"] is True


def test_jwt_bearer_credentials_log_in_and_renew(
        sandbox: Sandbox, make_platform: PlatformFactory, case: Ticket, tmp_path: Path) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    from sla_bridge_salesforce.sandbox import BRIDGE_USERNAME

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key_file = tmp_path / "bridge.key"
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    sandbox.add_connected_app("3MVG9-bridge-app", public_key_pem=key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode())
    platform = make_platform(access_token="", client_id="3MVG9-bridge-app",
                             username=BRIDGE_USERNAME, private_key_file=str(key_file),
                             login_url=sandbox.base_url)
    assert platform.fetch_ticket(case.ref.ticket_id).subject == "Restore fails"
    sandbox.expire_sessions()
    platform.apply(SetStatus(ref=case.ref, key="open", status=Status.OPEN))
    assert sandbox.case(case.ref.ticket_id)["Status"] == "Working"
    grants = [e for e in sandbox.request_log() if e["path"].endswith("/oauth2/token")]
    assert len(grants) == 2


def test_a_call_slower_than_the_timeout_is_a_retryable_error(
        sandbox: Sandbox, make_platform: PlatformFactory, case: Ticket) -> None:
    platform = make_platform(timeout_seconds="0.2")
    platform.bridge_user_id()
    sandbox.slow_next(1, delay=1.0, method="PATCH")
    with pytest.raises(VendorError) as slow:
        platform.apply(SetStatus(ref=case.ref, key="open", status=Status.OPEN))
    assert slow.value.retryable
    assert "did not answer in time" in str(slow.value)


def test_the_ca_bundle_wins_over_requests_ca_bundle_in_the_environment(
        monkeypatch: pytest.MonkeyPatch, platform: SalesforcePlatform, case: Ticket) -> None:
    import certifi

    monkeypatch.setenv("REQUESTS_CA_BUNDLE", certifi.where())
    monkeypatch.setenv("CURL_CA_BUNDLE", certifi.where())
    assert platform.fetch_ticket(case.ref.ticket_id).subject == "Restore fails"


def test_a_mapped_field_the_org_lacks_is_an_error_naming_the_mapping(
        make_platform: PlatformFactory, case: Ticket) -> None:
    platform = make_platform(fields__plan="case:Support_Tier__c")
    with pytest.raises(VendorError) as refused:
        platform.fetch_ticket(case.ref.ticket_id)
    assert not refused.value.retryable
    assert "INVALID_FIELD" in str(refused.value)
    assert "SLA_BRIDGE_SALESFORCE__FIELDS__" in str(refused.value)


def test_a_status_the_org_lacks_is_an_error_naming_the_status_targets(
        make_platform: PlatformFactory, case: Ticket) -> None:
    platform = make_platform(status_targets='{"hold": "Parked"}')
    with pytest.raises(VendorError) as refused:
        platform.apply(SetStatus(ref=case.ref, key="hold", status=Status.HOLD))
    assert not refused.value.retryable
    assert "SLA_BRIDGE_SALESFORCE__STATUS_TARGETS" in str(refused.value)
