"""Clauses every policy must keep however the ticket is filled in: a single-plan policy needs
no plan, any location gets an SLA, delays count on the customer's calendar."""

from __future__ import annotations

import pytest
from lives import Life, policy

SINGLE_PLAN = ["crashplan-proe-premium", "crashplan-small-business", "crashplan-standard-2013"]


@pytest.mark.parametrize("name", SINGLE_PLAN)
def test_a_single_plan_policy_tracks_a_ticket_without_a_plan(name: str) -> None:
    loaded = policy(name)
    life = Life([loaded], "2026-11-23T09:00:00-06:00",
                customer_severity=loaded.severity_ids[1], description="x " * 20)
    assert life.memory is not None
    assert life.memory.policy_id == name
    assert life.due() is not None
    assert not any("cannot track" in w.text or "no support policy" in w.text
                   for w in life.written)


def test_an_unknown_location_gets_the_default_locations_sla_and_one_note() -> None:
    code42 = policy("code42-enterprise")
    life = Life([code42], "2026-11-23T09:00:00-06:00", plan="silver", customer_severity="3",
                location="Atlantis", description="x " * 20)
    notes = [w.text for w in life.written if "read as the default location" in w.text]
    assert notes == ["sla-bridge: the location 'Atlantis' was read as the default location "
                     "'other': it is not one of this policy's locations (usa, europe, asia, "
                     "other); the SLA clocks use its hours and time zone."]
    assert life.due() == "2026-11-24T09:00:00-06:00"  # 9 US Central business hours
    assert life.customer("2026-11-23T10:00:00-06:00", "any news?") == []
    # A country the policy covers needs no note: Germany is Europe.
    life = Life([code42], "2026-11-23T09:00:00+00:00", plan="silver", customer_severity="3",
                location="Germany", description="x " * 20)
    assert not any("default location" in w.text for w in life.written)
    assert life.due() == "2026-11-24T09:00:00+00:00"



def test_a_follow_up_sheds_the_sla_state_it_copied_from_the_closed_ticket() -> None:
    copied = frozenset({"sla_breached", "sla_warning", "sla_survey_requested",
                        "sla_approval_requested", "vip"})
    life = Life([policy("crashplan-small-business")], "2026-12-08T09:00:00-06:00",
                customer_severity="Normal", follow_up_of="100", tags=copied,
                fields={"sla_next_update_due": "2026-12-02T10:00:00-06:00"},
                description="The backup stalls again, same as last week's ticket.")
    [cleanup] = [w for w in life.written if w.action.key == "follow_up:copied"
                 and w.kind == "change_tags"]
    assert cleanup.action.remove == ("sla_approval_requested", "sla_breached",
                                     "sla_survey_requested", "sla_warning")
    assert life.ticket.tags == {"vip"}
    assert life.ticket.fields["sla_next_update_due"] is None
    # Its own clock: one business day from Tuesday 09:00.
    assert life.due() == "2026-12-09T09:00:00-06:00"
    assert life.customer("2026-12-08T09:30:00-06:00", "Any news?") == []
