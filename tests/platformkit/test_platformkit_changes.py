"""A batch of actions folded into the changes it makes to one ticket (what a platform's single
update writes), and a platform's batching declared and checked when its class is defined."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from platformkit_fakes import AcmeDesk, Boom, FakeTimeout

from sla_bridge import actions as neutral
from sla_bridge.actions import APPROVAL_REQUESTED_TAG, Action
from sla_bridge.platformkit import collect_changes
from sla_bridge.platforms import BatchWriter, TicketClosed, VendorError
from sla_bridge.tickets import Status, TicketRef

REF = TicketRef(platform="acme", ticket_id="42")


def test_the_last_word_on_each_change_wins_in_order() -> None:
    changes = collect_changes([
        neutral.ChangeTags(ref=REF, key="a", add=("sla_warned", "x"), remove=("old",)),
        neutral.ChangeTags(ref=REF, key="b", add=("sla_breached",), remove=("sla_warned",)),
        neutral.SetStatus(ref=REF, key="s1", status=Status.PENDING),
        neutral.SetStatus(ref=REF, key="s2", status=Status.OPEN),
        neutral.Assign(ref=REF, key="g", group="Escalations"),
        neutral.Assign(ref=REF, key="p", assignee_id="7"),
        neutral.SetFields(ref=REF, key="f", fields={"vendor_severity": "2"}),
        neutral.SetFields(ref=REF, key="f2", fields={"vendor_severity": "1", "plan": "gold"}),
    ])
    assert changes.tags_after(["old", "product_backup", "sla_warned"]) == [
        "product_backup", "x", "sla_breached"]
    assert changes.status is Status.OPEN
    assert (changes.group, changes.assignee_id) == ("Escalations", "7")
    assert changes.fields == {"vendor_severity": "1", "plan": "gold"}
    assert changes.keys[0] == "acme:42:change_tags:a"


def test_comments_keep_their_actions_and_an_approval_is_its_fallback() -> None:
    reply = neutral.AddComment(ref=REF, key="c", body="We are on it.", public=True)
    approval = neutral.RequestApproval(ref=REF, key="e", group="Support managers",
                                       summary="Escalate: outage")
    changes = collect_changes([reply, approval])
    assert [(c.action, c.body, c.public) for c in changes.comments] == [
        (reply, "We are on it.", True),
        (approval, "[Support managers] Escalate: outage", False)]
    assert changes.tags == {APPROVAL_REQUESTED_TAG: True}


def test_a_follow_up_is_not_a_change_to_the_ticket() -> None:
    with pytest.raises(ValueError, match="create_follow_up does not write to its ticket"):
        collect_changes([neutral.CreateFollowUp(ref=REF, key="r", subject="s", body="b")])


class BatchingDesk(AcmeDesk):
    """Writes comments, tags and status in one call."""

    name = "batching"
    batch_kinds = frozenset({"add_comment", "change_tags", "set_status"})

    def write_batch(self, actions: Sequence[Action]) -> None:
        self._call("batch", [a.kind for a in actions])


def test_a_platform_declares_what_it_batches() -> None:
    desk, plain = BatchingDesk(), AcmeDesk()
    comment = neutral.AddComment(ref=REF, key="c", body="b", public=True)
    assign = neutral.Assign(ref=REF, key="a", group="g")
    assert isinstance(desk, BatchWriter)
    assert isinstance(plain, BatchWriter)
    assert desk.can_batch(comment)
    assert not desk.can_batch(assign)
    assert not plain.can_batch(comment)  # the default: one call per action
    desk.apply_batch([comment, neutral.SetStatus(ref=REF, key="s", status=Status.OPEN)])
    assert desk.calls == [("batch", ["add_comment", "set_status"])]


def test_batch_kinds_without_write_batch_or_with_an_unknown_kind_are_refused() -> None:
    with pytest.raises(TypeError, match="does not implement write_batch"):
        class Promises(AcmeDesk):
            name = "promises"
            batch_kinds = frozenset({"add_comment"})
    with pytest.raises(TypeError, match="add_note is not an action kind"):
        class Typo(BatchingDesk):
            name = "typo"
            batch_kinds = frozenset({"add_note"})


def test_after_a_failed_batch_its_one_offs_look_before_they_are_written_again() -> None:
    comment = neutral.AddComment(ref=REF, key="c", body="b", public=True)
    status = neutral.SetStatus(ref=REF, key="s", status=Status.OPEN)
    for failure in (FakeTimeout(), Boom(422, "refused")):
        desk = BatchingDesk()
        desk.fail.append(failure)
        with pytest.raises(VendorError):
            desk.apply_batch([comment, status])
        assert desk.may_have_landed(comment)
        assert not desk.may_have_landed(status)  # state: writing it again is harmless
    closed = BatchingDesk()
    closed.fail.append(TicketClosed("closed", platform="acme"))
    with pytest.raises(TicketClosed):
        closed.apply_batch([comment, status])
    assert not closed.may_have_landed(comment)  # a closed ticket took nothing


def test_a_platform_that_batches_every_ticket_write_needs_only_write_batch() -> None:
    from datetime import datetime

    from sla_bridge.platformkit import PlatformBase
    from sla_bridge.platforms import InboundEvent, WebhookRequest
    from sla_bridge.tickets import Ticket

    class OneUpdate(PlatformBase):
        name = "one-update"
        batch_kinds = frozenset({"add_comment", "set_fields", "change_tags", "set_status",
                                 "assign", "request_approval"})

        def parse_events(self, request: WebhookRequest,
                         signed_at: datetime | None) -> Sequence[InboundEvent]:
            return []

        def fetch_ticket(self, ticket_id: str) -> Ticket:
            raise NotImplementedError

        def create_follow_up(self, action: neutral.CreateFollowUp) -> str | None:
            return None

        def write_batch(self, actions: Sequence[Action]) -> None:
            written.append([a.kind for a in actions])

    written: list[list[str]] = []
    desk = AcmeDesk()
    one = OneUpdate(clock=desk.clock, verifier=desk.verifier, errors=desk.errors,
                    bridge=desk.bridge)
    one.apply(neutral.Assign(ref=REF, key="a", group="g"))  # a single write: a batch of one
    assert written == [["assign"]]
