"""Retry-After (seconds or an HTTP date, by the injected clock) and the rate gate that holds
calls while the vendor's budget is spent."""

from __future__ import annotations

from datetime import timedelta
from email.utils import format_datetime

import pytest
from platformkit_fakes import NOW

from sla_bridge.clock import FixedClock
from sla_bridge.platformkit import (
    DEFAULT_RATE_LIMIT_WAIT,
    RateGate,
    RateLimited,
    RateLimitHeaders,
    retry_after_seconds,
)


class Timer:
    """A monotonic timer the test moves."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def http_date(delta: timedelta) -> str:
    return format_datetime(NOW + delta, usegmt=True)


@pytest.mark.parametrize(("value", "seconds"), [
    ("7", 7.0), (" 2.5 ", 2.5), ("-3", 0.0), (None, None), ("", None), ("soon", None),
])
def test_retry_after_in_seconds(value: str | None, seconds: float | None) -> None:
    assert retry_after_seconds(value, NOW) == seconds


def test_a_retry_after_date_is_read_against_the_injected_clock() -> None:
    assert retry_after_seconds(http_date(timedelta(seconds=90)), NOW) == 90
    later = NOW + timedelta(seconds=60)
    assert retry_after_seconds(http_date(timedelta(seconds=90)), later) == 30
    assert retry_after_seconds(http_date(-timedelta(hours=1)), NOW) == 0  # already past


def gate(timer: Timer, clock: FixedClock | None = None,
         headers: RateLimitHeaders | None = None) -> RateGate:
    return RateGate(clock or FixedClock(NOW), headers, monotonic=timer)


def test_a_429_holds_every_call_for_its_retry_after() -> None:
    timer = Timer()
    limits = gate(timer)
    assert limits.observe(429, {"Retry-After": "7"}) == 7
    with pytest.raises(RateLimited) as caught:
        limits.check()
    assert caught.value.retry_after == 7
    assert caught.value.status is None  # held by the gate, not answered by the vendor
    timer.now += 5
    assert limits.wait_seconds() == pytest.approx(2)
    timer.now += 2
    limits.check()  # free again


def test_a_429_with_a_retry_after_date_is_honoured() -> None:
    timer = Timer()
    limits = gate(timer)
    assert limits.observe(429, {"retry-after": http_date(timedelta(seconds=30))}) == 30
    timer.now += 29
    with pytest.raises(RateLimited):
        limits.check()


def test_a_429_without_a_hint_waits_the_reset_or_the_default() -> None:
    assert gate(Timer()).observe(429, {"ratelimit-reset": "12"}) == 12
    assert gate(Timer()).observe(429, {}) == DEFAULT_RATE_LIMIT_WAIT


def test_a_spent_budget_holds_calls_until_the_reset_without_a_429() -> None:
    timer = Timer()
    limits = gate(timer)
    assert limits.observe(200, {"RateLimit-Limit": "700", "RateLimit-Remaining": "3",
                                "RateLimit-Reset": "40"}) is None
    limits.check()
    assert (limits.limit, limits.remaining) == (700, 3)
    limits.observe(200, {"ratelimit-remaining": "0", "ratelimit-reset": "40"})
    with pytest.raises(RateLimited):
        limits.check()
    timer.now += 40
    limits.check()


def test_the_vendors_own_header_names_are_read() -> None:
    timer = Timer()
    names = RateLimitHeaders(limit=("x-rate-limit",), remaining=("x-rate-limit-remaining",))
    limits = gate(timer, headers=names)
    limits.observe(200, {"X-Rate-Limit": "200", "X-Rate-Limit-Remaining": "0",
                         "ratelimit-reset": "5"})
    assert (limits.limit, limits.remaining) == (200, 0)
    assert limits.wait_seconds() == 5


def test_a_shorter_hold_does_not_cut_a_longer_one() -> None:
    timer = Timer()
    limits = gate(timer)
    limits.hold(30)
    limits.hold(5)
    assert limits.wait_seconds() == 30


def test_a_clock_with_its_own_timer_measures_the_holds() -> None:
    class VirtualClock(FixedClock):
        """A virtual clock whose retries "sleep" by moving its timer."""

        elapsed = 0.0

        def monotonic(self) -> float:
            return self.elapsed

    clock = VirtualClock(NOW)
    limits = RateGate(clock)
    limits.observe(429, {"retry-after": "3"})
    with pytest.raises(RateLimited):
        limits.check()
    clock.elapsed = 3
    limits.check()
