"""The platform against the sandbox, through the real zenpy over HTTP: reading and writing."""

from __future__ import annotations

import pytest
from zendesk_testing import Account, racing_agent, ref, settings_for

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
from sla_bridge.clock import SystemClock
from sla_bridge.platforms import TicketClosed, VendorError
from sla_bridge.tickets import Status
from sla_bridge_zendesk.platform import ZendeskPlatform
from sla_bridge_zendesk.sandbox import Sandbox


def open_ticket(sandbox: Sandbox, account: Account, **extra: object) -> dict[str, object]:
    values = {"priority": "high", "tags": ["product_backup", "version_6.8"]}
    values.update(extra)
    return sandbox.open_ticket(account.customer["id"], "Restore fails",
                               "Restores fail on every device since Monday.", **values)


def assigned_ticket(sandbox: Sandbox, account: Account) -> dict[str, object]:
    """A ticket an agent has taken (Zendesk refuses to solve an unassigned one)."""
    ticket = open_ticket(sandbox, account)
    return sandbox.agent_update(int(ticket["id"]), account.agent["id"],  # type: ignore[call-overload]
                                assignee_id=account.agent["id"])


# -- reading ---------------------------------------------------------------------------


def test_fetch_maps_the_ticket_its_organization_and_its_history(
        sandbox: Sandbox, account: Account, platform: ZendeskPlatform) -> None:
    ticket = open_ticket(sandbox, account)
    found = platform.fetch_ticket(str(ticket["id"]))
    assert found.ref == ref(ticket)
    assert found.status is Status.NEW
    assert found.subject == "Restore fails"
    assert found.description.startswith("Restores fail")
    assert found.plan == "gold"
    assert found.location == "usa"
    assert found.customer_severity == "high"
    assert found.vendor_severity is None
    assert found.product == "backup"
    assert found.version == "6.8"
    assert found.channel == "web"
    assert found.requester_id == str(account.customer["id"])
    assert found.organization_id == str(account.org["id"])
    assert found.registered_admins == (str(account.customer["id"]),)
    assert found.tags == {"product_backup", "version_6.8"}
    assert found.fields["priority"] == "high"
    assert found.fields["sla_first_response_due"] is None
    [comment] = found.comments
    assert comment.author_role == "customer"
    assert comment.public
    assert comment.bridge_key is None


def test_comment_authors_are_customer_agent_or_bridge(
        sandbox: Sandbox, account: Account, platform: ZendeskPlatform) -> None:
    ticket = open_ticket(sandbox, account)
    sandbox.agent_update(ticket["id"], account.agent["id"], comment="Looking", public=True)
    platform.apply(AddComment(ref=ref(ticket), key="note", body="Internal note"))
    sandbox.customer_reply(ticket["id"], "Thanks")
    found = platform.fetch_ticket(str(ticket["id"]))
    assert [(c.author_role, c.public) for c in found.comments] == [
        ("customer", True), ("agent", True), ("bridge", False), ("customer", True)]
    assert found.comments[2].bridge_key == "zendesk:{}:add_comment:note".format(ticket["id"])
    assert found.comments[2].author_id == platform.bridge_user_id()


def test_every_comment_is_read_across_pages(account: Account) -> None:
    with Sandbox(page_size_cap=2) as small:
        customer = small.add_user("Pat", "pat@example.test")
        ticket = small.open_ticket(customer["id"], "Many", "first")
        for n in range(6):
            small.customer_reply(ticket["id"], f"reply {n}")
        zendesk = ZendeskPlatform(settings_for(small), SystemClock())
        found = zendesk.fetch_ticket(str(ticket["id"]))
        assert [c.body for c in found.comments] == ["first", *(f"reply {n}" for n in range(6))]
        pages = [r for r in small.request_log() if r["path"].endswith("/audits")]
        assert len(pages) == 4  # 7 audits, 2 a page
        assert all("page%5Bsize%5D" in r["query"] for r in pages)


def test_the_vendor_severity_is_the_priority_once_an_agent_changes_it(
        sandbox: Sandbox, account: Account, platform: ZendeskPlatform) -> None:
    ticket = open_ticket(sandbox, account, priority="urgent")
    sandbox.agent_update(ticket["id"], account.agent["id"], priority="normal")
    found = platform.fetch_ticket(str(ticket["id"]))
    assert (found.customer_severity, found.vendor_severity) == ("urgent", "normal")


def test_a_vendor_severity_the_bridge_sets_reads_back_exactly(
        sandbox: Sandbox, account: Account, platform: ZendeskPlatform) -> None:
    ticket = open_ticket(sandbox, account, priority="urgent")
    platform.apply(SetFields(ref=ref(ticket), key="sev", fields={"vendor_severity": "2"}))
    assert sandbox.ticket(ticket["id"])["priority"] == "high"
    found = platform.fetch_ticket(str(ticket["id"]))
    assert (found.customer_severity, found.vendor_severity) == ("urgent", "2")


def test_raising_the_priority_on_a_breach_is_not_a_new_severity(
        sandbox: Sandbox, account: Account, platform: ZendeskPlatform) -> None:
    ticket = open_ticket(sandbox, account, priority="normal")
    platform.apply(SetFields(ref=ref(ticket), key="breach", fields={"priority": "urgent"}))
    found = platform.fetch_ticket(str(ticket["id"]))
    assert found.fields["priority"] == "urgent"
    assert (found.customer_severity, found.vendor_severity) == ("normal", None)


def test_registered_admins_are_the_organizations_tagged_users(
        account: Account, platform: ZendeskPlatform) -> None:
    assert platform.registered_admins(str(account.org["id"])) == (str(account.customer["id"]),)


def test_an_unknown_ticket_is_a_404_that_is_not_retried(platform: ZendeskPlatform) -> None:
    with pytest.raises(VendorError) as caught:
        platform.fetch_ticket("999")
    assert caught.value.status == 404
    assert not caught.value.retryable
    with pytest.raises(VendorError):
        platform.fetch_ticket("not-a-number")


# -- writing ---------------------------------------------------------------------------


def test_public_and_internal_comments_carry_the_bridge_key(
        sandbox: Sandbox, account: Account, platform: ZendeskPlatform) -> None:
    ticket = open_ticket(sandbox, account)
    public = AddComment(ref=ref(ticket), key="ask", body="Please send logs", public=True)
    internal = AddComment(ref=ref(ticket), key="note", body="SLA note", public=False)
    assert platform.apply(public) is None
    platform.apply(internal)
    comments = sandbox.comments(ticket["id"])
    assert [(c["body"], c["public"]) for c in comments[1:]] == [
        ("Please send logs", True), ("SLA note", False)]
    keys = [a["metadata"]["custom"].get("sla_bridge_key") for a in sandbox.audits(ticket["id"])]
    assert keys[1:] == [public.idempotency_key, internal.idempotency_key]


def test_set_fields_writes_custom_fields_priority_and_tag_values(
        sandbox: Sandbox, account: Account, platform: ZendeskPlatform) -> None:
    ticket = open_ticket(sandbox, account)
    action = SetFields(ref=ref(ticket), key="sla", fields={
        "sla_first_response_due": "2026-11-30T11:00:00-06:00", "version": "7.0",
        "vendor_severity": "1", "plan": "silver"})
    platform.apply(action)
    after = sandbox.ticket(ticket["id"])
    values = {f["id"]: f["value"] for f in after["custom_fields"]}
    assert values[account.fields["SLA first response due"]] == "2026-11-30T11:00:00-06:00"
    assert after["priority"] == "urgent"
    assert "version_7.0" in after["tags"]
    assert "version_6.8" not in after["tags"]
    assert "product_backup" in after["tags"]
    found = platform.fetch_ticket(str(ticket["id"]))
    assert found.fields["sla_first_response_due"] == "2026-11-30T11:00:00-06:00"
    assert found.plan == "gold"  # an organization field: read only


def test_set_fields_that_already_hold_write_nothing(
        sandbox: Sandbox, account: Account, platform: ZendeskPlatform) -> None:
    ticket = open_ticket(sandbox, account)
    action = SetFields(ref=ref(ticket), key="sla", fields={"sla_next_update_due": "x"})
    platform.apply(action)
    sandbox.clear_request_log()
    platform.apply(action)
    assert {r["method"] for r in sandbox.request_log()} == {"GET"}


def test_change_tags_adds_and_removes_without_touching_other_tags(
        sandbox: Sandbox, account: Account, platform: ZendeskPlatform) -> None:
    ticket = open_ticket(sandbox, account)
    sandbox.agent_update(ticket["id"], account.agent["id"], tags=[
        "product_backup", "version_6.8", "vip", "sla_warning"])
    platform.apply(ChangeTags(ref=ref(ticket), key="t", add=("sla_breached",),
                              remove=("sla_warning",)))
    assert sandbox.ticket(ticket["id"])["tags"] == ["product_backup", "sla_breached",
                                                   "version_6.8", "vip"]


def test_status_changes_and_closing_goes_through_solved(
        sandbox: Sandbox, account: Account, platform: ZendeskPlatform) -> None:
    ticket = assigned_ticket(sandbox, account)  # Zendesk solves only assigned tickets
    platform.apply(SetStatus(ref=ref(ticket), key="p", status=Status.PENDING))
    assert sandbox.ticket(ticket["id"])["status"] == "pending"
    platform.apply(SetStatus(ref=ref(ticket), key="c", status=Status.CLOSED))
    assert sandbox.ticket(ticket["id"])["status"] == "closed"
    statuses = [e["value"] for a in sandbox.audits(ticket["id"]) for e in a["events"]
                if e.get("field_name") == "status" and e["type"] == "Change"]
    assert statuses == ["open", "pending", "solved", "closed"]  # opened by the assignment


def test_assign_by_group_name_and_agent_opens_a_new_ticket(
        sandbox: Sandbox, account: Account, platform: ZendeskPlatform) -> None:
    ticket = open_ticket(sandbox, account)
    platform.apply(Assign(ref=ref(ticket), key="a", group="Escalations",
                          assignee_id=str(account.agent["id"])))
    after = sandbox.ticket(ticket["id"])
    assert (after["group_id"], after["assignee_id"], after["status"]) == (
        account.escalations["id"], account.agent["id"], "open")
    found = platform.fetch_ticket(str(ticket["id"]))
    assert (found.group, found.assignee_id) == ("Escalations", str(account.agent["id"]))
    assert found.original_assignee_id == str(account.agent["id"])
    with pytest.raises(VendorError) as caught:
        platform.apply(Assign(ref=ref(ticket), key="b", group="Nobody"))
    assert not caught.value.retryable


def test_a_follow_up_links_to_the_closed_ticket(
        sandbox: Sandbox, account: Account, platform: ZendeskPlatform) -> None:
    ticket = assigned_ticket(sandbox, account)  # Zendesk solves only assigned tickets
    platform.apply(SetStatus(ref=ref(ticket), key="c", status=Status.CLOSED))
    action = CreateFollowUp(ref=ref(ticket), key="reply:1", subject="Re: Restore fails",
                            body="It happened again.",
                            carry={"escalation_reason": None, "version": "6.8", "plan": "gold",
                                   "customer_severity": "high", "vendor_severity": "1"})
    new_id = platform.apply(action)
    assert new_id is not None
    assert new_id != str(ticket["id"])
    created = sandbox.ticket(int(new_id))
    assert created["via"]["source"]["rel"] == "follow_up"
    assert created["via"]["source"]["from"]["ticket_id"] == ticket["id"]
    assert created["requester_id"] == account.customer["id"]
    assert sandbox.ticket(ticket["id"])["followup_ids"] == [int(new_id)]
    found = platform.fetch_ticket(new_id)
    assert found.follow_up_of == str(ticket["id"])
    assert found.version == "6.8"
    assert (found.plan, found.customer_severity, found.vendor_severity) == ("gold", "high", "1")
    assert found.comments[0].bridge_key == action.idempotency_key


def test_an_approval_request_is_an_internal_note_and_a_tag(
        sandbox: Sandbox, account: Account, platform: ZendeskPlatform) -> None:
    ticket = open_ticket(sandbox, account)
    action = RequestApproval(ref=ref(ticket), key="escalation:1:request",
                             group="Support managers", summary="Escalation requested: outage")
    platform.apply(action)
    found = platform.fetch_ticket(str(ticket["id"]))
    assert APPROVAL_REQUESTED_TAG in found.tags
    note = found.comments[-1]
    assert (note.public, note.author_role, note.bridge_key) == (
        False, "bridge", action.idempotency_key)
    assert "Escalation requested: outage" in note.body


def test_a_manager_macro_decision_is_read_from_tags_and_fields(
        sandbox: Sandbox, account: Account, platform: ZendeskPlatform) -> None:
    ticket = open_ticket(sandbox, account)
    reason_field = account.fields["SLA escalation decision reason"]
    with sandbox.state.lock:
        macro_id = sandbox.state.next_id("macro")
        sandbox.state.macros[macro_id] = {"id": macro_id, "title": "approve", "actions": [
            {"field": "current_tags", "value": "sla_escalation_approved"},
            {"field": f"custom_fields_{reason_field}", "value": "Outage confirmed"}]}
    sandbox.apply_macro(ticket["id"], macro_id, account.manager["id"])
    found = platform.fetch_ticket(str(ticket["id"]))
    assert "sla_escalation_approved" in found.tags
    assert found.fields["escalation_decision_reason"] == "Outage confirmed"


# -- errors ------------------------------------------------------------------------------


def test_writing_to_a_closed_ticket_raises_ticket_closed(
        sandbox: Sandbox, account: Account, platform: ZendeskPlatform) -> None:
    ticket = assigned_ticket(sandbox, account)  # Zendesk solves only assigned tickets
    platform.apply(SetStatus(ref=ref(ticket), key="c", status=Status.CLOSED))
    for action in (AddComment(ref=ref(ticket), key="late", body="too late"),
                   ChangeTags(ref=ref(ticket), key="t", add=("x",))):
        with pytest.raises(TicketClosed) as caught:
            platform.apply(action)
        assert caught.value.status == 422
        assert not caught.value.retryable
        assert "closed prevents ticket update" in str(caught.value)


def test_a_429_becomes_a_retryable_error_with_retry_after(
        sandbox: Sandbox, account: Account, platform: ZendeskPlatform) -> None:
    ticket = open_ticket(sandbox, account)
    sandbox.rate_limit_next(1, retry_after=7)
    with pytest.raises(VendorError) as caught:
        platform.fetch_ticket(str(ticket["id"]))
    assert caught.value.retryable
    assert caught.value.status == 429
    assert caught.value.retry_after == 7
    # The gate holds further calls until Retry-After has passed, without asking Zendesk.
    sandbox.clear_request_log()
    with pytest.raises(VendorError) as again:
        platform.apply(AddComment(ref=ref(ticket), key="n", body="note"))
    assert again.value.retryable
    assert 0 < (again.value.retry_after or 0) <= 7
    assert sandbox.request_log() == []


def test_an_exhausted_rate_limit_stops_calls_until_the_reset(account: Account) -> None:
    with Sandbox(rate_limit=2) as limited:
        customer = limited.add_user("Pat", "pat@example.test")
        ticket = limited.open_ticket(customer["id"], "S", "B")
        zendesk = ZendeskPlatform(settings_for(limited, bridge_user_id=1), SystemClock())
        zendesk.client.zenpy.tickets(id=ticket["id"])
        zendesk.client.zenpy.tickets(id=ticket["id"])  # remaining: 0
        with pytest.raises(VendorError) as caught:
            zendesk.fetch_ticket(str(ticket["id"]))
        assert caught.value.retryable
        assert caught.value.retry_after
        assert len(limited.request_log()) == 2


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_are_retryable(sandbox: Sandbox, account: Account,
                                     platform: ZendeskPlatform, status: int) -> None:
    ticket = open_ticket(sandbox, account)
    sandbox.fail_next(1, status=status)
    with pytest.raises(VendorError) as caught:
        platform.fetch_ticket(str(ticket["id"]))
    assert caught.value.retryable
    assert caught.value.status == status
    assert platform.fetch_ticket(str(ticket["id"])).subject == "Restore fails"


def test_validation_errors_are_not_retryable_and_carry_the_apis_words(
        sandbox: Sandbox, account: Account, platform: ZendeskPlatform) -> None:
    ticket = open_ticket(sandbox, account)
    with pytest.raises(VendorError) as caught:
        platform.apply(Assign(ref=ref(ticket), key="a", assignee_id=str(account.customer["id"])))
    assert caught.value.status == 422
    assert not caught.value.retryable
    assert "Assignee: is not an agent" in str(caught.value)


def test_a_timeout_is_retryable(sandbox: Sandbox, account: Account) -> None:
    ticket = open_ticket(sandbox, account)
    zendesk = ZendeskPlatform(settings_for(sandbox, timeout_seconds=0.3), SystemClock())
    zendesk.bridge_user_id()
    sandbox.slow_next(1, delay=1.0)
    with pytest.raises(VendorError) as caught:
        zendesk.fetch_ticket(str(ticket["id"]))
    assert caught.value.retryable
    assert caught.value.status is None


def test_a_dropped_connection_is_retryable(sandbox: Sandbox, account: Account,
                                           platform: ZendeskPlatform) -> None:
    ticket = open_ticket(sandbox, account)
    sandbox.drop_next(1)
    with pytest.raises(VendorError) as caught:
        platform.fetch_ticket(str(ticket["id"]))
    assert caught.value.retryable


def test_a_comment_whose_answer_was_lost_is_not_posted_twice(
        sandbox: Sandbox, account: Account, platform: ZendeskPlatform) -> None:
    ticket = open_ticket(sandbox, account)
    action = AddComment(ref=ref(ticket), key="once", body="Only once", public=True)
    sandbox.drop_next(1, after_processing=True, method="PUT")
    with pytest.raises(VendorError) as caught:
        platform.apply(action)
    assert caught.value.retryable
    platform.apply(action)  # the bridge's retry
    bodies = [c["body"] for c in sandbox.comments(ticket["id"])]
    assert bodies.count("Only once") == 1


def test_a_follow_up_whose_answer_was_lost_is_not_created_twice(
        sandbox: Sandbox, account: Account, platform: ZendeskPlatform) -> None:
    ticket = assigned_ticket(sandbox, account)  # Zendesk solves only assigned tickets
    platform.apply(SetStatus(ref=ref(ticket), key="c", status=Status.CLOSED))
    action = CreateFollowUp(ref=ref(ticket), key="r", subject="Again", body="Again")
    sandbox.drop_next(1, after_processing=True, method="POST")
    with pytest.raises(VendorError):
        platform.apply(action)
    new_id = platform.apply(action)
    assert len(sandbox.state.tickets) == 2
    assert new_id == str(max(sandbox.state.tickets))


def test_a_concurrent_agent_edit_makes_set_fields_retry_instead_of_overwriting() -> None:
    with racing_agent({"priority": "low"},
                      fields=("SLA first response due",)) as (_racing, ticket, zendesk):
        with pytest.raises(VendorError) as caught:
            zendesk.apply(SetFields(ref=ref(ticket), key="due",
                                    fields={"sla_first_response_due": "2026-11-30T11:00Z"}))
        assert caught.value.status == 409
        assert caught.value.retryable


def test_a_ticket_whose_organization_is_gone_is_still_read(
        sandbox: Sandbox, account: Account, platform: ZendeskPlatform) -> None:
    ticket = open_ticket(sandbox, account)
    with sandbox.state.lock:
        del sandbox.state.organizations[account.org["id"]]
    found = platform.fetch_ticket(str(ticket["id"]))
    assert found.plan is None
    assert found.registered_admins is None
    assert platform.registered_admins(str(account.org["id"])) is None
