"""The platform base class: one method per action type (exhaustive), the approval fallback,
a second attempt that does not write twice, and webhooks verified before they are parsed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any, get_args

import pytest
from platformkit_fakes import NOW, SCHEME, SECRET, AcmeDesk, Boom, FakeTimeout

from sla_bridge import actions as neutral
from sla_bridge.actions import APPROVAL_REQUESTED_TAG, Action, CreateFollowUp, RequestApproval
from sla_bridge.platformkit import ACTION_METHODS, REQUIRED_METHODS, PlatformBase
from sla_bridge.platforms import Platform, TicketClosed, Unauthorized, VendorError, WebhookRequest
from sla_bridge.tickets import Status, TicketRef

REF = TicketRef(platform="acme", ticket_id="42")
ONE_OF_EACH: list[Action] = [
    neutral.AddComment(ref=REF, key="c", body="Please send logs", public=True),
    neutral.SetFields(ref=REF, key="f", fields={"sla_first_response_due": "2026-11-30T11:00Z"}),
    neutral.ChangeTags(ref=REF, key="t", add=("sla_breached",), remove=("sla_warning",)),
    neutral.SetStatus(ref=REF, key="s", status=Status.PENDING),
    neutral.Assign(ref=REF, key="a", group="Escalations"),
    neutral.CreateFollowUp(ref=REF, key="r", subject="Again", body="It happened again."),
    neutral.RequestApproval(ref=REF, key="e", group="Support managers", summary="Escalate: outage"),
]
EXPECTED_CALLS = [
    [("comment", ("Please send logs", True, "acme:42:add_comment:c"))],
    [("fields", {"sla_first_response_due": "2026-11-30T11:00Z"})],
    [("add tags", ("sla_breached",)), ("remove tags", ("sla_warning",))],
    [("status", "pending")],
    [("assign", ("Escalations", None))],
    [("follow-up", "Again")],
    [("comment", ("[Support managers] Escalate: outage", False, "acme:42:request_approval:e")),
     ("add tags", (APPROVAL_REQUESTED_TAG,))],
]


def test_every_action_type_has_its_method() -> None:
    action_types = set(get_args(get_args(Action)[0]))
    assert set(ACTION_METHODS) == action_types
    for action_type, method in ACTION_METHODS.items():
        assert callable(getattr(PlatformBase, method)), action_type
    assert {type(a) for a in ONE_OF_EACH} == action_types  # this test covers them all


@pytest.mark.parametrize(("action", "calls"), list(zip(ONE_OF_EACH, EXPECTED_CALLS,
                                                       strict=True)),
                         ids=[a.kind for a in ONE_OF_EACH])
def test_each_action_reaches_its_method(action: Action, calls: list[tuple[str, Any]]) -> None:
    desk = AcmeDesk()
    result = desk.apply(action)
    assert desk.calls == calls
    assert result == ("43" if isinstance(action, CreateFollowUp) else None)


def test_without_an_approvals_api_an_approval_is_an_internal_note_and_a_tag() -> None:
    desk = AcmeDesk()
    desk.apply(ONE_OF_EACH[-1])
    [(_, (body, public, key)), tags] = desk.calls
    assert (public, key) == (False, ONE_OF_EACH[-1].idempotency_key)
    assert "Escalate: outage" in body
    assert tags == ("add tags", (APPROVAL_REQUESTED_TAG,))


def test_a_platform_with_an_approvals_api_replaces_the_fallback() -> None:
    class Approvals(AcmeDesk):
        def request_approval(self, action: RequestApproval) -> str | None:
            self.calls.append(("approval", action.group))
            return "approval-7"

    desk = Approvals()
    assert desk.apply(ONE_OF_EACH[-1]) == "approval-7"
    assert desk.calls == [("approval", "Support managers")]


def test_a_platform_that_leaves_a_write_out_is_refused_when_defined() -> None:
    with pytest.raises(TypeError) as caught:
        class Halfway(PlatformBase):
            name = "halfway"

            def fetch_ticket(self, ticket_id: str) -> Any:
                return None

    for method in ("parse_events", "post_comment", "set_fields", "create_follow_up"):
        assert method in str(caught.value)
    assert "fetch_ticket" not in str(caught.value)
    assert set(REQUIRED_METHODS) >= {"post_comment", "add_tags", "set_status", "assign"}


def test_an_abstract_base_may_leave_writes_to_its_subclasses() -> None:
    class Shared(PlatformBase, abstract=True):
        def add_tags(self, action: Action, tags: Sequence[str]) -> None:
            return None

    assert issubclass(Shared, PlatformBase)


def test_a_platform_without_a_name_is_refused() -> None:
    with pytest.raises(TypeError, match="set name"):
        class Nameless(AcmeDesk):
            name = ""


def test_a_write_whose_answer_was_lost_is_not_made_twice() -> None:
    desk = AcmeDesk()
    comment = ONE_OF_EACH[0]
    desk.landed.add(comment.idempotency_key)  # it landed, but the answer timed out
    desk.fail.append(FakeTimeout())
    with pytest.raises(VendorError) as caught:
        desk.apply(comment)
    assert caught.value.retryable
    desk.apply(comment)  # the bridge's retry looks first
    assert desk.calls == [("already posted", comment.idempotency_key)]


def test_only_retryable_failures_of_one_off_actions_make_the_next_attempt_look() -> None:
    desk = AcmeDesk()
    desk.fail.append(Boom(400, "bad"))
    with pytest.raises(VendorError):
        desk.apply(ONE_OF_EACH[0])
    assert not desk.may_have_landed(ONE_OF_EACH[0])
    desk.fail.append(FakeTimeout())
    with pytest.raises(VendorError):
        desk.apply(ONE_OF_EACH[3])  # a status: applying it again is harmless
    assert not desk.may_have_landed(ONE_OF_EACH[3])
    desk.fail.append(FakeTimeout())
    with pytest.raises(VendorError):
        desk.apply(ONE_OF_EACH[5])
    assert desk.may_have_landed(ONE_OF_EACH[5])
    assert not desk.may_have_landed(ONE_OF_EACH[5])  # asked once


def test_failures_are_vendor_errors_that_say_which_action_on_which_ticket() -> None:
    desk = AcmeDesk()
    desk.fail.append(Boom(503, '{"error": "Maintenance"}', {"Retry-After": "30"}))
    with pytest.raises(VendorError) as caught:
        desk.apply(ONE_OF_EACH[1])
    assert str(caught.value) == "set fields on ticket 42: Acme answered 503: Maintenance"
    assert caught.value.retry_after == 30
    closed = AcmeDesk()
    closed.errors = replace(closed.errors, closed=lambda status, _words: status == 422)
    closed.fail.append(Boom(422, "closed"))
    with pytest.raises(TicketClosed):
        closed.apply(ONE_OF_EACH[0])


def test_webhooks_are_verified_before_they_are_parsed() -> None:
    desk = AcmeDesk()
    stamp = "2026-11-25T15:04:05Z"
    body = b'{"id": 42}'
    good = WebhookRequest(headers={"x-acme-timestamp": stamp,
                                   "x-acme-signature": SCHEME.sign(SECRET, body, stamp)},
                          body=body, received_at=NOW)
    [event] = desk.parse_webhook(good)
    assert event.occurred_at == NOW
    forged = WebhookRequest(headers={**good.headers, "x-acme-signature": "forged"}, body=body,
                            received_at=NOW)
    desk.calls.clear()
    with pytest.raises(Unauthorized):
        desk.parse_webhook(forged)
    assert desk.calls == []  # never parsed


def test_the_acknowledgement_counts_the_events_and_the_platform_is_a_platform() -> None:
    desk = AcmeDesk()
    assert desk.acknowledge([]).body == b'{"status": "accepted", "events": 0}'
    assert isinstance(desk, Platform)


def test_an_action_type_without_its_method_stops_the_kit_at_import(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from sla_bridge.platformkit import _base

    monkeypatch.delattr(PlatformBase, "set_status")
    with pytest.raises(TypeError, match=r"SetStatus \(def set_status\)"):
        _base._check_every_action_has_a_method()
