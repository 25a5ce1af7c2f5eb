"""Reading policy files, with errors that name the file, the key path and the reason."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ValidationError

from sla_bridge.errors import FileProblems

from ._model import Policy

POLICY_SUFFIX = ".toml"


class PolicyError(FileProblems):
    """A policy file that cannot be used, with every problem found in it."""


def load_policy(path: Path, holiday_kinds: Mapping[str, type[BaseModel]]) -> Policy:
    """Read, validate and cross-check the policy file at ``path``.

    ``holiday_kinds`` maps rule kind names to their spec models (see the
    ``sla_bridge_register_holiday_rules`` hook). Raises :class:`PolicyError`.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyError(path, [("", f"cannot read the file: {exc.strerror or exc}")]) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(path, [("", f"not valid TOML: {exc}")]) from None
    policy = validate_policy(data, path, holiday_kinds)
    if policy.id != path.stem:
        raise PolicyError(path, [("id", f"{policy.id!r} differs from the file name; policies are "
                                        f"loaded by file name, so name the file {policy.id}"
                                        f"{POLICY_SUFFIX} or set id = {path.stem!r}")])
    return policy


def validate_policy(
    data: Mapping[str, object], origin: Path | str, holiday_kinds: Mapping[str, type[BaseModel]]
) -> Policy:
    """Validate already-parsed policy data; ``origin`` names it in errors."""
    try:
        policy = Policy.model_validate(data, context={"holiday_kinds": holiday_kinds})
    except ValidationError as exc:
        raise PolicyError(origin, [key_path_problem(err) for err in exc.errors()]) from None
    problems = list(_cross_check(policy))
    if problems:
        raise PolicyError(origin, problems)
    return policy


def key_path_problem(error: object) -> tuple[str, str]:
    """One pydantic validation error as (key path, problem in words): ``plans.gold.admins``,
    ``events[2].at``. Shared by every file format the bridge reads (policies, stories)."""
    assert isinstance(error, dict)
    path = ""
    for part in error["loc"]:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = "unknown key (check its spelling against docs/policies.md)"
    elif error["type"] == "missing":
        message = "required key is missing"
    return path, message


def _cross_check(policy: Policy) -> Iterable[tuple[str, str]]:
    for path, name, valid, what in policy.references():
        if name not in valid:
            yield path, f"no {what} named {name!r}; defined: {', '.join(valid) or 'none'}"
    for plan_id, plan in policy.plans.items():
        missing = [s for s in policy.severity_ids if s not in plan.first_response]
        if missing:
            yield (f"plans.{plan_id}.first_response",
                   f"no target for severity {', '.join(missing)}; every severity needs one")
    seen: set[str] = set()
    for index, severity in enumerate(policy.severities):
        names = {n.lower() for n in (severity.id, severity.label, *severity.aliases)}
        for name in sorted(names & seen):
            yield f"severities[{index}]", f"the name {name!r} is used by more than one severity"
        seen |= names
    for name, holiday_set in policy.holidays.items():
        earlier: set[str] = set()
        for index, rule in enumerate(holiday_set.rules):
            anchor = getattr(rule, "holiday", None)
            if isinstance(anchor, str) and anchor not in earlier:
                yield (f"holidays.{name}.rules[{index}]",
                       f"{rule.name!r} is relative to {anchor!r}, which is not listed before it")
            earlier.add(rule.name)


@dataclass
class PolicyLibrary:
    """The policy files the bridge knows by name: the bundled ones and any registered."""

    directories: list[Path]
    holiday_kinds: Mapping[str, type[BaseModel]]
    _loaded: dict[Path, Policy] = field(default_factory=dict)

    def available(self) -> dict[str, Path]:
        """Return policy name -> file for every policy file in the registered directories.

        A file in a later directory does not replace one of the same name found earlier.
        """
        found: dict[str, Path] = {}
        for directory in self.directories:
            if directory.is_file():
                found.setdefault(directory.stem, directory)
                continue
            for path in sorted(directory.glob(f"*{POLICY_SUFFIX}")):
                found.setdefault(path.stem, path)
        return found

    def resolve(self, name_or_path: str) -> Path:
        """Return the file for a policy name, or ``name_or_path`` itself when it is a path."""
        candidate = Path(name_or_path).expanduser()
        if candidate.suffix == POLICY_SUFFIX or candidate.exists() or "/" in name_or_path:
            if not candidate.is_file():
                raise PolicyError(candidate, [("", "no such policy file")])
            return candidate
        available = self.available()
        if name_or_path not in available:
            names = ", ".join(sorted(available)) or "none"
            raise PolicyError(
                name_or_path,
                [("", f"no policy of that name; available: {names}; or give a path to a "
                      ".toml file")],
            )
        return available[name_or_path]

    def load(self, name_or_path: str) -> Policy:
        """Return the policy named or found at ``name_or_path``, loading it once."""
        path = self.resolve(name_or_path).resolve()
        policy = self._loaded.get(path)
        if policy is None:
            policy = self._loaded[path] = load_policy(path, self.holiday_kinds)
        return policy
