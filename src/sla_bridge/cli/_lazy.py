"""Sub-commands imported when they are run (click's "lazy group" pattern).

A command module imports what its command needs (the classifier, the store, the web
server, a helpdesk's client); importing them all made ``sla-bridge --version`` take a
second. A group whose ``commands`` is a :class:`LazyCommands` keeps some entries as
``"package.module:attribute"`` and imports one only when it is looked up: run, or listed
by ``--help``. ``group.commands[name]`` still returns the command itself.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping, MutableMapping

import click


class _Lazy:
    """A command not imported yet: its import path, then the command once imported (one
    object throughout, so a replaced entry can be told from an imported one)."""

    __slots__ = ("command", "target")

    def __init__(self, target: str) -> None:
        self.target = target
        self.command: click.Command | None = None


class LazyCommands(MutableMapping[str, click.Command]):
    """A group's command table in which an entry may be an import path, imported on first
    lookup (``in``, iteration and ``len`` import nothing)."""

    def __init__(self, lazy: Mapping[str, str] | None = None) -> None:
        self._entries: dict[str, click.Command | _Lazy] = {
            name: _Lazy(target) for name, target in (lazy or {}).items()}

    def add_lazy(self, name: str, target: str) -> None:
        """Add the command at ``target`` (``"package.module:attribute"``) as ``name``."""
        self._entries[name] = _Lazy(target)

    def __getitem__(self, name: str) -> click.Command:
        entry = self._entries[name]
        if isinstance(entry, click.Command):
            return entry
        if entry.command is None:
            entry.command = _import(name, entry.target)
        return entry.command

    def __setitem__(self, name: str, command: click.Command) -> None:
        self._entries[name] = command

    def __delitem__(self, name: str) -> None:
        del self._entries[name]

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)


def add_lazy_command(group: click.Group, name: str, target: str) -> None:
    """Add the click command at ``target`` (``"package.module:attribute"``) to ``group`` as
    ``name``, imported only when it is run or listed; a group without a lazy table (one a
    tool built itself) gets it imported now.

    For ``sla_bridge_register_commands``: a plugin's commands then cost nothing until used.
    """
    if isinstance(group.commands, LazyCommands):
        group.commands.add_lazy(name, target)
    else:
        group.add_command(_import(name, target), name)


def command_entries(group: click.Group) -> dict[str, object]:
    """Return ``group``'s entries by name without importing lazy commands: an entry is the
    same object until it is replaced (importing a lazy command does not replace it)."""
    if isinstance(group.commands, LazyCommands):
        return dict(group.commands._entries)
    return dict(group.commands)


def restore_entry(group: click.Group, name: str, entry: object) -> None:
    """Put back an entry :func:`command_entries` returned."""
    if isinstance(group.commands, LazyCommands) and isinstance(entry, _Lazy | click.Command):
        group.commands._entries[name] = entry
    elif isinstance(entry, click.Command):
        group.commands[name] = entry
    else:
        raise TypeError(f"not an entry of a command table: {entry!r}")


def _import(name: str, target: str) -> click.Command:
    module_name, _, attribute = target.partition(":")
    command = getattr(importlib.import_module(module_name), attribute)
    if not isinstance(command, click.Command):
        raise TypeError(f"the command {name!r} ({target}) is not a click command")
    return command
