"""Several policies at once: the first that applies wins; none applying is said, not dropped."""

from __future__ import annotations

from lives import Life, policy

POLICIES = [policy("code42-enterprise"), policy("crashplan-small-business")]


def test_first_matching_policy_wins() -> None:
    enterprise = Life(POLICIES, "2026-12-07T09:00:00-06:00", plan="gold", customer_severity="2")
    small = Life(POLICIES, "2026-12-07T09:00:00-06:00", plan="small-business",
                 customer_severity="High")
    assert enterprise.memory is not None
    assert small.memory is not None
    assert enterprise.memory.policy_id == "code42-enterprise"
    assert small.memory.policy_id == "crashplan-small-business"
    assert enterprise.due() == "2026-12-07T13:00:00-06:00"  # Gold Sev 2: 4 business hours
    assert small.due() == "2026-12-08T09:00:00-06:00"  # 1 business day


def test_no_matching_policy_gets_one_internal_note_and_no_sla() -> None:
    life = Life(POLICIES, "2026-12-07T09:00:00-06:00", plan="platinum", customer_severity="1")
    [note] = life.written
    assert not note.action.public
    assert note.text == ("sla-bridge: no support policy applies to this ticket (plan "
                         "'platinum', product None); no SLA is tracked. Policies: "
                         "code42-enterprise, crashplan-small-business.")
    assert life.timers == []
    assert life.customer("2026-12-07T10:00:00-06:00", "hello?") == []


def test_unknown_severity_is_explained_on_the_ticket() -> None:
    life = Life(POLICIES, "2026-12-07T09:00:00-06:00", plan="gold", customer_severity="P0")
    notes = [w.text for w in life.written if w.kind == "add_comment"]
    assert ("sla-bridge cannot track an SLA on this ticket: policy 'code42-enterprise' has no "
            "severity 'P0'; valid severities: 1 (Critical), 2 (High), 3 (Medium), 4 (Low)"
            in notes)


def test_a_plan_written_as_its_label_selects_the_policy() -> None:
    life = Life([policy("code42-enterprise")], "2026-11-23T09:00:00-06:00",
                plan="Code42 Gold Support", customer_severity="2", description="x " * 20)
    assert life.memory is not None
    assert life.memory.policy_id == "code42-enterprise"
    assert life.memory.plan == "gold"
    assert life.due() == "2026-11-23T13:00:00-06:00"  # Gold Sev 2: 4 business hours


def test_a_ticket_made_by_an_integration_is_not_told_its_channel_is_off_plan() -> None:
    life = Life([policy("code42-enterprise")], "2026-11-23T09:00:00-06:00", plan="silver",
                customer_severity="3", channel="api", registered_admins=("u1",),
                description="x " * 20)
    assert not any(w.action.key.startswith("entitlement:channel") for w in life.written)
