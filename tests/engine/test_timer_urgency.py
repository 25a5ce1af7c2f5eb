"""The engine gives each timer it schedules its urgency class: a Severity 1 ticket's SLA
timers first, a first response before a next update, an auto-close last."""

from __future__ import annotations

from lives import Life, policy

from sla_bridge.urgency import Urgency

CODE42 = [policy("code42-enterprise")]
SMALL_BUSINESS = [policy("crashplan-small-business")]
MONDAY = "2026-12-07T09:00:00-06:00"


def _classes(life: Life) -> dict[str, int]:
    return {timer.kind: timer.urgency for timer in life.timers}


def test_a_severity_1_tickets_warning_and_breach_are_critical() -> None:
    life = Life(CODE42, MONDAY, plan="gold", customer_severity="1")
    assert _classes(life) == {"first_response:warning": Urgency.CRITICAL,
                              "first_response:breach": Urgency.CRITICAL}


def test_other_severities_go_by_the_clock_first_response_first() -> None:
    life = Life(CODE42, MONDAY, plan="gold", customer_severity="2")
    assert _classes(life) == {"first_response:warning": Urgency.FIRST_RESPONSE,
                              "first_response:breach": Urgency.FIRST_RESPONSE}


def test_an_auto_close_is_housekeeping() -> None:
    life = Life(SMALL_BUSINESS, MONDAY, plan="small-business", customer_severity="High")
    life.agent("2026-12-07T10:00:00-06:00", "Fixed in 10.2; closing.", status="solved")
    assert _classes(life) == {"auto_close:solved": Urgency.HOUSEKEEPING}


def test_a_next_update_after_the_first_reply_is_next_update() -> None:
    life = Life([policy("ownbackup")], MONDAY, plan="standard", customer_severity="Medium")
    life.agent("2026-12-07T10:00:00-06:00", "Looking into it.")
    assert _classes(life) == {"next_update:warning": Urgency.NEXT_UPDATE,
                              "next_update:breach": Urgency.NEXT_UPDATE}
