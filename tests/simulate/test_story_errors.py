"""A bad story names the key path and the problem and exits 2; typos never pass silently."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from simulate_helpers import STORIES, Simulate

GOOD: dict[str, Any] = {
    "policy": "code42-enterprise",
    "ticket": {"opened": "2026-11-25T16:00:00-06:00", "plan": "gold", "customer_severity": "2"},
    "events": [
        {"at": "2026-11-25T17:30:00-06:00", "agent": "Looking into it", "by": "agent-1"},
        {"at": "2026-11-30T09:00:00-06:00", "customer": "Still broken"},
        {"at": "2026-11-30T10:00:00-06:00", "set": {"status": "pending"}},
    ],
    "until": "2026-12-01T00:00:00-06:00",
}


def story(tmp_path: Path, data: object, name: str = "story.json") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return path


def changed(path: str, value: object) -> dict[str, Any]:
    """GOOD with the value at a dotted key path (``events.2.set.status``) replaced."""
    data = json.loads(json.dumps(GOOD))
    *parents, last = path.split(".")
    target = data
    for key in parents:
        target = target[int(key)] if key.isdigit() else target[key]
    target[int(last) if last.isdigit() else last] = value
    return data


def error_of(run_cli: Any, path: Path) -> str:
    result = run_cli("simulate", str(path), "--format", "json")
    assert result.exit_code == 2, result.output
    assert "Invalid value for STORY" in result.output
    return str(result.output)


@pytest.mark.parametrize(("data", "message"), [
    (changed("events.2.set.status", "pendng"),
     "events[2].set.status: 'pendng' is not a status; use one of new, open, pending, hold, "
     "solved, closed"),
    (changed("ticket.custmer_severity", "2"),
     "ticket.custmer_severity: unknown key; did you mean 'customer_severity'?"),
    (changed("events.0.publc", False), "events[0].publc: unknown key; did you mean 'public'?"),
    (changed("ticket.opened", "2026-11-25T16:00:00"),
     "ticket.opened: '2026-11-25T16:00:00' has no UTC offset, so the instant is ambiguous"),
    (changed("events.1.at", "next monday"),
     "events[1].at: 'next monday' is not an ISO 8601 date and time"),
    (changed("events.0.public", "no"), "events[0].public: Input should be a valid boolean"),
    (changed("events.1.public", False),
     "events[1]: public: a customer's comment is always public"),
    (changed("events.2.set", {}), "events[2].set: nothing to change"),
    (changed("events.2.set", {"tags_add": ["x"], "tags_remove": ["x"]}),
     "events[2].set: tags_add and tags_remove both name x"),
    (changed("events.1.ticket", "follow-up:1"),
     "events[1].ticket: 'follow-up:1' is not a ticket of the story"),
    (changed("events.1", {"at": "2026-11-30T09:00:00-06:00"}),
     "events[1]: nothing happens: give a customer or agent comment, a set, or both"),
    (changed("events.1.at", "2026-11-25T17:00:00-06:00"),
     "events[1].at: 2026-11-25T17:00:00-06:00 is before events[0].at "
     "(2026-11-25T17:30:00-06:00); events must be in time order"),
    (changed("until", "2026-11-30T09:30:00-06:00"),
     "until: 2026-11-30T09:30:00-06:00 is before events[2].at"),
    ({k: v for k, v in GOOD.items() if k != "ticket"}, "ticket: required key is missing"),
    ([GOOD], "a story is a JSON object with the keys policy, ticket, events and until"),
])
def test_bad_story_names_the_key_path_and_exits_2(run_cli: Any, tmp_path: Path, data: object,
                                                   message: str) -> None:
    output = error_of(run_cli, story(tmp_path, data))
    assert f"story.json: {message}" in " ".join(output.split())


def test_invalid_json_says_where(run_cli: Any, tmp_path: Path) -> None:
    output = error_of(run_cli, story(tmp_path, '{\n  "policy": "code42-enterprise",\n  ticket: 1}'))
    assert "story.json: line 3, column 3: not valid JSON: Expecting property name" in output


def test_a_missing_file_says_so(run_cli: Any, tmp_path: Path) -> None:
    assert "nope.json: no such story file" in error_of(run_cli, tmp_path / "nope.json")


def test_an_unknown_policy_names_the_policy_key(run_cli: Any, tmp_path: Path) -> None:
    output = error_of(run_cli, story(tmp_path, changed("policy", "code42-enterprize")))
    assert "story.json: policy: code42-enterprize: no policy of that name; available:" in output


def test_a_relative_policy_path_is_read_beside_the_story(simulate: Simulate, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "stories"
    (folder / "policies").mkdir(parents=True)
    policy_file = STORIES.parent / "policies" / "code42-enterprise.toml"
    (folder / "policies" / "code42-enterprise.toml").write_text(policy_file.read_text())
    path = story(folder, changed("policy", "policies/code42-enterprise.toml"))
    monkeypatch.chdir(tmp_path)  # not the story's folder
    assert simulate(path)["policy"] == "code42-enterprise"


def test_an_event_for_a_follow_up_that_does_not_exist_yet(run_cli: Any, tmp_path: Path) -> None:
    output = error_of(run_cli, story(tmp_path, changed("events.1.ticket", "follow_up:1")))
    assert ("story.json: events[1].ticket: 'follow_up:1' does not exist at "
            "2026-11-30T09:00:00-06:00: the bridge had created 0 follow-ups by then") in output


def test_the_policy_option_replaces_the_storys_own(simulate: Simulate) -> None:
    result = simulate(STORIES / "code42-enterprise.json", "--policy", "crashplan-small-business")
    assert result["policies"] == ["crashplan-small-business"]
    assert result["policy"] is None  # a gold ticket: that policy does not apply
    [note] = result["writes"]
    assert note["body"].startswith("sla-bridge: no support policy applies to this ticket")
