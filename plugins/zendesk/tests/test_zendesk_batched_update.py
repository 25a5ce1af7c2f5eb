"""One reconcile's writes to a Zendesk ticket in one ``PUT /tickets/{id}``, through the real
zenpy against the sandbox: a comment, fields, tags, status and group together, each action
still once, and a concurrent agent edit never overwritten."""

from __future__ import annotations

from typing import Any

import pytest
from zendesk_testing import Account, racing_agent, ref

from sla_bridge.actions import (
    APPROVAL_REQUESTED_TAG,
    AddComment,
    Assign,
    ChangeTags,
    RequestApproval,
    SetFields,
    SetStatus,
)
from sla_bridge.platforms import BatchWriter, VendorError
from sla_bridge.tickets import Status
from sla_bridge_zendesk.platform import ZendeskPlatform
from sla_bridge_zendesk.sandbox import Sandbox


def open_ticket(sandbox: Sandbox, account: Account) -> dict[str, Any]:
    return sandbox.open_ticket(account.customer["id"], "Restore fails",
                               "Restores fail on every device since Monday.",
                               priority="high", tags=["product_backup", "sla_warned"])


def writes(sandbox: Sandbox) -> list[tuple[str, str]]:
    return [(r["method"], r["path"]) for r in sandbox.request_log()
            if r["method"] in ("PUT", "POST", "DELETE")]


def test_a_breach_note_its_tags_its_fields_and_the_status_are_one_update(
        sandbox: Sandbox, account: Account, platform: ZendeskPlatform) -> None:
    ticket = open_ticket(sandbox, account)
    at = ref(ticket)
    batch = [AddComment(ref=at, key="breach:note", body="First response missed.", public=False),
             ChangeTags(ref=at, key="breach:tags", add=("sla_breached",), remove=("sla_warned",)),
             SetFields(ref=at, key="breach:due", fields={"sla_first_response_due":
                                                         "2026-11-30T11:00:00-06:00"}),
             SetStatus(ref=at, key="breach:open", status=Status.OPEN),
             Assign(ref=at, key="breach:group", group="Support")]
    assert isinstance(platform, BatchWriter)
    assert all(platform.can_batch(a) for a in batch)
    sandbox.clear_request_log()
    platform.apply_batch(batch)
    assert writes(sandbox) == [("PUT", f"/api/v2/tickets/{ticket['id']}")]
    seen = platform.fetch_ticket(str(ticket["id"]))
    assert seen.tags >= {"product_backup", "sla_breached"}
    assert "sla_warned" not in seen.tags
    assert seen.status is Status.OPEN
    assert seen.group == "Support"
    assert seen.fields["sla_first_response_due"] == "2026-11-30T11:00:00-06:00"
    [note] = [c for c in seen.comments if c.author_role == "bridge"]
    assert (note.body, note.public) == ("First response missed.", False)
    assert note.bridge_key == batch[0].idempotency_key  # the comment's own key
    [audit] = [a for a in sandbox.audits(ticket["id"])
               if (a["metadata"]["custom"] or {}).get("sla_bridge_keys")]
    assert audit["metadata"]["custom"]["sla_bridge_keys"] == [a.idempotency_key for a in batch]


def test_an_approval_request_and_a_reply_take_two_updates_one_comment_each(
        sandbox: Sandbox, account: Account, platform: ZendeskPlatform) -> None:
    ticket = open_ticket(sandbox, account)
    at = ref(ticket)
    reply = AddComment(ref=at, key="notice", body="We have asked a manager.", public=True)
    approval = RequestApproval(ref=at, key="escalate:1", group="Support Managers",
                               summary="Escalate to Tier 2?")
    sandbox.clear_request_log()
    platform.apply_batch([reply, approval])
    assert len(writes(sandbox)) == 2  # Zendesk takes one comment per update
    seen = platform.fetch_ticket(str(ticket["id"]))
    assert APPROVAL_REQUESTED_TAG in seen.tags
    bridge = [(c.public, c.bridge_key) for c in seen.comments if c.author_role == "bridge"]
    assert bridge == [(True, reply.idempotency_key), (False, approval.idempotency_key)]


NOTICE = "This ticket has been closed automatically. If you need more help, reply."


def closing(at: Any, *before: Any) -> list[Any]:
    """What the bridge writes when its policy closes a ticket: the closing notice, the
    survey tag, the status."""
    return [*before, AddComment(ref=at, key="closed:notice", body=NOTICE, public=True),
            ChangeTags(ref=at, key="survey", add=("sla_survey_requested",)),
            SetStatus(ref=at, key="close", status=Status.CLOSED)]


def closing_audit(sandbox: Sandbox, ticket_id: int) -> dict[str, Any]:
    """The audit that set the ticket closed."""
    [audit] = [a for a in sandbox.audits(ticket_id) if any(
        e["type"] == "Change" and e.get("field_name") == "status" and e["value"] == "closed"
        for e in a["events"])]
    return audit


def test_closing_a_solved_ticket_carries_its_notice_in_the_same_update(
        sandbox: Sandbox, account: Account, platform: ZendeskPlatform) -> None:
    """The customer is told "closed" by the update that closes the ticket: never by a
    comment that lands while the close does not (Zendesk refuses any write once closed)."""
    ticket = open_ticket(sandbox, account)
    sandbox.agent_update(ticket["id"], account.agent["id"], comment="Fixed.", status="solved")
    batch = closing(ref(ticket))
    assert all(platform.can_batch(a) for a in batch)
    sandbox.clear_request_log()
    platform.apply_batch(batch)
    assert writes(sandbox) == [("PUT", f"/api/v2/tickets/{ticket['id']}")]
    assert sandbox.ticket(ticket["id"])["status"] == "closed"
    comments = [e for e in closing_audit(sandbox, ticket["id"])["events"]
                if e["type"] == "Comment"]
    assert [(c["body"], c["public"]) for c in comments] == [(NOTICE, True)]
    assert "sla_survey_requested" in sandbox.ticket(ticket["id"])["tags"]


def test_closing_an_unsolved_ticket_solves_it_first_and_closes_it_with_its_notice(
        sandbox: Sandbox, account: Account, platform: ZendeskPlatform) -> None:
    """Zendesk closes only solved tickets, and solves only assigned ones: the solve (with
    the agent the bridge assigns) is an update of its own, the notice goes with the close."""
    ticket = open_ticket(sandbox, account)
    at = ref(ticket)
    batch = closing(at, Assign(ref=at, key="assign", assignee_id=str(account.agent["id"])))
    sandbox.clear_request_log()
    platform.apply_batch(batch)
    assert writes(sandbox) == [("PUT", f"/api/v2/tickets/{ticket['id']}")] * 2
    seen = sandbox.ticket(ticket["id"])
    assert (seen["status"], seen["assignee_id"]) == ("closed", account.agent["id"])
    statuses = [e["value"] for a in sandbox.audits(ticket["id"]) for e in a["events"]
                if e["type"] == "Change" and e.get("field_name") == "status"]
    assert statuses[-2:] == ["solved", "closed"]
    assert [e["body"] for e in closing_audit(sandbox, ticket["id"])["events"]
            if e["type"] == "Comment"] == [NOTICE]


def test_a_batch_whose_answer_was_lost_does_not_post_its_comment_twice(
        sandbox: Sandbox, account: Account, platform: ZendeskPlatform) -> None:
    ticket = open_ticket(sandbox, account)
    at = ref(ticket)
    batch = [AddComment(ref=at, key="once", body="Only once", public=True),
             ChangeTags(ref=at, key="tag", add=("sla_breached",))]
    sandbox.drop_next(1, after_processing=True, method="PUT")
    with pytest.raises(VendorError) as caught:
        platform.apply_batch(batch)
    assert caught.value.retryable
    platform.apply_batch(batch)  # the bridge's retry
    bodies = [c["body"] for c in sandbox.comments(ticket["id"])]
    assert bodies.count("Only once") == 1
    assert "sla_breached" in platform.fetch_ticket(str(ticket["id"])).tags


def test_an_agents_edit_between_read_and_write_is_a_conflict_not_overwritten() -> None:
    with racing_agent({"tags": ["product_backup", "agent_tag"]},
                      tags=("product_backup",)) as (racing, ticket, zendesk):
        at = ref(ticket)
        with pytest.raises(VendorError) as caught:
            zendesk.apply_batch([ChangeTags(ref=at, key="t", add=("sla_breached",)),
                                 SetStatus(ref=at, key="s", status=Status.OPEN)])
        assert (caught.value.status, caught.value.retryable) == (409, True)
        assert racing.ticket(ticket["id"])["tags"] == ["agent_tag", "product_backup"]
