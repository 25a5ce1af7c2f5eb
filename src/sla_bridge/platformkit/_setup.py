"""``sla-bridge <platform> setup``: a plan of steps, found by name, compared, then applied.

A plugin's setup finds each object it manages (a webhook, a rule, a field), compares it with
the object as it should be and adds a step to a :class:`Plan`: ``create``, ``update`` (with
what differs) or ``unchanged``. Nothing is written until :meth:`Plan.apply`, so a dry run is
the plan's report alone, and running setup again changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import SecretStr

StepAction = Literal["create", "update", "unchanged", "deactivate", "delete", "note"]
Found = Mapping[str, Any]
_BODY_INDENT = " " * 15


@dataclass
class Step:
    """One thing setup looked at: what it does about it, and the call that does it."""

    kind: str
    name: str
    action: StepAction
    detail: str = ""
    run: Callable[[], None] | None = None
    body: str | None = None  # what the call sends that an admin may want to read (a dry run)

    def line(self) -> str:
        """One line of the report: ``  create     webhook 'sla-bridge': ...``."""
        text = f"  {self.action:<10} {self.kind} {self.name!r}"
        return text + (f": {self.detail}" if self.detail else "")


@dataclass
class Plan:
    """Everything setup would do, in order."""

    steps: list[Step] = field(default_factory=list)

    @property
    def changes(self) -> list[Step]:
        """The steps that write to the platform."""
        return [s for s in self.steps if s.run is not None]

    def add(self, kind: str, name: str, action: StepAction, detail: str = "",
            run: Callable[[], None] | None = None, body: str | None = None) -> Step:
        """Append a step and return it."""
        step = Step(kind, name, action, detail, run, body)
        self.steps.append(step)
        return step

    def ensure(self, kind: str, name: str, found: Found | None, *,
               differences: Callable[[Found], Sequence[str]], create: Callable[[], None],
               update: Callable[[Found, Sequence[str]], None], detail: str = "",
               body: str | None = None) -> Step:
        """Plan one object: ``create`` it when ``found`` is ``None``, ``update`` it with what
        ``differences`` names, or leave it ``unchanged``."""
        if found is None:
            return self.add(kind, name, "create", detail, create, body)
        differs = list(differences(found))
        if not differs:
            return self.add(kind, name, "unchanged", detail)
        verb = "differs" if len(differs) == 1 else "differ"
        return self.add(kind, name, "update", f"{', '.join(differs)} {verb}"
                        + (f"; {detail}" if detail else ""), lambda: update(found, differs),
                        body)

    def apply(self) -> int:
        """Carry out the changes in order; return how many were made."""
        for step in self.changes:
            assert step.run is not None
            step.run()
        return len(self.changes)

    def report(self, dry_run: bool = False) -> list[str]:
        """The plan's lines; a dry run adds the body each change would send."""
        lines: list[str] = []
        for step in self.steps:
            lines.append(step.line())
            if dry_run and step.body and step.run is not None:
                lines.append(_BODY_INDENT[:-2] + "JSON body:")
                lines.extend(_BODY_INDENT + x for x in step.body.splitlines())
        return lines

    def outcome(self, dry_run: bool = False) -> str:
        """The last line: what was (or, in a dry run, would be) changed."""
        if dry_run:
            return f"{len(self.changes)} change(s) would be made; nothing was changed (dry run)."
        return f"{len(self.changes)} change(s) made." if self.changes else "Nothing to change."


@dataclass(frozen=True)
class Finding:
    """What a platform's ``check`` (and ``setup``, for what it does not change) found about
    one thing (``kind`` and ``name``): whether it is fine, and the details or what to do."""

    ok: bool
    kind: str
    name: str
    detail: str

    def line(self) -> str:
        """``check``'s line: ``  ok       field 'SLA first response due': customfield_...``."""
        return f"  {'ok' if self.ok else 'PROBLEM':<10} {self.kind} {self.name!r}: {self.detail}"

    def add_to(self, plan: Plan) -> None:
        """As a step of setup's plan: ``unchanged`` when fine, else a ``note``."""
        plan.add(self.kind, self.name, "unchanged" if self.ok else "note", self.detail)


def find_named(items: Iterable[Found], name: str, key: str = "name",
               ignore_case: bool = False) -> Found | None:
    """The first item whose ``key`` is ``name`` (after trimming, and case-folded if asked)."""
    def norm(value: Any) -> str:
        text = str(value if value is not None else "").strip()
        return text.casefold() if ignore_case else text
    wanted = norm(name)
    return next((item for item in items if norm(item.get(key)) == wanted), None)


def differing(have: Found, want: Found, keys: Iterable[str] | None = None) -> list[str]:
    """The keys (of ``want`` unless given) whose values differ between the two."""
    return [k for k in (want if keys is None else keys) if have.get(k) != want.get(k)]


def write_env_variable(path: Path, name: str, value: str) -> bool:
    """Set ``NAME=value`` in an env file (created with mode 600, other lines kept); return
    whether the file changed."""
    line = f"{name}={value}"
    lines = path.read_text().splitlines() if path.exists() else []
    kept = [x for x in lines if not x.strip().startswith(f"{name}=")]
    if line in lines and len(kept) == len(lines) - 1:
        return False
    path.write_text("\n".join([*kept, line]) + "\n")
    path.chmod(0o600)
    return True


#: Settings are read when a process starts: a ``serve`` already running keeps the old secret.
RESTART_NOTE = ("  note       restart `sla-bridge serve` if it is running: it reads {variable} "
                "only when it starts, and refuses {platform_label}'s webhooks (401) until then")


def report_webhook_secret(variable: str, configured: SecretStr, found: str | None, *,
                          platform_label: str, env_file: Path | None = None,
                          show_secret: bool = False) -> list[str]:
    """Reconcile the webhook secret the platform holds (``found``) with the setting.

    Matching: one ``unchanged`` line. Otherwise it is written to ``env_file`` (with a note
    that a running ``sla-bridge serve`` must be restarted to read it), or printed as an
    ``export`` line with ``show_secret``, or the lines say how to get it; the secret is
    printed only when asked.
    """
    if found is None:
        return []
    if found == configured.get_secret_value():
        return [f"  unchanged  signing secret: {variable} matches the webhook's"]
    if env_file is not None:
        changed = write_env_variable(env_file, variable, found)
        return [f"  {'wrote' if changed else 'unchanged':<10} signing secret: {variable} in "
                f"{env_file}",
                RESTART_NOTE.format(variable=variable, platform_label=platform_label)]
    if show_secret:
        return [f"export {variable}={found}"]
    return [f"  note       signing secret: set {variable} to the webhook's signing secret "
            f"(rerun with --env-file .env or --show-secret); until then the bridge refuses "
            f"{platform_label}'s webhooks"]
