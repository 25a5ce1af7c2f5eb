"""Escalation rounds: requested once, decided once, told once, whatever carries the request.

Requests made by phone or chat arrive as the ``sla_escalation_requested`` tag or the
``escalation_reason`` field; they stay on the ticket after the decision, and a follow-up
copies them from the closed ticket. None of that may start another round on its own.
"""

from __future__ import annotations

from lives import Life, policy

CODE42 = policy("code42-enterprise")
COMPLETE = ("Since the upgrade restores fail for most of the deployment. CrashPlan 8.2 on "
            "Windows 10, GUID 123456789012345678, user ann@acme.example, logs attached, "
            "screenshot attached, we use the Code42 cloud.")
PHONED = {"escalation_reason": "Audit on Friday, restores failing", "escalation_severity": "1"}


def gold(opened: str = "2026-11-23T09:00:00-06:00", **extra: object) -> Life:
    values: dict[str, object] = {"plan": "gold", "customer_severity": "2", "channel": "web",
                                 "registered_admins": ("u1",), "description": COMPLETE}
    values.update(extra)
    return Life([CODE42], opened, **values)


def kinds(life: Life, kind: str) -> list[str]:
    return [w.kind for w in life.written if w.kind == kind]


def public_texts(life: Life) -> list[str]:
    return [w.text for w in life.written if w.kind == "add_comment" and w.action.public]


def test_request_by_tag_and_field_is_one_round_however_often_the_ticket_is_looked_at() -> None:
    life = gold()
    life.agent("2026-11-23T09:20:00-06:00", "Looking into it")
    [request] = life.change("2026-11-23T10:00:00-06:00",
                            tags=life.ticket.tags | {"sla_escalation_requested"},
                            fields={**life.ticket.fields, **PHONED})
    assert request.kind == "request_approval"
    assert "Reason: Audit on Friday, restores failing" in request.text
    approved = life.change("2026-11-23T11:00:00-06:00",
                           tags=life.ticket.tags | {"sla_escalation_approved"})
    assert [w.kind for w in approved] == ["assign", "add_comment", "change_tags"]
    # Every later look (the echo of those writes, a customer reply, an agent note) is quiet.
    assert life.customer("2026-11-23T11:30:00-06:00", "Thanks, speak soon") == []
    assert life.agent("2026-11-23T12:00:00-06:00", "Working on it with the senior team",
                      public=False) == []
    assert life.run_until("2026-11-24T12:00:00-06:00") == []
    assert len(kinds(life, "request_approval")) == 1
    assert sum("approved your escalation" in t for t in public_texts(life)) == 1
    assert [d.kind for d in life.decisions if d.kind.startswith("escalation")] == [
        "escalation.requested", "escalation.approved"]


def test_a_new_request_is_a_new_round_that_an_old_decision_does_not_decide() -> None:
    life = gold()
    life.change("2026-11-23T10:00:00-06:00", fields={**life.ticket.fields, **PHONED})
    declined = life.change("2026-11-23T10:30:00-06:00",
                           fields={**life.ticket.fields, "escalation_decision": "declined"})
    assert "decided not to escalate" in declined[0].text
    # The customer asks again in a comment: round 2. The earlier "declined" is cleared so the
    # managers can decide anew, and it does not decide round 2.
    again = life.customer("2026-11-24T09:00:00-06:00",
                          "Please escalate this again: still no restores and the audit is "
                          "tomorrow, we expect severity 1.")
    assert [w.kind for w in again] == ["set_fields", "request_approval"]
    assert again[0].action.fields == {"escalation_decision": None}
    assert life.change("2026-11-24T09:30:00-06:00", tags=life.ticket.tags | {"vip"}) == []
    approved = life.change("2026-11-24T10:00:00-06:00",
                           fields={**life.ticket.fields, "escalation_decision": "approved"})
    assert [w.kind for w in approved][:2] == ["assign", "add_comment"]
    assert len(kinds(life, "request_approval")) == 2
    assert [d.kind for d in life.decisions if d.kind.startswith("escalation")] == [
        "escalation.requested", "escalation.declined", "escalation.requested",
        "escalation.approved"]


def test_a_request_tag_taken_off_and_set_again_starts_a_new_round() -> None:
    life = gold()
    life.customer("2026-11-23T09:30:00-06:00", "Restores fail for the whole audit team.")
    assert kinds(life, "request_approval") == []
    life.change("2026-11-23T10:00:00-06:00", tags=life.ticket.tags | {"sla_escalation_requested"},
                fields={**life.ticket.fields, **PHONED})
    life.change("2026-11-23T10:30:00-06:00", tags=life.ticket.tags | {"sla_escalation_declined"})
    assert len(kinds(life, "request_approval")) == 1
    # Still tagged: nothing new. Taken off and set again: round 2, and the stale decline goes.
    assert life.change("2026-11-23T11:00:00-06:00", tags=life.ticket.tags | {"vip"}) == []
    life.change("2026-11-23T11:30:00-06:00",
                tags=life.ticket.tags - {"sla_escalation_requested"})
    again = life.change("2026-11-23T12:00:00-06:00",
                        tags=life.ticket.tags | {"sla_escalation_requested"})
    again = [w for w in again if w.action.key.startswith("escalation")]
    assert [w.kind for w in again] == ["change_tags", "request_approval"]
    assert again[0].action.remove == ("sla_escalation_declined",)
    assert "sla_escalation_declined" not in life.ticket.tags


def test_a_follow_up_does_not_inherit_the_closed_tickets_escalation() -> None:
    copied_tags = {"sla_escalation_requested", "sla_escalation_approved",
                   "sla_escalation_severity_accepted", "sla_approval_requested"}
    life = gold("2026-12-01T09:00:00-06:00", follow_up_of="100", tags=frozenset(copied_tags),
                fields={**PHONED, "escalation_decision": "approved"},
                description="It broke again after the fix.")
    assert kinds(life, "request_approval") == []
    assert not any("escalation" in t for t in public_texts(life))
    assert not any(d.kind.startswith("escalation") for d in life.decisions)
    assert life.customer("2026-12-01T09:30:00-06:00", "Any news?") == []
    # A real request on the follow-up is a round of its own, decided on its own.
    asked = life.customer("2026-12-01T10:00:00-06:00", "Please escalate this, we expect "
                          "severity 1: the restore failure is back on every laptop.")
    assert [w.kind for w in asked] == ["change_tags", "set_fields", "request_approval"]
    assert "sla_escalation_approved" not in life.ticket.tags  # the copied decision is cleared
    assert life.ticket.fields["escalation_decision"] is None
    approved = life.change("2026-12-01T10:30:00-06:00",
                           tags=life.ticket.tags | {"sla_escalation_approved"})
    assert sum("approved your escalation" in w.text for w in approved) == 1


def test_the_expected_severity_is_read_as_a_statement_not_a_word_anywhere() -> None:
    small = policy("crashplan-small-business")
    life = Life([small], "2026-11-23T09:00:00-06:00", customer_severity="High",
                description="x " * 20)
    [ask] = [w for w in life.customer(
        "2026-11-23T10:00:00-06:00", "Please escalate this ticket: normal operations are "
        "impossible since the upgrade and we lose sales every hour.")
        if w.action.key.startswith("escalation")]
    assert ask.text.endswith("please reply with the severity you expect.")
    [request] = [w for w in life.customer("2026-11-23T10:30:00-06:00",
                                          "We expect it to be treated as Urgent.")
                 if w.kind == "request_approval"]
    assert "Expected severity: Urgent (now High)" in request.text
