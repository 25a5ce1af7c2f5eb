"""A bridge that keeps writing after its own writes stops the story: settled false, exit 3."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from simulate_helpers import Simulate

import sla_bridge.simulate._desk as desk_module
from sla_bridge.actions import ChangeTags
from sla_bridge.engine import Outcome, Situation, decide

STORY = {
    "policy": "code42-enterprise",
    "ticket": {"opened": "2026-11-23T09:00:00-06:00", "plan": "gold", "customer_severity": "2"},
    "events": [{"at": "2026-11-23T10:00:00-06:00", "customer": "Any news?"}],
    "until": "2026-11-24T00:00:00-06:00",
}


@pytest.fixture
def flip_flopping_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    """The real engine plus one action that never holds: a tag the bridge adds when it is
    missing and removes when it is there, from the customer's first comment on."""

    def decide_and_flip(policies: Any, situation: Situation) -> Outcome:
        outcome = decide(policies, situation)
        ticket = situation.ticket
        if not any(c.author_role == "customer" for c in ticket.comments):
            return outcome
        flip = ("flip",) if "flip" not in ticket.tags else ()
        flop = ("flip",) if "flip" in ticket.tags else ()
        action = ChangeTags(ref=ticket.ref, key="test:flip", add=flip, remove=flop,
                            reason="a test engine that never settles")
        return replace(outcome, actions=(*outcome.actions, action))

    monkeypatch.setattr(desk_module, "decide", decide_and_flip)


@pytest.mark.usefixtures("flip_flopping_engine")
def test_a_story_that_never_settles_exits_3_and_shows_the_repeating_writes(
        simulate: Simulate, tmp_path: Path) -> None:
    path = tmp_path / "story.json"
    path.write_text(json.dumps(STORY))
    result = simulate(path, status=3)
    assert result["settled"] is False
    assert result["unsettled_ticket"] == "100"
    # Stopped at the comment's instant, not played on to ``until``.
    assert result["until"] == "2026-11-23T10:00:00-06:00"
    [repeating] = result["repeating"]
    assert (repeating["kind"], repeating["key"]) == ("tags", "test:flip")
    flips = [w for w in result["writes"] if w["key"] == "test:flip"]
    assert len(flips) == desk_module.MAX_PASSES


@pytest.mark.usefixtures("flip_flopping_engine")
def test_the_timeline_says_it_did_not_settle(run_cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "story.json"
    path.write_text(json.dumps(STORY))
    result = run_cli("simulate", str(path))
    assert result.exit_code == 3
    assert ("NOT SETTLED: ticket #100 was still being written after 5 looks at Mon 23 Nov 2026 "
            "10:00 CST; the story stopped there. Repeating writes:") in result.output
    assert result.output.rstrip().endswith("tags       +flip")
