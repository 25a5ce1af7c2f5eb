"""Is the ticket's product version supported under the policy's ``[versions]`` rule?

Rules (``versions.rule``):

- ``any``: every version is supported.
- ``latest_only``: only the newest release; needs the newest known version.
- ``newest_majors``: the N newest major versions (the first number); needs the newest known
  version to know which majors those are.
- ``months_after_next_ga``: a version is supported until N months after the general
  availability of the next version; needs a release calendar (version -> GA date) and the
  date to judge on. Without one the check is skipped and the result says so. Versions are
  judged by release line (major.minor): 10.0.3 belongs to line 10.0, and the "next version"
  of 10.0 is the first newer line in the calendar (10.1, 11.0, ...), whose GA is the
  earliest date listed for that line. Maintenance and patch releases of a line (10.0.1) do
  not start the countdown of the line before them ("not including maintenance and patch
  versions", Code42's policy), so the calendar may list them or not.

Versions always compare as numbers, part by part (10.10 > 10.9 > 10.2), never as text.

Missing facts never make a version unsupported: the check is skipped, with the reason.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from sla_bridge.policy import Policy

Version = tuple[int, ...]
_VERSION = re.compile(r"\d+(?:\.\d+)*")


@dataclass(frozen=True)
class VersionFacts:
    """What the version rules need besides the policy: the newest version, release dates, today.

    ``latest`` is the newest released version ("6.1.2"), for ``latest_only`` and
    ``newest_majors``. ``release_dates`` maps each release ("6.5") to its general-availability
    date, and ``today`` is the date to judge on, for ``months_after_next_ga``.
    """

    latest: str | None = None
    release_dates: Mapping[str, date] = field(default_factory=dict)
    today: date | None = None


@dataclass(frozen=True)
class VersionCheck:
    """The outcome: ``supported`` is True, False, or None when the check could not be made."""

    version: str | None
    supported: bool | None
    reason: str
    # The last day of support, where the rule gives one (``months_after_next_ga``).
    supported_until: date | None = None


def parse_version(text: str) -> Version | None:
    """Return the numbers of the first dotted version in ``text`` ("v6.5.2 build 7" -> 6, 5, 2)."""
    match = _VERSION.search(text)
    if match is None:
        return None
    return tuple(int(part) for part in match.group(0).split("."))


def _cmp_key(version: Version, width: int = 4) -> Version:
    return version + (0,) * (width - len(version))


def _line(version: Version) -> Version:
    return _cmp_key(version, 2)[:2]


def version_line(version: str) -> str | None:
    """Return the release line (major.minor) of ``version``: "10.0.3" -> "10.0", "11" -> "11.0".

    ``None`` when ``version`` holds no version number. Maintenance and patch releases belong
    to the line they maintain, as the ``months_after_next_ga`` rule reads them.
    """
    parsed = parse_version(version)
    return None if parsed is None else ".".join(map(str, _line(parsed)))


def add_months(day: date, months: int) -> date:
    """Return ``day`` plus ``months`` calendar months, clamped to the end of a shorter month."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def check_version(policy: Policy, version: str | None,
                  facts: VersionFacts | None = None) -> VersionCheck:
    """Check ``version`` against ``policy.versions``; see the module docstring for the rules."""
    facts = facts or VersionFacts()
    rule = policy.versions.rule
    if rule == "any":
        return VersionCheck(version, True, "the policy supports every version")
    if not version or not version.strip():
        return VersionCheck(version, None, "no product version given, so it was not checked")
    parsed = parse_version(version)
    if parsed is None:
        return VersionCheck(version, None, f"version {version!r} is not a version number, so "
                                           "it was not checked")
    shown = ".".join(map(str, parsed))
    if rule == "months_after_next_ga":
        return _months_after_next_ga(policy, shown, parsed, facts)
    latest = parse_version(facts.latest) if facts.latest else None
    if latest is None:
        need = ("the newest version" if rule == "latest_only"
                else "the newest major version")
        return VersionCheck(version, None, f"version {shown} was not checked: the policy "
                            f"supports {_rule_words(policy)} and {need} is not known (give "
                            "--latest-version)")
    if rule == "latest_only":
        if _cmp_key(parsed) >= _cmp_key(latest):
            return VersionCheck(version, True, f"version {shown} is the latest")
        return VersionCheck(version, False, f"version {shown} is not supported (only the latest, "
                                            f"{'.'.join(map(str, latest))}, is)")
    count = policy.versions.newest_majors or 1
    majors = [latest[0] - i for i in range(count) if latest[0] - i >= 0]
    listed = ", ".join(map(str, majors))
    if parsed[0] in majors or parsed[0] > latest[0]:
        return VersionCheck(version, True,
                            f"version {shown} is supported (newest majors: {listed})")
    return VersionCheck(version, False,
                        f"version {shown} is not supported (newest majors: {listed})")


def _rule_words(policy: Policy) -> str:
    if policy.versions.rule == "latest_only":
        return "only the latest version"
    return f"the {policy.versions.newest_majors or 1} newest major versions"


def _months_after_next_ga(policy: Policy, shown: str, parsed: Version,
                          facts: VersionFacts) -> VersionCheck:
    months = policy.versions.months_after_next_ga or 0
    if not facts.release_dates or facts.today is None:
        missing = "a release calendar (version -> GA date)" if not facts.release_dates else (
            "the date to judge on")
        return VersionCheck(shown, None, f"version {shown} was not checked: the policy supports "
                            f"a version until {months} months after the next version's general "
                            f"availability, and {missing} was not given")
    line = _line(parsed)
    shown_line = ".".join(map(str, line))
    # Each newer release line and its general availability: the earliest date listed for it
    # (its x.y.0), so its own maintenance and patch releases do not move it.
    lines: dict[Version, tuple[date, str]] = {}
    for name, day in facts.release_dates.items():
        release = parse_version(name)
        if release is None or _line(release) <= line:
            continue
        key = _line(release)
        if key not in lines or day < lines[key][0]:
            lines[key] = (day, name)
    released = sorted((key, day, name) for key, (day, name) in lines.items()
                      if day <= facts.today)
    if not released:
        return VersionCheck(shown, True, f"version {shown} is supported (no newer version than "
                                         f"{shown_line} has been generally available for "
                                         f"{months} months)")
    _, next_day, next_name = released[0]
    until = add_months(next_day, months)
    if facts.today <= until:
        return VersionCheck(shown, True, f"version {shown} is supported until {until:%Y-%m-%d} "
                            f"({months} months after {next_name} became available)", until)
    return VersionCheck(shown, False, f"version {shown} is not supported since "
                        f"{until:%Y-%m-%d} ({months} months after {next_name} became available)")
