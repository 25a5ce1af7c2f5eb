"""Recognising the bridge's own writes as they echo back, and look-ups cached for a TTL."""

from __future__ import annotations

import pytest

from sla_bridge.platformkit import BridgeIdentity, TTLCache


def test_a_known_id_decides_alone() -> None:
    bridge = BridgeIdentity("bridge@acme.test", user_id=1001)
    assert bridge.is_bridge(user_id="1001")
    assert bridge.is_bridge(user_id=1001)
    assert not bridge.is_bridge(user_id="7", email="bridge@acme.test")


def test_while_the_id_is_unknown_the_email_tells_and_teaches_the_id() -> None:
    bridge = BridgeIdentity(" Bridge@Acme.test ")
    assert bridge.is_bridge(user_id="1001", email="BRIDGE@acme.test")
    assert not bridge.is_bridge(user_id="1002", email="grace@gold.test")
    assert not bridge.is_bridge()
    bridge.notice("1002", "grace@gold.test")
    assert bridge.user_id is None
    bridge.notice("1001", "bridge@acme.test")
    assert bridge.user_id == "1001"
    assert not bridge.is_bridge(user_id="1002", email="bridge@acme.test")


def test_a_marker_the_bridge_writes_identifies_its_echo() -> None:
    bridge = BridgeIdentity(marker="sla-bridge")
    assert bridge.is_bridge(marker="sla-bridge")
    assert not bridge.is_bridge(marker="someone")
    assert not BridgeIdentity().is_bridge(marker="")


def test_the_api_user_is_looked_up_once() -> None:
    calls: list[int] = []

    def me() -> int:
        calls.append(1)
        return 1001

    bridge = BridgeIdentity("bridge@acme.test")
    assert bridge.ensure(me) == "1001"
    assert bridge.ensure(me) == "1001"
    assert calls == [1]
    assert BridgeIdentity(user_id=5).ensure(me) == "5"
    assert calls == [1]
    with pytest.raises(ValueError, match="no id"):
        BridgeIdentity().ensure(lambda: None)


class Timer:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_value_is_loaded_once_while_fresh_and_again_after_the_ttl() -> None:
    timer, loads = Timer(), []
    cache = TTLCache(300, clock=timer)

    def load() -> str:
        loads.append(timer.now)
        return f"plan at {timer.now}"

    assert cache.get("org", load) == "plan at 0.0"
    timer.now = 299
    assert cache.get("org", load) == "plan at 0.0"
    timer.now = 300
    assert cache.get("org", load) == "plan at 300"
    assert loads == [0.0, 300]
    assert cache.peek("other") is None
    cache.clear()
    assert cache.peek("org") is None


def test_a_ttl_of_zero_caches_nothing() -> None:
    cache, loads = TTLCache(0, clock=Timer()), []
    cache.get("k", lambda: loads.append(1))
    cache.get("k", lambda: loads.append(1))
    assert loads == [1, 1]


def test_many_ids_load_only_those_not_cached_in_batches() -> None:
    timer, batches = Timer(), []
    cache = TTLCache(60, clock=timer)

    def load(ids: list[int]) -> dict[int, str]:
        batches.append(ids)
        return {i: f"user {i}" for i in ids if i != 4}  # 4 does not exist

    assert cache.get_many("user", [1, 2, 3], load, batch=2) == {1: "user 1", 2: "user 2",
                                                                  3: "user 3"}
    assert batches == [[1, 2], [3]]
    assert cache.get_many("user", [3, 4, 3], load) == {3: "user 3"}
    assert batches[-1] == [4]
    timer.now = 61
    cache.get_many("user", [1], load)
    assert batches[-1] == [1]
